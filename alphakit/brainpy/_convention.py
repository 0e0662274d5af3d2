"""Which alpha-kernel convention does the installed BrainPy's Alpha synapse follow?"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from .. import _validation as v
from ..kernels import NORMS, kernel_properties
from ..spikes import n_steps
from ._env import check_method, quiet, require_brainpy
from ._results import InstalledConvention
from ._runners import drive

__all__ = ["installed_convention"]

# Two norms whose kernels differ by less than this factor at the chosen tau
# cannot be told apart by one measurement (e.g. at tau = 1 "plain", "area"
# and "legacy" are the same kernel).
_MIN_SEPARATION = 1.2


def _norm_factors(tau: float) -> dict[str, float]:
    # Each norm's kernel as a multiple of the plain one, from its closed-form charge.
    plain = kernel_properties(tau, norm="plain").charge
    return {norm: kernel_properties(tau, norm=norm).charge / plain for norm in NORMS}


def _as_synapse_class(synapse: Any, bp: Any) -> type:
    """A ``bp.synapses.Alpha``-like class for ``synapse`` (None, dyn- or synapses-style)."""
    from ._models import synapse_with_dynamics

    if synapse is None:
        return bp.synapses.Alpha
    if not isinstance(synapse, type):
        raise TypeError(f"synapse must be a class (or None), got {synapse!r}")
    if issubclass(synapse, bp.dyn.SynDyn):
        return synapse_with_dynamics(synapse)
    if issubclass(synapse, bp.synapses.Alpha):
        return synapse
    raise TypeError(
        "synapse must be a synaptic-dynamics class like bp.dyn.Alpha or LegacyAlpha, "
        f"or a subclass of bp.synapses.Alpha; got {synapse.__qualname__}"
    )


def installed_convention(
    synapse: Any = None,
    *,
    tau: float = 8.6,
    dt: float = 0.01,
    method: str = "rk4",
    rtol: float = 0.05,
) -> InstalledConvention:
    """Drive one spike through BrainPy's Alpha synapse and name its convention.

    The peak, time to peak and charge of the response are compared with
    :func:`alphakit.kernel_properties` for every norm in :data:`alphakit.NORMS`.
    On BrainPy >= 2.5 the answer is ``"plain"``; on BrainPy <= 2.4.6 (or with
    ``synapse=LegacyAlpha``) it is ``"legacy"``: every conductance is ``tau``
    times the alpha kernel's.

    Parameters
    ----------
    synapse : class, optional
        What to measure: ``None`` for the installed ``bp.synapses.Alpha``; a
        synaptic-dynamics class with ``bp.dyn.Alpha``'s constructor (such as
        ``bp.dyn.Alpha`` or :class:`~alphakit.brainpy.LegacyAlpha`); or a
        subclass of ``bp.synapses.Alpha`` (such as
        :class:`~alphakit.brainpy.LegacyAlphaSynapse`).
    tau : float
        Time constant of the test synapse (ms), > 0. Must keep the norms
        apart: near 1, ``e`` or ``1/e`` two of them coincide and a ValueError
        is raised.
    dt : float
        Time step (ms), > 0 and at most ``tau / 10``.
    method : str
        BrainPy integrator (see :data:`~alphakit.brainpy.BRAINPY_METHODS`).
    rtol : float
        Relative tolerance on peak and charge for a norm to match, in (0, 0.1].

    Returns
    -------
    InstalledConvention
        Version, measurements, ``convention`` and the trace.

    Examples
    --------
    >>> from alphakit.brainpy import LegacyAlpha, installed_convention
    >>> installed_convention().convention
    'plain'
    >>> c = installed_convention(LegacyAlpha)
    >>> c.convention, round(c.factor, 3)
    ('legacy', 8.6)
    """
    tau = v.positive_scalar("tau", tau)
    dt = v.positive_scalar("dt", dt)
    method = check_method(method)
    rtol = v.positive_scalar("rtol", rtol)
    if rtol > 0.1:
        raise ValueError(f"rtol must be at most 0.1, got {rtol!r}")
    if dt > tau / 10:
        raise ValueError(
            f"dt must be at most tau/10 = {tau / 10!r} to resolve the kernel, got {dt!r}"
        )
    factors = _norm_factors(tau)
    for (a, fa), (b, fb) in itertools.combinations(factors.items(), 2):
        if abs(math.log(fa / fb)) < math.log(_MIN_SEPARATION):
            raise ValueError(
                f"at tau={tau!r} the {a!r} and {b!r} kernels differ by less than "
                f"{_MIN_SEPARATION}x and cannot be told apart; choose another tau (e.g. 8.6)"
            )

    bp, _ = require_brainpy()
    with quiet():
        synapse_cls = _as_synapse_class(synapse, bp)
    # 30 tau holds all but ~1e-11 of the charge.
    T = n_steps(30 * tau, dt)
    spikes = np.zeros((T, 1))
    spikes[0, 0] = 1.0
    g, _ = drive(spikes, dt, tau, method, synapse_cls, 1.0, False)
    # Remove BrainPy's one-step read delay, so g[j] is the response j dt after the spike.
    g = g[1:, 0]
    t = np.arange(g.size, dtype=np.float64) * dt
    peak = float(g.max())
    peak_time = float(t[int(np.argmax(g))])
    charge = float(g.sum() * dt)

    rel_errors: dict[str, float] = {}
    for norm in NORMS:
        p = kernel_properties(tau, norm=norm)
        rel_errors[norm] = max(
            abs(peak - p.peak) / p.peak, abs(charge - p.charge) / p.charge
        )
    best = min(rel_errors, key=rel_errors.__getitem__)
    time_ok = abs(peak_time - tau) <= max(rtol * tau, dt)
    convention = best if rel_errors[best] <= rtol and time_ok else "unknown"
    return InstalledConvention(
        brainpy_version=bp.__version__,
        synapse=f"{synapse_cls.__module__}.{synapse_cls.__qualname__}",
        convention=convention,
        peak=peak,
        peak_time=peak_time,
        charge=charge,
        factor=charge / kernel_properties(tau, norm="plain").charge,
        rel_errors=rel_errors,
        tau=tau,
        dt=dt,
        method=method,
        t=t,
        g=g,
    )
