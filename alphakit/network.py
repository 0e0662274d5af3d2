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
indices; their statistics are those of :mod:`alphakit.statistics` (pure numpy,
usable on any spike trains), per population. The BrainPy model itself, and
why it is built as it is, lives in ``alphakit/brainpy/_coba.py``.

The neuron model and the scaling of small networks are modelling choices,
explained with the ``neuron`` and ``scale`` arguments of :func:`run_network`.

References
----------
Vogels T.P., Abbott L.F. (2005) J Neurosci 25:10786.
Brette R. et al. (2007) J Comput Neurosci 23:349 (benchmark 1, "COBA").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from ._display import html_repr, text_repr
from ._validation import (
    choice,
    finite_scalar,
    flag,
    nonnegative_scalar,
    positive_scalar,
    random_seed,
    real_array,
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

    _display_extra = ("n_spikes", "rate_exc", "rate_inh")
    __repr__ = text_repr
    _repr_html_ = html_repr

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
        """The headline statistics: rates of E and I (Hz), CV and synchrony of E."""
        return {"rate_E": self.rate_exc, "rate_I": self.rate_inh,
                "cv_isi_E": self.cv_isi("E"), "synchrony_E": self.synchrony("E")}  # fmt: skip


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


def _prepare(synapse, neuron, scale, duration, dt, seed, g_E, g_I, input_current) -> dict:
    synapse = choice("synapse", synapse, SYNAPSES)
    neuron = choice("neuron", neuron, NEURONS)
    scale, n_exc, n_inh = _sizes(scale)
    duration = positive_scalar("duration", duration)
    dt = positive_scalar("dt", dt)
    k = duration / dt
    n_steps = int(round(k))
    if n_steps < 1 or abs(n_steps - k) > 1e-6 * max(1.0, k):
        raise ValueError(f"duration ({duration} ms) must be a positive multiple of dt ({dt} ms)")
    return dict(
        synapse=synapse, neuron=neuron, scale=scale, n_exc=n_exc, n_inh=n_inh,
        duration=duration, dt=dt, n_steps=n_steps, seed=random_seed("seed", seed),
        g_E=nonnegative_scalar("g_E", g_E), g_I=nonnegative_scalar("g_I", g_I),
        input_current=finite_scalar("input_current", input_current),
    )


def _run(cfg: dict, g_E: float, g_I: float, progress: bool) -> NetworkResult:
    par = {k: float(v) for k, v in COBA_PARAMS.items() if k not in ("g_E", "g_I", "n_neurons")}
    # Weight per spike (h += w); only the charge-matched synapse rescales it.
    w_exc, w_inh = g_E, g_I
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
    params.update(g_E=g_E, g_I=g_I, w_exc=w_exc, w_inh=w_inh)
    params.update(p_used=p_used, n_synapses=n_synapses)
    return NetworkResult(
        spike_times=steps * cfg["dt"], spike_indices=neurons, n_exc=cfg["n_exc"],
        n_inh=cfg["n_inh"], duration=cfg["duration"], dt=cfg["dt"],
        params=MappingProxyType(params), g_mean=g_mean,
    )  # fmt: skip


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
    ``seed``, ``g_E``, ``g_I``, ``input_current``, or in ``legacy`` versus
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
    cfg = _prepare(synapse, neuron, scale, duration, dt, seed, g_E, g_I, input_current)
    return _run(cfg, cfg["g_E"], cfg["g_I"], flag("progress_bar", progress_bar))


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
    progress_bar = flag("progress_bar", progress_bar)
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
