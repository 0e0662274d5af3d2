"""NEURON: the built-in ``AlphaSynapse``, ``ExpSyn`` and ``Exp2Syn`` point processes."""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .. import _validation as v
from .._optional import require
from .._timing import grid_steps, neuron_event_steps
from .._types import Kind
from ._common import PeerResponse, check_delay, check_grid, resolve_kind

NEURON_MODELS: tuple[str, ...] = ("AlphaSynapse", "ExpSyn", "Exp2Syn")

# model: the kinds it runs, its default first; Exp2Syn without tau_rise is the
# alpha synapse's closest approach (tau1 = tau_ratio tau2)
_KINDS: dict[str, tuple[Kind, ...]] = {
    "AlphaSynapse": ("alpha",),
    "ExpSyn": ("exp",),
    "Exp2Syn": ("alpha", "dual_exp"),
}

# Exp2Syn refuses tau1/tau2 > 0.9999 (its INITIAL block lowers tau1 to 0.9999 tau2),
# so this is the closest it comes to the alpha function.
EXP2SYN_MAX_RATIO = 0.9999

# AlphaSynapse's alpha(x) is 0 for x = (t - onset)/tau > 10: it drops 1.2e-3 of
# the peak at 10 tau and loses 11 e^-10 = 5e-4 of the charge.
ALPHASYNAPSE_CUTOFF = 10.0

# The membrane is held still by a huge capacitance, so v stays at V_HOLD to the
# last bit and AlphaSynapse's current i = g (v - e) with e = V_HOLD - 1 mV is g
# itself (AlphaSynapse does not expose g).
_V_HOLD = -65.0
_HUGE_CM = 1e30  # uF/cm2


def _floor_steps(times: np.ndarray, dt: float) -> np.ndarray:
    # AlphaSynapse keeps the exact onset; the step only bounds it to the run
    return grid_steps(times, dt, "floor")


def _import_neuron() -> Any:
    # Without a display NEURON prints a warning on stderr at import; -nogui silences it.
    os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")
    neuron = require("neuron", "peers")
    neuron.h.load_file("stdrun.hoc")
    return neuron


