"""The COBA network of :mod:`alphakit.network`, built and compiled with BrainPy.

:mod:`alphakit.network` validates the arguments and wraps the result; this
module holds the BrainPy model. Importing it imports neither BrainPy nor jax
(the model functions do, on first call); :func:`connectivity`, :func:`wiring`
and :func:`unpack_spikes` are plain numpy.

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
  up to :data:`EVENT_BATCH` spiking neurons (``lax.top_k``) and adds their rows
  of a padded target table (``.at[].add``), passing again while spikes are
  left. BrainPy's event-driven CSR operator (``bm.event.csrmv``, brainevent's
  Numba kernel) gives the same counts, but on CPU each call goes through a
  Python callback, which costs more than the rest of the step
  (``benchmarks/bench_network.py`` times the network both ways). Counts are
  small integers, exact in float32 whichever way they are summed, so the two
  give the same spikes.
* The connectivity is an argument of the compiled function, not a constant in
  it: networks of one size share a compilation whatever the seed (unless the
  seed's wiring table is wider than a bound that few seeds exceed).
* Spikes are recorded inside the compiled loop as bit-packed rows (N/8 bytes per
  step), never as a T x N float matrix; so are the population-mean E and I
  conductances (two numbers per step), which show the conductance state.
* The projections update before the neurons (BrainPy's EINet order), so a
  synapse reads the previous step's spikes; see the timing convention in
  :mod:`alphakit.ode`.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ._env import quiet, require_brainpy

__all__ = [
    "EVENT_BATCH",
    "CompiledNetwork",
    "compiled_network",
    "connectivity",
    "post_aligned",
    "simulate_coba",
    "spike_counts",
    "unpack_spikes",
    "wiring",
]

#: Spiking neurons routed per pass of the event-driven projection. XLA's CPU
#: ``top_k`` is cheap for small k and much slower for larger ones; a step with
#: more spikes than this simply takes several passes.
EVENT_BATCH = 16


@functools.cache
def post_aligned(form: str) -> type:
    """The alpha synapse of ``form``, admitted by BrainPy's align-post projections.

    ``HalfProjAlignPost`` calls ``syn(summed_input)`` exactly as it would call
    ``bp.dyn.Alpha`` (advance g and h over the step, then h += input); it only
    insists on the ``AlignPost`` mixin, which ``bp.dyn.Alpha`` lacks because a
    pre-aligned use is also possible. Nothing of the dynamics is redefined.
    """
    bp, _ = require_brainpy()
    if form == "fixed":
        base = bp.dyn.Alpha
    else:
        with quiet():
            from ._models import LegacyAlpha

        base = LegacyAlpha

    class PostAligned(base, bp.mixin.AlignPost):  # type: ignore[valid-type,misc,name-defined]
        def add_current(self, x: Any) -> None:
            self.h.value = self.h.value + x

    PostAligned.__name__ = PostAligned.__qualname__ = f"PostAligned{base.__name__}"
    return PostAligned


def connectivity(n_exc: int, n_inh: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Target table of an (N, 2N) 0/1 connection matrix: row = presynaptic neuron.

    Every ordered pair (autapses included, as BrainPy's ``FixedProb``) is
    connected independently with probability p: the number of connections
    is binomial and, given it, the set is uniform. Excitatory rows point into
    columns 0..N-1, inhibitory rows into N..2N-1, so one product yields the
    excitatory and the inhibitory spike counts of every target.

    Row i lists the columns of neuron i's connections, padded with the unused
    column 2N; the extra row N is all padding (where non-spiking picks go).
    The width is at least the mean out-degree plus 5 standard deviations,
    rounded up to a multiple of 16: every seed of one network size then shares
    a compiled model, unless its most connected neuron lies beyond that bound
    (for 1000 neurons a chance of about 3 in 10,000 per seed; sized to the
    largest degree only, a sweep over seeds compiled twice per structure).
    """
    n = n_exc + n_inh
    total = n * n
    k = int(rng.binomial(total, p))
    flat = np.sort(rng.choice(total, size=k, replace=False))
    pre, post = np.divmod(flat, n)
    post = post + np.where(pre >= n_exc, n, 0)
    degree = np.bincount(pre, minlength=n)
    bound = n * p + 5.0 * np.sqrt(n * p * (1.0 - p))
    width = max(16, -(-max(int(np.max(degree)), int(np.ceil(bound))) // 16) * 16)
    table = np.full((n + 1, width), 2 * n, dtype=np.int32)
    first = np.cumsum(degree) - degree  # pre is sorted: each row's entries are contiguous
    table[pre, np.arange(k) - first[pre]] = post
    return table


def spike_counts(spikes: Any, table: Any, dtype: Any) -> Any:
    """``spikes @ C`` for the 0/1 matrix C whose target table is ``table`` (JAX, traceable).

    Event-driven: each pass of the while loop takes up to :data:`EVENT_BATCH`
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
        hit, idx = jax.lax.top_k(left.astype(jnp.float32), EVENT_BATCH)
        idx = jnp.where(hit > 0, idx, n)  # fewer spikes than the batch: pad with row N
        counts = counts.at[table[idx].ravel()].add(1)
        return left.at[idx].set(False, mode="drop"), counts

    start = (jnp.asarray(spikes, dtype=bool), jnp.zeros(2 * n + 1, dtype=dtype))
    return jax.lax.while_loop(pending, route, start)[1][: 2 * n]


def _make_net(bp: Any, bm: Any, n: int, par: dict, neuron: str, syn_cls: type) -> Any:
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
            counts = spike_counts(self.neurons.spike.value, table, bm.float_)
            self.exc(w_exc * counts[:n])
            self.inh(w_inh * counts[n:])
            return self.neurons(current)

    return COBANet()


class CompiledNetwork:
    """One compiled network: structure fixed; wiring, initial V, weights, input are arguments.

    ``key`` is ``(n, form, neuron, dt, n_steps, progress, sorted parameter items)``;
    calling the object runs the network and returns the bit-packed spike rows
    (T, ceil(n/8)) and the population-mean conductances (T, 2).
    """

    def __init__(self, key: tuple):
        n, form, neuron, dt, n_steps, progress, par = key
        bp, bm = require_brainpy()
        import jax.numpy as jnp

        par = dict(par)
        self.dt = dt
        self._bm = bm
        with bm.environment(dt=dt):
            net = self.net = _make_net(bp, bm, n, par, neuron, post_aligned(form))
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

    def __call__(
        self, table: np.ndarray, v0: np.ndarray, w_exc: float, w_inh: float, current: float
    ) -> tuple[np.ndarray, np.ndarray]:
        import jax.numpy as jnp

        f32 = jnp.float32
        with self._bm.environment(dt=self.dt):
            packed, g = self._run(
                jnp.asarray(table), jnp.asarray(v0, f32), f32(w_exc), f32(w_inh), f32(current)
            )
        return np.asarray(packed), np.asarray(g, dtype=np.float64)


@functools.lru_cache(maxsize=8)
def compiled_network(key: tuple) -> CompiledNetwork:
    """The :class:`CompiledNetwork` of ``key``, built once and kept.

    A widget or a sweep calling again with new weights, input or seed pays
    neither construction nor compilation.
    """
    return CompiledNetwork(key)


@functools.lru_cache(maxsize=8)
def wiring(n_exc: int, n_inh: int, p: float, seed: int) -> np.ndarray:
    """The (read-only, cached) :func:`connectivity` table of ``seed``."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    table = connectivity(n_exc, n_inh, p, rng)
    table.flags.writeable = False  # shared by the cache
    return table


def unpack_spikes(packed: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(step, neuron) of every set bit of (T, ceil(n/8)) packed rows, time-major.

    Only the non-zero bytes are expanded: unpacking the whole T x N grid would
    cost more than the simulation for a large network.
    """
    rows, cols = np.nonzero(packed)
    bits = np.unpackbits(packed[rows, cols][:, None], axis=1)  # MSB first, as packbits
    k, b = np.nonzero(bits)
    return rows[k], cols[k].astype(np.int64) * 8 + b


def simulate_coba(
    n_exc: int,
    n_inh: int,
    p: float,
    seed: int,
    *,
    form: str,
    neuron: str,
    dt: float,
    n_steps: int,
    par: dict[str, float],
    w_exc: float,
    w_inh: float,
    current: float,
    progress: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Run the network of this structure (compiled once, then cached) from ``seed``.

    ``seed`` draws the wiring and the initial membrane potentials (uniform in
    ``[V_reset, V_th)``) from two independent streams. Returns the step and the
    neuron of every spike (time-major), the population-mean E and I
    conductances (n_steps, 2) and the number of synapses.
    """
    n = n_exc + n_inh
    table = wiring(n_exc, n_inh, p, seed)
    model = compiled_network((n, form, neuron, dt, n_steps, progress, tuple(sorted(par.items()))))
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    v0 = rng.uniform(par["V_reset"], par["V_th"], size=n)
    packed, g_mean = model(table, v0, w_exc, w_inh, current)
    steps, neurons = unpack_spikes(packed, n)
    return steps, neurons, g_mean, int(np.sum(table < 2 * n))
