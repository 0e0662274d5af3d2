"""Alpha, exponential and dual-exponential kernels in every normalisation convention.

Every convention of a kind is the same shape times a constant that depends
only on the time constants. Naming the constant is the whole point of this
module: the factor that separates two simulators is one of these ratios.
:data:`KERNEL_NORMS` lists the norms of each kind, :func:`kernel_properties`
gives peak time, peak, charge and mean time of every one in closed form.
Time is in ms throughout alphakit.

Alpha (``kind="alpha"``, :func:`alpha_kernel`), all peaking at ``t = tau``:

=========  ==========================  ===========  ===========  ==============
norm       k(t) for t >= 0             peak value   charge       used by
=========  ==========================  ===========  ===========  ==============
"plain"    t/tau e^(-t/tau)            1/e          tau          BrainPy >= 2.5, Brian2 docs
"peak"     e t/tau e^(-t/tau)          1            e tau        NEST, NEURON, PyNN
"area"     t/tau^2 e^(-t/tau)          1/(e tau)    1            Elephant, Nengo
"legacy"   t e^(-t/tau)                tau/e        tau^2        BrainPy <= 2.4.6
=========  ==========================  ===========  ===========  ==============

Exponential (``kind="exp"``, :func:`exp_kernel`), peaking at ``t = 0``:

=========  ==========================  ===========  ===========  ==============
norm       k(t) for t >= 0             peak value   charge       used by
=========  ==========================  ===========  ===========  ==============
"plain"    e^(-t/tau)                  1            tau          (same as "peak")
"peak"     e^(-t/tau)                  1            tau          NEST, NEURON, BrainPy, Brian2
"area"     e^(-t/tau) / tau            1/tau        1            Elephant, Nengo
=========  ==========================  ===========  ===========  ==============

"peak" is a jump of one weight unit per spike: NEST ``iaf_psc_exp`` (the
current jumps by the weight, pA) and ``iaf_cond_exp`` (nS); NEURON ``ExpSyn``
(``NET_RECEIVE``: ``g = g + weight``); BrainPy ``bp.dyn.Expon`` (``update``:
``g += x``); Brian2's documented exponential synapse (``on_pre: g += w``);
PyNN's ``*_exp`` cells. "area" is Elephant's ``ExponentialKernel``
(``exp(-t/tau)/tau``) and Nengo's ``Lowpass`` (transfer function
``1/(tau s + 1)``). "plain" keeps the family's rule that a "plain" kernel has
the charge ``tau`` of a unit jump, so for this kind it *is* "peak".

Dual exponential (``kind="dual_exp"``, :func:`dual_exp_kernel`): with
``D(t) = (e^(-t/tau_decay) - e^(-t/tau_rise)) / (1/tau_rise - 1/tau_decay)``,
the response of ``dg/dt = -g/tau_decay + h``, ``dh/dt = -h/tau_rise`` to ``h <- 1``
(charge ``tau_rise tau_decay``, peak at
``t* = ln(tau_decay/tau_rise) / (1/tau_rise - 1/tau_decay)``):

============  =========================  ====================  =============================
norm          k(t)                       charge                used by
============  =========================  ====================  =============================
"plain"       D / tau_rise               tau_decay             Brian2's documented biexponential
"peak"        D / D(t*)                  tr td / D(t*)         NEURON, NEST, BrainPy >= 2.x
"area"        D / (tau_rise tau_decay)   1                     NEST iaf_cond_beta before PR 1197
"legacy"      D                          tau_rise tau_decay    BrainPy's DualExpon ODE, h += 1
"difference"  e^(-t/td) - e^(-t/tr)      tau_decay - tau_rise  BrainPy's formula with A = 1
============  =========================  ====================  =============================

Sources: "peak" is NEURON's ``Exp2Syn`` (``factor = 1/(-exp(-tp/tau1) +
exp(-tp/tau2))``), NEST ``iaf_cond_beta`` since nest-simulator PR 1197 (and the
shared ``beta_normalization_factor.h`` of PR 1407) and BrainPy 2.9's
``bp.dyn.DualExpon`` (jump ``a = (tr/td)^(tr/(tr - td)) / tr`` into ``h``, the
``e/tau`` limit at equal time constants since BrainPy PR 847; before it, the same
norm with NaN at equality). "area" is NEST ``iaf_cond_beta`` as created in PR
1038 (factor ``1/(tau_decay tau_rise)``, corrected to unit peak in PR 1197).
"plain" is Brian2's documented ``g(t) = td/(td - tr) (e^(-t/td) - e^(-t/tr))``,
which its ``invpeak`` implementation did not follow (brian2 #1179, PR 1722).
"legacy" is the raw solution of BrainPy's ``DualExpon`` equations for a unit
jump of ``h``. "difference" is the formula of BrainPy's docs, ``g_max A
(e^(-t/tau_decay) - e^(-t/tau_rise))``, with ``A = 1`` (``DualExponV2`` returns
``A (g_decay - g_rise)``): it vanishes identically at ``tau_rise == tau_decay``
(the silent zeros that BrainPy PR 847 turned into an error) and is negative
when ``tau_rise > tau_decay``.

Every dual-exponential norm but "difference" tends to the alpha norm of the
same name as ``tau_rise -> tau_decay``, with no NaN on the way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v
from ._display import html_repr, text_repr
from ._kernel_math import (
    KERNEL_NORMS,
    KINDS,
    alpha,
    dual,
    dual_factor,
    dual_peak,
    exp_factor,
    exponential,
    norm_factor,
)
from ._types import Kind, Norm

__all__ = [
    "KERNEL_NORMS",
    "KINDS",
    "NORMS",
    "KernelProperties",
    "alpha_kernel",
    "dual_exp_kernel",
    "exp_kernel",
    "kernel_properties",
]

#: The alpha kernel's norms (``KERNEL_NORMS["alpha"]``).
NORMS: tuple[Norm, ...] = KERNEL_NORMS["alpha"]
# KINDS ("alpha", "exp", "dual_exp") and KERNEL_NORMS (kind -> its norms) come
# from _kernel_math, which the convolution and the ODE share.


@dataclass(frozen=True)
class KernelProperties:
    """Closed-form properties of a kernel.

    Attributes
    ----------
    kind : str
        ``"alpha"``, ``"exp"`` or ``"dual_exp"`` (:data:`KINDS`).
    tau : float
        Time constant (ms); the decay time constant for ``"dual_exp"``.
    tau_rise : float or None
        Rise time constant (ms) of ``"dual_exp"``; None for the other kinds.
    norm : str
        Normalisation convention, one of ``KERNEL_NORMS[kind]``.
    peak_time : float
        Time of the extremum (ms): ``tau`` (alpha), 0 (exp),
        ``ln(tau/tau_rise) / (1/tau_rise - 1/tau)`` (dual_exp; ``tau`` at equality).
    peak : float
        Value at that time (the kernel's maximum; for ``"difference"`` with
        ``tau_rise > tau``, where the kernel is negative, its minimum).
    charge : float
        Integral over ``[0, inf)`` (value x ms).
    mean_time : float
        First moment divided by the charge (ms): ``2 tau`` (alpha), ``tau``
        (exp), ``tau_rise + tau`` (dual_exp), the same for every norm.
    """

    kind: str
    tau: float
    tau_rise: float | None
    norm: str
    peak_time: float
    peak: float
    charge: float
    mean_time: float

    __repr__ = text_repr
    _repr_html_ = html_repr


def kernel_properties(
    tau: float,
    *,
    norm: Norm = "plain",
    kind: Kind = "alpha",
    tau_rise: float | None = None,
) -> KernelProperties:
    """Peak time, peak value, charge and mean time of a kernel, in closed form.

    Parameters
    ----------
    tau : float
        Time constant (ms), finite and > 0; for ``kind="dual_exp"`` the decay
        time constant.
    norm : str
        Normalisation convention, one of ``KERNEL_NORMS[kind]`` (see
        :mod:`alphakit.kernels`).
    kind : {"alpha", "exp", "dual_exp"}
        Kernel shape.
    tau_rise : float, optional
        Rise time constant (ms), > 0: required for ``kind="dual_exp"``, refused
        for the other kinds.

    Returns
    -------
    KernelProperties

    Raises
    ------
    ValueError
        For a norm the kind does not have, a missing or superfluous ``tau_rise``,
        or time constants whose properties overflow or underflow float64.

    Examples
    --------
    >>> p = kernel_properties(8.6, norm="legacy")
    >>> round(p.charge / kernel_properties(8.6, norm="plain").charge, 12)
    8.6
    >>> kernel_properties(5.0, kind="exp", norm="area").peak
    0.2
    >>> d = kernel_properties(5.0, kind="dual_exp", tau_rise=1.0, norm="peak")
    >>> round(d.peak, 12), round(d.peak_time, 6)
    (1.0, 2.011797)
    """
    tau = v.positive_scalar("tau", tau)
    kind, tau_rise = v.kernel_kind(kind, tau_rise, KERNEL_NORMS)
    norm = v.kernel_norm(norm, kind, KERNEL_NORMS[kind])
    with np.errstate(all="ignore"):  # out-of-range values are reported below
        if kind == "alpha":
            c = norm_factor(norm, tau)
            # int_0^inf t/tau e^(-t/tau) dt = tau; max of t/tau e^(-t/tau) = 1/e at t = tau.
            peak_time, peak, charge, mean_time = tau, c / math.e, c * tau, 2.0 * tau
        elif kind == "exp":
            c = exp_factor(norm, tau)
            peak_time, peak, charge, mean_time = 0.0, c, c * tau, tau
        else:
            assert tau_rise is not None
            _check_rates(tau_rise, tau)
            c = dual_factor(norm, tau_rise, tau)  # times the "plain" kernel D/tr
            t_peak, d_peak = dual_peak(tau_rise, tau)
            # D is the convolution of e^(-t/tr) and e^(-t/td): charge tr td, mean tr + td
            peak_time, peak = t_peak, c * (d_peak / tau_rise)
            charge, mean_time = c * tau, tau_rise + tau
    props = KernelProperties(
        kind=kind,
        tau=tau,
        tau_rise=tau_rise,
        norm=norm,
        peak_time=peak_time,
        peak=float(peak),
        charge=float(charge),
        mean_time=mean_time,
    )
    # "difference" at tau_rise == tau is identically zero: a true 0, not an underflow
    vanishes = norm == "difference" and tau_rise == tau
    # e.g. the legacy charge tau^2: inf at tau = 1e200, 0.0 at tau = 1e-200.
    # Report it rather than return a value that is not the kernel's.
    for field in ("peak", "charge", "mean_time"):
        value = getattr(props, field)
        if not math.isfinite(value) or (value == 0.0 and not vanishes):
            problem = "overflows" if value else "underflows to 0 in"
            raise ValueError(
                f"tau={tau!r}{_rise_text(tau_rise)} is out of range for norm {norm!r}: "
                f"the kernel's {field} {problem} float64"
            )
    return props


def _rise_text(tau_rise: float | None) -> str:
    return "" if tau_rise is None else f", tau_rise={tau_rise!r}"


def _times(t: ArrayLike) -> np.ndarray:
    return v.real_array("t", t)


def alpha_kernel(
    t: ArrayLike, tau: float, *, norm: Norm = "plain"
) -> np.ndarray:
    """The alpha kernel ``c * t/tau * exp(-t/tau)``, zero for ``t < 0``.

    Parameters
    ----------
    t : array_like
        Times (ms), any shape; must be finite.
    tau : float
        Time constant (ms), finite and > 0.
    norm : {"plain", "peak", "area", "legacy"}
        Normalisation: ``"plain"`` ``t/tau e^(-t/tau)`` (peak 1/e, charge tau);
        ``"peak"`` peak 1; ``"area"`` charge 1; ``"legacy"`` ``t e^(-t/tau)``,
        the response of BrainPy <= 2.4.6 (``tau`` times ``"plain"``).

    Returns
    -------
    numpy.ndarray
        Float64 array with the shape of ``t``.

    Examples
    --------
    >>> import numpy as np
    >>> alpha_kernel([-1.0, 0.0, 5.0], tau=5.0, norm="peak")
    array([0., 0., 1.])
    """
    tau = v.positive_scalar("tau", tau)
    norm = v.kernel_norm(norm, "alpha", NORMS)
    t = _times(t)
    return alpha(t, tau, norm_factor(norm, tau))


def exp_kernel(
    t: ArrayLike, tau: float, *, norm: Norm = "plain"
) -> np.ndarray:
    """The exponential kernel ``c * exp(-t/tau)`` for ``t >= 0``, zero for ``t < 0``.

    The kernel jumps at ``t = 0`` and takes its full value there: a spike at
    step ``m`` shows in the same step (see the timing convention in
    :mod:`alphakit.ode`).

    Parameters
    ----------
    t : array_like
        Times (ms), any shape; must be finite.
    tau : float
        Decay time constant (ms), finite and > 0.
    norm : {"plain", "peak", "area"}
        ``"peak"`` (= ``"plain"``): ``e^(-t/tau)``, a jump of 1 (NEST
        ``iaf_psc_exp``/``iaf_cond_exp``, NEURON ``ExpSyn``, BrainPy ``Expon``,
        Brian2, PyNN); ``"area"``: ``e^(-t/tau)/tau``, charge 1 (Elephant
        ``ExponentialKernel``, Nengo ``Lowpass``). See :mod:`alphakit.kernels`.

    Returns
    -------
    numpy.ndarray
        Float64 array with the shape of ``t``.

    Examples
    --------
    >>> exp_kernel([-1.0, 0.0, 2.0], tau=2.0, norm="area")
    array([0.        , 0.5       , 0.18393972])
    """
    tau = v.positive_scalar("tau", tau)
    norm = v.kernel_norm(norm, "exp", KERNEL_NORMS["exp"])
    t = _times(t)
    return exponential(t, tau, exp_factor(norm, tau))


def _check_rates(tau_rise: float, tau_decay: float) -> None:
    for name, tau in (("tau_rise", tau_rise), ("tau_decay", tau_decay)):
        if not math.isfinite(1.0 / tau):  # the rates 1/tau are what the formula uses
            raise ValueError(f"{name}={tau!r} is out of range: 1/{name} overflows float64")


def dual_exp_kernel(
    t: ArrayLike,
    tau_rise: float,
    tau_decay: float,
    *,
    norm: Norm = "plain",
) -> np.ndarray:
    """The dual-exponential kernel, equal to the alpha kernel when the taus coincide.

    The base shape is ``D(t) = (e^(-t/tau_decay) - e^(-t/tau_rise)) / (1/tau_rise - 1/tau_decay)``,
    the solution of ``dg/dt = -g/tau_decay + h``, ``dh/dt = -h/tau_rise`` after
    ``h <- h + 1``. Its charge is ``tau_rise * tau_decay`` and it tends to
    ``t e^(-t/tau)`` as ``tau_rise -> tau_decay``, so each norm but
    ``"difference"`` tends to the alpha kernel of the same name:

    * ``"legacy"``: ``D`` itself (BrainPy's ``DualExpon`` equations, ``h += 1``);
    * ``"plain"``: ``D / tau_rise`` (charge ``tau_decay``, as an exponential
      synapse with jump 1; Brian2's documented biexponential form);
    * ``"area"``: ``D / (tau_rise tau_decay)`` (charge 1; NEST ``iaf_cond_beta``
      before PR 1197);
    * ``"peak"``: ``D / max D`` (peak 1; NEURON ``Exp2Syn``, NEST ``iaf_cond_beta``,
      BrainPy ``DualExpon``);
    * ``"difference"``: ``e^(-t/tau_decay) - e^(-t/tau_rise)`` (BrainPy's
      documented formula with ``A = 1``), identically 0 at equal taus.

    Sources for each are in :mod:`alphakit.kernels`. The function is continuous
    through ``tau_rise == tau_decay``: it never divides by zero nor returns NaN
    there, and stays accurate next to it (``expm1``).

    Parameters
    ----------
    t : array_like
        Times (ms), finite.
    tau_rise, tau_decay : float
        Time constants (ms), finite and > 0, in either order.
    norm : {"plain", "peak", "area", "legacy", "difference"}
        Normalisation, as above.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, 50, 6)
    >>> np.allclose(dual_exp_kernel(t, 5.0, 5.0), alpha_kernel(t, 5.0))
    True
    >>> np.allclose(dual_exp_kernel(t, 1.0, 5.0, norm="difference"),
    ...             np.exp(-t / 5.0) - np.exp(-t / 1.0))
    True
    """
    tau_rise = v.positive_scalar("tau_rise", tau_rise)
    tau_decay = v.positive_scalar("tau_decay", tau_decay)
    norm = v.kernel_norm(norm, "dual_exp", KERNEL_NORMS["dual_exp"])
    t = _times(t)
    _check_rates(tau_rise, tau_decay)
    out = dual(t, tau_rise, tau_decay, norm)  # extreme taus are caught below, with their names
    if not np.all(np.isfinite(out)):
        raise ValueError(
            f"tau_rise={tau_rise!r}, tau_decay={tau_decay!r} are out of range for norm "
            f"{norm!r}: the kernel overflows float64"
        )
    return out
