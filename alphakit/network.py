"""What the factor tau does to a network: the COBA E/I benchmark with alpha synapses.

The network is benchmark 1 of Brette et al. (2007) after Vogels & Abbott (2005),
with BrainPy's parameters (its ``COBA`` example): 4000 leaky integrate-and-fire
neurons, 80 % excitatory, connection probability 0.02, conductance-based
synapses (E: reversal 0 mV, tau 5 ms; I: reversal -80 mV, tau 10 ms), constant
input 20. Only the synapses differ from the benchmark: alpha instead of
exponential. The ``plain`` alpha kernel ``weight t/tau e^(-t/tau)`` delivers
the same charge per spike (``weight * tau``) as an exponential synapse with jump
``weight``, which is why the benchmark's g_E = 0.6 and g_I = 6.7 carry over as
``weight_E`` and ``weight_I``. The three synapses (``"fixed"``, ``"legacy"``,
``"charge-matched"``), the neuron model and the scaling of small networks are
explained with the arguments of :func:`run_network`.

:func:`run_network` runs one network (BrainPy is imported on first use);
:func:`sweep` runs a grid of them (seeds, synapses, weights, sizes, ...),
serially or on a process pool or Dask cluster, into a table (pip extra
``alphakit[sweep]``). Results are :class:`NetworkResult` objects holding sparse
spike times and indices; their statistics are those of
:mod:`alphakit.statistics` (pure numpy, usable on any spike trains), per
population. The BrainPy model itself, and why it is built as it is, lives in
``alphakit/brainpy/_coba.py``.

References
----------
Vogels T.P., Abbott L.F. (2005) J Neurosci 25:10786.
Brette R. et al. (2007) J Comput Neurosci 23:349 (benchmark 1, "COBA").
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from . import _sweep
from ._coba_config import (
    COBA_PARAMS,
    NEURONS,
    POPULATIONS,
    STAT_COLUMNS,
    SYNAPSES,
    prepare,
    structure,
)
from ._display import html_repr, text_repr
from ._validation import (
    choice,
    flag,
)
from .brainpy._coba import simulate_coba
from .statistics import SpikeRecord

__all__ = [
    "COBA_PARAMS",
    "NEURONS",
    "POPULATIONS",
    "SYNAPSES",
    "NetworkResult",
    "run_network",
    "sweep",
]

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
        Everything that defined the run (synapse, neuron, scale, seed,
        weight_E, weight_I, the increments ``w_exc``, ``w_inh`` actually
        added per spike, model parameters).
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

    _display_extra = ("n_spikes", "rate_exc", "rate_inh")
    __repr__ = text_repr
    _repr_html_ = html_repr

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def __reduce__(self) -> tuple:
        # A mappingproxy cannot be pickled; a sweep's workers send results back pickled.
        values = [getattr(self, f.name) for f in fields(self)]
        values[[f.name for f in fields(self)].index("params")] = dict(self.params)
        return (type(self), tuple(values))

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

    def record(self, population: str = "all") -> SpikeRecord:
        """The spikes of one population as a :class:`~alphakit.statistics.SpikeRecord`."""
        t, idx, n = self.spikes(population)
        return SpikeRecord(t, idx, n, self.duration)

    def rate(self, population: str = "all") -> float:
        """Mean firing rate (Hz) of a population; see :func:`alphakit.statistics.mean_rate`."""
        return self.record(population).mean_rate()

    @property
    def rate_exc(self) -> float:
        """Mean rate of the excitatory neurons (Hz)."""
        return self.rate("E")

    @property
    def rate_inh(self) -> float:
        """Mean rate of the inhibitory neurons (Hz)."""
        return self.rate("I")

    def cv_isi(self, population: str = "all", min_spikes: int = 5) -> float:
        """Mean CV of the inter-spike intervals; see :func:`alphakit.statistics.cv_isi`."""
        return self.record(population).cv_isi(min_spikes=min_spikes)

    def fano_factor(self, population: str = "all", bin_width: float = 50.0) -> float:
        """Mean Fano factor of counts in windows; see :func:`alphakit.statistics.fano_factor`."""
        return self.record(population).fano_factor(bin_width=bin_width)

    def synchrony(self, population: str = "all", bin_width: float = 2.0) -> float:
        """Golomb's synchrony measure chi; see :func:`alphakit.statistics.synchrony`."""
        return self.record(population).synchrony(bin_width=bin_width)

    def population_rate(
        self, population: str = "all", bin_width: float = 1.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(bin centres in ms, rate in Hz)``; see :func:`alphakit.statistics.population_rate`."""
        return self.record(population).population_rate(bin_width=bin_width)

    def summary(self) -> dict[str, float]:
        """The headline statistics of both populations: the columns of :func:`sweep`'s table.

        ``rate_*`` (Hz), ``cv_isi_*`` (mean CV of the ISIs), ``fano_factor_*`` (50 ms
        windows), ``synchrony_*`` (Golomb's chi, 2 ms bins) and ``g_mean_*`` (mean
        conductance, leak units; NaN if not recorded), for E and I, methods' defaults.
        """
        out = {}
        for stat in ("rate", "cv_isi", "fano_factor", "synchrony"):
            for pop in ("E", "I"):
                out[f"{stat}_{pop}"] = float(getattr(self, stat)(pop))
        g = self.g_mean.mean(axis=0) if self.g_mean.size else np.full(2, np.nan)
        out.update(g_mean_E=float(g[0]), g_mean_I=float(g[1]))
        return out


def _run(cfg: dict, progress: bool) -> NetworkResult:
    skip = ("weight_E", "weight_I", "n_neurons")
    par = {k: float(v) for k, v in COBA_PARAMS.items() if k not in skip}
    # Increment per spike (h += w); only the charge-matched synapse rescales the weight.
    w_exc, w_inh = cfg["weight_E"], cfg["weight_I"]
    if cfg["synapse"] == "charge-matched":
        w_exc, w_inh = w_exc / par["tau_exc"], w_inh / par["tau_inh"]
    p_used = par["p_connect"] / cfg["scale"]
    steps, neurons, g_mean, n_synapses = simulate_coba(
        cfg["n_exc"], cfg["n_inh"], p_used, cfg["seed"],
        form="fixed" if cfg["synapse"] == "fixed" else "legacy", neuron=cfg["neuron"],
        dt=cfg["dt"], n_steps=cfg["n_steps"], par=par, w_exc=w_exc, w_inh=w_inh,
        current=cfg["input_current"], progress=progress,
    )  # fmt: skip
    params = dict(par, **cfg)
    params.update(w_exc=w_exc, w_inh=w_inh)
    params.update(p_used=p_used, n_synapses=n_synapses)
    return NetworkResult(
        spike_times=steps * cfg["dt"], spike_indices=neurons, n_exc=cfg["n_exc"],
        n_inh=cfg["n_inh"], duration=cfg["duration"], dt=cfg["dt"],
        params=params, g_mean=g_mean,
    )  # fmt: skip


def run_network(
    synapse: str = "fixed",
    *,
    scale: float = 1.0,
    duration: float = 1000.0,
    dt: float = 0.1,
    seed: int | None = 0,
    weight_E: float = COBA_PARAMS["weight_E"],
    weight_I: float = COBA_PARAMS["weight_I"],
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
        legacy dynamics with ``weight / tau``.
    scale : float
        Network size relative to 4000 neurons, at least 0.02. Each neuron keeps
        80 inputs on average (connection probability ``0.02 / scale``) and the
        weights are unchanged, so small networks stay in the same regime
        (scale 0.25: ~16 Hz against the full network's ~18 Hz). BrainPy's
        scaled COBA benchmarks instead keep p and divide the weights by
        ``scale``, which keeps the mean drive but not its fluctuations: at
        scale 0.25 that network fires at ~51 Hz, nearly the uncoupled 53 Hz.
    duration, dt : float
        Simulated time and step (ms); ``duration`` must be a multiple of ``dt``.
    seed : int or None
        Seeds the connectivity and the initial membrane potentials (uniform
        between V_reset and V_th). Same seed, same spikes.
    weight_E, weight_I : float
        Excitatory and inhibitory weight per spike: the peak conductance of the
        ``plain`` alpha kernel ``weight t/tau e^(-t/tau)`` (default 0.6 and 6.7,
        the benchmark's g_E and g_I, in units of the leak conductance). The
        legacy synapse delivers ``tau`` times this; charge-matched divides it by
        ``tau``. (BrainPy calls it ``g_max``.)
    input_current : float
        Constant input to every neuron (default 20, i.e. 20 mV above rest).
    neuron : {"LifRefLTC", "LifRef"}
        BrainPy's LIF class. ``"LifRefLTC"`` (default) puts the synaptic
        conductances inside the exponential-Euler step, which is stable for
        any conductance. ``"LifRef"`` (BrainPy's EINet example) adds
        ``g (E - V)`` computed at the start of the step as an input current,
        an explicit scheme that is unstable once ``dt * g / tau_m > 2``,
        i.e. for a total conductance above 400 times the leak at dt = 0.1 ms:
        out of reach for the fixed synapse, within reach for the legacy one,
        whose network then runs away to the maximal rate (a numerical artefact).
    progress_bar : bool
        Show BrainPy's progress bar during the run.

    Returns
    -------
    NetworkResult
        Sparse spikes, mean conductances, sizes and the parameters of the run.

    Notes
    -----
    The first call for a given structure (size, synapse dynamics, neuron, dt,
    number of steps) builds and compiles the model; calls that differ only in
    ``seed``, ``weight_E``, ``weight_I``, ``input_current``, or in ``legacy`` versus
    ``charge-matched``, reuse it (now and then a seed whose most connected
    neuron exceeds the padded width of the wiring table compiles once more).

    Examples
    --------
    >>> from alphakit.network import run_network
    >>> res = run_network("fixed", scale=0.25, duration=400.0)      # doctest: +SKIP
    >>> res.n_exc, res.n_inh                                     # doctest: +SKIP
    (800, 200)
    >>> round(res.rate_exc)                                      # doctest: +SKIP
    13
    """
    cfg = prepare(
        synapse, neuron, scale, duration, dt, seed, weight_E, weight_I, input_current
    )
    return _run(cfg, flag("progress_bar", progress_bar))


#: The parameters of :func:`run_network` that a :func:`sweep` varies or fixes, and their defaults.
_DEFAULTS = {
    k: p.default
    for k, p in inspect.signature(run_network).parameters.items()
    if k != "progress_bar"
}


def _sweep_task(payload: tuple[dict, bool]) -> tuple[dict[str, float], NetworkResult | None]:
    """One run of a sweep (in whichever process): its statistics, wall time and spikes if kept."""
    cfg, keep_spikes = payload
    start = time.perf_counter()
    res = _run(cfg, False)
    stats = res.summary()
    stats["wall_time_s"] = time.perf_counter() - start
    return stats, (res if keep_spikes else None)


def sweep(
    grid: Mapping[str | tuple[str, ...], Any],
    *,
    executor: Any = None,
    progress: bool = True,
    errors: Literal["raise", "keep"] = "raise",
    keep_spikes: bool = False,
    **fixed: Any,
) -> Any:
    """Run the network over a grid of parameters into a table, serially or distributed.

    Needs pandas, tqdm and (for a Dask cluster) dask.distributed: the pip extra
    ``alphakit[sweep]``.

    Parameters
    ----------
    grid : mapping
        Parameter of :func:`run_network` -> list of values (``synapse``,
        ``seed``, ``weight_E``, ``weight_I``, ``scale``, ``input_current``,
        ``neuron``, ``duration``, ``dt``). The sweep runs the cartesian product,
        the first key varying slowest. A tuple of names maps to a list of tuples
        varied together: ``{("weight_E", "weight_I"): [(0.3, 3.35), (0.6, 6.7)]}``.
    executor : None, concurrent.futures.Executor or dask.distributed.Client
        ``None`` runs in this process. A process pool or a Dask client runs the
        grid in its worker processes (see Notes).
    progress : bool
        Show a progress bar (``tqdm.auto``: a widget in notebooks).
    errors : {"raise", "keep"}
        ``"raise"``: an invalid grid point raises its ``ValueError`` or
        ``TypeError`` before anything runs, a run that fails raises
        ``RuntimeError``; both name the grid point. ``"keep"``: every other run
        completes, and the failed rows hold the error in an ``error`` column.
    keep_spikes : bool
        Also return the :class:`NetworkResult` of every run.
    **fixed
        Values for the other parameters of :func:`run_network` (its defaults
        otherwise).

    Returns
    -------
    pandas.DataFrame or (pandas.DataFrame, list)
        One row per grid point, in grid order: all parameters of the run (grid
        columns first), the statistics of :meth:`NetworkResult.summary` for E
        and I, and ``wall_time_s``, the run's wall time in seconds (compilation
        included for the first run of a structure in a process). With
        ``keep_spikes=True`` also the list of results in row order (``None`` for
        failed runs).

    Notes
    -----
    Every row is the same whether the sweep runs here or on workers: a run
    depends only on its parameters. A seed of ``None`` is drawn once here, and
    the table shows it. Runs are grouped by network structure (size, dynamics,
    neuron, ``dt``, duration) and a group is cut into as few chunks as keeping
    the workers busy allows, so a worker compiles a structure once and reuses
    it. Runs in one process take turns (BrainPy has global state): parallelism
    comes from processes (``LocalCluster(n_workers=4, threads_per_worker=1)``),
    best pinned to a core each: XLA's idle threads spin on every core a process
    may use (``benchmarks/README.md``); ``dask_jobqueue.SLURMCluster`` or a
    remote ``Client`` for a cluster. A ``ProcessPoolExecutor`` must not fork a
    process that has imported JAX: pass ``mp_context=get_context("spawn")``.

    Examples
    --------
    >>> from alphakit.network import sweep
    >>> table = sweep({"seed": [0, 1], "synapse": ["fixed", "legacy"]},
    ...               scale=0.25, duration=400.0, progress=False)   # doctest: +SKIP
    >>> table[["seed", "synapse", "rate_E", "synchrony_E"]]          # doctest: +SKIP
    """
    table, results = _sweep.run_grid(
        grid, fixed, _DEFAULTS, prepare=prepare, task=_sweep_task, structure=structure,
        stat_columns=STAT_COLUMNS, executor=executor, progress=progress, errors=errors,
        keep_spikes=keep_spikes,
    )  # fmt: skip
    return (table, results) if keep_spikes else table
