"""Explain a recorded alpha trace: which lag, which factor, which convention.

The person who filed BrainPy issue 577 had a recorded conductance, the spike
train that drove it and a kernel, and had to find the factor ``tau`` by hand.
:func:`diagnose` does it in one call: it finds the integer lag and the
least-squares scale that map :func:`alphakit.convolve_spikes` onto the
recording, names the factor (``tau``, ``e``, ``e*tau``, ``1/tau``,
``1/(e*tau)``, their inverses, ...), says which convention and simulator it
points to, and says plainly when no scale can explain the recording (then it
fits ``tau`` too).

How it works: for a lag ``L`` the best scale is a ratio of dot products,
``s_L = <y, b_L> / <b_L, b_L>`` with ``b_L`` the convolution delayed by ``L``
steps, and the squared residual is ``|y|^2 - <y, b_L>^2 / <b_L, b_L>``. All
numerators at once are one FFT cross-correlation, all denominators one
cumulative sum, so every lag costs O(T log T) together, for all columns at
once (see ``alphakit/_fit.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _validation as v
from ._conventions_table import matching_factors
from ._display import html_repr, text_repr
from ._fit import convolve, describe, fit, fit_tau
from ._types import Norm
from .kernels import NORMS

__all__ = ["Diagnosis", "diagnose", "recognise_factor"]


@dataclass(frozen=True)
class Diagnosis:
    """What :func:`diagnose` found.

    Attributes
    ----------
    lag : int
        Steps by which the recording lags the convolution (>= 0); see the
        timing convention in :mod:`alphakit.ode` for the lag of each simulator.
    lag_ms : float
        ``lag * dt``.
    scale : float
        Least-squares factor: ``recorded ~= scale * convolution delayed by lag``.
    residual : float
        Relative residual ``|recorded - fit| / |recorded|`` (2-norm over all samples).
    tau : float
        The time constant of the convolution (ms).
    norm : str
        The norm of the convolution the scale is relative to.
    factor : str or None
        The scale named as ``e^a tau^b`` (``"tau"``, ``"1/(e*tau)"``, ``"-e"``...),
        or None when no such factor is within ``rtol``.
    convention : str or None
        The alphakit norm the recording follows with unit weight, or None.
    matches : tuple of str
        Rows of :data:`alphakit.conventions.CONVENTIONS` with that norm.
    shape_matches : bool
        True when ``residual <= shape_rtol``: a scale and a lag explain the recording.
    refit : Diagnosis or None
        When the shape does not match: the diagnosis at the best-fitting ``tau``.
    fitted : numpy.ndarray
        ``scale`` times the delayed convolution, shaped like the recording.
    explanation : str
        One paragraph in words.
    """

    lag: int
    lag_ms: float
    scale: float
    residual: float
    tau: float
    norm: str
    factor: str | None
    convention: str | None
    matches: tuple[str, ...]
    shape_matches: bool
    refit: Diagnosis | None
    fitted: NDArray[np.float64]
    explanation: str

    _display_note = "explanation"
    __repr__ = text_repr
    _repr_html_ = html_repr

    @property
    def tau_estimate(self) -> float | None:
        """The best-fitting ``tau`` (ms) when the shape did not match, else None."""
        return None if self.refit is None else self.refit.tau

    def __str__(self) -> str:
        return self.explanation


# ---------------------------------------------------------------- input handling


def _recording(recorded: Any) -> np.ndarray:
    y = v.real_array("recorded", recorded, ndim=(1, 2))
    if y.shape[0] < 2:
        raise ValueError(f"recorded must have at least 2 time steps (axis 0), got {y.shape}")
    return y


def _spike_input(
    spikes: Any, T: int, times: bool, allow_fractional: bool
) -> np.ndarray | list[np.ndarray]:
    """Dense counts (T,) / (T, n), or a list of spike-time arrays when ``times``."""
    if times:
        single = isinstance(spikes, np.ndarray) and spikes.ndim <= 1
        if not single and not isinstance(spikes, np.ndarray):
            seq = list(spikes) if isinstance(spikes, list | tuple) else [spikes]
            single = all(np.ndim(x) == 0 for x in seq)
        trains = [spikes] if single else list(spikes)
        out = [v.real_array(f"spikes[{j}]", t, ndim=(0, 1)).ravel() for j, t in enumerate(trains)]
        if not any(t.size for t in out):
            raise ValueError("spikes holds no spike times: there is nothing to diagnose")
        return out
    if hasattr(spikes, "toarray") and hasattr(spikes, "nnz"):  # scipy.sparse, without importing it
        spikes = spikes.toarray()
    s = v.spike_array("spikes", spikes)
    if not allow_fractional:
        v.whole_counts(
            "spikes", s, "allow_fractional=True", "pass them with times=True, exactly off the grid"
        )
    if s.shape[0] != T:
        raise ValueError(
            f"recorded and spikes must have the same number of time steps (axis 0): "
            f"{T} != {s.shape[0]}"
        )
    if not np.any(s):
        raise ValueError("spikes contains no spikes at all: there is nothing to diagnose")
    return s


def _columns(y: np.ndarray, n_spike_cols: int | None) -> tuple[np.ndarray, str]:
    """y as (T, n) and how the convolution maps to it: 'pair', 'broadcast' or 'sum'."""
    y2 = y.reshape(y.shape[0], -1)
    n_y = y2.shape[1]
    if n_spike_cols is None:
        n_spike_cols = 1
    if n_spike_cols == n_y:
        return y2, "pair"
    if n_spike_cols == 1:
        return y2, "broadcast"
    if n_y == 1:
        return y2, "sum"
    raise ValueError(
        f"recorded has {n_y} columns but spikes has {n_spike_cols}: give one train per "
        "recorded column, one train for all columns, or one recorded column for all trains"
    )


# ---------------------------------------------------------------- naming the factor


def recognise_factor(
    scale: float, tau: float, *, rtol: float = 0.01
) -> tuple[tuple[int, int] | None, list[tuple[int, int]]]:
    """The ``(a, b)`` with ``|scale| ~= e^a tau^b`` within ``rtol``, and all that fit.

    Candidates are the ratios between any two of the four norms: 1, ``e``,
    ``tau``, ``e*tau``, ``e/tau``, ``tau^2`` and their inverses. The first
    returned is the simplest that fits; several fit when ``tau`` is near 1 or
    ``e`` (then the factor alone cannot tell the conventions apart).

    Parameters
    ----------
    scale : float
        The factor to name (its sign is ignored here).
    tau : float
        Time constant (ms).
    rtol : float
        Relative tolerance.

    Returns
    -------
    best : tuple of int or None
        ``(a, b)`` of the simplest fitting ``e^a tau^b``.
    fits : list of tuple of int
        Every fitting ``(a, b)``, simplest first.

    Examples
    --------
    >>> recognise_factor(8.6, tau=8.6)
    ((0, 1), [(0, 1)])
    >>> recognise_factor(0.0428, tau=8.6)[0]  # 1/(e tau)
    (-1, -1)
    """
    fits = matching_factors(scale, tau, rtol)
    return (fits[0] if fits else None), fits


def _make(
    lag: float,
    scale: float,
    residual: float,
    fitted: np.ndarray,
    dt: float,
    tau: float,
    norm: Norm,
    rtol: float,
    shape_rtol: float,
    refit: Diagnosis | None = None,
) -> Diagnosis:
    fields = describe(lag, scale, residual, dt, tau, norm, rtol, shape_rtol, refit)
    return Diagnosis(refit=refit, fitted=fitted, **fields)


def diagnose(
    recorded: ArrayLike,
    spikes: Any,
    dt: float,
    tau: float,
    *,
    norm: Norm = "plain",
    max_lag: int | None = None,
    per_column: bool = False,
    times: bool = False,
    allow_fractional: bool = False,
    rtol: float = 0.01,
    shape_rtol: float = 0.05,
) -> Diagnosis | tuple[Diagnosis, ...]:
    """Find the lag and scale that map alphakit's convolution onto a recorded trace.

    Parameters
    ----------
    recorded : array_like
        The recorded response (e.g. BrainPy's ``g``), float32 or float64, shape
        ``(T,)`` or ``(T, n)`` with time on axis 0; finite.
    spikes : array_like, scipy.sparse matrix, or spike times
        Spike counts on the same grid, shape ``(T,)`` or ``(T, n)`` (bool is
        fine), or a sparse ``(T, n)`` matrix. With ``times=True``: spike times
        (ms) of one train, or a sequence of trains, convolved exactly off the
        grid. ``n`` trains and ``n`` recorded columns pair up; one train drives
        every recorded column; one recorded column is taken as the sum of all
        trains (equal weights).
    dt, tau : float
        Step and the kernel's time constant (ms).
    norm : {"plain", "peak", "area", "legacy"}
        The kernel the scale is measured against.
    max_lag : int, optional
        Largest lag tried, in steps, ``0 <= max_lag < T``. Default
        ``min(T - 1, max(50, ceil(4 tau / dt)))``.
    per_column : bool
        False (default): one lag and one scale for all columns together.
        True: each column on its own; returns one :class:`Diagnosis` per column.
    times : bool
        ``spikes`` holds spike times (ms) instead of counts.
    allow_fractional : bool
        Accept a grid of counts that are not whole numbers (weighted spikes);
        by default they raise ValueError, since they are most often spike
        times (pass those with ``times=True``).
    rtol : float
        Relative tolerance for naming the scale (``tau``, ``e``, ...).
    shape_rtol : float
        Largest relative residual for which the shape counts as matching;
        above it ``tau`` is fitted too (see :attr:`Diagnosis.refit`).

    Returns
    -------
    Diagnosis or tuple of Diagnosis
        ``str(result)`` is the explanation.

    Raises
    ------
    ValueError
        Lengths that differ, no spikes at all, NaN or inf, a recording that is
        zero everywhere, ``max_lag`` negative or ``>= T``.

    Examples
    --------
    >>> import numpy as np
    >>> import alphakit as ak
    >>> s = np.zeros(1000); s[100] = 1
    >>> g = np.zeros(1000)
    >>> g[1:] = 8.6 * ak.convolve_spikes(s, 0.1, 8.6)[:-1]  # as BrainPy 2.4.6 records it
    >>> d = ak.diagnose(g, s, 0.1, 8.6)
    >>> d.lag, round(d.scale, 6), d.factor, d.convention
    (1, 8.6, 'tau', 'legacy')
    """
    y = _recording(recorded)
    T = y.shape[0]
    dt = v.positive_scalar("dt", dt)
    tau = v.positive_scalar("tau", tau)
    norm = v.choice("norm", norm, NORMS)
    rtol = v.positive_scalar("rtol", rtol)
    shape_rtol = v.positive_scalar("shape_rtol", shape_rtol)
    for name, value in (("rtol", rtol), ("shape_rtol", shape_rtol)):
        if value >= 1:
            raise ValueError(f"{name} must be a relative tolerance below 1, got {value}")
    per_column = v.flag("per_column", per_column)
    times = v.flag("times", times)
    allow_fractional = v.flag("allow_fractional", allow_fractional)
    v.tau_vs_dt(dt, tau)
    max_lag = _max_lag(max_lag, T, dt, tau)
    s = _spike_input(spikes, T, times, allow_fractional)
    n_s = len(s) if isinstance(s, list) else (None if s.ndim == 1 else s.shape[1])
    if isinstance(s, list) and len(s) == 1:
        n_s = None
    y2, mode = _columns(y, n_s)
    if not np.any(y2):
        raise ValueError(
            "recorded is zero everywhere although spikes were given: the spikes never "
            "reached the synapse (check the connection), so there is nothing to diagnose"
        )
    if per_column and not np.all(np.any(y2, axis=0)):
        j = int(np.flatnonzero(~np.any(y2, axis=0))[0])
        raise ValueError(f"recorded column {j} is zero everywhere: nothing to diagnose")
    b = convolve(s, T, dt, tau, norm, mode, y2.shape[1])
    f = fit(y2, b, max_lag, shared=not per_column)
    args = (T, dt, tau, norm, max_lag, rtol, shape_rtol)
    if not per_column:
        fitted = f.fitted.reshape(y.shape)
        return _finish(y2, s, mode, f.lag[0], f.scale[0], f.residual[0], fitted, *args)
    out = []
    for j in range(y2.shape[1]):
        if mode != "pair":
            sj = s
        else:
            sj = s[j : j + 1] if isinstance(s, list) else s.reshape(T, -1)[:, j]
        yj, fj = y2[:, j : j + 1], f.fitted[:, j]
        out.append(_finish(yj, sj, mode, f.lag[j], f.scale[j], f.residual[j], fj, *args))
    return tuple(out)


def _finish(
    y2, s, mode, lag, scale, residual, fitted, T, dt, tau, norm, max_lag, rtol, shape_rtol
):
    """The diagnosis of one fit; when scaling leaves a residual, fit tau as well."""
    refit = None
    if residual > shape_rtol:
        tau_hat = fit_tau(y2, s, T, dt, tau, norm, mode, max_lag)
        g = fit(y2, convolve(s, T, dt, tau_hat, norm, mode, y2.shape[1]), max_lag)
        fitted_hat = g.fitted.reshape(fitted.shape)
        refit = _make(g.lag[0], g.scale[0], g.residual[0], fitted_hat, dt, tau_hat, norm, rtol,
                      shape_rtol)  # fmt: skip
    return _make(lag, scale, residual, fitted, dt, tau, norm, rtol, shape_rtol, refit)


def _max_lag(max_lag: Any, T: int, dt: float, tau: float) -> int:
    if max_lag is None:
        return int(min(T - 1, max(50, math.ceil(4.0 * tau / dt))))
    if isinstance(max_lag, bool) or not isinstance(max_lag, int | np.integer):
        raise TypeError(f"max_lag must be an int or None, got {type(max_lag).__name__}")
    if not 0 <= max_lag < T:
        raise ValueError(f"max_lag must satisfy 0 <= max_lag < T = {T}, got {max_lag}")
    return int(max_lag)
