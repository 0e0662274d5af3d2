"""Figures for the notebooks: kernels, traces, convergence, network rasters and rates.

Every function draws into ``ax`` when given one and labels its axes with units
(time in ms, rates in Hz). matplotlib comes with the ``plot`` extra
(``pip install "alphakit[plot]"``): this module imports without it, and every
function raises ImportError naming that extra when it is missing.
"""

from __future__ import annotations

from typing import Any

# -- kernels, traces and convergence (notebooks 01-05; implemented in _plot_kernels.py) --
from ._plot_kernels import (
    plot_convergence,
    plot_kernel,
    plot_norms,
    plot_spikes,
    plot_trace,
)
from ._style import NORM_COLORS, pyplot

__all__ = [
    "NORM_COLORS",
    "POPULATION_COLORS",
    "plot_convergence",
    "plot_kernel",
    "plot_norms",
    "plot_population_rate",
    "plot_raster",
    "plot_spikes",
    "plot_trace",
]


# ======================================================================================
# Network: raster and population rate of an alphakit.network.NetworkResult
# ======================================================================================

#: Colours of the excitatory and inhibitory populations in the network figures.
POPULATION_COLORS: dict[str, str] = {"E": "tab:red", "I": "tab:blue"}


def _network_axes(result: Any, ax: Any, t_range: Any) -> tuple[Any, tuple[float, float]]:
    # Duck-typed, so that drawing a result does not import the BrainPy-facing module.
    if not all(hasattr(result, a) for a in ("spikes", "population_rate", "n_exc", "n_inh")):
        raise TypeError(f"result must be a NetworkResult, got {type(result).__name__}")
    if t_range is None:
        t_range = (0.0, result.duration)
    else:
        lo, hi = (float(x) for x in t_range)
        if not (0.0 <= lo < hi):
            raise ValueError(
                f"t_range must be (start, stop) with 0 <= start < stop, got {t_range}"
            )
        t_range = (lo, hi)
    plt = pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3))
    return ax, t_range


def plot_raster(
    result: Any,
    ax: Any = None,
    *,
    max_neurons: int = 200,
    t_range: tuple[float, float] | None = None,
    markersize: float = 1.0,
) -> Any:
    """Spike raster of a network run, excitatory neurons below inhibitory ones.

    Parameters
    ----------
    result : alphakit.network.NetworkResult
        The run to draw.
    ax : matplotlib Axes, optional
        Where to draw; a new figure otherwise.
    max_neurons : int
        At most this many neurons are drawn, the first ones of each population
        in proportion to its size (a raster of 4000 neurons is a grey block).
    t_range : (float, float), optional
        Time window (ms); the whole run by default.
    markersize : float
        Size of the spike dots.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> from alphakit.network import NetworkResult
    >>> from alphakit.plotting import plot_raster
    >>> res = NetworkResult(np.array([1.0, 2.0]), np.array([0, 1]), 1, 1, 10.0, 0.1)
    >>> ax = plot_raster(res)
    """
    ax, (lo, hi) = _network_axes(result, ax, t_range)
    max_neurons = int(max_neurons)
    if max_neurons < 2:
        raise ValueError(f"max_neurons must be >= 2, got {max_neurons}")
    frac = min(1.0, max_neurons / result.n_neurons)
    n_e = max(1, round(result.n_exc * frac))
    n_i = max(1, min(max_neurons - n_e, round(result.n_inh * frac)))
    for pop, n_show, offset in (("E", n_e, 0), ("I", n_i, n_e)):
        t, idx, _ = result.spikes(pop)
        keep = (idx < n_show) & (t >= lo) & (t <= hi)
        ax.plot(
            t[keep],
            idx[keep] + offset,
            ".",
            ms=markersize,
            color=POPULATION_COLORS[pop],
            label=f"{pop} ({n_show} of {result.n_exc if pop == 'E' else result.n_inh})",
        )
    ax.set_xlim(lo, hi)
    ax.set_ylim(-0.5, n_e + n_i - 0.5)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("neuron")
    ax.legend(loc="upper right", fontsize="small", markerscale=5)
    return ax


def plot_population_rate(
    result: Any,
    ax: Any = None,
    *,
    bin_width: float = 1.0,
    t_range: tuple[float, float] | None = None,
) -> Any:
    """Population rates (Hz) of the excitatory and inhibitory neurons over time.

    Parameters
    ----------
    result : alphakit.network.NetworkResult
        The run to draw.
    ax : matplotlib Axes, optional
        Where to draw; a new figure otherwise.
    bin_width : float
        Bin width (ms), see :func:`alphakit.statistics.population_rate`.
    t_range : (float, float), optional
        Time window (ms); the whole run by default.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> from alphakit.network import NetworkResult
    >>> from alphakit.plotting import plot_population_rate
    >>> res = NetworkResult(np.array([1.0, 2.0]), np.array([0, 1]), 1, 1, 10.0, 0.1)
    >>> ax = plot_population_rate(res, bin_width=2.0)
    """
    ax, (lo, hi) = _network_axes(result, ax, t_range)
    for pop in ("E", "I"):
        t, rate = result.population_rate(pop, bin_width=bin_width)
        ax.plot(
            t,
            rate,
            color=POPULATION_COLORS[pop],
            lw=1.0,
            label=f"{pop}: {result.rate(pop):.1f} Hz",
        )
    ax.set_xlim(lo, hi)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(f"rate (Hz, {bin_width:g} ms bins)")
    ax.legend(loc="upper right", fontsize="small")
    return ax
