"""Spike trains on a time grid and as spike times.

A spike train on the grid is an array of spike *counts* per time step, with
time on axis 0: shape ``(T,)`` for one train, ``(T, n)`` for ``n`` trains.
Step ``i`` covers ``[i dt, (i + 1) dt)``; by default a spike at time ``t``
belongs to step ``floor(t / dt)`` (``times_to_grid`` also rounds up or to the
nearest step), and a time that lies on a step boundary (up to floating-point
rounding of ``t / dt``) belongs to the step it starts, under every rounding.

Times are in ms and rates in Hz. Every function takes its data first and the
step ``dt`` second; ``duration`` and the options are keyword-only, so
``poisson_train(20.0, 0.1, duration=1000.0)`` cannot be misread.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v
from ._timing import BOUNDARY_RTOL, ROUNDINGS, grid_steps
from ._types import Rounding

__all__ = [
    "ROUNDINGS",
    "grid_to_times",
    "n_steps",
    "poisson_train",
    "regular_train",
    "times_to_grid",
]


def n_steps(duration: float, dt: float) -> int:
    """Number of time steps of length ``dt`` that cover ``[0, duration)``.

    Parameters
    ----------
    duration, dt : float
        Durations (ms), finite and > 0.

    Returns
    -------
    int
        ``ceil(duration / dt)``, where a ratio within rounding of an integer
        counts as that integer (100 ms at 0.1 ms is 1000 steps).

    Examples
    --------
    >>> n_steps(100.0, 0.1)
    1000
    """
    duration = v.positive_scalar("duration", duration)
    dt = v.positive_scalar("dt", dt)
    ratio = duration / dt
    nearest = round(ratio)
    if abs(ratio - nearest) <= BOUNDARY_RTOL * max(1.0, nearest):
        return max(int(nearest), 1)
    return math.ceil(ratio)


def _is_single_train(times: Any) -> bool:
    if isinstance(times, np.ndarray):
        return times.ndim <= 1
    if isinstance(times, Sequence) and not isinstance(times, str):
        return all(np.ndim(x) == 0 for x in times)
    return np.ndim(times) <= 1


def times_to_grid(
    times: ArrayLike | Sequence[ArrayLike],
    dt: float,
    *,
    duration: float,
    rounding: Rounding = "floor",
) -> np.ndarray:
    """Bin spike times into spike counts per time step.

    Parameters
    ----------
    times : array_like or sequence of array_like
        Spike times (ms) of one train (1-D), or a sequence of ``n`` such
        trains (lists may differ in length). Every time must lie in
        ``[0, duration)``.
    dt : float
        Time step (ms).
    duration : float
        Length of the grid (ms); the grid has ``n_steps(duration, dt)`` steps.
    rounding : {"floor", "ceil", "nearest"}
        Where a time between two grid points goes. ``"floor"`` (default): the
        step whose interval ``[n dt, (n+1) dt)`` holds it (left-edge binning).
        ``"ceil"``: the first step at or after it, the rule of BrainPy's
        ``SpikeTimeGroup`` (see :func:`alphakit.brainpy.run_synapse`).
        ``"nearest"``: the closest step; a time exactly half-way goes to the
        later step (round half up, as NEST rounds ms to its tics), not to the even one.
        A time on a grid point ``k dt`` lands on step ``k`` under every rule,
        whatever the float rounding of ``k * dt``: a time within
        ``1e-12 * max(1, k)`` steps of ``k`` (a distance of ``1e-12 * max(dt, t)``)
        counts as on it, and likewise for the half-way point with "nearest".
        A time that rounds up to ``duration`` goes to the last step.

    Returns
    -------
    numpy.ndarray
        Float64 counts, shape ``(T,)`` for one train or ``(T, n)`` for ``n``.
        Two spikes in one step count 2.

    Examples
    --------
    >>> times_to_grid([0.0, 0.3, 0.35], dt=0.1, duration=0.5)
    array([1., 0., 0., 2., 0.])
    >>> times_to_grid([0.0, 0.3, 0.35], dt=0.1, duration=0.5, rounding="ceil")
    array([1., 0., 0., 1., 1.])
    >>> times_to_grid([0.0, 0.3, 0.35], dt=0.1, duration=0.5, rounding="nearest")
    array([1., 0., 0., 1., 1.])
    """
    dt = v.positive_scalar("dt", dt)
    duration = v.positive_scalar("duration", duration)
    rounding = v.choice("rounding", rounding, ROUNDINGS)
    T = n_steps(duration, dt)
    if _is_single_train(times):
        v.grid_fits((T,), "the spike grid", "check duration and dt (both in ms)")
        return _bin_one(
            v.real_array("times", times, ndim=(0, 1)).ravel(), dt, duration, T, "times", rounding
        )
    # not one train, so an iterable of trains (a 2-D array's rows or a sequence)
    trains = list(cast(Iterable[ArrayLike], times))
    if not trains:
        raise ValueError("times must hold at least one train")
    v.grid_fits((T, len(trains)), "the spike grid", "check duration and dt (both in ms)")
    out = np.zeros((T, len(trains)))
    for j, train in enumerate(trains):
        name = f"times[{j}]"
        out[:, j] = _bin_one(
            v.real_array(name, train, ndim=(0, 1)).ravel(), dt, duration, T, name, rounding
        )
    return out


def _bin_one(
    times: np.ndarray, dt: float, duration: float, T: int, name: str, rounding: Rounding
) -> np.ndarray:
    if np.any(times < 0) or np.any(times >= duration):
        bad = times[(times < 0) | (times >= duration)][0]
        raise ValueError(f"{name} must lie in [0, duration) = [0, {duration}), found {bad!r}")
    idx = np.minimum(grid_steps(times, dt, rounding), T - 1)
    return np.bincount(idx, minlength=T).astype(np.float64)


def grid_to_times(spikes: ArrayLike, dt: float) -> np.ndarray | list[np.ndarray]:
    """Spike times (ms, left edge of each step) from spike counts on a grid.

    A step holding ``k`` spikes contributes its time ``k`` times, so
    ``times_to_grid(grid_to_times(s, dt), dt, duration=T*dt)`` gives back ``s`` for
    integer counts.

    Parameters
    ----------
    spikes : array_like
        Non-negative integer counts, shape ``(T,)`` or ``(T, n)``.
    dt : float
        Time step (ms).

    Returns
    -------
    numpy.ndarray or list of numpy.ndarray
        One sorted array for a ``(T,)`` grid, a list of ``n`` for ``(T, n)``.

    Examples
    --------
    >>> grid_to_times([0, 2, 0, 1], dt=0.5)
    array([0.5, 0.5, 1.5])
    """
    dt = v.positive_scalar("dt", dt)
    s = v.spike_array("spikes", spikes)
    if np.any(s != np.round(s)):
        raise ValueError("spikes must hold whole spike counts to be turned into times")
    counts = s.astype(np.int64)
    if counts.ndim == 1:
        return np.repeat(np.arange(counts.shape[0]), counts) * dt
    return [np.repeat(np.arange(counts.shape[0]), c) * dt for c in counts.T]


def _n_trains(n: Any) -> int | None:
    return None if n is None else v.positive_int("n", n)


def poisson_train(
    rate: float,
    dt: float,
    *,
    duration: float,
    n: int | None = None,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Poisson spike counts on a grid.

    Each step holds a Poisson number of spikes with mean ``rate * dt / 1000``
    (rate in Hz, dt in ms), independently across steps and trains.

    Parameters
    ----------
    rate : float
        Rate (Hz), finite and >= 0.
    dt : float
        Time step (ms).
    duration : float
        Length of the grid (ms).
    n : int, optional
        Number of trains; ``None`` gives one train of shape ``(T,)``.
    seed : int or numpy.random.Generator, optional
        Seed for :func:`numpy.random.default_rng`; the same seed gives the same train.

    Returns
    -------
    numpy.ndarray
        Float64 counts, shape ``(T,)`` or ``(T, n)``.

    Examples
    --------
    >>> s = poisson_train(20.0, 0.1, duration=1000.0, seed=1)
    >>> s.shape
    (10000,)
    """
    rate = v.finite_scalar("rate", rate)
    if rate < 0:
        raise ValueError(f"rate must be >= 0 Hz, got {rate}")
    T = n_steps(duration, dt)
    _expect_spikes(rate, v.positive_scalar("duration", duration))
    n = _n_trains(n)
    shape = (T,) if n is None else (T, n)
    v.grid_fits(shape, "the spike grid", "check duration and dt (both in ms) and n")
    rng = np.random.default_rng(seed)
    return rng.poisson(rate * dt * 1e-3, size=shape).astype(np.float64)


