"""The synapses of other simulators, measured live: alpha, exponential, dual exponential.

One small runner per simulator sends spikes of one weight through that
simulator's own synapse and returns the response sampled on the grid
``t = n dt`` as a :class:`PeerResponse` (plain numpy arrays, the
simulator's version, its kind, norm and timing convention in numbers and
words). Every runner takes ``kind=`` (``"alpha"``, ``"exp"``,
``"dual_exp"``) and ``tau_rise=`` (the dual exponential's rise, required
for it), or picks the kind from ``model``.

============  ===============================  ========  =====  ==========  ==================
runner        model                            kind      norm   lag         integrator
============  ===============================  ========  =====  ==========  ==================
run_nest      iaf_psc_alpha (I_syn_ex)         alpha     peak   delay       exact
run_nest      iaf_cond_alpha (g_ex)            alpha     peak   delay       GSL RKF45, ~1e-9
run_nest      iaf_psc_exp (I_syn_ex)           exp       peak   delay       exact
run_nest      iaf_cond_exp (g_ex)              exp       peak   delay       GSL RKF45
run_nest      iaf_cond_beta (g_ex)             dual_exp  peak   delay       GSL RKF45, ~1e-7
run_brian2    docs equations, on_pre h += w    alpha     plain  delay + dt  exact/euler/rk2/rk4
run_brian2    docs exponential, g += w         exp       peak   delay + dt  exact/euler/rk2/rk4
run_brian2    docs biexponential (invpeak)     dual_exp  peak   delay + dt  exact/euler/rk2/rk4
run_neuron    AlphaSynapse (0 after 10 tau)    alpha     peak   dt/2        closed form
run_neuron    Exp2Syn, tau1 = 0.9999 tau2      alpha     peak   delay + dt  exact (cnexp)
run_neuron    ExpSyn (jump after the sample)   exp       peak   delay       exact (cnexp)
run_neuron    Exp2Syn, tau1 = tau_rise         dual_exp  peak   delay + dt  exact (cnexp)
run_brainpy   bp.dyn.Alpha                     alpha     plain  0           BRAINPY_METHODS
run_brainpy   bp.dyn.DualExpon, equal taus     alpha     peak   0           BRAINPY_METHODS
run_brainpy   bp.dyn.Expon                     exp       peak   0           exp_auto exact
run_brainpy   bp.dyn.DualExpon                 dual_exp  peak   0           BRAINPY_METHODS
run_elephant  AlphaKernel (sigma = sqrt2 tau)  alpha     area   0           exact (FFT)
run_elephant  ExponentialKernel (sigma = tau)  exp       area   0           exact (FFT)
============  ===============================  ========  =====  ==========  ==================

:data:`PEERS_BY_KIND` lists them per kind and :func:`run_all` runs one kind.
BrainPy's DualExpon normalises its exact solution to a unit peak, but its
default integrator (``exp_auto``, exponential Euler) overshoots it by about
``dt / (2 tau_rise)``: :func:`dualexpon_overshoot` measures that against dt.

Off-grid spike times are accepted: each runner hands them to its simulator,
which places them by its own rule (NEST rounds up to the end of the step,
Brian2 and Elephant down to the step that holds them, BrainPy's
SpikeTimeGroup to the first step at or after them, NEURON delivers NetCon
events at the nearest step and keeps AlphaSynapse onsets exact).
:data:`OFFGRID_RULES` holds each rule as data, with its sources; a result's
``spike_times`` are the placed times.

"lag" is the delay between a spike time and the start of the kernel in the
samples: ``response[n] = weight * sum_s k(t[n] - t_s - lag)`` for the exact
ones (:func:`kernel_prediction`; NEURON's ExpSyn records the sample at the
lag before the jump, ``jump_at_lag=False``). Every simulator is imported
only when its runner is called; without it the runner raises ImportError
naming the extra (``pip install "alphakit[peers]"``, or ``alphakit[brainpy]``
for BrainPy). Importing this module imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike

from .. import _validation as v
from .._display import html_repr, text_repr
from .._timing import OFFGRID_RULES, OffgridRule
from .._types import Kind, Norm
from ..kernels import KERNEL_NORMS, alpha_kernel, dual_exp_kernel, exp_kernel
from ._brainpy import BRAINPY_MODELS, run_brainpy
from ._brian2 import BRIAN2_METHODS, run_brian2
from ._common import PeerResponse
from ._elephant import run_elephant
from ._nest import run_nest
from ._neuron import EXP2SYN_MAX_RATIO, NEURON_MODELS, run_neuron
from ._overshoot import DualExponOvershoot, dualexpon_overshoot

__all__ = [
    "BRAINPY_MODELS",
    "BRIAN2_METHODS",
    "DualExponOvershoot",
    "EXP2SYN_MAX_RATIO",
    "NEURON_MODELS",
    "OFFGRID_RULES",
    "PEERS",
    "PEERS_BY_KIND",
    "OffgridRule",
    "PeerMeasure",
    "PeerResponse",
    "dualexpon_overshoot",
    "kernel_prediction",
    "measure",
    "run_all",
    "run_brainpy",
    "run_brian2",
    "run_elephant",
    "run_nest",
    "run_neuron",
    "versions",
]

# (label, runner, keyword arguments): one entry per simulator model of each kind; the
# alpha entries are the ones measured in notebook 7, in the order of the table above.
PEERS_BY_KIND: dict[str, tuple[tuple[str, Callable[..., PeerResponse], dict[str, Any]], ...]] = {
    "alpha": (
        ("NEST iaf_psc_alpha", run_nest, {"model": "iaf_psc_alpha"}),
        ("NEST iaf_cond_alpha", run_nest, {"model": "iaf_cond_alpha"}),
        ("Brian2 exact", run_brian2, {"method": "exact"}),
        ("Brian2 euler", run_brian2, {"method": "euler"}),
        ("Brian2 rk4", run_brian2, {"method": "rk4"}),
        ("NEURON AlphaSynapse", run_neuron, {"model": "AlphaSynapse"}),
        ("NEURON Exp2Syn", run_neuron, {"model": "Exp2Syn"}),
        ("BrainPy Alpha", run_brainpy, {"model": "Alpha"}),
        ("BrainPy DualExpon", run_brainpy, {"model": "DualExpon"}),
        ("Elephant AlphaKernel", run_elephant, {}),
    ),
    "exp": (
        ("NEST iaf_psc_exp", run_nest, {"model": "iaf_psc_exp"}),
        ("NEST iaf_cond_exp", run_nest, {"model": "iaf_cond_exp"}),
        ("Brian2 exact", run_brian2, {"method": "exact"}),
        ("Brian2 euler", run_brian2, {"method": "euler"}),
        ("Brian2 rk4", run_brian2, {"method": "rk4"}),
        ("NEURON ExpSyn", run_neuron, {"model": "ExpSyn"}),
        ("BrainPy Expon", run_brainpy, {"model": "Expon"}),
        ("Elephant ExponentialKernel", run_elephant, {}),
    ),
    "dual_exp": (
        ("NEST iaf_cond_beta", run_nest, {"model": "iaf_cond_beta"}),
        ("Brian2 exact", run_brian2, {"method": "exact"}),
        ("Brian2 euler", run_brian2, {"method": "euler"}),
        ("Brian2 rk4", run_brian2, {"method": "rk4"}),
        ("NEURON Exp2Syn", run_neuron, {"model": "Exp2Syn"}),
        ("BrainPy DualExpon", run_brainpy, {"model": "DualExpon"}),
    ),
}
PEERS = PEERS_BY_KIND["alpha"]

# distribution names, for versions() without importing the simulators
_DISTRIBUTIONS = {
    "NEST": "nest-simulator",
    "NEURON": "neuron",
    "Brian2": "brian2",
    "Elephant": "elephant",
    "BrainPy": "brainpy",
}


def versions() -> dict[str, str | None]:
    """Installed version of each peer simulator, ``None`` when it is missing.

    Reads the package metadata, so nothing is imported.

    Returns
    -------
    dict
        ``{"NEST": "3.10.0", "NEURON": ..., "Brian2": ..., "Elephant": ..., "BrainPy": ...}``.

    Examples
    --------
    >>> sorted(versions())
    ['BrainPy', 'Brian2', 'Elephant', 'NEST', 'NEURON']
    """
    out: dict[str, str | None] = {}
    for name, dist in _DISTRIBUTIONS.items():
        try:
            out[name] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def run_all(
    spike_times: ArrayLike,
    *,
    weight: float = 1.0,
    tau: float = 5.0,
    dt: float = 0.1,
    duration: float = 50.0,
    kind: Kind = "alpha",
    tau_rise: float | None = None,
    skip_missing: bool = True,
) -> list[PeerResponse]:
    """Run every entry of :data:`PEERS_BY_KIND` for a kind with the same spikes, weight and grid.

    Parameters
    ----------
    spike_times : array_like
        Spike times (ms), ``> 0`` (NEST refuses 0); off the grid, each
        simulator places them by its rule (:data:`OFFGRID_RULES`).
    weight, tau, dt, duration : float
        As for every runner. The same number means a different response in
        each simulator: that is the point (see ``norm`` of each result).
    kind : {"alpha", "exp", "dual_exp"}
        The synapse; ``"alpha"`` runs :data:`PEERS`.
    tau_rise : float, optional
        Rise time constant (ms) for ``kind="dual_exp"`` (required there, refused
        for the other kinds).
    skip_missing : bool
        Leave out the simulators that are not installed (default) instead of
        raising ImportError.

    Returns
    -------
    list of PeerResponse
        In the order of ``PEERS_BY_KIND[kind]``.

    Examples
    --------
    >>> rs = run_all([1.0], tau=2.0, duration=20.0)  # doctest: +SKIP
    >>> [r.norm for r in rs][:3]  # doctest: +SKIP
    ['peak', 'peak', 'plain']
    >>> rs = run_all([1.0], tau=5.0, kind="dual_exp", tau_rise=1.0)  # doctest: +SKIP
    >>> {r.kind for r in rs}  # doctest: +SKIP
    {'dual_exp'}
    """
    if not isinstance(skip_missing, bool):
        raise TypeError(f"skip_missing must be a bool, got {type(skip_missing).__name__}")
    kind, tau_rise = v.kernel_kind(kind, tau_rise, KERNEL_NORMS)
    shape: dict[str, Any] = {} if kind == "alpha" else {"kind": kind}
    if tau_rise is not None:
        shape["tau_rise"] = tau_rise
    out = []
    for _label, runner, kwargs in PEERS_BY_KIND[kind]:
        try:
            out.append(
                runner(
                    spike_times, weight=weight, tau=tau, dt=dt, duration=duration,
                    **kwargs, **shape,
                )
            )  # fmt: skip
        except ImportError:
            if not skip_missing:
                raise
    return out


def kernel_prediction(response: PeerResponse) -> np.ndarray:
    """What alphakit's closed-form kernel predicts for a run: the exact reference.

    ``weight * sum_s k(t - t_s - lag)`` with ``k`` the run's kind in its norm:
    ``alpha_kernel(., tau, norm=norm)``, ``exp_kernel(., tau, norm=norm)`` or
    ``dual_exp_kernel(., tau_rise, tau, norm=norm)`` (also for an alpha run
    whose rise time differs from ``tau``: NEURON's Exp2Syn), set to 0 past the
    run's ``cutoff``; an exponential's sample at exactly the lag is the jump or,
    with ``jump_at_lag=False``, 0. For the runs with an inexact integrator (``method``
    euler, rk2, rk4, exp_auto, rkf45) the difference is that integrator's error.

    Parameters
    ----------
    response : PeerResponse

    Returns
    -------
    numpy.ndarray
        Shape of ``response.t``.

    Examples
    --------
    >>> import numpy as np
    >>> r = PeerResponse(
    ...     t=np.arange(5) * 0.5, response=np.zeros(5), simulator="x", model="y",
    ...     version="0", quantity="g", unit="1", norm="peak", convention="", lag=0.5,
    ...     method="exact", timing="", weight=2.0, tau=1.0, dt=0.5,
    ...     spike_times=np.array([0.0]), tau_rise=1.0)
    >>> kernel_prediction(r)
    array([0.        , 0.        , 1.64872127, 2.        , 1.81959198])
    """
    if not isinstance(response, PeerResponse):
        raise TypeError(f"response must be a PeerResponse, got {type(response).__name__}")
    lags = response.t[:, None] - response.spike_times[None, :] - response.lag
    # PeerResponse.norm is a plain str; the kernel functions check it.
    norm = cast(Norm, response.norm)
    if response.kind == "exp":
        # the sample at the jump, even a rounding away from it, is the jump or the
        # value before it as the run says
        at_jump = np.abs(lags) <= 1e-9 * response.dt
        k = exp_kernel(np.where(at_jump, 0.0, lags), response.tau, norm=norm)
        if not response.jump_at_lag:
            k = np.where(at_jump, 0.0, k)
    elif response.kind == "alpha" and response.tau_rise == response.tau:
        k = alpha_kernel(lags, response.tau, norm=norm)
    else:
        k = dual_exp_kernel(lags, response.tau_rise, response.tau, norm=norm)
    # a sample exactly at the cutoff is kept, as both NEURON and Elephant do
    k = np.where(lags > response.cutoff + 1e-9 * response.dt, 0.0, k)
    return response.weight * k.sum(axis=1)


@dataclass(frozen=True)
class PeerMeasure:
    """Peak, time to peak and charge measured on a sampled response.

    Attributes
    ----------
    label : str
        ``PeerResponse.label``.
    peak : float
        Largest sample (the weight's unit).
    time_to_peak : float
        Time of the largest sample minus the first spike time (ms); it includes the lag.
    charge : float
        ``sum(response) * dt`` (unit x ms); for a kernel that starts at 0 this
        is the trapezoid rule, within about ``(dt/tau)^2 / 12`` of the integral.
    norm : str
        The run's convention.
    """

    label: str
    peak: float
    time_to_peak: float
    charge: float
    norm: str

    __repr__ = text_repr
    _repr_html_ = html_repr


def measure(response: PeerResponse) -> PeerMeasure:
    """Measure peak, time to peak and charge of a run (one spike in mind).

    Parameters
    ----------
    response : PeerResponse

    Returns
    -------
    PeerMeasure

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(4000) * 0.01
    >>> r = PeerResponse(
    ...     t=t, response=alpha_kernel(t, 2.0, norm="area"), simulator="x", model="y",
    ...     version="0", quantity="g", unit="1", norm="area", convention="", lag=0.0,
    ...     method="exact", timing="", weight=1.0, tau=2.0, dt=0.01,
    ...     spike_times=np.array([0.0]), tau_rise=2.0)
    >>> m = measure(r)
    >>> round(m.time_to_peak, 6), round(m.charge, 4)
    (2.0, 1.0)
    """
    if not isinstance(response, PeerResponse):
        raise TypeError(f"response must be a PeerResponse, got {type(response).__name__}")
    y = v.real_array("response.response", response.response, ndim=(1,))
    i = int(np.argmax(y))
    return PeerMeasure(
        label=response.label,
        peak=float(y[i]),
        time_to_peak=float(response.t[i] - response.spike_times[0]),
        charge=float(y.sum() * response.dt),
        norm=response.norm,
    )
