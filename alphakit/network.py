"""What the factor tau does to a network: the COBA E/I benchmark with alpha synapses.

The network is benchmark 1 of Brette et al. (2007) after Vogels & Abbott (2005),
with BrainPy's parameters (its ``COBA`` example): 4000 leaky integrate-and-fire
neurons, 80 % excitatory, connection probability 0.02, conductance-based
synapses (E: reversal 0 mV, tau 5 ms; I: reversal -80 mV, tau 10 ms), constant
input 20. Only the synapses differ from the benchmark: alpha instead of
exponential. The ``plain`` alpha kernel ``t/tau e^(-t/tau)`` with weight g_max
delivers the same charge per spike (``g_max * tau``) as an exponential synapse
with jump g_max, which is why the benchmark's g_E = 0.6 and g_I = 6.7 carry
over. Three synapses:

``"fixed"``
    BrainPy's own ``bp.dyn.Alpha`` (BrainPy >= 2.5): ``tau dg/dt = -g + h``.
``"legacy"``
    :class:`alphakit.brainpy.LegacyAlpha`, the pre-fix dynamics (BrainPy
    <= 2.4.6), ``dg/dt = -g/tau + h``:
    ``tau`` times the charge per spike, 5x for excitation and 10x for
    inhibition, so the E/I balance shifts as well.
``"charge-matched"``
    The legacy dynamics with ``g_max / tau``: mathematically the fixed network;
    numerically equal to rounding, so the spikes agree until chaos amplifies
    the rounding.

:func:`run_network` runs one network (BrainPy is imported on first use);
:func:`sweep` re-runs it over g_max multipliers reusing the compiled code.
Results are :class:`NetworkResult` objects holding sparse spike times and
indices; the statistics (:func:`mean_rate`, :func:`cv_isi`, :func:`fano_factor`,
:func:`synchrony`, :func:`population_rate`) are pure numpy functions usable on
any spike trains.

Implementation notes (the why):

* The synapses are *post-aligned*: one alpha synapse per postsynaptic neuron
  and population, fed with the weighted count of presynaptic spikes. The alpha
  ODE is linear, so this equals one synapse per connection, and it makes the
  projection event-driven (cost per step proportional to the spikes).
* One sparse product per step delivers both populations' spikes: the 0/1
  connection matrix has 2N columns, the first N for excitatory targets, the
  last N for inhibitory ones, so it returns spike counts. The g_max values
  multiply those counts afterwards; they are arguments of the compiled
  function, so sweeps and the three synapse variants (legacy and
  charge-matched share dynamics) reuse one compilation.
* That product is written in plain JAX and is event-driven: per pass it picks
  up to 16 spiking neurons (``lax.top_k``) and adds their rows of a padded
  target table (``.at[].add``), passing again while spikes are left (the
  network emits ~7 per step). BrainPy's event-driven CSR operator
  (``bm.event.csrmv``, brainevent's Numba kernel) gives the same counts, but on
  CPU each call goes through a Python callback: ~100-200 us per step, more than
  the rest of the step, against ~20-40 us here (``benchmarks/bench_network.py``
  times the network both ways). Counts are small integers, exact in float32
  whichever way they are summed, so the two give the same spikes.
* The connectivity is an argument of the compiled function, not a constant in
  it: networks of one size share a compilation whatever the seed (unless the
  seed's wiring table is wider, which its rounding to 16 columns makes rare).
* Spikes are recorded inside the compiled loop as bit-packed rows (N/8 bytes per
  step), never as a T x N float matrix; so are the population-mean E and I
  conductances (two numbers per step), which show the conductance state.
* The neuron is BrainPy's ``LifRefLTC``, which keeps the synaptic conductances
  inside its exponential-Euler step (stable for any conductance), rather than
  ``LifRef`` of BrainPy's EINet example, which adds ``g (E - V)`` from the start
  of the step as a current: forward Euler in g, unstable once
  ``dt * g / tau_m > 2``. The legacy synapse drives the total conductance past
  that limit (about 400 at dt = 0.1 ms) and the network then runs away to the
  maximal rate, a numerical artefact; ``neuron="LifRef"`` reproduces it.
* ``scale`` shrinks the network but keeps what each neuron sees: its number of
  inputs (80 on average: p = 0.02 / scale) and the weights. BrainPy's scaled
  COBA benchmarks instead keep p and divide the weights by ``scale``; that
  keeps the mean drive but not its fluctuations, and at scale 0.25 the fixed
  network fires at ~51 Hz (nearly the uncoupled 53 Hz) instead of the full network's
  ~18 Hz. With constant in-degree scale 0.25 gives ~16 Hz.

References
----------
Vogels T.P., Abbott L.F. (2005) J Neurosci 25:10786.
Brette R. et al. (2007) J Comput Neurosci 23:349 (benchmark 1, "COBA").
Golomb D. (2007) Neuronal synchrony measures. Scholarpedia 2(1):1347.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from ._validation import choice, finite_scalar, positive_scalar, real_array

__all__ = [
    "COBA_PARAMS",
    "NEURONS",
    "POPULATIONS",
    "SYNAPSES",
    "NetworkResult",
    "cv_isi",
    "fano_factor",
    "mean_rate",
    "population_rate",
    "run_network",
    "sweep",
    "synchrony",
]

SYNAPSES = ("fixed", "legacy", "charge-matched")
NEURONS = ("LifRefLTC", "LifRef")
POPULATIONS = ("E", "I", "all")

#: Parameters of BrainPy's COBA example (ms, mV; conductances relative to the leak).
COBA_PARAMS: Mapping[str, float] = MappingProxyType(
    {
        "n_neurons": 4000,
        "exc_fraction": 0.8,
        "p_connect": 0.02,
        "V_rest": -60.0,
        "V_th": -50.0,
        "V_reset": -60.0,
        "tau_m": 20.0,
        "tau_ref": 5.0,
        "E_exc": 0.0,
        "E_inh": -80.0,
        "tau_exc": 5.0,
        "tau_inh": 10.0,
        "g_E": 0.6,
        "g_I": 6.7,
        "input_current": 20.0,
    }
)

_BRAINPY_HINT = 'alphakit.network needs BrainPy: pip install "alphakit[brainpy]"'


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkResult:
    """Spikes of one network run, with the usual statistics.

    Neurons ``0 .. n_exc-1`` are excitatory, ``n_exc .. n_exc+n_inh-1``
    inhibitory. A spike emitted in simulation step ``i`` has time ``i * dt``
    (BrainPy's convention).

    Attributes
    ----------
    spike_times : ndarray of float, shape (n_spikes,)
        Spike times in ms, sorted (ties by neuron index).
    spike_indices : ndarray of int, shape (n_spikes,)
        Neuron index of each spike.
    n_exc, n_inh : int
        Population sizes.
    duration, dt : float
        Simulated time and time step (ms).
    params : Mapping
        Everything that defined the run (synapse, neuron, scale, seed, g_E,
        g_I, the per-spike weights actually used, model parameters).
    g_mean : ndarray, shape (n_steps, 2)
        Excitatory and inhibitory conductance averaged over all neurons at
        every step (units of the leak conductance); empty if not recorded.

    Examples
    --------
    >>> import numpy as np
    >>> from alphakit.network import NetworkResult
    >>> res = NetworkResult(np.array([1.0, 2.0, 3.0]), np.array([0, 1, 0]),
    ...                     n_exc=1, n_inh=1, duration=1000.0, dt=0.1)
    >>> res.rate("E"), res.rate("I")
    (2.0, 1.0)
    """

    spike_times: np.ndarray
    spike_indices: np.ndarray
    n_exc: int
    n_inh: int
    duration: float
    dt: float
    params: Mapping[str, Any] = field(default_factory=dict)
    g_mean: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))

    @property
    def n_neurons(self) -> int:
        """Total number of neurons."""
        return self.n_exc + self.n_inh

    @property
    def n_spikes(self) -> int:
        """Total number of spikes."""
        return int(self.spike_times.size)

    def spikes(self, population: str = "all") -> tuple[np.ndarray, np.ndarray, int]:
        """``(times, indices, n)`` of one population, indices counted from 0 within it."""
        choice("population", population, POPULATIONS)
        if population == "all":
            return self.spike_times, self.spike_indices, self.n_neurons
        if population == "E":
            keep = self.spike_indices < self.n_exc
            return self.spike_times[keep], self.spike_indices[keep], self.n_exc
        keep = self.spike_indices >= self.n_exc
        return self.spike_times[keep], self.spike_indices[keep] - self.n_exc, self.n_inh

    def rate(self, population: str = "all") -> float:
        """Mean firing rate (Hz) of a population; see :func:`mean_rate`."""
        _, idx, n = self.spikes(population)
        return mean_rate(idx, n, self.duration)

    @property
    def rate_exc(self) -> float:
        """Mean rate of the excitatory neurons (Hz)."""
        return self.rate("E")

    @property
    def rate_inh(self) -> float:
        """Mean rate of the inhibitory neurons (Hz)."""
        return self.rate("I")

    def cv_isi(self, population: str = "all", min_spikes: int = 5) -> float:
        """Mean CV of the inter-spike intervals; see :func:`cv_isi`."""
        t, idx, n = self.spikes(population)
        return cv_isi(t, idx, n, min_spikes=min_spikes)

    def fano_factor(self, population: str = "all", bin_width: float = 50.0) -> float:
        """Mean Fano factor of spike counts in bins; see :func:`fano_factor`."""
        t, idx, n = self.spikes(population)
        return fano_factor(t, idx, n, self.duration, bin_width=bin_width)

    def synchrony(self, population: str = "all", bin_width: float = 2.0) -> float:
        """Golomb's synchrony measure chi; see :func:`synchrony`."""
        t, idx, n = self.spikes(population)
        return synchrony(t, idx, n, self.duration, bin_width=bin_width)

    def population_rate(
        self, population: str = "all", bin_width: float = 1.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(bin centres in ms, rate in Hz)``; see :func:`population_rate`."""
        t, _, n = self.spikes(population)
        return population_rate(t, n, self.duration, bin_width=bin_width)

    def summary(self) -> dict[str, float]:
        """The headline statistics: rates of E and I (Hz), CV and synchrony of E."""
        return {
            "rate_E": self.rate_exc,
            "rate_I": self.rate_inh,
            "cv_isi_E": self.cv_isi("E"),
            "synchrony_E": self.synchrony("E"),
        }


# --------------------------------------------------------------------------------------
# Statistics (pure numpy)
# --------------------------------------------------------------------------------------


def _check_spikes(
    spike_times: Any, spike_indices: Any, n_neurons: Any
) -> tuple[np.ndarray, np.ndarray, int]:
    n = _positive_int("n_neurons", n_neurons)
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
    return times, idx.astype(np.int64, copy=False), n


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def _bins(duration: Any, bin_width: Any) -> tuple[float, float, int]:
    duration = positive_scalar("duration", duration)
    bin_width = positive_scalar("bin_width", bin_width)
    n_bins = int(math.floor(duration / bin_width + 1e-9))
    if n_bins < 1:
        raise ValueError(f"bin_width ({bin_width} ms) must not exceed duration ({duration} ms)")
    return duration, bin_width, n_bins


def _binned_counts(
    times: np.ndarray, idx: np.ndarray, n: int, bin_width: float, n_bins: int
) -> np.ndarray:
    """Spike counts, shape (n_bins, n); spikes beyond the last whole bin are dropped."""
    b = np.floor(times / bin_width + 1e-9).astype(np.int64)
    keep = (b >= 0) & (b < n_bins)
    counts = np.zeros((n_bins, n))
    np.add.at(counts, (b[keep], idx[keep]), 1.0)
    return counts


def mean_rate(spike_indices: Any, n_neurons: int, duration: float) -> float:
    """Mean firing rate in Hz: spikes / (neurons * duration).

    Parameters
    ----------
    spike_indices : array_like of int
        Neuron index of each spike (only the count matters, the range is checked).
    n_neurons : int
        Size of the population, silent neurons included.
    duration : float
        Observation time (ms).

    Returns
    -------
    float
        Rate in Hz.

    Examples
    --------
    >>> from alphakit.network import mean_rate
    >>> mean_rate([0, 0, 1, 1, 1, 1], n_neurons=2, duration=1000.0)
    3.0
    """
    idx = np.asarray(spike_indices)
    _, _, n = _check_spikes(np.zeros(idx.shape), idx, n_neurons)
    duration = positive_scalar("duration", duration)
    return float(idx.size / (n * duration * 1e-3))


def cv_isi(spike_times: Any, spike_indices: Any, n_neurons: int, min_spikes: int = 5) -> float:
    """Coefficient of variation of inter-spike intervals, averaged over neurons.

    For each neuron with at least ``min_spikes`` spikes, CV = std(ISI) / mean(ISI)
    (population standard deviation); the result is the mean over those neurons.
    A Poisson process gives CV close to 1, a regular train 0.

    Parameters
    ----------
    spike_times, spike_indices : array_like
        Spike times (ms) and neuron indices, same length, any order.
    n_neurons : int
        Number of neurons (indices must lie in ``[0, n_neurons)``).
    min_spikes : int
        Neurons with fewer spikes are left out (at least 3, i.e. 2 intervals).

    Returns
    -------
    float
        The mean CV, or NaN when no neuron has ``min_spikes`` spikes.

    Examples
    --------
    >>> import numpy as np
    >>> from alphakit.network import cv_isi
    >>> t = np.arange(0.0, 1000.0, 10.0)        # one perfectly regular neuron
    >>> cv_isi(t, np.zeros(t.size, dtype=int), n_neurons=1)
    0.0
    """
    times, idx, n = _check_spikes(spike_times, spike_indices, n_neurons)
    min_spikes = _positive_int("min_spikes", min_spikes)
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
    bin_width: float = 50.0,
) -> float:
    """Fano factor var/mean of spike counts in bins, averaged over active neurons.

    Counts are taken in consecutive bins of ``bin_width`` from 0 (a trailing
    partial bin is dropped); for each neuron with at least one spike,
    FF = var(counts) / mean(counts); the result is their mean. Poisson trains
    give FF close to 1, regular trains close to 0.

    Parameters
    ----------
    spike_times, spike_indices : array_like
        Spike times (ms) and neuron indices.
    n_neurons : int
        Number of neurons.
    duration : float
        Observation time (ms).
    bin_width : float
        Counting window (ms); at least two windows must fit in ``duration``.

    Returns
    -------
    float
        The mean Fano factor, NaN if no neuron spiked within the bins.

    Examples
    --------
    >>> import numpy as np
    >>> from alphakit.network import fano_factor
    >>> t = np.arange(5.0, 1000.0, 10.0)        # 5 spikes in every 50 ms bin
    >>> fano_factor(t, np.zeros(t.size, dtype=int), 1, 1000.0)
    0.0
    """
    times, idx, n = _check_spikes(spike_times, spike_indices, n_neurons)
    duration, bin_width, n_bins = _bins(duration, bin_width)
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
    bin_width: float = 2.0,
) -> float:
    """Golomb's synchrony measure chi, computed on binned spike counts.

    With ``x_i(t)`` the spike count of neuron ``i`` in bin ``t`` and
    ``X(t)`` the population mean, ``chi^2 = Var_t(X) / mean_i Var_t(x_i)``.
    chi is 1 when all neurons fire identically and about ``1/sqrt(n)`` for
    independent neurons; it grows with the bin width for loosely locked
    activity, so compare values computed with the same ``bin_width``.

    Parameters
    ----------
    spike_times, spike_indices : array_like
        Spike times (ms) and neuron indices.
    n_neurons : int
        Number of neurons (silent ones count in the mean variance).
    duration : float
        Observation time (ms).
    bin_width : float
        Bin width (ms).

    Returns
    -------
    float
        chi in [0, 1], NaN when no neuron's count varies.

    Examples
    --------
    >>> import numpy as np
    >>> from alphakit.network import synchrony
    >>> t = np.repeat(np.arange(0.0, 1000.0, 25.0), 3)     # 3 neurons, same spikes
    >>> synchrony(t, np.tile([0, 1, 2], 40), 3, 1000.0)
    1.0
    """
    times, idx, n = _check_spikes(spike_times, spike_indices, n_neurons)
    duration, bin_width, n_bins = _bins(duration, bin_width)
    counts = _binned_counts(times, idx, n, bin_width, n_bins)
    denom = counts.var(axis=0).mean()
    if denom <= 0:
        return float("nan")
    chi2 = counts.mean(axis=1).var() / denom
    # Var(mean) <= mean(Var) always; clip the rounding of identical trains.
    return float(min(math.sqrt(chi2), 1.0))


def population_rate(
    spike_times: Any, n_neurons: int, duration: float, bin_width: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Population rate: spikes per neuron per second in consecutive bins.

    Parameters
    ----------
    spike_times : array_like
        Spike times (ms) of the population.
    n_neurons : int
        Size of the population.
    duration : float
        Observation time (ms); a trailing partial bin is dropped.
    bin_width : float
        Bin width (ms).

    Returns
    -------
    centres : ndarray
        Bin centres (ms).
    rate : ndarray
        Rate (Hz) in each bin.

    Examples
    --------
    >>> from alphakit.network import population_rate
    >>> t, r = population_rate([0.5, 1.5, 1.7], n_neurons=2, duration=2.0)
    >>> t.tolist(), r.tolist()
    ([0.5, 1.5], [500.0, 1000.0])
    """
    times = real_array("spike_times", spike_times, ndim=(1,))
    n = _positive_int("n_neurons", n_neurons)
    duration, bin_width, n_bins = _bins(duration, bin_width)
    b = np.floor(times / bin_width + 1e-9).astype(np.int64)
    b = b[(b >= 0) & (b < n_bins)]
    counts = np.bincount(b, minlength=n_bins).astype(float)
    centres = (np.arange(n_bins) + 0.5) * bin_width
    return centres, counts / (n * bin_width * 1e-3)


# --------------------------------------------------------------------------------------
# The BrainPy model (imported lazily)
# --------------------------------------------------------------------------------------


def _import_brainpy() -> tuple[Any, Any]:
    try:
        import brainpy as bp
        import brainpy.math as bm
    except ImportError as exc:  # pragma: no cover - exercised only without BrainPy
        raise ImportError(_BRAINPY_HINT) from exc
    return bp, bm


@functools.cache
def _post_aligned(form: str) -> type:
    """The alpha synapse of ``form``, admitted by BrainPy's align-post projections.

    ``HalfProjAlignPost`` calls ``syn(summed_input)`` exactly as it would call
    ``bp.dyn.Alpha`` (advance g and h over the step, then h += input); it only
    insists on the ``AlignPost`` mixin, which ``bp.dyn.Alpha`` lacks because a
    pre-aligned use is also possible. Nothing of the dynamics is redefined.
    """
    bp, _ = _import_brainpy()
    if form == "fixed":
        base = bp.dyn.Alpha
    else:
        from .brainpy import LegacyAlpha

        base = LegacyAlpha

    class PostAligned(base, bp.mixin.AlignPost):  # type: ignore[valid-type,misc]
        def add_current(self, x: Any) -> None:
            self.h.value = self.h.value + x

    PostAligned.__name__ = PostAligned.__qualname__ = f"PostAligned{base.__name__}"
    return PostAligned


#: Spiking neurons routed per pass of the event-driven projection. XLA's CPU
#: ``top_k`` is fast up to k = 16 (measured: 14 us at k = 16, 20x slower at 24).
_EVENT_BATCH = 16


def _connectivity(n_exc: int, n_inh: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Target table of an (N, 2N) 0/1 connection matrix: row = presynaptic neuron.

    Every ordered pair (autapses included, as BrainPy's ``FixedProb``) is
    connected independently with probability p: the number of connections
    is binomial and, given it, the set is uniform. Excitatory rows point into
    columns 0..N-1, inhibitory rows into N..2N-1, so one product yields the
    excitatory and the inhibitory spike counts of every target.

    Row i lists the columns of neuron i's connections, padded with the unused
    column 2N; the extra row N is all padding (where non-spiking picks go).
    The width is rounded up to a multiple of 16 so that different seeds of one
    network size usually share a compiled model.
    """
    n = n_exc + n_inh
    total = n * n
    k = int(rng.binomial(total, p))
    flat = np.sort(rng.choice(total, size=k, replace=False))
    pre, post = np.divmod(flat, n)
    post = post + np.where(pre >= n_exc, n, 0)
    degree = np.bincount(pre, minlength=n)
    width = max(16, -(-int(degree.max()) // 16) * 16)
    table = np.full((n + 1, width), 2 * n, dtype=np.int32)
    first = np.cumsum(degree) - degree  # pre is sorted: each row's entries are contiguous
    table[pre, np.arange(k) - first[pre]] = post
    return table


def _spike_counts(spikes: Any, table: Any, dtype: Any) -> Any:
    """``spikes @ C`` for the 0/1 matrix C whose target table is ``table`` (JAX, traceable).

    Event-driven: each pass of the while loop takes up to ``_EVENT_BATCH``
    spiking neurons, adds 1 at each of their targets and clears them; a step
    without spikes costs no pass. Returns the counts of the 2N columns.
    """
    import jax
    import jax.numpy as jnp

    n = table.shape[0] - 1

    def pending(state):
        return jnp.any(state[0])

    def route(state):
        left, counts = state
        hit, idx = jax.lax.top_k(left.astype(jnp.float32), _EVENT_BATCH)
        idx = jnp.where(hit > 0, idx, n)  # fewer spikes than the batch: pad with row N
        counts = counts.at[table[idx].ravel()].add(1)
        return left.at[idx].set(False, mode="drop"), counts

    start = (jnp.asarray(spikes, dtype=bool), jnp.zeros(2 * n + 1, dtype=dtype))
    return jax.lax.while_loop(pending, route, start)[1][: 2 * n]


def _make_net(bp: Any, bm: Any, n: int, par: dict, neuron: str, syn_cls: type):
    neuron_cls = getattr(bp.dyn, neuron)

    class COBANet(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            self.neurons = neuron_cls(
                n,
                V_rest=par["V_rest"],
                V_th=par["V_th"],
                V_reset=par["V_reset"],
                tau=par["tau_m"],
                tau_ref=par["tau_ref"],
                V_initializer=bp.init.Constant(par["V_reset"]),
            )
            # BrainPy's own projection plumbing: syn(input) -> g -> COBA output,
            # registered as a current input of the neurons.
            self.exc = bp.dyn.HalfProjAlignPost(
                comm=bp.dnn.Identity(),
                syn=syn_cls(n, tau_decay=par["tau_exc"]),
                out=bp.dyn.COBA(E=par["E_exc"]),
                post=self.neurons,
            )
            self.inh = bp.dyn.HalfProjAlignPost(
                comm=bp.dnn.Identity(),
                syn=syn_cls(n, tau_decay=par["tau_inh"]),
                out=bp.dyn.COBA(E=par["E_inh"]),
                post=self.neurons,
            )

        def update(self, table, w_exc, w_inh, current):
            # The previous step's spikes (BrainPy's EINet order: projections, then neurons).
            counts = _spike_counts(self.neurons.spike.value, table, bm.float_)
            self.exc(w_exc * counts[:n])
            self.inh(w_inh * counts[n:])
            return self.neurons(current)

    return COBANet()


class _Model:
    """One compiled network: structure fixed; wiring, initial V, weights, input are arguments."""

    def __init__(self, key: tuple):
        n, form, neuron, dt, n_steps, progress, par = key
        bp, bm = _import_brainpy()
        import jax.numpy as jnp

        par = dict(par)
        self.dt = dt
        self._bm = bm
        with bm.environment(dt=dt):
            net = self.net = _make_net(bp, bm, n, par, neuron, _post_aligned(form))
            # Strongly typed initial values, assigned now: a weakly typed V (BrainPy's
            # initialiser) would differ from V after a run, and the second call would
            # compile the model again.
            variables = net.vars().unique().values()
            state = [(v, jnp.array(v.value, dtype=v.value.dtype)) for v in variables]
            for var, init in state:
                var.value = init
            syn_e, syn_i = net.exc.syn, net.inh.syn
            pbar = max(1, n_steps // 100) if progress else False

            def run(table, v0, w_exc, w_inh, current):
                for var, init in state:  # every run starts from the same state
                    var.value = init
                net.neurons.V.value = v0

                def step(i):
                    spikes = net.step_run(i, table, w_exc, w_inh, current)
                    g = jnp.stack([jnp.mean(syn_e.g.value), jnp.mean(syn_i.g.value)])
                    return jnp.packbits(spikes), g

                return bm.for_loop(step, jnp.arange(n_steps), progress_bar=pbar)

            self._run = bm.jit(run)

    def __call__(self, table, v0, w_exc, w_inh, current) -> tuple[np.ndarray, np.ndarray]:
        import jax.numpy as jnp

        f32 = jnp.float32
        with self._bm.environment(dt=self.dt):
            packed, g = self._run(
                jnp.asarray(table), jnp.asarray(v0, f32), f32(w_exc), f32(w_inh), f32(current)
            )
        return np.asarray(packed), np.asarray(g, dtype=np.float64)


@functools.lru_cache(maxsize=8)
def _model(key: tuple) -> _Model:
    # Compiled models are kept: a widget or a sweep calling again with new
    # weights, input or seed pays neither construction nor compilation.
    return _Model(key)


@functools.lru_cache(maxsize=8)
def _wiring(n_exc: int, n_inh: int, p: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    table = _connectivity(n_exc, n_inh, p, rng)
    table.flags.writeable = False  # shared by the cache
    return table


def _unpack_spikes(packed: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(step, neuron) of every set bit of (T, ceil(n/8)) packed rows, time-major.

    Only the non-zero bytes are expanded: unpacking the whole T x N grid would
    cost more than the simulation for a large network.
    """
    rows, cols = np.nonzero(packed)
    bits = np.unpackbits(packed[rows, cols][:, None], axis=1)  # MSB first, as packbits
    k, b = np.nonzero(bits)
    return rows[k], cols[k].astype(np.int64) * 8 + b


# --------------------------------------------------------------------------------------
# Public runners
# --------------------------------------------------------------------------------------


def _sizes(scale: Any) -> tuple[float, int, int]:
    scale = positive_scalar("scale", scale)
    p, n_total = COBA_PARAMS["p_connect"], COBA_PARAMS["n_neurons"]
    if scale < p:
        raise ValueError(
            f"scale must be >= {p} (each neuron keeps {p * n_total:.0f} inputs), got {scale}"
        )
    n_exc = int(round(n_total * COBA_PARAMS["exc_fraction"] * scale))
    n_inh = int(round(n_total * scale)) - n_exc
    return scale, n_exc, n_inh


def _steps(duration: float, dt: float) -> int:
    k = duration / dt
    n = int(round(k))
    if n < 1 or abs(n - k) > 1e-6 * max(1.0, k):
        raise ValueError(f"duration ({duration} ms) must be a positive multiple of dt ({dt} ms)")
    return n


def _seed(seed: Any) -> int:
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be a non-negative integer or None, got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer or None, got {seed}")
    return int(seed)


def _nonnegative(name: str, value: Any) -> float:
    value = finite_scalar(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _prepare(synapse, neuron, scale, duration, dt, seed, g_E, g_I, input_current) -> dict:
    synapse = choice("synapse", synapse, SYNAPSES)
    neuron = choice("neuron", neuron, NEURONS)
    scale, n_exc, n_inh = _sizes(scale)
    duration = positive_scalar("duration", duration)
    dt = positive_scalar("dt", dt)
    return dict(
        synapse=synapse,
        neuron=neuron,
        scale=scale,
        n_exc=n_exc,
        n_inh=n_inh,
        duration=duration,
        dt=dt,
        n_steps=_steps(duration, dt),
        seed=_seed(seed),
        g_E=_nonnegative("g_E", g_E),
        g_I=_nonnegative("g_I", g_I),
        input_current=finite_scalar("input_current", input_current),
    )


def _run(cfg: dict, g_E: float, g_I: float, progress: bool) -> NetworkResult:
    par = {k: float(v) for k, v in COBA_PARAMS.items() if k not in ("g_E", "g_I", "n_neurons")}
    form = "fixed" if cfg["synapse"] == "fixed" else "legacy"
    n = cfg["n_exc"] + cfg["n_inh"]
    table = _wiring(cfg["n_exc"], cfg["n_inh"], par["p_connect"] / cfg["scale"], cfg["seed"])
    key = (n, form, cfg["neuron"], cfg["dt"], cfg["n_steps"], progress, tuple(sorted(par.items())))
    model = _model(key)
    # Weight per spike (h += w); only the charge-matched synapse rescales it.
    w_exc, w_inh = g_E, g_I
    if cfg["synapse"] == "charge-matched":
        w_exc, w_inh = w_exc / par["tau_exc"], w_inh / par["tau_inh"]
    rng = np.random.default_rng(np.random.SeedSequence([cfg["seed"], 1]))
    v0 = rng.uniform(par["V_reset"], par["V_th"], size=n)
    packed, g_mean = model(table, v0, w_exc, w_inh, cfg["input_current"])
    steps, neurons = _unpack_spikes(packed, n)
    params = dict(par, **cfg)
    params.update(g_E=g_E, g_I=g_I, w_exc=w_exc, w_inh=w_inh)
    params.update(p_used=par["p_connect"] / cfg["scale"], n_synapses=int(np.sum(table < 2 * n)))
    return NetworkResult(
        spike_times=steps * cfg["dt"],
        spike_indices=neurons,
        n_exc=cfg["n_exc"],
        n_inh=cfg["n_inh"],
        duration=cfg["duration"],
        dt=cfg["dt"],
        params=MappingProxyType(params),
        g_mean=g_mean,
    )


def run_network(
    synapse: str = "fixed",
    *,
    scale: float = 1.0,
    duration: float = 1000.0,
    dt: float = 0.1,
    seed: int | None = 0,
    g_E: float = COBA_PARAMS["g_E"],
    g_I: float = COBA_PARAMS["g_I"],
    input_current: float = COBA_PARAMS["input_current"],
    neuron: str = "LifRefLTC",
    progress_bar: bool = False,
) -> NetworkResult:
    """Run the COBA E/I network with alpha synapses.

    Parameters
    ----------
    synapse : {"fixed", "legacy", "charge-matched"}
        ``"fixed"``: BrainPy's ``bp.dyn.Alpha``; ``"legacy"``: the pre-fix
        dynamics (``tau`` times the charge per spike); ``"charge-matched"``:
        legacy dynamics with ``g_max / tau``.
    scale : float
        Network size relative to 4000 neurons, at least 0.02. Each neuron keeps
        80 inputs on average (connection probability ``0.02 / scale``) and the
        weights are unchanged, so small networks stay in the same regime.
    duration, dt : float
        Simulated time and step (ms); ``duration`` must be a multiple of ``dt``.
    seed : int or None
        Seeds the connectivity and the initial membrane potentials (uniform
        between V_reset and V_th). Same seed, same spikes.
    g_E, g_I : float
        g_max per spike of the ``plain`` alpha kernel ``g_max t/tau e^(-t/tau)``
        (default 0.6 and 6.7, in units of the leak conductance). The legacy
        synapse delivers ``tau`` times this; charge-matched divides it by ``tau``.
    input_current : float
        Constant input to every neuron (default 20, i.e. 20 mV above rest).
    neuron : {"LifRefLTC", "LifRef"}
        BrainPy's LIF class. ``"LifRefLTC"`` (default) puts the synaptic
        conductances inside the exponential-Euler step, which is stable for
        any conductance. ``"LifRef"`` (BrainPy's EINet example) adds
        ``g (E - V)`` computed at the start of the step as an input current,
        an explicit scheme that is unstable once ``dt * g / tau_m > 2``,
        i.e. for a total conductance above 400 times the leak at dt = 0.1 ms:
        out of reach for the fixed synapse, within reach for the legacy one.
    progress_bar : bool
        Show BrainPy's progress bar during the run.

    Returns
    -------
    NetworkResult
        Sparse spikes, mean conductances, sizes and the parameters of the run.

    Notes
    -----
    The first call for a given structure (size, synapse dynamics, neuron, dt,
    number of steps) builds and compiles the model, about a second for the
    full network; calls that differ only in ``seed``, ``g_E``, ``g_I``,
    ``input_current``, or in ``legacy`` versus ``charge-matched``, reuse it
    (now and then a seed whose most connected neuron exceeds the padded
    width of the wiring table compiles once more).

    Examples
    --------
    >>> from alphakit.network import run_network
    >>> res = run_network("fixed", scale=0.25, duration=400.0)      # doctest: +SKIP
    >>> res.n_exc, res.n_inh                                     # doctest: +SKIP
    (800, 200)
    >>> round(res.rate_exc)                                      # doctest: +SKIP
    13
    """
    cfg = _prepare(synapse, neuron, scale, duration, dt, seed, g_E, g_I, input_current)
    return _run(cfg, cfg["g_E"], cfg["g_I"], _flag("progress_bar", progress_bar))


def sweep(
    multipliers: Sequence[float],
    *,
    target: str = "both",
    synapse: str = "fixed",
    scale: float = 0.25,
    duration: float = 1000.0,
    dt: float = 0.1,
    seed: int | None = 0,
    g_E: float = COBA_PARAMS["g_E"],
    g_I: float = COBA_PARAMS["g_I"],
    input_current: float = COBA_PARAMS["input_current"],
    neuron: str = "LifRefLTC",
    progress_bar: bool = False,
) -> list[NetworkResult]:
    """Run one network (same connectivity, same initial state) for several g_max multipliers.

    Parameters
    ----------
    multipliers : sequence of float
        Factors (>= 0) applied to g_E, g_I or both.
    target : {"both", "E", "I"}
        Which conductances the multipliers scale.
    synapse, scale, duration, dt, seed, g_E, g_I, input_current, neuron
        As in :func:`run_network` (``scale`` defaults to 0.25, i.e. 1000 neurons).
    progress_bar : bool
        Show one progress bar over the sweep.

    Returns
    -------
    list of NetworkResult
        One result per multiplier, in order. The model is compiled once: the
        multipliers are arguments of the compiled function.

    Examples
    --------
    >>> from alphakit.network import sweep
    >>> runs = sweep([0.5, 1.0, 2.0], scale=0.25, duration=400.0)    # doctest: +SKIP
    >>> [r.params["g_E"] for r in runs]                              # doctest: +SKIP
    [0.3, 0.6, 1.2]
    """
    cfg = _prepare(synapse, neuron, scale, duration, dt, seed, g_E, g_I, input_current)
    target = choice("target", target, ("both", "E", "I"))
    progress_bar = _flag("progress_bar", progress_bar)
    mult = real_array("multipliers", multipliers, ndim=(1,))
    if mult.size == 0:
        raise ValueError("multipliers must not be empty")
    if np.any(mult < 0):
        raise ValueError("multipliers must be >= 0")
    items: Any = mult
    if progress_bar:
        from tqdm.auto import tqdm

        items = tqdm(mult, desc=f"sweep ({synapse})")
    out = []
    for m in items:
        ge = cfg["g_E"] * m if target in ("both", "E") else cfg["g_E"]
        gi = cfg["g_I"] * m if target in ("both", "I") else cfg["g_I"]
        out.append(_run(cfg, float(ge), float(gi), False))
    return out
