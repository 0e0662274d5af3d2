"""Brian2: the alpha synapse written as in Brian2's documentation."""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike

from .. import _validation as v
from .._optional import require
from .._timing import brian2_steps
from ._common import PeerResponse, check_delay, check_grid

BRIAN2_METHODS: tuple[str, ...] = ("exact", "euler", "rk2", "rk4")

# The two-variable alpha synapse of Brian2's docs (dimensionless here: the
# weight carries the unit of g). One spike of weight w gives g = w t/tau e^(-t/tau).
_EQUATIONS = """
dg/dt = (h - g) / tau_syn : 1
dh/dt = -h / tau_syn : 1
tau_syn : second (constant)
"""


def run_brian2(
    spike_times: ArrayLike,
    *,
    weight: float = 1.0,
    tau: float = 5.0,
    dt: float = 0.1,
    duration: float = 50.0,
    method: str = "exact",
    delay: float = 0.0,
) -> PeerResponse:
    """Send spikes through Brian2's documented alpha synapse and record ``g``.

    The model is ``dg/dt = (h - g)/tau``, ``dh/dt = -h/tau``, with
    ``on_pre="h += w"``: a ``SpikeGeneratorGroup`` (one generator per spike,
    so repeated times are allowed) drives a one-neuron ``NeuronGroup`` through
    ``Synapses``; a ``StateMonitor`` records ``g``. Code generation uses the
    ``numpy`` target (no compiler, deterministic); the global preference is
    restored afterwards.

    Parameters
    ----------
    spike_times : array_like
        Spike times (ms) in ``[0, duration)``; off-grid times are placed by
        Brian2 itself (see Notes).
    weight : float
        The jump of ``h``; the response peaks at ``weight / e`` (norm ``"plain"``).
    tau : float
        Synaptic time constant (ms).
    dt : float
        Simulation and recording step (ms).
    duration : float
        Length of the recording (ms).
    method : {"exact", "euler", "rk2", "rk4"}
        Brian2's state updater. ``"exact"`` is the matrix exponential; the
        explicit methods follow :func:`alphakit.simulate` with the same method.
    delay : float
        Synaptic delay (ms), a whole number of steps >= 0.

    Returns
    -------
    PeerResponse
        ``norm="plain"``, ``lag = delay + dt``.

    Notes
    -----
    Timing: in each step Brian2 first records (``StateMonitor`` runs in the
    ``start`` slot), then integrates, then processes this step's spikes. A
    spike at ``t_s`` therefore sets ``h`` at the end of the step that starts at
    ``t_s + delay``, which reaches ``g`` one step later: the sample at ``t``
    equals ``alphakit.simulate(spikes).g`` at ``t - dt - delay``, i.e. the
    kernel with ``lag = delay + dt``.

    Off-grid times: ``SpikeGeneratorGroup`` puts a spike at ``t_s`` in step
    ``int((t_s + 1e-3 dt) / dt)`` (times in seconds): the step that holds it,
    a time within ``1e-3 dt`` below a grid point going onto that point
    (brian2 ``brian2/input/spikegeneratorgroup.py``,
    ``SpikeGeneratorGroup.before_run``). 10.25 ms at ``dt = 0.1`` fires in the
    step starting at 10.2 ms. Brian2 refuses two spikes of one neuron in one
    step; here every spike has its own generator neuron, so that never
    happens. ``spike_times`` of the result are the placed times; the rule is
    ``OFFGRID_RULES["Brian2"]``.

    Examples
    --------
    >>> r = run_brian2([1.0], weight=1.0, tau=2.0, duration=10.0)  # doctest: +SKIP
    >>> r.lag, r.norm  # doctest: +SKIP
    (0.1, 'plain')
    """
    grid = check_grid(spike_times, dt, duration, brian2_steps)
    weight = v.finite_scalar("weight", weight)
    tau = v.positive_scalar("tau", tau)
    method = v.choice("method", method, BRIAN2_METHODS)
    delay = check_delay(delay, grid.dt)

    b2 = require("brian2", "peers")
    ms = b2.ms
    old_target = b2.prefs.codegen.target
    b2.prefs.codegen.target = "numpy"
    with warnings.catch_warnings():
        # Brian2 2.10's parser still uses pyparsing's old spelling
        warnings.filterwarnings("ignore", message=".*'parseAll' argument is deprecated")
        try:
            clock_dt = grid.dt * ms
            n_spikes = grid.times.size
            source = b2.SpikeGeneratorGroup(
                n_spikes, np.arange(n_spikes), grid.times * ms, dt=clock_dt
            )
            target = b2.NeuronGroup(1, _EQUATIONS, method=method, dt=clock_dt)
            target.tau_syn = tau * ms
            synapses = b2.Synapses(
                source, target, model="w : 1 (constant)", on_pre="h += w", dt=clock_dt
            )
            synapses.connect(i=np.arange(n_spikes), j=0)
            synapses.w = weight
            synapses.delay = delay * ms
            monitor = b2.StateMonitor(target, "g", record=0, dt=clock_dt)
            net = b2.Network(source, target, synapses, monitor)
            net.run(grid.n * clock_dt)
            response = np.asarray(monitor.g[0], dtype=np.float64)
        finally:
            b2.prefs.codegen.target = old_target
    if response.shape[0] != grid.n:  # pragma: no cover - Brian2 changed its recording
        raise RuntimeError(f"Brian2 recorded {response.shape[0]} samples, expected {grid.n}")
    return PeerResponse(
        t=grid.t,
        response=response,
        simulator="Brian2",
        model="docs alpha (h += w)",
        version=str(b2.__version__),
        quantity="g",
        unit="1",
        norm="plain",
        convention="brian2_docs_alpha",
        lag=delay + grid.dt,
        method=method,
        timing=(
            "record, integrate, then on_pre: a spike at t_s sets h at the end of the step "
            f"starting at t_s + delay, g moves one step later (lag = delay + dt = "
            f"{delay + grid.dt:g} ms); weight = e x peak"
        ),
        weight=weight,
        tau=tau,
        dt=grid.dt,
        spike_times=grid.index * grid.dt,
        tau_rise=tau,
    )
