"""alphakit.brainpy against real BrainPy traces, alphakit's closed forms and BrainPy itself.

Independent references used here:
- traces recorded from real BrainPy 2.4.6 (pre-fix) and 2.8.2 in tests/data;
- alphakit.convolve_spikes (exact convolution) and alphakit.simulate (step matrices);
- closed forms: the exp_auto gain (e^a - 1)/a, Taylor-polynomial step matrices of
  explicit Runge-Kutta methods, written out in this file with numpy.

Everything BrainPy compiles is run once per module (fixtures) to keep the file fast.
"""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

bp = pytest.importorskip("brainpy")
bm = pytest.importorskip("brainpy.math")

import alphakit  # noqa: E402
from alphakit import brainpy as abp  # noqa: E402

from _reference import ode_matrix  # noqa: E402

pytestmark = pytest.mark.brainpy

DATA = Path(__file__).parent / "data"
TAU = 8.6
DT = 0.1
REF_METHODS = ("rk4", "exp_auto", "euler")
TOL = 1e-5  # relative to the peak of the reference trace


def load_ref(version: str, case: str) -> dict[str, np.ndarray]:
    with np.load(DATA / f"brainpy-{version}-{case}.npz") as f:
        out = {k: np.asarray(f[k], dtype=np.float64) for k in f.files if k != "params"}
        out["params"] = json.loads(str(f["params"]))
    for k, a in out.items():
        if isinstance(a, np.ndarray) and a.ndim == 2:
            out[k] = a[:, 0]
    return out


