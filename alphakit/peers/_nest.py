"""NEST: alpha, exponential and beta synapses, ``iaf_psc_*`` (exact), ``iaf_cond_*`` (RKF45)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .. import _validation as v
from .._optional import require
from .._timing import nest_steps
from .._types import Kind
from ._common import PeerResponse, check_delay, check_grid, recorded_rise, resolve_kind

_MODELS = {
    # model: (recorded variable, unit, integrator)
    "iaf_psc_alpha": ("I_syn_ex", "pA", "exact"),
    "iaf_cond_alpha": ("g_ex", "nS", "rkf45"),
    "iaf_psc_exp": ("I_syn_ex", "pA", "exact"),
    "iaf_cond_exp": ("g_ex", "nS", "rkf45"),
    "iaf_cond_beta": ("g_ex", "nS", "rkf45"),
}

# model: its kind (the first model of a kind is that kind's default)
_KINDS: dict[str, tuple[Kind, ...]] = {
    "iaf_psc_alpha": ("alpha",),
    "iaf_cond_alpha": ("alpha",),
    "iaf_psc_exp": ("exp",),
    "iaf_cond_exp": ("exp",),
    "iaf_cond_beta": ("dual_exp",),
}


def _import_nest() -> Any:
    # PyNEST prints a banner on stdout at import unless PYNEST_QUIET is set.
    os.environ.setdefault("PYNEST_QUIET", "1")
    nest: Any = require("nest", "peers")
    if hasattr(nest, "VerbosityLevel"):  # NEST >= 3.9
        nest.verbosity = nest.VerbosityLevel.ERROR
    else:  # pragma: no cover - older NEST
        nest.set_verbosity("M_ERROR")
    return nest


def run_nest(
    spike_times: ArrayLike,
    *,
    weight: float = 1.0,
    tau: float = 5.0,
    dt: float = 0.1,
    duration: float = 50.0,
    model: str | None = None,
    kind: Kind | None = None,
    tau_rise: float | None = None,
    delay: float | None = None,
) -> PeerResponse:
    """Send spikes of one weight through a NEST synapse and record it.

    A ``spike_generator`` drives one neuron through a ``static_synapse``; a
    ``multimeter`` records the excitatory synaptic variable every ``dt``. The
    neuron's threshold is set to 1e9 mV so it never fires (the synaptic variable
    does not depend on the membrane in either model). NEST's kernel is reset
    first: the run does not depend on earlier NEST use, and it leaves NEST reset.

    Parameters
    ----------
    spike_times : array_like
        Spike times (ms) in ``(0, duration)``: NEST refuses a spike at time 0.
        Repeated times are repeated spikes. Off-grid times are allowed and
        placed by NEST itself (see Notes).
    weight : float
        Synaptic weight, > 0 (pA for ``iaf_psc_*``, nS for ``iaf_cond_*``).
        It is the *peak* of the response to one spike (norm ``"peak"``): the
        jump of the exponential, the maximum of the alpha and beta kernels.
    tau : float
        ``tau_syn_ex`` (ms); ``tau_decay_ex`` for ``iaf_cond_beta``.
    dt : float
        Simulation resolution and sampling interval (ms).
    duration : float
        Length of the recording (ms).
    model : {"iaf_psc_alpha", "iaf_cond_alpha", "iaf_psc_exp", "iaf_cond_exp", \
"iaf_cond_beta"}, optional
        The ``iaf_psc_*`` models integrate the current exactly (exact
        integration of the linear subsystem); the ``iaf_cond_*`` models
        integrate the conductance with GSL's adaptive RKF45, accurate to about
        1e-9 of the peak here. Default: the kind's first model
        (``iaf_psc_alpha``, ``iaf_psc_exp``, ``iaf_cond_beta``).
    kind : {"alpha", "exp", "dual_exp"}, optional
        The synapse; default the model's kind (``"alpha"`` without a model,
        ``"dual_exp"`` when ``tau_rise`` is given).
    tau_rise : float, optional
        ``tau_rise_ex`` of ``iaf_cond_beta`` (ms), > 0; required for
        ``kind="dual_exp"``, refused for the other kinds.
    delay : float, optional
        Synaptic delay (ms), a whole number of steps >= dt; default ``dt``, NEST's minimum.

    Returns
    -------
    PeerResponse
        ``response`` is ``I_syn_ex`` (pA) or ``g_ex`` (nS); ``norm="peak"``,
        ``lag=delay``.

    Notes
    -----
    Timing: a spike emitted at ``t_s`` arrives at ``t_s + delay`` and the
    response is ``weight * k(t - t_s - delay)`` exactly, sampled at the end of
    each step, with ``k`` the kind's kernel in norm "peak":
    ``alpha_kernel(., tau, norm="peak")``, ``exp_kernel(., tau,
    norm="peak")`` (the current or conductance jumps by the weight in the
    step the spike arrives: it is ``weight`` at ``t_s + delay``) or
    ``dual_exp_kernel(., tau_rise, tau, norm="peak")``. ``iaf_cond_beta``
    scales its jump by the inverse of the beta function's peak since
    nest-simulator PR 1197 (the shared ``beta_normalization_factor.h`` of PR
    1407, which also takes ``tau_rise == tau_decay``); before it, as created in
    PR 1038, the factor gave unit area. The multimeter does not record
    ``t = 0``; the run starts from rest, so the first sample is the initial
    value 0, prepended here.

    Off-grid times: the generator is created with ``allow_offgrid_times=True``
    (``precise_times`` stays off: ``iaf_psc_alpha`` is a grid model and would
    ignore the offsets). NEST converts each time to tics rounding to the nearest
    tic; a time that is then a whole number of steps stays, any other is
    rounded *up* to the end of the step it lies in (``Time::ms_stamp``). So
    10.25 ms at ``dt = 0.1`` is sent at 10.3 ms. Sources: nest-simulator
    ``models/spike_generator.cpp``
    (``spike_generator::Parameters_::assert_valid_spike_time_and_insert_``),
    ``nestkernel/nest_time.cpp`` (``Time::fromstamp``), ``nestkernel/nest_time.h``
    (``Time(ms)``), and the spike_generator model page
    https://nest-simulator.readthedocs.io/en/stable/models/spike_generator.html.
    ``spike_times`` of the result are the placed times; the rule is
    ``OFFGRID_RULES["NEST"]``.

    Examples
    --------
    >>> r = run_nest([1.0], weight=2.0, tau=2.0, duration=10.0)  # doctest: +SKIP
    >>> round(r.response.max(), 6), r.lag  # doctest: +SKIP
    (2.0, 0.1)
    >>> b = run_nest([1.0], tau=5.0, tau_rise=1.0, duration=20.0)  # doctest: +SKIP
    >>> b.model, b.kind, b.norm  # doctest: +SKIP
    ('iaf_cond_beta', 'dual_exp', 'peak')
    """
    grid = check_grid(spike_times, dt, duration, nest_steps)
    weight = v.positive_scalar("weight", weight)
    tau = v.positive_scalar("tau", tau)
    kind, model, rise = resolve_kind(kind, tau_rise, model, _KINDS)
    delay = grid.dt if delay is None else check_delay(delay, grid.dt, minimum=1)
    if grid.index[0] == 0:
        raise ValueError("spike_times must be > 0 for NEST (its spike_generator refuses t = 0)")
    quantity, unit, method = _MODELS[model]

    nest = _import_nest()
    nest.ResetKernel()
    nest.resolution = grid.dt
    if kind == "dual_exp":
        params = {"tau_rise_ex": rise, "tau_decay_ex": tau}
    else:
        params = {"tau_syn_ex": tau}
    neuron = nest.Create(model, params=params | {"V_th": 1e9})
    generator = nest.Create(
        "spike_generator",
        params={"spike_times": [float(t) for t in grid.times], "allow_offgrid_times": True},
    )
    nest.Connect(generator, neuron, syn_spec={"weight": weight, "delay": delay})
    meter = nest.Create("multimeter", params={"record_from": [quantity], "interval": grid.dt})
    nest.Connect(meter, neuron)
    # NEST hands recorded data over in slices of min_delay, so the last samples of a
    # run may be missing: run past the end by a few slices and drop the extra
    slices = max(nest.GetKernelStatus("min_delay"), nest.GetKernelStatus("max_delay"))
    nest.Simulate(grid.n * grid.dt + 2 * slices)
    events = meter.get("events")
    steps = np.rint(np.asarray(events["times"], dtype=np.float64) / grid.dt).astype(np.int64)
    recorded = np.asarray(events[quantity], dtype=np.float64)
    # samples at dt, 2 dt, ...; the first sample (t = 0) is the resting value 0
    response = np.zeros(grid.n)
    keep = steps < grid.n
    response[steps[keep]] = recorded[keep]
    if not np.array_equal(steps[keep], np.arange(1, grid.n)):  # pragma: no cover
        raise RuntimeError("NEST's multimeter did not sample every step dt .. (T-1) dt")
    nest.ResetKernel()
    return PeerResponse(
        t=grid.t,
        response=response,
        simulator="NEST",
        model=model,
        version=str(nest.__version__),
        quantity=quantity,
        unit=unit,
        norm="peak",
        convention="nest_" + model,
        lag=delay,
        method=method,
        timing=(
            f"spike at t_s is felt from t_s + delay (delay {delay:g} ms, minimum = dt); "
            "samples at the end of each step; weight = peak"
        ),
        weight=weight,
        tau=tau,
        dt=grid.dt,
        spike_times=grid.index * grid.dt,
        tau_rise=recorded_rise(kind, tau, rise),
        kind=kind,
    )

