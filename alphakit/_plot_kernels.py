"""Kernel, trace and convergence plots for the notebooks and widgets.

Re-exported by :mod:`alphakit.plotting`. Every function draws into ``ax`` when
given one (so the widgets can reuse them on a figure they own) and otherwise
makes a new figure with :mod:`matplotlib.pyplot`. Axes are always labelled with
units: time in ms, conductances in the units of the weight (e.g. nS).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import _validation as v
from ._style import G_LABEL, NORM_COLORS, pyplot
from ._types import Norm
from .kernels import NORMS, alpha_kernel, kernel_properties

__all__ = [
    "plot_convergence",
    "plot_kernel",
    "plot_norms",
    "plot_spikes",
    "plot_trace",
]



def _new_axes(ax: Any, **subplots_kw: Any) -> Any:
    plt = pyplot()
    if ax is not None:
        return ax
    _, ax = plt.subplots(**subplots_kw)
    return ax


def plot_kernel(
    tau: float,
    *,
    norm: Norm = "plain",
    weight: float = 1.0,
    duration: float | None = None,
    ax: Any = None,
    mark_peak: bool = True,
    shade_charge: bool = False,
    **line_kw: Any,
) -> Any:
    """Plot ``weight * alpha_kernel(t, tau, norm)`` with its peak marked.

    Parameters
    ----------
    tau : float
        Time constant (ms).
    norm : {"plain", "peak", "area", "legacy"}
        Normalisation (see :mod:`alphakit.kernels`).
    weight : float
        Multiplies the kernel.
    duration : float, optional
        Length of the time axis (ms); default ``8 tau``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    mark_peak : bool
        Mark ``(peak_time, peak)`` with a dot.
    shade_charge : bool
        Fill the area under the curve (the charge, value x ms).
    **line_kw
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_kernel(5.0, norm="peak")
    >>> ax.get_xlabel()
    't (ms)'
    """
    tau = v.positive_scalar("tau", tau)
    norm = v.choice("norm", norm, NORMS)
    weight = v.finite_scalar("weight", weight)
    duration = 8 * tau if duration is None else v.positive_scalar("duration", duration)
    ax = _new_axes(ax)
    t = np.linspace(0.0, duration, 801)
    g = weight * alpha_kernel(t, tau, norm=norm)
    line_kw.setdefault("color", NORM_COLORS[norm])
    line_kw.setdefault("label", f"{norm}, tau = {tau:g} ms")
    (line,) = ax.plot(t, g, **line_kw)
    if shade_charge:
        ax.fill_between(t, g, color=line.get_color(), alpha=0.15, linewidth=0)
    if mark_peak:
        p = kernel_properties(tau, norm=norm)
        ax.plot([p.peak_time], [weight * p.peak], "o", color=line.get_color())
    ax.set_xlabel("t (ms)")
    ax.set_ylabel(G_LABEL)
    return ax


def plot_norms(tau: float, *, weight: float = 1.0, axes: Any = None) -> Any:
    """The four normalisations of one alpha kernel, one panel each.

    Each panel has its own y scale (they differ by factors of ``e`` and ``tau``)
    and states the peak value and charge in its title.

    Parameters
    ----------
    tau : float
        Time constant (ms).
    weight : float
        Multiplies every kernel.
    axes : sequence of 4 matplotlib.axes.Axes, optional
        Where to draw; a new 1 x 4 figure if omitted.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> axes = plot_norms(5.0)
    >>> [ax.get_title().split(":")[0] for ax in axes]
    ['plain', 'peak', 'area', 'legacy']
    """
    tau = v.positive_scalar("tau", tau)
    plt = pyplot()
    if axes is None:
        _, axes = plt.subplots(1, len(NORMS), figsize=(12, 3), layout="constrained")
    axes = np.asarray(axes).ravel()
    if axes.size != len(NORMS):
        raise ValueError(f"axes must hold {len(NORMS)} axes, got {axes.size}")
    for ax, norm in zip(axes, NORMS, strict=True):
        plot_kernel(tau, norm=norm, weight=weight, ax=ax, shade_charge=True, label=None)
        p = kernel_properties(tau, norm=norm)
        ax.set_title(
            f"{norm}: peak {weight * p.peak:.3g}, charge {weight * p.charge:.3g}",
            fontsize="medium",
        )
    return axes


def plot_spikes(
    times: Any, *, ax: Any = None, y: float = 0.0, height: float = 1.0, **kw: Any
) -> Any:
    """Vertical ticks at spike times (ms), from ``y`` to ``y + height``.

    Returns the :class:`matplotlib.collections.LineCollection` (update it with
    ``set_segments``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ticks = plot_spikes([1.0, 2.5])
    >>> len(ticks.get_segments())
    2
    """
    times = v.real_array("times", times, ndim=(1,))
    ax = _new_axes(ax)
    kw.setdefault("color", "black")
    kw.setdefault("linewidth", 1.0)
    ticks = ax.vlines(times, y, y + height, **kw)
    ax.set_xlabel("t (ms)")
    return ticks


def plot_trace(
    g: Any,
    dt: float,
    *,
    spikes: Any = None,
    ax: Any = None,
    ylabel: str = G_LABEL,
    **line_kw: Any,
) -> Any:
    """Plot a trace sampled every ``dt`` ms, optionally with its input spikes.

    Parameters
    ----------
    g : array_like
        Shape ``(T,)``; sample ``n`` is drawn at ``t = n dt``.
    dt : float
        Step (ms).
    spikes : array_like, optional
        Spike counts on the same grid, shape ``(T,)``; drawn as ticks under the trace.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    ylabel : str
        Label of the y axis (with its unit).
    **line_kw
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from alphakit import convolve_spikes
    >>> s = np.zeros(200); s[[10, 60]] = 1
    >>> ax = plot_trace(convolve_spikes(s, 0.1, 2.0), 0.1, spikes=s)
    >>> ax.get_ylabel()
    'g (weight units, e.g. nS)'
    """
    g = v.real_array("g", g, ndim=(1,))
    dt = v.positive_scalar("dt", dt)
    ax = _new_axes(ax, figsize=(8, 3))
    t = np.arange(g.size) * dt
    ax.plot(t, g, **line_kw)
    if spikes is not None:
        s = v.spike_array("spikes", spikes)
        if s.shape != g.shape:
            raise ValueError(f"spikes must have the shape of g {g.shape}, got {s.shape}")
        top = float(np.max(g)) if g.size and np.max(g) > 0 else 1.0
        plot_spikes(t[s > 0], ax=ax, y=-0.12 * top, height=0.08 * top, label="spikes")
    ax.set_xlabel("t (ms)")
    ax.set_ylabel(ylabel)
    return ax


def plot_convergence(
    dts: Sequence[float],
    errors: Mapping[str, Sequence[float]],
    *,
    orders: Mapping[str, float] | None = None,
    ax: Any = None,
    error_label: str = "max |error| / peak",
) -> Any:
    """Error against step size on log-log axes, one line per method.

    Parameters
    ----------
    dts : sequence of float
        Step sizes (ms).
    errors : mapping of str to sequence of float
        Errors per method, one per ``dt``.
    orders : mapping of str to float, optional
        Measured orders (slopes), shown in the legend.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    error_label : str
        Label of the y axis.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_convergence([0.1, 0.2], {"euler": [1e-3, 2e-3]}, orders={"euler": 1.0})
    >>> ax.get_legend().get_texts()[0].get_text()
    'euler (order 1.00)'
    """
    steps = v.real_array("dts", dts, ndim=(1,))
    ax = _new_axes(ax)
    for name, values in errors.items():
        err = v.real_array(f"errors[{name!r}]", values, ndim=(1,))
        if err.shape != steps.shape:
            raise ValueError(f"errors[{name!r}] must have one value per dt ({steps.size})")
        label = (
            name
            if orders is None or name not in orders
            else (f"{name} (order {orders[name]:.2f})")
        )
        ax.loglog(steps, err, "o-", label=label)
    ax.set_xlabel("dt (ms)")
    ax.set_ylabel(error_label)
    ax.legend()
    return ax