def _expect_spikes(rate: float, duration: float) -> None:
    """Warn when a train at this rate expects less than one spike: seconds for ms, likely."""
    expected = rate * duration * 1e-3
    if 0 < expected < 1:
        v.warn(
            f"a train of rate={rate!r} Hz over duration={duration!r} ms expects "
            f"{expected:.3g} spikes: rates are in Hz and times in ms in alphakit; was "
            f"duration given in seconds (1 s is duration=1000.0)?"
        )


def regular_train(
    rate: float, dt: float, *, duration: float, n: int | None = None, start: float = 0.0
) -> np.ndarray:
    """A regular spike train: one spike every ``1000/rate`` ms from ``start``.

    Spike times ``start + k * 1000/rate`` in ``[0, duration)`` are binned with
    :func:`times_to_grid`, so the grid is exact when the interval is a multiple of ``dt``.

    Parameters
    ----------
    rate : float
        Rate (Hz), finite and > 0.
    dt : float
        Time step (ms).
    duration : float
        Length of the grid (ms).
    n : int, optional
        Number of identical trains; ``None`` gives shape ``(T,)``.
    start : float
        Time of the first spike (ms), in ``[0, duration)``.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> regular_train(250.0, 1.0, duration=10.0)
    array([1., 0., 0., 0., 1., 0., 0., 0., 1., 0.])
    """
    rate = v.positive_scalar("rate", rate)
    duration = v.positive_scalar("duration", duration)
    start = v.finite_scalar("start", start)
    if not 0 <= start < duration:
        raise ValueError(f"start must lie in [0, duration) = [0, {duration}), got {start}")
    _expect_spikes(rate, duration)
    interval = 1000.0 / rate
    count = math.ceil((duration - start) / interval)
    v.grid_fits((count,), "the spike times", "check rate (Hz) and duration (ms)")
    n = _n_trains(n)
    v.grid_fits(
        (n_steps(duration, dt), n or 1), "the spike grid", "check duration and dt (ms) and n"
    )
    times = start + interval * np.arange(count)
    times = times[times < duration]
    grid = times_to_grid(times, dt, duration=duration)
    return grid if n is None else np.repeat(grid[:, None], n, axis=1)
