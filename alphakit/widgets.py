"""Interactive explorers for the notebooks, built on ipywidgets.

Each function returns an :class:`Explorer`: an ``ipywidgets.VBox`` holding the
controls, a one-line readout and the figure, rendered as a PNG in an
``ipywidgets.Image``. A control change recomputes the curves with the numpy core
(never BrainPy, so nothing is recompiled), moves the existing matplotlib
artists with ``set_data`` and re-renders the same figure into the same image.
This needs no matplotlib front-end extension, works wherever ipywidgets does,
and keeps the notebooks' stored text outputs (the explorer's ``repr``, which
states the current settings) identical from run to run.

Every explorer exposes what it shows, for tests and for curious readers:
``controls`` (name -> widget), ``data`` (name -> current numpy array or
number), ``figure`` and ``axes``. Setting a control's ``value`` updates the
rest synchronously::

    w = kernel_explorer()
    w.controls["tau"].value = 10.0
    w.data["peak_time"]   # 10.0

ipywidgets is imported with this submodule (never by ``import alphakit``);
without it (or without matplotlib) the module still imports, and calling an
explorer raises ImportError naming the extra to install
(``pip install "alphakit[widgets]"``, which brings matplotlib too).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _validation as v
from ._optional import require
from ._style import G_LABEL, NORM_COLORS
from ._types import Form, Method, Norm
from .convolution import convolve_spikes
from .kernels import NORMS, alpha_kernel, kernel_properties
from .ode import FORMS, METHODS, simulate, step_matrix
from .spikes import grid_to_times, poisson_train

__all__ = [
    "Explorer",
    "convolution_explorer",
    "integration_explorer",
    "kernel_explorer",
    "legacy_explorer",
]

_FIGSIZE = (7.5, 3.6)
_DPI = 96


def _ipywidgets() -> Any:
    return require("ipywidgets", "widgets")


# The base class exists only with ipywidgets; without it the module still
# imports, and Explorer.__init__ raises the ImportError through _ipywidgets().
try:
    _Box: Any = _ipywidgets().VBox
except ImportError:  # pragma: no cover - depends on the environment
    _Box = object


def _figure(nrows: int = 1, height_ratios: list[float] | None = None) -> tuple[Any, Any]:
    # A bare Figure on the Agg canvas, not pyplot: the inline backend would
    # otherwise display it a second time at the end of the cell.
    FigureCanvasAgg = require("matplotlib.backends.backend_agg", "plot").FigureCanvasAgg
    Figure = require("matplotlib.figure", "plot").Figure

    fig = Figure(figsize=_FIGSIZE, dpi=_DPI)
    # Fixed margins: a layout engine would double the cost of every re-render.
    fig.subplots_adjust(left=0.11, right=0.98, bottom=0.13, top=0.97, hspace=0.08)
    FigureCanvasAgg(fig)
    gridspec_kw = None if height_ratios is None else {"height_ratios": height_ratios}
    axes = fig.subplots(nrows, 1, sharex=True, squeeze=False, gridspec_kw=gridspec_kw)
    return fig, axes[:, 0]


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI, metadata={"Software": None})
    return buf.getvalue()


class Explorer(_Box):
    """An explorer: controls, a readout line and a figure, in an ``ipywidgets.VBox``.

    Made by the functions of this module, not directly.

    Attributes
    ----------
    controls : dict
        Name -> control widget; set ``controls[name].value`` to move it.
    values : dict
        Name -> current control value.
    data : dict
        Name -> what the figure currently shows (numpy arrays and numbers).
    figure, axes
        The matplotlib figure (Agg canvas, not pyplot) and its main axes.
    image : ipywidgets.Image
        The rendered figure (PNG), replaced on every update.
    readout : ipywidgets.HTML
        One line of numbers about the current state.
    renders : int
        How many times the figure has been rendered.
    """

    def __init__(
        self,
        title: str,
        controls: dict[str, Any],
        compute: Callable[[dict[str, Any]], dict[str, Any]],
        draw: Callable[[Explorer, dict[str, Any]], str],
        figure: Any,
        axes: Any,
    ) -> None:
        w = _ipywidgets()
        self.readout = w.HTML()
        self.image = w.Image(format="png", layout=w.Layout(width=f"{_FIGSIZE[0] * _DPI:.0f}px"))
        box = w.HBox(list(controls.values()), layout=w.Layout(flex_flow="row wrap"))
        super().__init__(children=[box, self.readout, self.image])
        self._title = title
        self.controls = controls
        self._compute = compute
        self._draw = draw
        self.figure = figure
        self.axes = axes
        self.data: dict[str, Any] = {}
        self.renders = 0
        for control in controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    @property
    def values(self) -> dict[str, Any]:
        """Current control values, by name."""
        return {name: c.value for name, c in self.controls.items()}

    def _on_change(self, _change: Any) -> None:
        self.update()

    def update(self) -> None:
        """Recompute the data from the controls, move the artists, re-render."""
        self.data = self._compute(self.values)
        self.readout.value = self._draw(self, self.data)
        self.image.value = _png(self.figure)
        self.renders += 1

    def __repr__(self) -> str:
        # The notebooks' stored text/plain output: deterministic, unlike the
        # default widget repr (which would embed the PNG bytes).
        args = ", ".join(f"{k}={val!r}" for k, val in self.values.items())
        return f"{self._title}({args})"


def _slider(
    kind: str, value: float, lo: float, hi: float, step: float, description: str, **kw: Any
) -> Any:
    w = _ipywidgets()
    cls = {"float": w.FloatSlider, "int": w.IntSlider, "log": w.FloatLogSlider}[kind]
    style = {"description_width": "initial"}
    if kind == "log":
        return cls(
            value=value,
            base=10,
            min=lo,
            max=hi,
            step=step,
            description=description,
            style=style,
            readout_format=".3g",
            **kw,
        )
    return cls(value=value, min=lo, max=hi, step=step, description=description, style=style, **kw)


def _dropdown(options: tuple[str, ...], value: str, description: str) -> Any:
    return _ipywidgets().Dropdown(options=list(options), value=value, description=description)


# -- 1. the impulse response -------------------------------------------------------------


def kernel_explorer(
    *,
    tau: float = 5.0,
    norm: Norm = "plain",
    weight: float = 1.0,
    duration: float = 80.0,
) -> Explorer:
    """Explore the alpha kernel: tau, normalisation and weight.

    Shows ``weight * alpha_kernel(t, tau, norm)`` with its peak and charge
    (shaded), against a dashed reference curve frozen at the initial settings.

    Parameters
    ----------
    tau : float
        Initial time constant (ms), in [0.5, 20].
    norm : {"plain", "peak", "area", "legacy"}
        Initial normalisation.
    weight : float
        Initial weight, in [0, 5].
    duration : float
        Length of the time axis (ms).

    Returns
    -------
    Explorer
        ``controls``: ``tau``, ``norm``, ``weight``. ``data``: ``t``, ``g``,
        ``peak_time``, ``peak``, ``charge`` (of the weighted kernel).

    Examples
    --------
    >>> w = kernel_explorer(tau=5.0)                      # doctest: +SKIP
    >>> w.controls["norm"].value = "peak"                 # doctest: +SKIP
    >>> round(w.data["peak"], 6)                    # doctest: +SKIP
    1.0
    """
    tau = v.positive_scalar("tau", tau)
    norm = v.choice("norm", norm, NORMS)
    weight = v.finite_scalar("weight", weight)
    duration = v.positive_scalar("duration", duration)
    if not 0.5 <= tau <= 20 or not 0 <= weight <= 5:
        raise ValueError(f"tau must be in [0.5, 20] ms and weight in [0, 5], got {tau}, {weight}")
    controls = {
        "tau": _slider("float", tau, 0.5, 20.0, 0.1, "tau (ms)"),
        "norm": _dropdown(NORMS, norm, "norm"),
        "weight": _slider("float", weight, 0.0, 5.0, 0.1, "weight"),
    }
    t = np.linspace(0.0, duration, 1601)
    fig, (ax,) = _figure()
    ref = weight * alpha_kernel(t, tau, norm=norm)
    ax.plot(t, ref, "--", color="0.6", label=f"start: {norm}, tau = {tau:g} ms, w = {weight:g}")
    (line,) = ax.plot(t, ref, lw=2)
    fill = [ax.fill_between(t, ref, alpha=0.15, linewidth=0)]
    (peak,) = ax.plot([], [], "o", color="black")
    ax.set_xlabel("t (ms)")
    ax.set_ylabel(G_LABEL)
    ax.set_xlim(0, duration)
    ax.axhline(0, color="0.8", lw=0.8)

    def compute(val: dict[str, Any]) -> dict[str, Any]:
        p = kernel_properties(val["tau"], norm=val["norm"])
        w = val["weight"]
        return {
            "t": t,
            "g": w * alpha_kernel(t, val["tau"], norm=val["norm"]),
            "peak_time": p.peak_time,
            "peak": w * p.peak,
            "charge": w * p.charge,
        }

    def draw(ex: Any, d: dict[str, Any]) -> str:
        val = ex.values
        color = NORM_COLORS[val["norm"]]
        line.set_data(d["t"], d["g"])
        line.set_color(color)
        line.set_label(f"{val['norm']}, tau = {val['tau']:g} ms, w = {val['weight']:g}")
        fill[0].remove()
        fill[0] = ax.fill_between(d["t"], d["g"], color=color, alpha=0.15, linewidth=0)
        peak.set_data([d["peak_time"]], [d["peak"]])
        top = max(d["peak"], float(np.max(ref)), 1e-12)
        ax.set_ylim(-0.05 * top, 1.15 * top)
        ax.legend(loc="upper right")
        return (
            f"peak at t = {d['peak_time']:.3g} ms, peak value {d['peak']:.4g}, "
            f"charge (shaded area) {d['charge']:.4g} (weight units x ms)"
        )

    return Explorer("kernel_explorer", controls, compute, draw, fig, ax)


# -- 2. spike trains and convolution ------------------------------------------------------


def convolution_explorer(
    *,
    rate: float = 40.0,
    tau: float = 5.0,
    seed: int = 0,
    duration: float = 500.0,
    dt: float = 0.1,
) -> Explorer:
    """A Poisson train convolved with the alpha kernel (exact recursive method).

    The dashed line is the expected mean conductance, rate x charge
    (Campbell's theorem): ``rate/1000 * tau`` for the plain kernel.

    Parameters
    ----------
    rate : float
        Initial rate (Hz), in [1, 200].
    tau : float
        Initial time constant (ms), in [0.5, 20].
    seed : int
        Initial seed of the train, in [0, 50].
    duration, dt : float
        Length and step of the grid (ms).

    Returns
    -------
    Explorer
        ``controls``: ``rate``, ``tau``, ``seed``. ``data``: ``t``, ``spikes``
        (counts), ``spike_times``, ``g``, ``mean_g``, ``expected_mean_g``.

    Examples
    --------
    >>> w = convolution_explorer(rate=40.0)               # doctest: +SKIP
    >>> w.controls["seed"].value = 3                      # doctest: +SKIP
    """
    rate = v.positive_scalar("rate", rate)
    tau = v.positive_scalar("tau", tau)
    duration = v.positive_scalar("duration", duration)
    dt = v.positive_scalar("dt", dt)
    if not (1 <= rate <= 200 and 0.5 <= tau <= 20 and 0 <= int(seed) <= 50):
        raise ValueError("rate must be in [1, 200] Hz, tau in [0.5, 20] ms and seed in [0, 50]")
    controls = {
        "rate": _slider("float", rate, 1.0, 200.0, 1.0, "rate (Hz)"),
        "tau": _slider("float", tau, 0.5, 20.0, 0.1, "tau (ms)"),
        "seed": _slider("int", int(seed), 0, 50, 1, "seed"),
    }
    fig, (ax_s, ax) = _figure(2, height_ratios=[1, 4])
    ticks = ax_s.vlines([], 0, 1, color="black", linewidth=1)
    ax_s.set_yticks([])
    ax_s.set_ylabel("spikes")
    (line,) = ax.plot([], [], color=NORM_COLORS["plain"], lw=1.2, label="g = spikes * kernel")
    mean_line = ax.axhline(0, ls="--", color="black", lw=1, label="expected mean rate x charge")
    ax.set_xlim(0, duration)
    ax.set_xlabel("t (ms)")
    ax.set_ylabel(G_LABEL)
    ax.legend(loc="upper right")

    def compute(val: dict[str, Any]) -> dict[str, Any]:
        with v.internal():  # a slider at 1 Hz over a short grid may expect < 1 spike
            s = poisson_train(val["rate"], dt, duration=duration, seed=val["seed"])
        g = convolve_spikes(s, dt, val["tau"])
        return {
            "t": np.arange(s.size) * dt,
            "spikes": s,
            "spike_times": grid_to_times(s, dt),
            "g": g,
            "mean_g": float(g.mean()),
            "expected_mean_g": val["rate"] * 1e-3 * kernel_properties(val["tau"]).charge,
        }

    def draw(ex: Any, d: dict[str, Any]) -> str:
        ticks.set_segments([[(x, 0.0), (x, 1.0)] for x in d["spike_times"]])
        line.set_data(d["t"], d["g"])
        mean_line.set_ydata([d["expected_mean_g"]] * 2)
        top = max(float(d["g"].max()), d["expected_mean_g"], 1e-12)
        ax.set_ylim(0, 1.1 * top)
        return (
            f"{d['spike_times'].size} spikes in {duration:g} ms; mean g {d['mean_g']:.3g}, "
            f"expected rate x charge = {d['expected_mean_g']:.3g}"
        )

    return Explorer("convolution_explorer", controls, compute, draw, fig, ax)


# -- 3. fixed vs legacy -------------------------------------------------------------------


def legacy_explorer(*, tau: float = 8.6, dt: float = 0.1, duration: float = 100.0) -> Explorer:
    """One spike through the fixed and the legacy (BrainPy <= 2.4.6) equations.

    Parameters
    ----------
    tau : float
        Initial time constant (ms), in [0.5, 20].
    dt, duration : float
        Grid step and length (ms).

    Returns
    -------
    Explorer
        ``controls``: ``tau``. ``data``: ``t``, ``fixed``, ``legacy`` (exact
        integration of each form), ``ratio`` (peak of legacy / peak of fixed).

    Examples
    --------
    >>> w = legacy_explorer(tau=8.6)                      # doctest: +SKIP
    >>> round(w.data["ratio"], 6)                         # doctest: +SKIP
    8.6
    """
    tau = v.positive_scalar("tau", tau)
    dt = v.positive_scalar("dt", dt)
    duration = v.positive_scalar("duration", duration)
    if not 0.5 <= tau <= 20:
        raise ValueError(f"tau must be in [0.5, 20] ms, got {tau}")
    controls = {"tau": _slider("float", tau, 0.5, 20.0, 0.1, "tau (ms)")}
    n = int(round(duration / dt))
    s = np.zeros(n)
    s[0] = 1.0
    t = np.arange(n) * dt
    fig, (ax,) = _figure()
    (fixed_line,) = ax.plot([], [], color=NORM_COLORS["plain"], lw=2, label="fixed (>= 2.5)")
    (legacy_line,) = ax.plot([], [], color=NORM_COLORS["legacy"], lw=2, label="legacy (<= 2.4.6)")
    ax.set_yscale("log")
    ax.set_xlim(0, duration)
    ax.set_xlabel("t (ms)")
    ax.set_ylabel("g (weight units, log scale)")
    ax.legend(loc="upper right")

    def compute(val: dict[str, Any]) -> dict[str, Any]:
        fixed = simulate(s, dt, val["tau"], form="fixed").g
        legacy = simulate(s, dt, val["tau"], form="legacy").g
        return {"t": t, "fixed": fixed, "legacy": legacy, "ratio": legacy.max() / fixed.max()}

    def draw(ex: Any, d: dict[str, Any]) -> str:
        fixed_line.set_data(d["t"], d["fixed"])
        legacy_line.set_data(d["t"], d["legacy"])
        ax.set_ylim(1e-3 * d["fixed"].max(), 3 * max(d["legacy"].max(), d["fixed"].max()))
        return (
            f"legacy / fixed = {d['ratio']:.4g} at every t: tau = {ex.values['tau']:g} ms "
            "(a constant ratio is a vertical shift on a log scale)"
        )

    return Explorer("legacy_explorer", controls, compute, draw, fig, ax)


# -- 5. numerical integration -------------------------------------------------------------


def integration_explorer(
    *,
    method: Method = "euler",
    dt: float = 1.0,
    tau: float = 5.0,
    form: Form = "fixed",
) -> Explorer:
    """One spike integrated with a chosen method and step, against the exact kernel.

    Parameters
    ----------
    method : {"euler", "rk2", "rk4", "exp_euler", "exact"}
        Initial integrator (see :func:`alphakit.step_matrix`).
    dt : float
        Initial step (ms), in [0.01, 20].
    tau : float
        Initial time constant (ms), in [1, 20].
    form : {"fixed", "legacy"}
        ODE form (fixed: the exact curve is the plain kernel; legacy: tau times it).

    Returns
    -------
    Explorer
        ``controls``: ``method``, ``dt``, ``tau``. ``data``: ``t_exact``,
        ``g_exact``, ``t``, ``g`` (the method's samples at ``n dt``), ``error``
        (``max |g - exact| / exact peak``), ``growth`` (spectral radius ``a`` of the
        step matrix: the run decays only if ``|a| < 1``), ``stable``.

    Examples
    --------
    >>> w = integration_explorer(method="euler", dt=1.0)         # doctest: +SKIP
    >>> w.controls["dt"].value = 12.0                     # doctest: +SKIP
    >>> w.data["stable"]                                  # doctest: +SKIP
    False
    """
    method = v.choice("method", method, METHODS)
    form = v.choice("form", form, FORMS)
    dt = v.positive_scalar("dt", dt)
    tau = v.positive_scalar("tau", tau)
    if not (0.01 <= dt <= 20 and 1 <= tau <= 20):
        raise ValueError(f"dt must be in [0.01, 20] ms and tau in [1, 20] ms, got {dt}, {tau}")
    controls = {
        "method": _dropdown(METHODS, method, "method"),
        "dt": _slider("log", dt, -2, math.log10(20.0), 0.05, "dt (ms)"),
        "tau": _slider("float", tau, 1.0, 20.0, 0.5, "tau (ms)"),
    }
    norm: Norm = "plain" if form == "fixed" else "legacy"
    fig, (ax,) = _figure()
    (exact_line,) = ax.plot([], [], color="0.5", lw=3, alpha=0.6, label="exact kernel")
    (num_line,) = ax.plot([], [], "o-", ms=3, lw=1, color="tab:purple", label="method")
    ax.axhline(0, color="0.8", lw=0.8)
    ax.set_xlabel("t (ms)")
    ax.set_ylabel(G_LABEL)
    ax.legend(loc="upper right")

    def compute(val: dict[str, Any]) -> dict[str, Any]:
        dt_, tau_ = float(val["dt"]), float(val["tau"])
        duration = 8 * tau_
        t_exact = np.linspace(0, duration, 801)
        g_exact = alpha_kernel(t_exact, tau_, norm=norm)
        n = max(int(math.floor(duration / dt_)) + 1, 2)
        s = np.zeros(n)
        s[0] = 1.0
        t = np.arange(n) * dt_
        with v.internal():  # dt up to 20 tau on purpose: the lesson is the instability
            g = simulate(s, dt_, tau_, form=form, method=val["method"]).g
        peak = kernel_properties(tau_, norm=norm).peak
        error = float(np.max(np.abs(g - alpha_kernel(t, tau_, norm=norm)))) / peak
        growth = float(step_matrix(dt_, tau_, method=val["method"], form=form)[0, 0])
        return {
            "t_exact": t_exact,
            "g_exact": g_exact,
            "t": t,
            "g": g,
            "error": error,
            "growth": growth,
            "stable": abs(growth) < 1,
        }

    def draw(ex: Any, d: dict[str, Any]) -> str:
        val = ex.values
        exact_line.set_data(d["t_exact"], d["g_exact"])
        num_line.set_data(d["t"], d["g"])
        num_line.set_label(f"{val['method']}, dt = {val['dt']:.3g} ms")
        peak = float(d["g_exact"].max())
        ax.set_xlim(0, d["t_exact"][-1])
        ax.set_ylim(-0.6 * peak, 1.6 * peak)  # keep the exact curve readable when unstable
        ax.legend(loc="upper right")
        verdict = "decays (stable)" if d["stable"] else "grows: UNSTABLE"
        return (
            f"dt/tau = {val['dt'] / val['tau']:.3g}; max error {d['error']:.3g} x peak; "
            f"per-step factor a = {d['growth']:.4g}, |a| {'<' if d['stable'] else '>='} 1: "
            f"{verdict}"
        )

    return Explorer("integration_explorer", controls, compute, draw, fig, ax)
