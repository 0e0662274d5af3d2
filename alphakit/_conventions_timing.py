"""Each simulator's timing conventions, as data with sources (issue 15).

Where an off-grid spike time lands (the rules of ``_timing.OFFGRID_RULES``,
reused, not restated), where a delay sits and its minimum, when a spike first
shows in the recorded variable, and the order of the work within a step. The
lags follow the timing convention in :mod:`alphakit.ode`: the recorded
response of a spike at ``t_s`` with delay ``d`` is the kernel started at
``t_s + d + extra_steps * dt``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import _validation as v
from ._display import html_repr, text_repr
from ._timing import OFFGRID_RULES, OffgridRule


@dataclass(frozen=True)
class SimulatorTiming:
    """One simulator's timing conventions.

    Attributes
    ----------
    simulator : str
        ``"NEST"``, ``"Brian2"``, ``"BrainPy"``, ``"NEURON"`` or ``"Elephant"``.
    offgrid : OffgridRule
        How an off-grid spike time is placed (:data:`alphakit.peers.OFFGRID_RULES`).
    delay_site : str
        Where the delay sits: ``"dendritic"``, ``"axonal"``, or what the
        simulator has instead.
    min_delay_steps : int
        The smallest delay, in steps of ``dt``.
    extra_steps : int
        Steps between ``t_s + delay`` and the start of the kernel in the
        recorded variable: the lag is ``delay + extra_steps * dt``.
    first_visible : str
        When a spike first shows in the recorded variable, in words.
    step_order : str
        What one step does, in order.
    sources : tuple of str
        Documentation pages, source files and issues that state the above.
    """

    simulator: str
    offgrid: OffgridRule
    delay_site: str
    min_delay_steps: int
    extra_steps: int
    first_visible: str
    step_order: str
    sources: tuple[str, ...]

    __repr__ = text_repr
    _repr_html_ = html_repr


TIMINGS: dict[str, SimulatorTiming] = {
    "NEST": SimulatorTiming(
        simulator="NEST",
        offgrid=OFFGRID_RULES["NEST"],
        delay_site="dendritic: the connection's delay is counted at the postsynaptic side "
        "(NEST 3 adds a separate axonal_delay for STDP)",
        min_delay_steps=1,
        extra_steps=0,
        first_visible="a spike at t_s with delay d is in the state at t_s + d: the kernel "
        "starts at t_s + d (lag = delay, at least dt); the multimeter's first sample is t = dt",
        step_order="each neuron integrates the step, then adds the input that arrives in it "
        "(ring buffer); the multimeter samples at the end of the step",
        sources=(
            "https://nest-simulator.readthedocs.io/en/stable/synapses/delays.html",
            "nest/nest-simulator #1939 (dendritic and axonal delays)",
            "nest/nest-simulator models/iaf_psc_exp.cpp, iaf_psc_exp::update",
            "nestkernel/connector_model.cpp (delay must be >= resolution)",
        ),
    ),
    "Brian2": SimulatorTiming(
        simulator="Brian2",
        offgrid=OFFGRID_RULES["Brian2"],
        delay_site="axonal: Synapses.delay delays the presynaptic pathway (on_pre)",
        min_delay_steps=0,
        extra_steps=1,
        first_visible="the StateMonitor records at the start of a step, before the spikes of "
        "the step are delivered: a spike at t_s with delay d shows from t_s + d + dt "
        "(lag = delay + dt)",
        step_order="start (StateMonitor), groups (state update), thresholds, synapses "
        "(spike delivery, on_pre), resets, end",
        sources=(
            "https://brian2.readthedocs.io/en/stable/user/running.html (scheduling)",
            "https://brian2.readthedocs.io/en/stable/user/synapses.html (delays)",
            "brian-team/brian2 #1332 (input delivered one step late)",
        ),
    ),
    "BrainPy": SimulatorTiming(
        simulator="BrainPy",
        offgrid=OFFGRID_RULES["BrainPy"],
        delay_site="the projection's delay buffer: the presynaptic spike is read delay/dt "
        "steps late (axonal; BrainPy #709 reports the effective delay off by steps)",
        min_delay_steps=0,
        extra_steps=1,
        first_visible="a synapse in a projection reads the presynaptic spike of the previous "
        "step: a spike at step m first shows in g at step m + 2 (lag = delay + dt); a "
        "synapse stepped directly with update(x) shows it at m + 1 (lag 0)",
        step_order="the network's update calls the groups in order (pre neurons, "
        "projections, post neurons); a synapse integrates, then adds its input",
        sources=(
            "brainpy/BrainPy brainpy/dyn/synapses/abstract_models.py (update: integrate, then "
            "add the input)",
            "brainpy/BrainPy brainpy/dyn/projections (ProjAlignPreMg2, delay)",
            "brainpy/BrainPy #709 (effective delay)",
            "the timing convention in alphakit.ode",
        ),
    ),
    "NEURON": SimulatorTiming(
        simulator="NEURON",
        offgrid=OFFGRID_RULES["NEURON"],
        delay_site="the NetCon's delay, between the source's threshold crossing and the "
        "target's NET_RECEIVE (axonal plus synaptic; no dendritic part)",
        min_delay_steps=0,
        extra_steps=1,
        first_visible="an event due at t_s + d is delivered at the start of the step from "
        "t_s + d; g shows it at the end of that step (lag = delay + dt)",
        step_order="deliver the events due by t + dt/2, then advance the states over dt "
        "(fadvance), then record",
        sources=(
            "nrn src/nrncvode/netcvode.cpp, NetCvode::deliver_net_events",
            "nrn src/nrnoc/fadvance.cpp, nrn_fixed_step_thread",
            "https://nrn.readthedocs.io/en/latest/python/modelspec/programmatic/network/"
            "netcon.html (NetCon.delay >= 0)",
        ),
    ),
    "Elephant": SimulatorTiming(
        simulator="Elephant",
        offgrid=OFFGRID_RULES["Elephant"],
        delay_site="none: a delay is a shift of the spike times",
        min_delay_steps=0,
        extra_steps=0,
        first_visible="with center_kernel=False the kernel starts in the spike's bin "
        "(lag = shift); the default center_kernel=True starts it before the spike",
        step_order="no stepping: histogram of the train, then a convolution on the grid",
        sources=("elephant elephant/statistics.py, instantaneous_rate (center_kernel)",),
    ),
}


def _timing_of(name: Any, param: str) -> SimulatorTiming:
    from ._conventions_table import CONVENTIONS

    if isinstance(name, str) and name not in TIMINGS and name in CONVENTIONS.names():
        first = CONVENTIONS[name].simulator.split()[0]
        if first in TIMINGS:
            return TIMINGS[first]
        raise ValueError(
            f"{param}: {name!r} ({first}) has no timing entry; use one of {tuple(TIMINGS)}"
        )
    return TIMINGS[v.choice(param, name, tuple(TIMINGS))]


def convert_delay(delay: float, source: str, target: str, *, dt: float) -> float:
    """The delay in ``target`` whose response starts on the same step as ``delay`` in ``source``.

    A spike at ``t_s`` with delay ``d`` shows in a simulator's recorded
    variable as the kernel started at ``t_s + d + extra_steps * dt``
    (:data:`TIMINGS`: 0 for NEST and Elephant, one step for Brian2's schedule,
    BrainPy's projections and NEURON's NetCon events). The target delay keeps
    that start: ``d_target = d_source + (extra_source - extra_target) dt``.

    Parameters
    ----------
    delay : float
        The source's delay (ms), a whole number of steps, at least the
        source's minimum (NEST: ``dt``).
    source, target : str
        Keys of :data:`TIMINGS` (``"NEST"``, ``"Brian2"``, ``"BrainPy"``,
        ``"NEURON"``, ``"Elephant"``) or rows of :data:`CONVENTIONS` of those
        simulators.
    dt : float
        The time step (ms), the same in both.

    Returns
    -------
    float
        The target's delay (ms), ``k * dt``.

    Raises
    ------
    ValueError
        When no delay in ``target`` reaches that step (below its minimum delay).

    Examples
    --------
    >>> round(convert_delay(1.0, "NEST", "Brian2", dt=0.1), 12)
    0.9
    >>> round(convert_delay(0.0, "Brian2", "NEST", dt=0.1), 12)
    0.1
    """
    src, dst = _timing_of(source, "source"), _timing_of(target, "target")
    dt = v.positive_scalar("dt", dt)
    delay = v.finite_scalar("delay", delay)
    steps = delay / dt
    k = round(steps)
    if abs(steps - k) > 1e-9 * max(1.0, abs(steps)):
        raise ValueError(f"delay must be a whole number of steps dt={dt} ms, got {delay}")
    if k < src.min_delay_steps:
        raise ValueError(
            f"delay {delay} ms is below {src.simulator}'s minimum of {src.min_delay_steps} step(s)"
        )
    k_t = k + src.extra_steps - dst.extra_steps
    if k_t < dst.min_delay_steps:
        first = (dst.min_delay_steps + dst.extra_steps) * dt
        raise ValueError(
            f"no delay in {dst.simulator} reproduces delay {delay} ms in {src.simulator}: "
            f"its response starts at least {first:g} ms after the spike"
        )
    return k_t * dt