def rel_err(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| relative to the peak of |b|."""
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def lagged(x: np.ndarray) -> np.ndarray:
    """x delayed by one step (BrainPy's synapse reads the presynaptic spike one step late)."""
    return np.concatenate([np.zeros_like(x[:1]), x[:-1]])


@pytest.fixture(scope="module")
def issue_runs() -> dict[tuple[str, str], abp.Issue577Result]:
    return {
        (form, m): abp.run_issue_577(method=m, form=form)
        for form in ("fixed", "legacy")
        for m in REF_METHODS
    }


@pytest.fixture(scope="module")
def single_runs() -> dict[tuple[str, str], abp.SynapseRun]:
    return {
        (form, m): abp.run_synapse(
            spike_times=[10.0], dt=DT, tau=TAU, duration=100.0, method=m, form=form
        )
        for form in ("fixed", "legacy")
        for m in REF_METHODS
    }


@pytest.fixture(scope="module")
def poisson() -> np.ndarray:
    return alphakit.poisson_train(40.0, DT, duration=150.0, n=3, seed=577)


# --- recorded traces of real BrainPy ---------------------------------------------------


@pytest.mark.parametrize("method", REF_METHODS)
@pytest.mark.parametrize("form, version", [("legacy", "2.4.6"), ("fixed", "2.8.2")])
def test_issue_577_reproduces_recorded_brainpy(issue_runs, form, version, method):
    ref = load_ref(version, f"seed-{method}")
    run = issue_runs[(form, method)]
    np.testing.assert_allclose(run.t, ref["ts"], atol=1e-9)
    np.testing.assert_array_equal(run.pre_spike, ref["pre_spike"])
    for key in ("g", "h"):
        assert rel_err(getattr(run, key), ref[key]) < TOL, key
    # The postsynaptic neuron integrates the synaptic current: tau-times larger pre-fix.
    assert rel_err(run.post_V, ref["post_V"]) < TOL
    assert rel_err(run.pre_V, ref["pre_V"]) < TOL


@pytest.mark.parametrize("method", REF_METHODS)
@pytest.mark.parametrize("form, version", [("legacy", "2.4.6"), ("fixed", "2.8.2")])
def test_single_spike_reproduces_recorded_brainpy(single_runs, form, version, method):
    ref = load_ref(version, f"single-tau8.6-dt0.1-{method}")
    run = single_runs[(form, method)]
    np.testing.assert_array_equal(run.spikes, ref["pre_spike"])
    assert rel_err(run.g, ref["g"]) < TOL
    assert rel_err(run.h, ref["h"]) < TOL


def test_legacy_and_fixed_references_differ_by_tau():
    # Guard for the two tests above: the two recorded versions are not the same trace.
    old, new = load_ref("2.4.6", "seed-rk4"), load_ref("2.8.2", "seed-rk4")
    assert old["g"].max() / new["g"].max() == pytest.approx(TAU, rel=1e-4)


# --- fixed form: BrainPy == alphakit's convolution, one step late --------------------


def test_fixed_rk4_is_the_convolution_one_step_late(issue_runs):
    run = issue_runs[("fixed", "rk4")]
    conv = alphakit.convolve_spikes(run.pre_spike, DT, TAU)
    assert run.g[0] == 0.0
    assert rel_err(run.g, lagged(conv)) < TOL
    # and not without the lag: the one-step delay is real, not within tolerance
    assert rel_err(run.g, conv) > 100 * TOL


@pytest.mark.parametrize("tau, dt", [(8.6, 0.1), (2.0, 0.1), (8.6, 0.5), (3.0, 0.25)])
def test_exp_auto_bias_is_expm1_a_over_a(poisson, tau, dt):
    """exp_auto advances g by (1 - e^-a) h per step where the exact flow has a e^-a h
    (a = dt/tau), so every sample is the exact one times (e^a - 1)/a = 1 + a/2 + a^2/6...
    The bias relative to the peak is therefore (e^a - 1)/a - 1, to leading order dt/(2 tau).
    """
    a = dt / tau
    spikes = alphakit.poisson_train(40.0, dt, duration=150.0, n=2, seed=1)
    run = abp.run_synapse(spikes, dt=dt, tau=tau, method="exp_auto")
    conv = lagged(alphakit.convolve_spikes(spikes, dt, tau))
    measured = float(np.max(np.abs(run.g - conv)) / np.max(conv))
    exact = math.expm1(a) / a - 1.0
    assert measured == pytest.approx(exact, rel=1e-3, abs=2e-6)
    # The leading-order formula dt/(2 tau), wrong by the next term a^2/6 only.
    assert abs(measured - a / 2) <= a * a / 6 * 1.1 + 2e-6
    # pointwise, not just at the peak: g = (1 + bias) * convolution wherever g is not tiny
    big = conv > 1e-3 * conv.max()
    np.testing.assert_allclose(run.g[big] / conv[big], 1.0 + exact, rtol=2e-5)
    # alphakit's exp_euler is the exact discrete model of exp_auto
    sim = lagged(alphakit.simulate(spikes, dt, tau, method="exp_euler").g)
    assert rel_err(run.g, sim) < TOL


# --- every integrator, both forms, against step matrices -----------------------------

# alphakit.ode names for BrainPy's methods that it models directly.
_ALPHAKIT_METHOD = {
    "exp_auto": "exp_euler",
    "exp_euler": "exp_euler",
    "exponential_euler": "exp_euler",
    "exp_euler_auto": "exp_euler",
    "euler": "euler",
    "midpoint": "rk2",
    "heun2": "rk2",
    "ralston2": "rk2",
    "rk2": "rk2",
    "rk4": "rk4",
    "ralston4": "rk4",
    "rk4_38rule": "rk4",
}
_THIRD_ORDER = ("rk3", "heun3", "ralston3", "ssprk3")


def taylor_recurrence(spikes: np.ndarray, dt: float, tau: float, c: float, order: int):
    """g of x[n] = p(dt A) x[n-1], h[n] += s[n]; p = Taylor polynomial of exp, A = [[-1/tau, c],
    [0, -1/tau]]: what any explicit order-`order` Runge-Kutta method does to a linear system."""
    A = ode_matrix(tau, c)
    M = sum(np.linalg.matrix_power(dt * A, k) / math.factorial(k) for k in range(order + 1))
    x = np.zeros((2,) + spikes.shape[1:])
    g = np.zeros_like(spikes)
    for n in range(spikes.shape[0]):
        x = M @ x if x.ndim == 1 else np.einsum("ij,j...->i...", M, x)
        x[1] += spikes[n]
        g[n] = x[0]
    return g


def test_brainpy_methods_are_brainpys():
    # Every name we accept is one BrainPy's odeint takes.
    for m in abp.BRAINPY_METHODS:
        bp.odeint(lambda x, t: -x, method=m)
    assert set(_ALPHAKIT_METHOD) | set(_THIRD_ORDER) == set(abp.BRAINPY_METHODS)


@pytest.mark.parametrize(
    "form, method",
    [("fixed", m) for m in abp.BRAINPY_METHODS]
    + [("legacy", m) for m in ("euler", "midpoint", "rk3", "rk4", "exp_auto")],
)
def test_run_synapse_matches_step_matrices(poisson, form, method):
    run = abp.run_synapse(poisson, dt=DT, tau=TAU, method=method, form=form)
    if method in _ALPHAKIT_METHOD:
        expected = alphakit.simulate(
            poisson, DT, TAU, form=form, method=_ALPHAKIT_METHOD[method]
        ).g
    else:
        c = 1.0 / TAU if form == "fixed" else 1.0
        expected = taylor_recurrence(poisson, DT, TAU, c, order=3)
    assert run.g.shape == poisson.shape
    assert rel_err(run.g, lagged(expected)) < TOL


# --- legacy form: the factor tau ------------------------------------------------------


def test_legacy_issue_577_is_tau_times_the_convolution(issue_runs):
    run = issue_runs[("legacy", "rk4")]
    conv = lagged(alphakit.convolve_spikes(run.pre_spike, DT, TAU))
    big = conv > 1e-3 * conv.max()
    np.testing.assert_allclose(run.g[big] / conv[big], TAU, rtol=1e-4)
    assert run.g.max() / conv.max() == pytest.approx(TAU, rel=1e-4)
    # also equal to the convolution with the "legacy" norm, t e^(-t/tau)
    ref = alphakit.convolve_spikes(run.pre_spike, DT, TAU, norm="legacy")
    assert rel_err(run.g, lagged(ref)) < TOL


@pytest.mark.parametrize("method", REF_METHODS)
def test_legacy_over_fixed_is_tau_for_every_method(issue_runs, method):
    # Both forms are linear in h with the same h: g_legacy = tau g_fixed exactly, per step.
    fixed, legacy = issue_runs[("fixed", method)], issue_runs[("legacy", method)]
    np.testing.assert_array_equal(fixed.pre_spike, legacy.pre_spike)
    big = fixed.g > 1e-3 * fixed.g.max()
    np.testing.assert_allclose(legacy.g[big] / fixed.g[big], TAU, rtol=1e-4)
    np.testing.assert_allclose(legacy.h, fixed.h, rtol=1e-5, atol=1e-7)


def test_legacy_alpha_in_a_modern_projection():
    """LegacyAlpha goes where bp.dyn.Alpha goes: .desc() in bp.dyn.ProjAlignPreMg2."""

    def run(syn_cls):
        class Net(bp.DynSysGroup):
            def __init__(self):
                super().__init__()
                self.pre = bp.dyn.SpikeTimeGroup(1, indices=(0, 0), times=(10.0, 30.0))
                self.post = bp.dyn.LifRef(1)
                self.proj = bp.dyn.ProjAlignPreMg2(
                    pre=self.pre,
                    delay=None,
                    syn=syn_cls.desc(self.pre.num, tau_decay=5.0, method="rk4"),
                    comm=bp.dnn.AllToAll(self.pre.num, self.post.num, 1.0),
                    out=bp.dyn.CUBA(),
                    post=self.post,
                )

            def update(self):
                self.pre()
                self.proj()
                self.post()
                return self.proj.refs["syn"].g.value, self.post.V.value

        with warnings.catch_warnings(), bm.environment(dt=DT):
            warnings.simplefilter("ignore")
            net = Net()
            g, v = bm.for_loop(net.step_run, np.arange(600))
        return np.asarray(g, dtype=float)[:, 0], np.asarray(v, dtype=float)[:, 0]

    g_new, v_new = run(bp.dyn.Alpha)
    g_old, v_old = run(abp.LegacyAlpha)
    spikes = np.zeros(600)
    spikes[[100, 300]] = 1
    # Here the synapse updates after the source, so no lag: g is the kernel itself.
    assert rel_err(g_new, alphakit.convolve_spikes(spikes, DT, 5.0)) < TOL
    assert rel_err(g_old, alphakit.convolve_spikes(spikes, DT, 5.0, norm="legacy")) < TOL
    # and it acts: the postsynaptic neuron feels a 5-times larger current
    assert np.max(np.abs(v_old - v_old[0])) > 4 * np.max(np.abs(v_new - v_new[0])) > 0


# --- installed_convention ------------------------------------------------------------


@pytest.fixture(scope="module")
def conventions():
    return {
        "default": abp.installed_convention(),
        "LegacyAlpha": abp.installed_convention(abp.LegacyAlpha),
        "LegacyAlphaSynapse": abp.installed_convention(abp.LegacyAlphaSynapse),
        "bp.dyn.Alpha": abp.installed_convention(bp.dyn.Alpha),
        "exp_auto": abp.installed_convention(method="exp_auto"),
    }


@pytest.mark.parametrize(
    "which, expected",
    [
        ("default", "plain"),
        ("bp.dyn.Alpha", "plain"),
        ("exp_auto", "plain"),
        ("LegacyAlpha", "legacy"),
        ("LegacyAlphaSynapse", "legacy"),
    ],
)
def test_installed_convention(conventions, which, expected):
    c = conventions[which]
    assert c.convention == expected
    assert c.brainpy_version == bp.__version__
    props = alphakit.kernel_properties(c.tau, norm=expected)
    assert c.peak == pytest.approx(props.peak, rel=2e-3)
    assert c.charge == pytest.approx(props.charge, rel=2e-3)
    assert c.peak_time == pytest.approx(props.peak_time, abs=2 * c.dt)
    assert c.factor == pytest.approx(1.0 if expected == "plain" else c.tau, rel=2e-3)
    assert c.rel_errors[expected] == min(c.rel_errors.values())


def test_installed_convention_classifies_other_norms():
    # A synapse normalised to peak 1 (NEST/NEURON style) is recognised as "peak":
    # the classifier compares with every norm, it does not just answer plain/legacy.
    class PeakAlpha(abp.LegacyAlpha):
        def _dg(self, g, t, h):
            return (-g + math.e * h) / self.tau_decay

    c = abp.installed_convention(PeakAlpha, tau=5.0, dt=0.01)
    assert c.convention == "peak"
    assert c.peak == pytest.approx(1.0, rel=1e-3)


# --- the issue's own script -----------------------------------------------------------


def test_issue_script_runs_unchanged_and_shows_factor_tau():
    dt_before = bm.get_dt()
    alpha_before = bp.synapses.Alpha, bp.dyn.Alpha
    assert "Legacy" not in abp.ISSUE_577_SCRIPT and "bp.synapses.Alpha(" in abp.ISSUE_577_SCRIPT
    legacy = abp.run_issue_script(legacy=True)
    fixed = abp.run_issue_script(legacy=False)
    assert legacy.ratio == pytest.approx(TAU, rel=1e-4)
    assert fixed.ratio == pytest.approx(1.0, abs=1e-5)
    assert "8.6000" in legacy.stdout and "1.0000" in fixed.stdout
    # the legacy run is what BrainPy 2.4.6 recorded for this very script
    assert rel_err(legacy.g, load_ref("2.4.6", "seed-rk4")["g"]) < TOL
    assert rel_err(fixed.g, load_ref("2.8.2", "seed-rk4")["g"]) < TOL
    # the script sets BrainPy's global dt and we patched bp's names: both restored
    assert bm.get_dt() == dt_before
    assert (bp.synapses.Alpha, bp.dyn.Alpha) == alpha_before


def test_use_legacy_alpha_restores_on_error():
    with pytest.raises(RuntimeError), abp.use_legacy_alpha():
        assert bp.synapses.Alpha is abp.LegacyAlphaSynapse
        assert bp.dyn.Alpha is abp.LegacyAlpha
        raise RuntimeError
    assert bp.synapses.Alpha.__name__ == "Alpha" and bp.dyn.Alpha.__name__ == "Alpha"
    assert bp.synapses.Alpha is not abp.LegacyAlphaSynapse


# --- run_synapse: many synapses, weights, spike times, caching -------------------------


def test_many_synapses_with_weights(poisson):
    w = np.array([0.5, -1.0, 2.0])
    run = abp.run_synapse(poisson, dt=DT, tau=TAU, method="rk4", weight=w)
    expected = lagged(alphakit.convolve_spikes(poisson, DT, TAU, weight=w))
    assert rel_err(run.g, expected) < TOL
    # each column is its own synapse: the middle one alone gives the same trace
    alone = abp.run_synapse(poisson[:, 1], dt=DT, tau=TAU, method="rk4", weight=-1.0)
    np.testing.assert_allclose(alone.g, run.g[:, 1], rtol=1e-6, atol=1e-9)
    assert rel_err(run.h, lagged(alphakit.simulate(poisson, DT, TAU, weight=w).h)) < TOL


def test_spike_counts_above_one():
    # two spikes in one step count twice, in BrainPy as in alphakit
    s = np.zeros(400)
    s[10], s[50] = 2.0, 1.0
    run = abp.run_synapse(s, dt=DT, tau=3.0, method="rk4")
    assert rel_err(run.g, lagged(alphakit.convolve_spikes(s, DT, 3.0))) < TOL


def test_spike_times_equal_the_grid():
    # off-grid times go to the first step at or after them (SpikeTimeGroup's rule)
    times = [[1.0, 7.3, 7.31, 8.5], [4.44]]
    by_times = abp.run_synapse(spike_times=times, dt=DT, tau=2.0, duration=30.0)
    grid = alphakit.times_to_grid(times, DT, duration=30.0, rounding="ceil")
    assert list(np.nonzero(grid[:, 0])[0]) == [10, 73, 74, 85]
    by_grid = abp.run_synapse(grid, dt=DT, tau=2.0, duration=30.0)
    np.testing.assert_array_equal(by_times.spikes, grid)
    np.testing.assert_array_equal(by_times.g, by_grid.g)
    assert by_times.t.shape == (300,) and by_times.t[1] == pytest.approx(DT)


def test_repeated_calls_reuse_the_compiled_network():
    s = np.zeros((200, 2))
    s[5, 0] = 1
    first = abp.run_synapse(s, dt=0.2, tau=4.4, method="rk2")
    hits = abp._runners._compiled.cache_info().hits
    s2 = np.roll(s, 20, axis=0)
    second = abp.run_synapse(s2, dt=0.2, tau=4.4, method="rk2")
    assert abp._runners._compiled.cache_info().hits == hits + 1
    # state is reset between calls: the shifted input gives the shifted output
    np.testing.assert_allclose(second.g[20:], first.g[:-20], atol=1e-7)
    np.testing.assert_array_equal(second.g[:20], 0.0)


# --- results, side effects, output ------------------------------------------------------


def test_results_are_frozen_numpy(single_runs, issue_runs):
    run = single_runs[("fixed", "rk4")]
    for arr in (run.t, run.g, run.h, run.spikes):
        assert type(arr) is np.ndarray and arr.dtype == np.float64
    issue = issue_runs[("legacy", "rk4")]
    for f in ("t", "pre_spike", "g", "h", "pre_V", "post_V"):
        arr = getattr(issue, f)
        assert type(arr) is np.ndarray and arr.dtype == np.float64 and arr.shape == (2000,)
    assert issue.form == "legacy" and issue.tau == TAU and issue.brainpy_version == bp.__version__
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.g = run.g  # type: ignore[misc]


def test_global_dt_left_alone():
    before = bm.get_dt()
    abp.run_issue_577(dt=0.05, duration=20.0)
    abp.run_synapse(np.ones(10), dt=0.3, tau=2.0)
    assert bm.get_dt() == before


def test_runners_print_and_warn_nothing(capfd):
    # New parameters, so that BrainPy builds and compiles afresh inside the call.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        abp.run_issue_577(tau=7.7, duration=30.0, method="exp_auto", form="legacy")
        abp.run_synapse(spike_times=[1.0], dt=0.1, tau=7.7, duration=10.0, form="legacy")
        abp.installed_convention(abp.LegacyAlpha, tau=7.7, dt=0.05)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert [str(w.message) for w in caught] == []


@pytest.mark.slow
def test_fresh_interpreter_is_silent():
    """In a new process (first BrainPy import included) stdout and stderr stay empty."""
    code = (
        "import numpy as np, alphakit.brainpy as abp\n"
        "abp.run_synapse(np.eye(50)[:, :2], dt=0.1, tau=2.0)\n"
        "abp.run_issue_577(duration=20.0, form='legacy')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-W", "default", "-c", code], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert (proc.stdout, proc.stderr) == ("", "")


def test_progress_bar_on_request(capfd):
    abp.run_synapse(np.zeros(50), dt=0.1, tau=1.5, progress_bar=True)
    out, err = capfd.readouterr()
    assert "50" in out + err


# --- validation ---------------------------------------------------------------------------

GOOD = {"spikes": np.zeros(10), "dt": 0.1, "tau": 2.0}


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        ({"tau": 0.0}, ValueError, "tau"),
        ({"tau": float("nan")}, ValueError, "tau"),
        ({"tau": "8.6"}, TypeError, "tau"),
        ({"dt": -0.1}, ValueError, "dt"),
        ({"dt": float("inf")}, ValueError, "dt"),
        ({"method": "rkf45"}, ValueError, "method"),
        ({"method": "RK4"}, ValueError, "method"),
        ({"form": "new"}, ValueError, "form"),
        ({"spikes": [0.0, float("nan")]}, ValueError, "spikes"),
        ({"spikes": [0.0, -1.0]}, ValueError, "spikes"),
        ({"spikes": np.zeros((2, 2, 2))}, ValueError, "spikes"),
        ({"spikes": None}, TypeError, "spike"),
        ({"spike_times": [1.0]}, TypeError, "spike"),
        ({"spikes": None, "spike_times": [1.0]}, TypeError, "duration"),
        ({"spikes": None, "spike_times": [5.0], "duration": 1.0}, ValueError, "times"),
        ({"duration": 5.0}, ValueError, "duration"),
        ({"duration": -1.0}, ValueError, "duration"),
        ({"weight": float("nan")}, ValueError, "weight"),
        ({"weight": [1.0, 2.0]}, ValueError, "weight"),
        ({"spikes": np.zeros((10, 3)), "weight": [1.0, 2.0]}, ValueError, "weight"),
        ({"progress_bar": "yes"}, TypeError, "progress_bar"),
    ],
)
def test_run_synapse_validates(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        abp.run_synapse(**{**GOOD, **kwargs})


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        ({"tau": -1.0}, ValueError, "tau"),
        ({"weight": float("inf")}, ValueError, "weight"),
        ({"dt": 0.0}, ValueError, "dt"),
        ({"duration": float("nan")}, ValueError, "duration"),
        ({"input_current": float("nan")}, ValueError, "input_current"),
        ({"method": "foo"}, ValueError, "method"),
        ({"form": "LEGACY"}, ValueError, "form"),
        ({"progress_bar": 1}, TypeError, "progress_bar"),
    ],
)
def test_run_issue_577_validates(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        abp.run_issue_577(**kwargs)


@pytest.mark.parametrize(
    "args, kwargs, exc, word",
    [
        ((), {"tau": 1.0}, ValueError, "apart"),  # plain, area and legacy coincide at tau = 1
        ((), {"tau": math.e}, ValueError, "apart"),  # peak and legacy coincide at tau = e
        ((), {"tau": 0.0}, ValueError, "tau"),
        ((), {"dt": 2.0}, ValueError, "dt"),
        ((), {"method": "rkdp"}, ValueError, "method"),
        ((), {"rtol": 0.5}, ValueError, "rtol"),
        ((3,), {}, TypeError, "synapse"),
        ((int,), {}, TypeError, "synapse"),
    ],
)
def test_installed_convention_validates(args, kwargs, exc, word):
    with pytest.raises(exc, match=word):
        abp.installed_convention(*args, **kwargs)


def test_run_issue_script_validates():
    with pytest.raises(TypeError, match="legacy"):
        abp.run_issue_script(legacy="yes")  # type: ignore[arg-type]


def test_unstable_integrator_is_reported():
    spikes = np.r_[1.0, np.zeros(99)]
    with pytest.raises(ValueError, match="overflowed"):
        abp.run_synapse(spikes, dt=5.0, tau=1.0, method="euler")


# --- spike_times placed as bp.neurons.SpikeTimeGroup places them (issue 15) ----------------

SPIKE_TIME_CASES = [
    (0.5, [6.4, 6.6, 10.25, 12.0], [13, 14, 21, 24]),  # the issue's example
    # two times in one step: SpikeTimeGroup's spike is a bool, one spike
    (0.1, [1.0, 3.3, 7.05, 10.25, 10.3], [10, 33, 71, 103]),
    # float32: f32(5) * f32(0.01) < f32(0.05), and likewise for 0.3: one step late
    (0.01, [0.05, 0.3, 0.1234], [6, 31, 13]),
]


def _spike_time_group_run(times, dt, tau, duration, form, method):
    """A user's own network: SpikeTimeGroup -> the synapse, g monitored by DSRunner."""
    synapse = abp._runners.synapse_class(form)
    with bm.environment(dt=dt):
        pre = bp.neurons.SpikeTimeGroup(1, indices=[0] * len(times), times=times)
        post = bp.neurons.LIF(1)
        syn = synapse(
            pre, post, bp.connect.One2One(), g_max=1.0, tau_decay=tau,
            output=bp.synouts.CUBA(), method=method,
        )
        net = bp.Network(pre=pre, syn=syn, post=post)
        runner = bp.DSRunner(net, monitors=["pre.spike", "syn.g"], dt=dt, progress_bar=False)
        runner.run(alphakit.n_steps(duration, dt) * dt)
        return (
            np.asarray(runner.mon["pre.spike"], dtype=float)[:, 0],
            np.asarray(runner.mon["syn.g"], dtype=float)[:, 0],
        )


@pytest.mark.parametrize("form", ["fixed", "legacy"])
@pytest.mark.parametrize(("dt", "times", "expected"), SPIKE_TIME_CASES)
def test_spike_times_placed_as_spike_time_group(dt, times, expected, form):
    duration, tau = 20.0, 2.0
    spike, g = _spike_time_group_run(times, dt, tau, duration, form, "exp_auto")
    run = abp.run_synapse(
        spike_times=times, dt=dt, tau=tau, duration=duration, form=form, method="exp_auto"
    )
    # where SpikeTimeGroup fired: the expected steps, and run_synapse's
    assert list(np.nonzero(spike)[0]) == sorted(expected)
    np.testing.assert_array_equal(run.spikes, spike)
    # and the synapse sees the same: g step for step (same float32 arithmetic)
    np.testing.assert_allclose(run.g, g, rtol=1e-6, atol=1e-7 * g.max())
