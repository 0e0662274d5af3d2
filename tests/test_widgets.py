"""The notebooks' widgets, driven from code: set a control, read the data and the figure.

Expected values come from closed forms written out here (the alpha function, its
peak and charge, the step-matrix growth factors), not from alphakit's own helpers.
"""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import ipywidgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from alphakit import widgets  # noqa: E402

from _reference import NORM_FACTOR  # noqa: E402
from _reference import alpha as closed_alpha  # noqa: E402


def lines_by_label(ax) -> dict[str, matplotlib.lines.Line2D]:
    return {line.get_label(): line for line in ax.get_lines()}


# -- shared behaviour ----------------------------------------------------------------------

EXPLORERS = {
    "kernel": (widgets.kernel_explorer, "tau", 12.0),
    "convolution": (widgets.convolution_explorer, "seed", 7),
    "legacy": (widgets.legacy_explorer, "tau", 3.0),
    "integration": (widgets.integration_explorer, "dt", 4.0),
}


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_explorer_is_a_vbox_that_rerenders_in_place(name):
    make, control, new_value = EXPLORERS[name]
    before_fignums = plt.get_fignums()
    w = make()
    # Not a pyplot figure: the inline backend must not show it a second time.
    assert plt.get_fignums() == before_fignums
    assert isinstance(w, ipywidgets.VBox)
    assert isinstance(w, widgets.Explorer)
    assert w.image in w.children and w.readout in w.children
    assert w.image.format == "png" and w.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    figure, artists = w.figure, list(w.axes.get_lines())
    png, renders = w.image.value, w.renders
    w.controls[control].value = new_value
    assert w.renders == renders + 1
    assert w.image.value != png  # the picture changed
    assert w.figure is figure  # the same figure ...
    assert all(a in w.axes.get_lines() for a in artists)  # ... and the same line artists
    assert f"{control}={new_value!r}" in repr(w)


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_repr_is_deterministic_and_states_the_settings(name):
    make, _, _ = EXPLORERS[name]
    a, b = make(), make()
    assert repr(a) == repr(b)
    assert "PNG" not in repr(a) and "0x" not in repr(a)
    for key, value in a.values.items():
        assert f"{key}={value!r}" in repr(a)


# -- 1. kernel ---------------------------------------------------------------------------------


@pytest.mark.parametrize("norm", sorted(NORM_FACTOR))
@pytest.mark.parametrize("tau", [0.5, 17.5])
def test_kernel_explorer_matches_the_closed_form(norm, tau):
    w = widgets.kernel_explorer()
    w.controls["norm"].value = norm
    w.controls["tau"].value = tau
    w.controls["weight"].value = 2.5
    d = w.data
    c = NORM_FACTOR[norm](tau)
    np.testing.assert_allclose(d["g"], 2.5 * closed_alpha(d["t"], tau, c), rtol=1e-12, atol=0)
    assert d["peak_time"] == pytest.approx(tau)
    assert d["peak"] == pytest.approx(2.5 * c / math.e)
    assert d["charge"] == pytest.approx(2.5 * c * tau)
    # the figure shows the data: the current curve and the peak marker
    current = [ln for ln in w.axes.get_lines() if ln.get_label().startswith(f"{norm}, ")]
    assert len(current) == 1
    np.testing.assert_array_equal(current[0].get_ydata(), d["g"])
    markers = [ln for ln in w.axes.get_lines() if ln.get_marker() == "o"]
    assert markers[0].get_xdata()[0] == pytest.approx(tau)
    assert markers[0].get_ydata()[0] == pytest.approx(d["peak"])
    assert w.axes.get_ylim()[1] >= d["peak"]


def test_kernel_explorer_charge_is_the_area_under_the_drawn_curve():
    w = widgets.kernel_explorer(tau=2.0, norm="area", duration=80.0)
    d = w.data
    assert np.trapezoid(d["g"], d["t"]) == pytest.approx(d["charge"], rel=2e-4)


def test_kernel_explorer_reference_curve_stays_put():
    w = widgets.kernel_explorer(tau=5.0, norm="plain", weight=1.0)
    ref = next(ln for ln in w.axes.get_lines() if ln.get_label().startswith("start:"))
    y0 = ref.get_ydata().copy()
    w.controls["tau"].value = 15.0
    w.controls["norm"].value = "legacy"
    np.testing.assert_array_equal(ref.get_ydata(), y0)


# -- 2. convolution -----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 11])
@pytest.mark.parametrize("tau", [1.0, 8.0])
def test_convolution_explorer_is_the_sum_of_shifted_kernels(seed, tau):
    w = widgets.convolution_explorer(rate=60.0, tau=tau, seed=seed, duration=300.0, dt=0.1)
    d = w.data
    assert d["spike_times"].size == int(d["spikes"].sum()) > 0
    expected = sum(closed_alpha(d["t"] - ts, tau, 1.0) for ts in d["spike_times"])
    np.testing.assert_allclose(d["g"], expected, atol=1e-12 * expected.max())
    # the drawn trace and spike ticks are the data
    ax_spikes = w.figure.axes[0]
    assert len(ax_spikes.collections[0].get_segments()) == d["spike_times"].size
    trace = next(ln for ln in w.axes.get_lines() if ln.get_label().startswith("g ="))
    np.testing.assert_array_equal(trace.get_ydata(), d["g"])
    assert d["expected_mean_g"] == pytest.approx(60.0 / 1000.0 * tau)


