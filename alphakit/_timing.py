"""Where a spike time lands on a time grid: alphakit's roundings and each simulator's rule.

Pure numpy, importable from anywhere in alphakit (``spikes`` uses the roundings,
the BrainPy runners the BrainPy rule, ``peers`` and the conventions table the
table :data:`OFFGRID_RULES`). Every ``*_steps`` function maps spike times (ms)
to the grid step ``n`` (time ``n * dt``) at which the simulator applies the
spike, emulating the simulator's own arithmetic so that it agrees to the step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._types import Rounding

ROUNDINGS: tuple[Rounding, ...] = ("floor", "ceil", "nearest")

# t/dt for a time on a grid point is off by a few ulps (0.3/0.1 = 2.9999999999999996):
# within 1e-12 * max(1, k) steps of the point k (a distance of 1e-12 * max(dt, t)),
# a time IS on the point, under every rounding. Far above the rounding error of t/dt
# (a few ulps of k), far below any offset a user means.
BOUNDARY_RTOL = 1e-12


def _near(ratio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    nearest = np.rint(ratio)
    return nearest, np.abs(ratio - nearest) <= BOUNDARY_RTOL * np.maximum(1.0, np.abs(nearest))


def grid_steps(times: np.ndarray, dt: float, rounding: Rounding = "floor") -> np.ndarray:
    """Steps of ``times`` (ms) on the grid ``n * dt`` under alphakit's ``rounding``.

    ``"floor"``: the step whose interval ``[n dt, (n+1) dt)`` holds the time;
    ``"ceil"``: the first step at or after it; ``"nearest"``: the closest step,
    a time half-way between two steps going to the later one (as NEST rounds
    ms to tics, ``nest_time.h``, ``Time(ms)``: ``tics = (long)(t * TICS_PER_MS + 0.5)``).
    A time within ``BOUNDARY_RTOL`` of a grid point, or (for "nearest") of a
    half-way point, counts as on it.
    """
    ratio = np.asarray(times, dtype=np.float64) / dt
    nearest, on_point = _near(ratio)
    if rounding == "floor":
        off = np.floor(ratio)
    elif rounding == "ceil":
        off = np.ceil(ratio)
    else:
        half, on_half = _near(ratio + 0.5)
        off = np.where(on_half, half, np.floor(ratio + 0.5))
    return np.where(on_point, nearest, off).astype(np.int64)


def brainpy_steps(times: np.ndarray, dt: float, *, x64: bool = False) -> np.ndarray:
    """Step at which ``bp.neurons.SpikeTimeGroup`` emits each spike.

    SpikeTimeGroup fires, at the step with time ``t``, every pending spike
    whose time is ``<= t`` (``brainpy/dyn/others/input.py``, ``_cond_fun``:
    ``share['t'] >= self.times[i]``); the runner sets ``t = i * dt``
    (``brainpy/runners.py``, ``share.save(t=self.t0 + i * self.dt, ...)``). Both
    are float32 unless JAX's x64 mode is on: the first step ``n`` with
    ``f32(n) * f32(dt) >= f32(time)`` in float32 arithmetic. That is the
    ceiling of ``time / dt`` except where float32 rounding moves a time on the
    grid to the next step (at ``dt = 0.01``, 0.05 ms fires at step 6).
    """
    ftype: type[np.floating] = np.float64 if x64 else np.float32
    t = np.asarray(times, dtype=np.float64)
    target = t.astype(ftype)
    base = np.maximum(np.floor(t / dt).astype(np.int64) - 2, 0)
    candidates = base[:, None] + np.arange(6)
    # n and dt rounded to the float type first, then one rounded product, as in JAX
    grid = np.multiply(candidates.astype(ftype), np.asarray(dt, dtype=ftype), dtype=ftype)
    hit = grid >= target[:, None]
    return np.asarray(candidates[np.arange(t.size), np.argmax(hit, axis=1)], dtype=np.int64)


def nest_steps(times: np.ndarray, dt: float, *, tics_per_ms: float = 1000.0) -> np.ndarray:
    """Step of each spike of a ``spike_generator`` with ``allow_offgrid_times=True``.

    NEST converts the time to tics rounding to the nearest tic
    (``nest_time.h``, ``Time(ms)``); a multiple of the step's tics is kept,
    anything else is rounded up to the end of the step it lies in with
    ``Time::ms_stamp`` (``spike_generator.cpp``,
    ``assert_valid_spike_time_and_insert_``; ``nest_time.cpp``, ``fromstamp``).
    So: on the grid within half a tic (0.5 µs by default), else the ceiling.
    """
    t = np.asarray(times, dtype=np.float64)
    tics_per_step = int(round(tics_per_ms * dt))
    ms_per_step = tics_per_step / tics_per_ms
    tics = np.floor(t * tics_per_ms + 0.5).astype(np.int64)
    stamp = np.trunc(t * tics_per_ms).astype(np.int64)
    stamp -= stamp % tics_per_step
    stamp = np.where(stamp * (1.0 / tics_per_step) * ms_per_step < t, stamp + tics_per_step, stamp)
    on_grid = tics % tics_per_step == 0
    return np.where(on_grid, tics, stamp) // tics_per_step


def brian2_steps(times: np.ndarray, dt: float) -> np.ndarray:
    """Step of each spike of a Brian2 ``SpikeGeneratorGroup``.

    ``int((t + 1e-3 dt) / dt)`` with times and dt in seconds
    (``brian2/input/spikegeneratorgroup.py``, ``before_run``: "We shift all
    the spikes by a tiny amount to make sure that spikes at exact multiples of
    dt do not end up in the previous time bin"): a floor, with times within
    ``1e-3 dt`` below a grid point moved onto it.
    """
    seconds = np.asarray(times, dtype=np.float64) * 0.001
    dt_s = dt * 0.001
    return np.asarray((seconds + 1e-3 * dt_s) / dt_s, dtype=np.int32).astype(np.int64)


def neuron_event_steps(times: np.ndarray, dt: float) -> np.ndarray:
    """Step at whose start NEURON's fixed-step method delivers a NetCon event.

    At the start of the step from ``t`` NEURON delivers every event due at or
    before ``t + dt/2`` (``src/nrncvode/netcvode.cpp``,
    ``NetCvode::deliver_net_events``: ``tm = nt->_t + 0.5 * nt->_dt``): the
    nearest step. ``t`` itself advances by two half steps per step
    (``src/nrnoc/fadvance.cpp``, ``nrn_fixed_step_thread`` and
    ``nrn_fixed_step_lastpart``: ``nt->_t += .5 * nt->_dt``), and its rounding
    decides a time half-way between two steps: 2.25 ms at ``dt = 0.1`` goes to
    step 22, 5.55 ms to step 56. Emulated here addition by addition.
    """
    t = np.asarray(times, dtype=np.float64)
    if t.size == 0:
        return np.zeros(0, dtype=np.int64)
    n = int(np.ceil(t.max() / dt)) + 2
    starts = np.concatenate(([0.0], np.cumsum(np.full(2 * n, 0.5 * dt))[1::2]))
    return np.searchsorted(starts + 0.5 * dt, t, side="left").astype(np.int64)


@dataclass(frozen=True)
class OffgridRule:
    """What one simulator does with a spike time between two grid points.

    Attributes
    ----------
    simulator : str
        ``"NEST"``, ``"Brian2"``, ``"BrainPy"``, ``"NEURON"`` or ``"Elephant"``.
    element : str
        The object that receives the spike times.
    rule : str
        The rule in words.
    steps : callable or None
        ``steps(times, dt) -> int64 array``: the grid step at which each spike
        is applied; ``None`` where the spike keeps its exact time.
    sources : tuple of str
        Documentation pages or source files (with the function) that state the rule.
    """

    simulator: str
    element: str
    rule: str
    steps: Callable[[np.ndarray, float], np.ndarray] | None
    sources: tuple[str, ...]


OFFGRID_RULES: dict[str, OffgridRule] = {
    "NEST": OffgridRule(
        "NEST",
        "spike_generator(allow_offgrid_times=True)",
        "within half a tic of a grid point: that point; otherwise rounded up to the end of "
        "the step it lies in (ceil)",
        nest_steps,
        (
            "nest-simulator models/spike_generator.cpp, "
            "spike_generator::Parameters_::assert_valid_spike_time_and_insert_",
            "nest-simulator nestkernel/nest_time.cpp, Time::fromstamp; nestkernel/nest_time.h, "
            "Time(ms)",
            "https://nest-simulator.readthedocs.io/en/stable/models/spike_generator.html",
        ),
    ),
    "Brian2": OffgridRule(
        "Brian2",
        "SpikeGeneratorGroup",
        "int((t + 1e-3 dt) / dt): floor, a time less than 1e-3 dt below a grid point goes "
        "onto it; two spikes of one neuron in one step raise ValueError",
        brian2_steps,
        ("brian2 brian2/input/spikegeneratorgroup.py, SpikeGeneratorGroup.before_run",),
    ),
    "BrainPy": OffgridRule(
        "BrainPy",
        "bp.neurons.SpikeTimeGroup",
        "the first step whose time n * dt is >= the spike time (ceil), compared in float32 "
        "(float64 with x64 on)",
        brainpy_steps,
        (
            "brainpy brainpy/dyn/others/input.py, SpikeTimeGroup._cond_fun",
            "brainpy brainpy/runners.py, DSRunner._step_func_predict (t = t0 + i * dt)",
        ),
    ),
    "NEURON": OffgridRule(
        "NEURON",
        "NetCon.event / AlphaSynapse.onset (fixed step)",
        "AlphaSynapse: the exact onset time (g is a closed form of t); NetCon events: "
        "delivered at the start of the step from t if due by t + dt/2 (nearest step; "
        "a half-way time goes where NEURON's half-step accumulated t puts it)",
        neuron_event_steps,
        (
            "nrn src/nrncvode/netcvode.cpp, NetCvode::deliver_net_events",
            "nrn src/nrnoc/fadvance.cpp, nrn_fixed_step_thread / nrn_fixed_step_lastpart",
            "nrn src/nrnoc/alphasyn.mod (alpha((t - onset)/tau))",
        ),
    ),
    "Elephant": OffgridRule(
        "Elephant",
        "statistics.instantaneous_rate",
        "numpy.histogram into bins [n dt, (n+1) dt) (floor), then the kernel on the grid",
        lambda times, dt: grid_steps(times, dt, "floor"),
        ("elephant elephant/statistics.py, instantaneous_rate (np.histogram of the train)",),
    ),
}
