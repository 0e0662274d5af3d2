"""A BrainPy network that drives Alpha synapses with given presynaptic spikes.

Imports BrainPy at import time; loaded only by the runners.

The synapse is BrainPy's own ``bp.synapses.Alpha`` (or a drop-in with other
dynamics) between a spike source and a receiver, ``One2One``, CUBA output:
the same wiring as the issue-577 scenario, minus the LIF neurons. The network
updates in BrainPy's order (projections, then neurons), so the synapse reads
the source's spikes of the previous step, exactly as with real neurons; see the
timing convention in :mod:`alphakit.ode`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import brainpy as bp
import brainpy.math as bm
import numpy as np

__all__ = ["compile_driven_synapses"]


class _SpikeSource(bp.dyn.NeuDyn):
    """Neurons whose spikes are given: this step's counts are staged, then copied."""

    def __init__(self, size: int) -> None:
        super().__init__(size=size)
        self.reset_state()

    def reset_state(self, batch_or_mode: Any = None, **kwargs: Any) -> None:
        self.spike = self.init_variable(bm.zeros, batch_or_mode)
        self.staged = self.init_variable(bm.zeros, batch_or_mode)

    def update(self) -> Any:
        self.spike.value = self.staged.value
        return self.spike.value


class _Receiver(bp.dyn.NeuDyn):
    """Postsynaptic stand-in: records the input the synapse delivered this step."""

    def __init__(self, size: int) -> None:
        super().__init__(size=size)
        self.reset_state()

    def reset_state(self, batch_or_mode: Any = None, **kwargs: Any) -> None:
        self.input = self.init_variable(bm.zeros, batch_or_mode)
        self.received = self.init_variable(bm.zeros, batch_or_mode)

    def clear_input(self, *args: Any, **kwargs: Any) -> None:
        # BrainPy calls this after every step, as for its own neurons.
        self.input.value = bm.zeros_like(self.input.value)

    def update(self) -> Any:
        self.received.value = self.input.value
        return self.received.value


class _DrivenSynapses(bp.DynSysGroup):
    def __init__(
        self, n: int, synapse: type, tau: float, method: str, g_max: float | np.ndarray
    ) -> None:
        super().__init__()
        self.pre = _SpikeSource(n)
        self.post = _Receiver(n)
        self.syn = synapse(
            self.pre,
            self.post,
            bp.connect.One2One(),
            g_max=g_max,
            tau_decay=tau,
            output=bp.synouts.CUBA(),
            method=method,
        )

    def update(self, spikes: Any) -> tuple[Any, Any, Any]:
        self.pre.staged.value = spikes
        super().update()  # BrainPy's order: synapse (reads last step's spikes), then neurons
        return self.post.received.value, self.syn.g.value, self.syn.h.value


def compile_driven_synapses(
    n: int, synapse: type, tau: float, method: str, g_max: float | np.ndarray, progress_bar: bool
) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Build the network once; return ``run(spikes (T, n)) -> (received, g, h)``.

    The returned function resets the state and runs the whole grid in one
    jitted ``for_loop``; jax caches its compilation per shape of ``spikes``.
    Call it (and build it) inside ``bm.environment(dt=...)``.
    """
    net = _DrivenSynapses(n, synapse, tau, method, g_max)

    @bm.jit
    def run(indices: Any, spikes: Any) -> Any:
        bp.reset_state(net)
        return bm.for_loop(net.step_run, (indices, spikes), progress_bar=progress_bar)

    def call(spikes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        spikes32 = np.asarray(spikes, dtype=np.float32)
        # bm.jit is annotated as returning a decorator; what it returns is the jitted function
        out: Any = run(np.arange(spikes32.shape[0]), spikes32)
        received, g, h = out
        return np.asarray(received), np.asarray(g), np.asarray(h)

    return call