def run_neuron(
    spike_times: ArrayLike,
    *,
    weight: float = 1.0,
    tau: float = 5.0,
    dt: float = 0.1,
    duration: float = 50.0,
    model: str | None = None,
    kind: Kind | None = None,
    tau_rise: float | None = None,
    delay: float = 0.0,
    tau_ratio: float | None = None,
) -> PeerResponse:
    """Send spikes through a NEURON synapse point process and record its conductance.

    One single-compartment section holds the synapse, run with NEURON's fixed
    step (backward Euler, ``secondorder = 0``, CVode off). ``AlphaSynapse``
    fires once at its ``onset``, so a train uses one ``AlphaSynapse`` per spike;
    ``ExpSyn`` and ``Exp2Syn`` receive the spikes as events of one ``NetCon``. NEURON's
    global state (``dt``, ``secondorder``, CVode) is restored afterwards.

    Parameters
    ----------
    spike_times : array_like
        Spike times (ms) in ``[0, duration)``; off-grid times go to NEURON
        as they are (see Notes).
    weight : float
        ``gmax`` of AlphaSynapse or the NetCon weight of ExpSyn and Exp2Syn (uS);
        it is the peak of the response to one spike (norm ``"peak"``): ExpSyn's
        ``g`` jumps by it, Exp2Syn scales its jump by its ``factor``, the
        inverse peak of ``B - A``.
    tau : float
        AlphaSynapse and ExpSyn ``tau``; Exp2Syn ``tau2`` (decay) (ms).
    dt : float
        Fixed time step and recording interval (ms).
    duration : float
        Length of the recording (ms).
    model : {"AlphaSynapse", "ExpSyn", "Exp2Syn"}, optional
        Default: the kind's model (``AlphaSynapse``, ``ExpSyn``, ``Exp2Syn``).
    kind : {"alpha", "exp", "dual_exp"}, optional
        Default: the model's kind (``"alpha"`` for Exp2Syn without ``tau_rise``:
        its closest approach to the alpha function; ``"dual_exp"`` when
        ``tau_rise`` is given).
    tau_rise : float, optional
        Exp2Syn ``tau1`` (ms), in ``(0, 0.9999 tau]``; required for
        ``kind="dual_exp"``, refused for the other kinds.
    delay : float
        Added to every spike time (AlphaSynapse ``onset``, NetCon ``delay``);
        a whole number of steps >= 0.
    tau_ratio : float, optional
        Exp2Syn as the alpha synapse only: ``tau1 = tau_ratio * tau``, in (0,
        0.9999] (NEURON lowers any larger ratio to 0.9999); default 0.9999.

    Returns
    -------
    PeerResponse
        ``response`` is g (uS), ``norm="peak"``; ``lag = delay + dt/2``
        (AlphaSynapse), ``delay`` (ExpSyn) or ``delay + dt`` (Exp2Syn). For
        Exp2Syn, ``tau_rise`` is ``tau1``; AlphaSynapse has ``cutoff = 10 tau``.

    Notes
    -----
    Timing, AlphaSynapse: g is a closed-form function of time evaluated when
    the currents are computed, at the middle of each step, and the value
    recorded at ``t`` is the one that drove the step ending at ``t``: the
    kernel at ``t - dt/2 - onset`` exactly (lag ``dt/2``). Exp2Syn: an event
    at ``t_s + delay`` is delivered at the start of the step beginning then; g
    is computed from the states at the start of each step, so the sample at
    ``t`` is the (exactly integrated, ``cnexp``) dual exponential at
    ``t - dt - t_s - delay``: ``dual_exp_kernel(.., tau1, tau, "peak")``,
    which differs from the alpha kernel by about ``1 - tau_ratio`` of the peak;
    with ``tau_rise`` given, ``dual_exp_kernel(.., tau_rise, tau, "peak")``.
    ExpSyn: the event adds the weight to the state ``g`` at the start of the
    step beginning at ``t_s + delay``, after the sample at that time was
    recorded (a step records at its end, events are delivered at the start
    of the next): the samples are ``exp_kernel(t - t_s - delay, tau, "peak")``
    for ``t > t_s + delay`` and 0 at ``t_s + delay`` itself (lag ``delay``,
    ``jump_at_lag=False``), ``g`` decaying exactly (``cnexp``). Sources: nrn
    ``src/nrnoc/expsyn.mod``, ``exp2syn.mod``, ``alphasyn.mod``.

    AlphaSynapse cuts its kernel off: ``g = 0`` once ``t - onset > 10 tau``
    (``cutoff = 10 tau`` in the result), a step of 1.2e-3 of the peak.

    Off-grid times are sent as they are. AlphaSynapse keeps them exactly: its
    ``g`` is ``alpha((t - onset)/tau)`` evaluated at any ``t`` (nrn
    ``src/nrnoc/alphasyn.mod``), so the response is the kernel at ``t - dt/2 -
    t_s``. A NetCon event is delivered, in the fixed-step method, at the start
    of the step from ``t`` if it is due by ``t + dt/2`` (nrn
    ``src/nrncvode/netcvode.cpp``, ``NetCvode::deliver_net_events``: ``tm =
    t + 0.5 * dt``): the nearest step; a half-way time goes where NEURON's own
    ``t``, advanced by two half steps per step (``src/nrnoc/fadvance.cpp``),
    puts it (2.25 ms at ``dt = 0.1``: 2.2 ms; 5.55 ms: 5.6 ms); 10.25 ms is
    delivered at 10.2 ms. ``spike_times`` of the
    result are the exact times (AlphaSynapse) or the delivery steps minus the
    delay (ExpSyn, Exp2Syn: NEURON places ``t_s + delay``);
    the rule is ``OFFGRID_RULES["NEURON"]``.

    Examples
    --------
    >>> r = run_neuron([1.0], tau=2.0, duration=10.0)  # doctest: +SKIP
    >>> r.lag  # doctest: +SKIP
    0.05
    """
    kind, model, rise = resolve_kind(kind, tau_rise, model, _KINDS, limit=("Exp2Syn",))
    events = model != "AlphaSynapse"
    place = neuron_event_steps if events else _floor_steps
    grid = check_grid(spike_times, dt, duration, place)
    weight = v.finite_scalar("weight", weight)
    tau = v.positive_scalar("tau", tau)
    delay = check_delay(delay, grid.dt)
    if rise is not None:
        if tau_ratio is not None:
            raise ValueError("tau_ratio is for Exp2Syn as the alpha synapse; give tau_rise alone")
        tau_ratio = rise / tau
        if tau_ratio > EXP2SYN_MAX_RATIO:
            raise ValueError(
                f"tau_rise must be at most {EXP2SYN_MAX_RATIO} tau = "
                f"{EXP2SYN_MAX_RATIO * tau} ms for Exp2Syn (NEURON lowers a larger tau1 "
                f"to {EXP2SYN_MAX_RATIO} tau2), got {rise}"
            )
    else:
        tau_ratio = v.positive_scalar(
            "tau_ratio", EXP2SYN_MAX_RATIO if tau_ratio is None else tau_ratio
        )
        if model == "Exp2Syn" and tau_ratio > EXP2SYN_MAX_RATIO:
            raise ValueError(
                f"tau_ratio must be in (0, {EXP2SYN_MAX_RATIO}] for Exp2Syn "
                f"(NEURON lowers tau1 to {EXP2SYN_MAX_RATIO} tau2), got {tau_ratio}"
            )

    # NEURON places the delivery time t_s + delay, which a half-way time plus the
    # delay's rounding can move by a step
    steps = round(delay / grid.dt)
    placed = neuron_event_steps(grid.times + delay, grid.dt) - steps if events else grid.index

    neuron = _import_neuron()
    h = neuron.h
    saved = (h.dt, h.steps_per_ms, h.secondorder, h.cvode.active())
    try:
        h.cvode.active(0)
        h.secondorder = 0
        h.dt = grid.dt
        h.steps_per_ms = 1.0 / grid.dt
        section = h.Section(name="alphakit_peer")
        section.cm = _HUGE_CM
        site = section(0.5)
        synapses, netcons = [], []
        if model == "AlphaSynapse":
            for ts in grid.times:
                syn = h.AlphaSynapse(site)
                syn.onset, syn.tau, syn.gmax, syn.e = ts + delay, tau, weight, _V_HOLD - 1.0
                synapses.append(syn)
            records = [h.Vector().record(syn._ref_i) for syn in synapses]
        else:
            if model == "ExpSyn":
                syn = h.ExpSyn(site)
                syn.tau, syn.e = tau, _V_HOLD - 1.0
            else:
                syn = h.Exp2Syn(site)
                syn.tau1 = tau_ratio * tau if rise is None else rise
                syn.tau2, syn.e = tau, _V_HOLD - 1.0
            nc = h.NetCon(None, syn)
            nc.weight[0], nc.delay = weight, delay
            synapses.append(syn)
            netcons.append(nc)
            records = [h.Vector().record(syn._ref_g)]
        voltage = h.Vector().record(site._ref_v)
        h.finitialize(_V_HOLD)
        if events:
            for ts in grid.times:
                netcons[0].event(ts + delay)  # event() delivers at its time, not after the delay
        h.continuerun((grid.n - 1) * grid.dt)
        response = np.sum([np.asarray(r, dtype=np.float64) for r in records], axis=0)
        if np.ptp(np.asarray(voltage)) != 0.0:  # pragma: no cover - would break i == g
            raise RuntimeError("NEURON's membrane moved; the recorded current is not g")
        if model == "Exp2Syn":
            tau_rise = float(syn.tau1)  # as NEURON uses it
        else:
            tau_rise = 0.0 if kind == "exp" else tau
    finally:
        h.dt, h.steps_per_ms, h.secondorder = saved[0], saved[1], saved[2]
        h.cvode.active(saved[3])
    if response.shape[0] != grid.n:  # pragma: no cover - NEURON changed its recording
        raise RuntimeError(f"NEURON recorded {response.shape[0]} samples, expected {grid.n}")
    lag = delay + {"AlphaSynapse": grid.dt / 2, "ExpSyn": 0.0, "Exp2Syn": grid.dt}[model]
    if model == "AlphaSynapse":
        timing = (
            "g(t) evaluated in closed form at the step midpoint; the sample at t is the "
            f"value at t - dt/2 (lag = delay + dt/2 = {lag:g} ms); weight (gmax) = peak"
        )
    elif model == "ExpSyn":
        timing = (
            "event delivered at the start of the step at t_s + delay, g += weight there, "
            f"after that time's sample (lag = delay = {lag:g} ms; the jump shows from the "
            "next sample); weight = jump = peak"
        )
    elif rise is not None:
        timing = (
            "event delivered at the start of the step at t_s + delay; g is computed from "
            f"the states at the start of each step (lag = delay + dt = {lag:g} ms); "
            "weight = peak"
        )
    else:
        timing = (
            "event delivered at the start of the step at t_s + delay; g is computed from "
            f"the states at the start of each step (lag = delay + dt = {lag:g} ms); "
            f"tau1 = {tau_ratio:g} tau2; weight = peak"
        )
    return PeerResponse(
        t=grid.t,
        response=response,
        simulator="NEURON",
        model=model,
        version=str(neuron.__version__),
        quantity="g" if events else "i / (v - e) = g",
        unit="uS",
        norm="peak",
        convention=_CONVENTIONS[model, kind],
        lag=lag,
        method="analytic" if model == "AlphaSynapse" else "cnexp",
        timing=timing,
        weight=weight,
        tau=tau,
        dt=grid.dt,
        spike_times=placed * grid.dt if events else grid.times,
        tau_rise=tau_rise,
        cutoff=ALPHASYNAPSE_CUTOFF * tau if model == "AlphaSynapse" else math.inf,
        kind=kind,
        jump_at_lag=model != "ExpSyn",
    )


_CONVENTIONS = {
    ("AlphaSynapse", "alpha"): "neuron_alphasynapse",
    ("ExpSyn", "exp"): "neuron_expsyn",
    ("Exp2Syn", "alpha"): "neuron_exp2syn_limit",
    ("Exp2Syn", "dual_exp"): "neuron_exp2syn",
}
