"""Spike-train statistics of a population, in pure numpy.

A population's spikes are stored sparsely: one array of spike times (ms) and one
of neuron indices, plus the population size (silent neurons count) and the
observation time. Every function here takes exactly these four,

``f(spike_times, spike_indices, n_neurons, duration, *, options)``,

and :class:`SpikeRecord` bundles them, with the same statistics as methods.
:class:`alphakit.network.NetworkResult` hands out one record per population.

========================  ======================================================
:func:`mean_rate`         spikes per neuron per second (Hz)
:func:`cv_isi`            coefficient of variation of the inter-spike intervals
:func:`fano_factor`       variance / mean of spike counts in windows
:func:`synchrony`         Golomb's chi, from spike counts in bins
:func:`population_rate`   rate of the population in consecutive bins
========================  ======================================================

Binning: bins of ``bin_width`` start at 0; spike ``t`` falls in bin
``floor(t / bin_width)`` (with a relative tolerance of 1e-9, so that grid times
such as ``0.3 = 3 * 0.1`` land in the bin they name), and a trailing partial
bin is dropped. Only numpy is needed: this module imports neither BrainPy nor jax.

References
----------
Dayan P., Abbott L.F. (2001) Theoretical Neuroscience, MIT Press, section 1.4
(Fano factor and coefficient of variation of Poisson trains).
Golomb D. (2007) Neuronal synchrony measures. Scholarpedia 2(1):1347.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._display import html_repr, text_repr
from ._validation import positive_int, positive_scalar, real_array

__all__ = [
    "SpikeRecord",
    "cv_isi",
    "fano_factor",
    "mean_rate",
    "population_rate",
    "synchrony",
]


def _check(
    spike_times: Any, spike_indices: Any, n_neurons: Any, duration: Any
) -> tuple[np.ndarray, np.ndarray, int, float]:
    """The four common arguments, validated: float64 times, int64 indices."""
    n = positive_int("n_neurons", n_neurons)
    duration = positive_scalar("duration", duration)
    times = real_array("spike_times", spike_times, ndim=(1,))
    idx = np.asarray(spike_indices)
    if idx.ndim != 1 or not (np.issubdtype(idx.dtype, np.integer) or idx.size == 0):
        raise TypeError(
            f"spike_indices must be a 1-d array of integers, got dtype {idx.dtype} "
            f"and shape {idx.shape}"
        )
    if idx.shape != times.shape:
        raise ValueError(
            f"spike_times and spike_indices must have the same length, "
            f"got {times.shape[0]} and {idx.shape[0]}"
        )
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ValueError(
            f"spike_indices must lie in [0, n_neurons={n}), got {idx.min()}..{idx.max()}"
        )
    if times.size and (times.min() < 0 or times.max() > duration):
        raise ValueError(
            f"spike_times must lie in [0, duration={duration}] ms, "
            f"got {times.min()}..{times.max()}"
        )
    return times, idx.astype(np.int64, copy=False), n, duration


def _n_bins(duration: float, bin_width: Any) -> tuple[float, int]:
    bin_width = positive_scalar("bin_width", bin_width)
    n_bins = int(math.floor(duration / bin_width + 1e-9))
    if n_bins < 1:
        raise ValueError(f"bin_width ({bin_width} ms) must not exceed duration ({duration} ms)")
    return bin_width, n_bins


def _bin_of(times: np.ndarray, bin_width: float) -> np.ndarray:
    return np.floor(times / bin_width + 1e-9).astype(np.int64)


def _binned_counts(
    times: np.ndarray, idx: np.ndarray, n: int, bin_width: float, n_bins: int
) -> np.ndarray:
    """Spike counts, shape (n_bins, n); spikes beyond the last whole bin are dropped."""
    b = _bin_of(times, bin_width)
    keep = (b >= 0) & (b < n_bins)
    counts = np.zeros((n_bins, n))
    np.add.at(counts, (b[keep], idx[keep]), 1.0)
    return counts


def mean_rate(spike_times: Any, spike_indices: Any, n_neurons: int, duration: float) -> float:
    """Mean firing rate in Hz: spikes / (neurons * duration).

    Parameters
    ----------
    spike_times : array_like of float
        Spike times (ms) in ``[0, duration]``.
    spike_indices : array_like of int
        Neuron index of each spike, in ``[0, n_neurons)``.
    n_neurons : int
        Size of the population, silent neurons included.
    duration : float
        Observation time (ms).

    Returns
    -------
    float
        Rate in Hz: the mean over all neurons of each neuron's own rate.

    Examples
    --------
    >>> from alphakit.statistics import mean_rate
    >>> mean_rate([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [0, 0, 1, 1, 1, 1], 2, 1000.0)
    3.0
    """
    times, _, n, duration = _check(spike_times, spike_indices, n_neurons, duration)
    return float(times.size / (n * duration * 1e-3))


def cv_isi(
    spike_times: Any,
    spike_indices: Any,
    n_neurons: int,
    duration: float,
    *,
    min_spikes: int = 5,
) -> float:
    """Coefficient of variation of inter-spike intervals, averaged over neurons.

    For each neuron with at least ``min_spikes`` spikes,
    ``CV = std(ISI) / mean(ISI)`` (population standard deviation, ``ddof=0``);
    the result is the mean over those neurons. A Poisson train has CV 1 (its
    intervals are exponential), a regular train CV 0.

    Parameters
    ----------
    spike_times, spike_indices : array_like
        Spike times (ms) and neuron indices, same length, any order.
    n_neurons : int
        Number of neurons (indices must lie in ``[0, n_neurons)``).
    duration : float
        Observation time (ms); the spike times must lie in ``[0, duration]``.
    min_spikes : int, keyword-only
        Neurons with fewer spikes are left out (at least 3, i.e. 2 intervals).

    Returns
    -------
    float
        The mean CV, or NaN when no neuron has ``min_spikes`` spikes.

    Notes
    -----
    One neuron's CV is what ``elephant.statistics.cv(elephant.statistics.isi(train))``
    returns; Elephant has no population average, and which neurons enter it
    (``min_spikes``) is a choice of this function.

    Examples
    --------
    >>> import numpy as np
    >>> from alphakit.statistics import cv_isi
    >>> t = np.arange(0.0, 1000.0, 10.0)        # one perfectly regular neuron
    >>> cv_isi(t, np.zeros(t.size, dtype=int), 1, 1000.0)
    0.0
    """
    times, idx, n, _ = _check(spike_times, spike_indices, n_neurons, duration)
    min_spikes = positive_int("min_spikes", min_spikes)
    if min_spikes < 3:
        raise ValueError(f"min_spikes must be >= 3 (two intervals), got {min_spikes}")
    order = np.lexsort((times, idx))
    times, idx = times[order], idx[order]
    counts = np.bincount(idx, minlength=n)
    isi = np.diff(times)
    same = idx[1:] == idx[:-1]
    isi, owner = isi[same], idx[1:][same]
    ok = counts[owner] >= min_spikes
    isi, owner = isi[ok], owner[ok]
    if isi.size == 0:
        return float("nan")
    k = np.bincount(owner, minlength=n).astype(float)
    s1 = np.bincount(owner, weights=isi, minlength=n)
    s2 = np.bincount(owner, weights=isi**2, minlength=n)
    used = k > 0
    mean = s1[used] / k[used]
    var = np.maximum(s2[used] / k[used] - mean**2, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = np.sqrt(var) / mean
    return float(np.nanmean(cv)) if np.any(np.isfinite(cv)) else float("nan")


def fano_factor(
    spike_times: Any,
    spike_indices: Any,
    n_neurons: int,
    duration: float,
    *,
    bin_width: float = 50.0,
) -> float:
    """Fano factor var/mean of spike counts in windows, averaged over active neurons.

    Each neuron's spikes are counted in consecutive windows of ``bin_width``;
    for each neuron with at least one spike in them,
    ``FF = var(counts) / mean(counts)`` (``ddof=0``); the result is their mean.
    A Poisson train has FF 1 in windows of any width, a regular train close
    to 0.

    Parameters
    ----------
    spike_times, spike_indices : array_like
        Spike times (ms) and neuron indices.
    n_neurons : int
        Number of neurons.
    duration : float
        Observation time (ms).
    bin_width : float, keyword-only
        Counting window (ms); at least two windows must fit in ``duration``.

    Returns
    -------
    float
        The mean Fano factor, NaN if no neuron spiked within the windows.

    Notes
    -----
    ``elephant.statistics.fanofactor`` takes a list of trains and returns
    var/mean of their total counts (e.g. trials). One neuron's factor here is
    that function applied to the neuron's train cut into the windows.

    Examples
    --------
    >>> import numpy as np
    >>> from alphakit.statistics import fano_factor
    >>> t = np.arange(5.0, 1000.0, 10.0)        # 5 spikes in every 50 ms window
    >>> fano_factor(t, np.zeros(t.size, dtype=int), 1, 1000.0)
    0.0
    """
    times, idx, n, duration = _check(spike_times, spike_indices, n_neurons, duration)
    bin_width, n_bins = _n_bins(duration, bin_width)
    if n_bins < 2:
        raise ValueError(f"fano_factor needs at least two bins of {bin_width} ms in {duration} ms")
    counts = _binned_counts(times, idx, n, bin_width, n_bins)
    mean = counts.mean(axis=0)
    active = mean > 0
    if not np.any(active):
        return float("nan")
    return float(np.mean(counts[:, active].var(axis=0) / mean[active]))


def synchrony(
    spike_times: Any,
    spike_indices: Any,
    n_neurons: int,
    duration: float,
    *,
    bin_width: float = 2.0,
) -> float:
    """Golomb's synchrony measure chi, computed on binned spike counts.

    With ``x_i(t)`` the spike count of neuron ``i`` in bin ``t`` and ``X(t)``
    the population mean, ``chi^2 = Var_t(X) / mean_i Var_t(x_i)`` (Golomb
    2007). chi is 1 when all neurons fire identically and about ``1/sqrt(n)``
    for independent neurons; it grows with the bin width for loosely locked
    activity, so compare values computed with the same ``bin_width``.

    Parameters
    ----------
    spike_times, spike_indices : array_like
        Spike times (ms) and neuron indices.
    n_neurons : int
        Number of neurons (silent ones count in the mean variance).
    duration : float
        Observation time (ms).
    bin_width : float, keyword-only
        Bin width (ms).

    Returns
    -------
    float
        chi in [0, 1], NaN when no neuron's count varies.

    References
    ----------
    Golomb D. (2007) Neuronal synchrony measures. Scholarpedia 2(1):1347.

    Examples
    --------
    >>> import numpy as np
    >>> from alphakit.statistics import synchrony
    >>> t = np.repeat(np.arange(0.0, 1000.0, 25.0), 3)     # 3 neurons, same spikes
    >>> synchrony(t, np.tile([0, 1, 2], 40), 3, 1000.0)
    1.0
    """
    times, idx, n, duration = _check(spike_times, spike_indices, n_neurons, duration)
    bin_width, n_bins = _n_bins(duration, bin_width)
    counts = _binned_counts(times, idx, n, bin_width, n_bins)
    denom = counts.var(axis=0).mean()
    if denom <= 0:
        return float("nan")
    chi2 = counts.mean(axis=1).var() / denom
    # Var(mean) <= mean(Var) always; clip the rounding of identical trains.
    return float(min(math.sqrt(chi2), 1.0))


def population_rate(
    spike_times: Any,
    spike_indices: Any,
    n_neurons: int,
    duration: float,
    *,
    bin_width: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Population rate: spikes per neuron per second in consecutive bins.

    Parameters
    ----------
    spike_times, spike_indices : array_like
        Spike times (ms) and neuron indices (only checked: each spike counts once).
    n_neurons : int
        Size of the population.
    duration : float
        Observation time (ms); a trailing partial bin is dropped.
    bin_width : float, keyword-only
        Bin width (ms).

    Returns
    -------
    centres : ndarray
        Bin centres (ms).
    rate : ndarray
        Rate (Hz) in each bin; its mean over whole bins is :func:`mean_rate`.

    Examples
    --------
    >>> from alphakit.statistics import population_rate
    >>> t, r = population_rate([0.5, 1.5, 1.7], [0, 0, 1], 2, 2.0)
    >>> t.tolist(), r.tolist()
    ([0.5, 1.5], [500.0, 1000.0])
    """
    times, _, n, duration = _check(spike_times, spike_indices, n_neurons, duration)
    bin_width, n_bins = _n_bins(duration, bin_width)
    b = _bin_of(times, bin_width)
    b = b[(b >= 0) & (b < n_bins)]
    counts = np.bincount(b, minlength=n_bins).astype(float)
    centres = (np.arange(n_bins) + 0.5) * bin_width
    return centres, counts / (n * bin_width * 1e-3)


@dataclass(frozen=True, eq=False)
class SpikeRecord:
    """The spikes of one population: the four arguments of every statistic here.

    Validated on construction (times become float64, indices int64); the
    methods are the module's functions applied to the record.

    Attributes
    ----------
    spike_times : ndarray of float, shape (n_spikes,)
        Spike times (ms) in ``[0, duration]``.
    spike_indices : ndarray of int, shape (n_spikes,)
        Neuron index of each spike, in ``[0, n_neurons)``.
    n_neurons : int
        Size of the population, silent neurons included.
    duration : float
        Observation time (ms).

    Examples
    --------
    >>> import numpy as np
    >>> from alphakit.statistics import SpikeRecord
    >>> rec = SpikeRecord(np.arange(0.0, 1000.0, 10.0), np.zeros(100, dtype=int), 2, 1000.0)
    >>> rec.n_spikes, rec.mean_rate(), rec.cv_isi()
    (100, 50.0, 0.0)
    """

    spike_times: NDArray[np.float64]
    spike_indices: NDArray[np.int64]
    n_neurons: int
    duration: float

    _display_extra = ("n_spikes",)
    __repr__ = text_repr
    _repr_html_ = html_repr

    def __post_init__(self) -> None:
        times, idx, n, duration = _check(
            self.spike_times, self.spike_indices, self.n_neurons, self.duration
        )
        for name, value in zip(
            ("spike_times", "spike_indices", "n_neurons", "duration"),
            (times, idx, n, duration),
            strict=True,
        ):
            object.__setattr__(self, name, value)

    @property
    def n_spikes(self) -> int:
        """Number of spikes."""
        return int(self.spike_times.size)

    def _args(self) -> tuple[np.ndarray, np.ndarray, int, float]:
        return self.spike_times, self.spike_indices, self.n_neurons, self.duration

    def mean_rate(self) -> float:
        """Mean firing rate (Hz); see :func:`mean_rate`."""
        return mean_rate(*self._args())

    def cv_isi(self, *, min_spikes: int = 5) -> float:
        """Mean CV of the inter-spike intervals; see :func:`cv_isi`."""
        return cv_isi(*self._args(), min_spikes=min_spikes)

    def fano_factor(self, *, bin_width: float = 50.0) -> float:
        """Mean Fano factor of spike counts in windows; see :func:`fano_factor`."""
        return fano_factor(*self._args(), bin_width=bin_width)

    def synchrony(self, *, bin_width: float = 2.0) -> float:
        """Golomb's synchrony measure chi; see :func:`synchrony`."""
        return synchrony(*self._args(), bin_width=bin_width)

    def population_rate(self, *, bin_width: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """``(bin centres in ms, rate in Hz)``; see :func:`population_rate`."""
        return population_rate(*self._args(), bin_width=bin_width)
