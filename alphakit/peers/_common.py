"""What every peer runner shares: the result record and the argument checks."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import _validation as v
from .._display import html_repr, text_repr
from .._types import Kind
from ..kernels import KERNEL_NORMS
from ..spikes import n_steps

# A grid time t is accepted when t/dt is this close to an integer (a few ulps
# of rounding, e.g. 0.3/0.1 = 2.9999999999999996, but not a genuine offset).
_GRID_RTOL = 1e-9


@dataclass(frozen=True)
class PeerResponse:
    """The response of one simulator's synapse to a spike train, sampled on a grid.

    Every runner of :mod:`alphakit.peers` returns one. The timing convention
    is stated in two ways: ``lag`` as a number, ``timing`` in words. For the
    exact runners

    ``response[n] == weight * sum_s k(t[n] - t_s - lag)``

    with ``k`` alphakit's kernel of the run's ``kind`` and ``norm``
    (``alpha_kernel(., tau, norm=norm)``, ``exp_kernel(., tau, norm=norm)`` or
    ``dual_exp_kernel(., tau_rise, tau, norm=norm)``; see
    :func:`alphakit.peers.kernel_prediction`); for the others, replace the
    kernel by the simulator's integrator, see ``method``.

    Attributes
    ----------
    t : numpy.ndarray
        Sample times ``n * dt`` (ms), ``n = 0 .. T-1``.
    response : numpy.ndarray
        The simulator's synaptic variable at ``t``, float64, shape ``(T,)``.
    simulator : str
        ``"NEST"``, ``"Brian2"``, ``"NEURON"``, ``"BrainPy"`` or ``"Elephant"``.
    model : str
        The simulator's model or class, e.g. ``"iaf_psc_alpha"``.
    version : str
        The simulator's version, as it reports it.
    quantity : str
        Which variable was recorded, e.g. ``"I_syn_ex"``.
    unit : str
        Its unit (``"pA"``, ``"nS"``, ``"uS"``, ``"1/ms"`` or ``"1"``); the weight
        has the same unit.
    norm : str
        The :data:`alphakit.NORMS` convention in which ``weight`` multiplies the kernel.
    convention : str
        The row of :data:`alphakit.conventions.CONVENTIONS` that describes this model.
    lag : float
        Delay (ms) between a spike time and the start of the kernel in the samples.
    method : str
        The integrator (``"exact"``, ``"analytic"``, ``"euler"``, ...).
    timing : str
        The timing convention in words: delays, and the step at which a spike is felt.
    weight, tau, dt : float
        The arguments of the run (weight in ``unit``, times in ms).
    spike_times : numpy.ndarray
        The spike times as the simulator placed them (ms), sorted: off-grid
        times moved to the grid step given by the simulator's rule in
        :data:`alphakit.peers.OFFGRID_RULES`, or kept exact where the simulator
        keeps them (NEURON's AlphaSynapse); on-grid times unchanged.
    tau_rise : float
        The rise time constant actually used (ms): ``tau`` for the alpha kernel,
        the rise time of a dual exponential (NEURON's Exp2Syn, which cannot
        take equal constants, uses ``0.9999 tau`` for the alpha), and 0 for the
        exponential (an instant rise).
    cutoff : float
        Kernel support (ms after the lag) beyond which the simulator sets the
        response of a spike to 0; ``inf`` when it never does. NEURON's
        AlphaSynapse stops at ``10 tau``, Elephant at the kernel's ``cutoff``.
    kind : str
        The kernel the response follows, one of :data:`alphakit.KINDS`:
        ``"alpha"``, ``"exp"`` or ``"dual_exp"`` (``tau_rise`` then ``tau``).
    jump_at_lag : bool
        For the exponential, whose kernel jumps at the lag: whether the sample
        at exactly the lag shows the jump (``k(0) = 1`` in norm "peak"), or the
        value before it (``False``: NEURON's ExpSyn, which records a step's
        sample before it delivers the events due then). Alpha and dual
        exponential kernels start at 0, so it changes nothing for them.
    """

    t: NDArray[np.float64]
    response: NDArray[np.float64]
    simulator: str
    model: str
    version: str
    quantity: str
    unit: str
    norm: str
    convention: str
    lag: float
    method: str
    timing: str
    weight: float
    tau: float
    dt: float
    spike_times: NDArray[np.float64]
    tau_rise: float
    cutoff: float = math.inf
    kind: str = "alpha"
    jump_at_lag: bool = True

    _display_note = "timing"
    __repr__ = text_repr
    _repr_html_ = html_repr

    @property
    def label(self) -> str:
        """Short name for tables and legends, e.g. ``"NEST iaf_psc_alpha"``."""
        extra = "" if self.method in ("exact", "analytic") else f" ({self.method})"
        return f"{self.simulator} {self.model}{extra}"


@dataclass(frozen=True)
class Grid:
    """Checked run arguments: spike times on the grid, and the grid itself."""

    times: np.ndarray  # the times to send (ms), sorted; index * dt without a rule
    index: np.ndarray  # step of each spike, by the simulator's rule
    dt: float
    n: int  # number of samples T

    @property
    def t(self) -> np.ndarray:
        return np.arange(self.n) * self.dt


def check_grid(
    spike_times: Any,
    dt: Any,
    duration: Any,
    place: Callable[[np.ndarray, float], np.ndarray] | None = None,
) -> Grid:
    """Validate spike times inside ``[0, duration)``; place them with ``place``.

    Without ``place`` the times must lie on the grid ``k * dt``. With it,
    ``place(times, dt)`` gives the step of each (the simulator's rule), and a
    spike placed at or past the end of the grid is refused.
    """
    dt = v.positive_scalar("dt", dt)
    duration = v.positive_scalar("duration", duration)
    times = v.real_array("spike_times", spike_times, ndim=(0, 1)).ravel()
    if times.size == 0:
        raise ValueError("spike_times must hold at least one spike time (ms)")
    T = n_steps(duration, dt)
    if place is not None:
        if np.any(times < 0) or np.any(times >= duration):
            bad = times[(times < 0) | (times >= duration)][0]
            raise ValueError(
                f"spike_times must lie in [0, duration) = [0, {duration}), found {bad!r}"
            )
        times = np.sort(times)
        index = place(times, dt)
        if np.any(index >= T):
            raise ValueError(
                f"spike_times: {times[index >= T][0]!r} ms is placed at step "
                f"{int(index[index >= T][0])}, past the last step {T - 1} of the run; "
                "lengthen duration"
            )
        return Grid(times=times, index=index.astype(np.int64), dt=dt, n=T)
    ratio = times / dt
    index = np.rint(ratio)
    off = np.abs(ratio - index) > _GRID_RTOL * np.maximum(1.0, np.abs(index))
    if np.any(off):
        bad = times[off][0]
        raise ValueError(
            f"spike_times must lie on the grid k * dt (dt={dt} ms), found {bad!r}; "
            "round them with alphakit.times_to_grid / grid_to_times first"
        )
    if np.any(index < 0) or np.any(index >= T):
        bad = times[(index < 0) | (index >= T)][0]
        raise ValueError(f"spike_times must lie in [0, duration) = [0, {duration}), found {bad!r}")
    index = np.sort(index.astype(np.int64))
    return Grid(times=index * dt, index=index, dt=dt, n=T)


def check_delay(delay: Any, dt: float, minimum: int = 0) -> float:
    """A delay (ms) that is a whole number of steps, at least ``minimum`` steps."""
    delay = v.finite_scalar("delay", delay)
    steps = delay / dt
    if abs(steps - round(steps)) > _GRID_RTOL * max(1.0, abs(steps)) or round(steps) < minimum:
        low = f"{minimum * dt} ms" if minimum else "0"
        raise ValueError(
            f"delay must be a whole number of steps dt={dt} ms and >= {low}, got {delay}"
        )
    return round(steps) * dt


def resolve_kind(
    kind: Any,
    tau_rise: Any,
    model: Any,
    kinds: dict[str, tuple[Kind, ...]],
    limit: tuple[str, ...] = (),
) -> tuple[Kind, str, float | None]:
    """The kind, model and rise time of a run, checked; ``(kind, model, tau_rise)``.

    ``kinds`` maps each model to the kinds it runs, its first kind being the
    one it runs by default; the first model of a kind is that kind's default
    model. ``kind=None`` means: ``"dual_exp"`` when ``tau_rise`` is given,
    else the model's first kind, else ``"alpha"``. Models in ``limit`` are
    dual exponentials that run the alpha kernel as their equal-time-constant
    limit when no ``tau_rise`` is given (BrainPy's DualExpon, NEURON's Exp2Syn).
    """
    if model is not None:
        model = v.choice("model", model, tuple(kinds))
    if kind is None:
        if tau_rise is not None:
            kind = "dual_exp"
        elif model is not None:
            kind = kinds[model][0]
        else:
            kind = "alpha"
    kind = v.choice("kind", kind, KERNEL_NORMS)
    offered = [m for m, ks in kinds.items() if kind in ks]
    if not offered:
        have = sorted({k for ks in kinds.values() for k in ks})
        raise ValueError(f"kind={kind!r} is not available here; this simulator runs {have}")
    kind, tau_rise = v.kernel_kind(kind, tau_rise, KERNEL_NORMS)
    if model is None:
        model = offered[0]
    elif kind not in kinds[model]:
        raise ValueError(
            f"model={model!r} does not run kind={kind!r}; for {kind!r} use one of {offered}"
        )
    if kind == "alpha" and model in limit:
        return kind, model, None
    return kind, model, tau_rise


def recorded_rise(kind: str, tau: float, tau_rise: float | None) -> float:
    """``PeerResponse.tau_rise``: ``tau`` (alpha), 0 (exp) or the dual exponential's rise."""
    if kind == "exp":
        return 0.0
    return tau if tau_rise is None else tau_rise