def test_convolution_explorer_seed_controls_the_train():
    w = widgets.convolution_explorer(seed=0)
    first = w.data["spikes"].copy()
    w.controls["seed"].value = 1
    assert not np.array_equal(w.data["spikes"], first)
    w.controls["seed"].value = 0
    np.testing.assert_array_equal(w.data["spikes"], first)


def test_convolution_explorer_mean_follows_rate_times_charge():
    w = widgets.convolution_explorer(rate=200.0, tau=10.0, duration=20000.0, dt=0.5)
    # 4000 spikes: the sample mean is within a few percent of rate x charge (2.0)
    assert w.data["mean_g"] == pytest.approx(2.0, rel=0.06)


# -- 3. legacy ---------------------------------------------------------------------------------


@pytest.mark.parametrize("tau", [0.5, 1.0, 8.6, 20.0])
def test_legacy_explorer_ratio_is_tau(tau):
    w = widgets.legacy_explorer()
    w.controls["tau"].value = tau
    d = w.data
    assert d["ratio"] == pytest.approx(tau, rel=1e-12)
    # one spike at step 0 shows at t = n dt as the closed-form kernel
    np.testing.assert_allclose(d["fixed"], closed_alpha(d["t"], tau, 1.0), atol=1e-12)
    np.testing.assert_allclose(d["legacy"], closed_alpha(d["t"], tau, tau), atol=1e-12 * tau)
    assert w.axes.get_yscale() == "log"
    assert f"{tau:g}" in w.readout.value


# -- 5. integration ----------------------------------------------------------------------------


def growth_closed_form(method: str, z: float) -> float:
    """Diagonal entry of the step matrix for dz/dt = -z/tau, with z = dt/tau."""
    taylor = {"euler": 1, "rk2": 2, "rk4": 4}
    if method in taylor:
        return sum((-z) ** k / math.factorial(k) for k in range(taylor[method] + 1))
    return math.exp(-z)


@pytest.mark.parametrize("method", ["euler", "rk2", "rk4", "exp_euler", "exact"])
@pytest.mark.parametrize("dt", [0.05, 9.0, 15.0])
def test_integration_explorer_growth_and_stability(method, dt):
    w = widgets.integration_explorer(tau=5.0)
    w.controls["method"].value = method
    w.controls["dt"].value = dt
    d = w.data
    a = growth_closed_form(method, dt / 5.0)
    assert d["growth"] == pytest.approx(a, rel=1e-12, abs=1e-15)
    assert d["stable"] == (abs(a) < 1)
    assert ("UNSTABLE" in w.readout.value) == (abs(a) >= 1)
    # the drawn samples are the data, at t = n dt
    num = next(ln for ln in w.axes.get_lines() if ln.get_label().startswith(f"{method}, dt"))
    np.testing.assert_array_equal(num.get_ydata(), d["g"])
    np.testing.assert_allclose(np.diff(d["t"]), w.controls["dt"].value)


def test_integration_explorer_exact_has_no_error_and_exp_euler_a_constant_bias():
    w = widgets.integration_explorer(method="exact", dt=0.5, tau=5.0)
    assert w.data["error"] < 1e-12
    w.controls["method"].value = "exp_euler"
    d = w.data
    z = w.controls["dt"].value / 5.0
    ratio = d["g"][1:] / closed_alpha(d["t"][1:], 5.0, 1.0)
    np.testing.assert_allclose(ratio, math.expm1(z) / z, rtol=1e-10)


def test_integration_explorer_euler_error_halves_with_dt():
    w = widgets.integration_explorer(method="euler", dt=0.04, tau=5.0)
    e1 = w.data["error"]
    w.controls["dt"].value = 0.02
    assert w.data["error"] == pytest.approx(e1 / 2, rel=0.05)


def test_integration_explorer_legacy_form_is_tau_times_larger():
    fixed = widgets.integration_explorer(method="rk4", dt=0.1, tau=4.0, form="fixed")
    legacy = widgets.integration_explorer(method="rk4", dt=0.1, tau=4.0, form="legacy")
    np.testing.assert_allclose(legacy.data["g"], 4.0 * fixed.data["g"], rtol=1e-12)


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "kwargs", "exc", "words"),
    [
        (widgets.kernel_explorer, {"tau": -1.0}, ValueError, "tau"),
        (widgets.kernel_explorer, {"tau": 50.0}, ValueError, "tau"),
        (widgets.kernel_explorer, {"norm": "nest"}, ValueError, "plain"),
        (widgets.kernel_explorer, {"weight": float("nan")}, ValueError, "weight"),
        (widgets.convolution_explorer, {"rate": 0.0}, ValueError, "rate"),
        (widgets.convolution_explorer, {"dt": "0.1"}, TypeError, "dt"),
        (widgets.legacy_explorer, {"tau": 0.0}, ValueError, "tau"),
        (widgets.integration_explorer, {"method": "rk45"}, ValueError, "euler"),
        (widgets.integration_explorer, {"form": "old"}, ValueError, "legacy"),
        (widgets.integration_explorer, {"dt": 100.0}, ValueError, "dt"),
    ],
)
def test_bad_input_names_the_parameter(make, kwargs, exc, words):
    with pytest.raises(exc, match=words):
        make(**kwargs)


def test_without_ipywidgets_the_module_imports_and_calls_name_the_extra():
    code = textwrap.dedent(
        """
        import sys
        sys.modules["ipywidgets"] = None  # makes `import ipywidgets` fail
        import alphakit
        from alphakit import widgets
        try:
            widgets.kernel_explorer()
        except ImportError as exc:
            print("ImportError:", exc)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.startswith("ImportError: ")
    assert "'ipywidgets'" in out.stdout and 'pip install "alphakit[widgets]"' in out.stdout
