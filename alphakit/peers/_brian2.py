"""Brian2: the alpha, exponential and biexponential synapses of Brian2's documentation."""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike

from .. import _validation as v
from .._optional import require
from .._timing import brian2_steps
from .._types import Kind
from ._common import PeerResponse, check_delay, check_grid, recorded_rise, resolve_kind

BRIAN2_METHODS: tuple[str, ...] = ("exact", "euler", "rk2", "rk4")

# The two-variable alpha synapse of Brian2's docs (dimensionless here: the
# weight carries the unit of g). One spike of weight w gives g = w t/tau e^(-t/tau).
_EQUATIONS = """
dg/dt = (h - g) / tau_syn : 1
dh/dt = -h / tau_syn : 1
tau_syn : second (constant)
"""

# The exponential synapse of Brian2's docs ("Converting from integrated form to
# ODEs"): one spike of weight w gives g = w e^(-t/tau), a jump of w.
_EXP_EQUATIONS = """
dg/dt = -g / tau_syn : 1
tau_syn : second (constant)
"""

# The biexponential synapse of the same page, with Brian2's peak normaliser
# ``invpeak``: g relaxes with the decay time constant towards invpeak x, x decays
# with the rise time constant; one spike of weight w (x += w) peaks at w.
_BIEXP_EQUATIONS = """
dg/dt = (invpeak * h - g) / tau_syn : 1
dh/dt = -h / tau_rise_syn : 1
tau_syn : second (constant)
tau_rise_syn : second (constant)
invpeak : 1 (constant)
"""

# model name, equations, variable the spike jumps, norm, convention row
_FORMS: dict[Kind, tuple[str, str, str, str, str]] = {
    "alpha": ("docs alpha (h += w)", _EQUATIONS, "h", "plain", "brian2_docs_alpha"),
    "exp": ("docs exponential (g += w)", _EXP_EQUATIONS, "g", "peak", "brian2_docs_exp"),
    "dual_exp": (
        "biexponential with invpeak (h += w)", _BIEXP_EQUATIONS, "h", "peak",
        "brian2_biexp_invpeak",
    ),
}
_KINDS: dict[str, tuple[Kind, ...]] = {form[0]: (kind,) for kind, form in _FORMS.items()}


def run_brian2(
    spike_times: ArrayLike,
    *,
    weight: float = 1.0,
    tau: float = 5.0,
    dt: float = 0.1,
    duration: float = 50.0,
    method: str = "exact",
    kind: Kind | None = None,
    tau_rise: float | None = None,
    delay: float = 0.0,
) -> PeerResponse:
    """Send spikes through a synapse of Brian2's documentation and record ``g``.

    The alpha synapse is ``dg/dt = (h - g)/tau``, ``dh/dt = -h/tau``, with
    ``on_pre="h += w"``; the exponential (``kind="exp"``) ``dg/dt = -g/tau``
    with ``on_pre="g += w"``; the biexponential (``kind="dual_exp"``) ``dg/dt
    = (invpeak h - g)/tau``, ``dh/dt = -h/tau_rise``, ``on_pre="h += w"``,
    with ``invpeak = (tau_rise/tau)^(tau/(tau_rise - tau))`` (the factor of
    the docs with its two time constants in these roles; the kernel is
    symmetric in them). A ``SpikeGeneratorGroup`` (one generator per spike,
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
        The jump of ``h`` (``g`` for the exponential). The alpha synapse peaks at
        ``weight / e`` (norm ``"plain"``), the exponential and the biexponential
        at ``weight`` (norm ``"peak"``).
    tau : float
        Synaptic (decay) time constant (ms).
    dt : float
        Simulation and recording step (ms).
    duration : float
        Length of the recording (ms).
    method : {"exact", "euler", "rk2", "rk4"}
        Brian2's state updater. ``"exact"`` is the matrix exponential; the
        explicit methods follow :func:`alphakit.simulate` with the same method.
    kind : {"alpha", "exp", "dual_exp"}, optional
        The synapse; default ``"alpha"``, or ``"dual_exp"`` when ``tau_rise`` is given.
    tau_rise : float, optional
        Rise time constant (ms) of the biexponential, > 0 and different from
        ``tau`` (the docs' ``invpeak`` is 0/0 at equality: use ``kind="alpha"``);
        required for ``kind="dual_exp"``, refused for the others.
    delay : float
        Synaptic delay (ms), a whole number of steps >= 0.

    Returns
    -------
    PeerResponse
        ``norm`` as above, ``lag = delay + dt``.

    Notes
    -----
    Timing: in each step Brian2 first records (``StateMonitor`` runs in the
    ``start`` slot), then integrates, then processes this step's spikes. A
    spike at ``t_s`` therefore sets ``h`` at the end of the step that starts at
    ``t_s + delay``, which reaches ``g`` one step later: the sample at ``t``
    equals ``alphakit.simulate(spikes).g`` at ``t - dt - delay``, i.e. the
    kernel with ``lag = delay + dt``. The same holds for every kind: an
    exponential's jump is first recorded one step after the spike.

    Sources: the alpha, exponential and biexponential equations of Brian2's
    user guide, "Converting from integrated form to ODEs"
    (https://brian2.readthedocs.io/en/stable/user/converting_from_integrated_form.html);
    its closed form of the biexponential, ``tau2/(tau2 - tau1) (e^(-t/tau2) -
    e^(-t/tau1))``, is the "plain" norm, not what ``invpeak`` gives (brian2
    #1179, PR 1722).

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
    kind, _, rise = resolve_kind(kind, tau_rise, None, _KINDS)
    if rise is not None and rise == tau:
        raise ValueError(
            f"tau_rise must differ from tau for Brian2's biexponential (its invpeak is 0/0 "
            f"at tau_rise == tau = {tau}); use kind='alpha' for that limit"
        )
    delay = check_delay(delay, grid.dt)
    model, equations, jumped, norm, convention = _FORMS[kind]

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
            target = b2.NeuronGroup(1, equations, method=method, dt=clock_dt)
            target.tau_syn = tau * ms
            if rise is not None:
                target.tau_rise_syn = rise * ms
                target.invpeak = (rise / tau) ** (tau / (rise - tau))
            synapses = b2.Synapses(
                source, target, model="w : 1 (constant)", on_pre=f"{jumped} += w", dt=clock_dt
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
        model=model,
        version=str(b2.__version__),
        quantity="g",
        unit="1",
        norm=norm,
        convention=convention,
        lag=delay + grid.dt,
        method=method,
        timing=(
            f"record, integrate, then on_pre: a spike at t_s sets {jumped} at the end of the "
            f"step starting at t_s + delay, {'g moves' if jumped == 'h' else 'recorded'} one "
            f"step later (lag = delay + dt = {delay + grid.dt:g} ms); weight = "
            f"{'e x peak' if norm == 'plain' else 'peak'}"
        ),
        weight=weight,
        tau=tau,
        dt=grid.dt,
        spike_times=grid.index * grid.dt,
        tau_rise=recorded_rise(kind, tau, rise),
        kind=kind,
    )
