"""Alpha and dual-exponential kernels in every normalisation convention.

Every convention is the same shape, ``t/tau * exp(-t/tau)``, times a constant
that depends only on ``tau``. Naming the constant is the whole point of this
module: the factor that separates two simulators is one of these ratios.

=========  ==========================  ===========  ===========  ==============
norm       k(t) for t >= 0             peak value   charge       used by
=========  ==========================  ===========  ===========  ==============
"plain"    t/tau e^(-t/tau)            1/e          tau          BrainPy >= 2.5, Brian2 docs
"peak"     e t/tau e^(-t/tau)          1            e tau        NEST, NEURON, PyNN
"area"     t/tau^2 e^(-t/tau)          1/(e tau)    1            Elephant, Nengo
"legacy"   t e^(-t/tau)                tau/e        tau^2        BrainPy <= 2.4.6
=========  ==========================  ===========  ===========  ==============

All peak at ``t = tau``. Time is in ms throughout alphakit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v
from ._display import html_repr, text_repr
from ._kernel_math import alpha, norm_factor
from ._types import Norm

__all__ = ["NORMS", "KernelProperties", "alpha_kernel", "dual_exp_kernel", "kernel_properties"]

NORMS: tuple[Norm, ...] = ("plain", "peak", "area", "legacy")


@dataclass(frozen=True)
class KernelProperties:
    """Closed-form properties of an alpha kernel.

    Attributes
    ----------
    tau : float
        Time constant (ms).
    norm : str
        Normalisation convention, one of :data:`NORMS`.
    peak_time : float
        Time of the maximum (ms); ``tau`` for every norm.
    peak : float
        Value at the maximum.
    charge : float
        Integral over ``[0, inf)`` (value x ms).
    mean_time : float
        First moment divided by the charge (ms); ``2 tau`` for every norm.
    """

    tau: float
    norm: str
    peak_time: float
    peak: float
    charge: float
    mean_time: float

    __repr__ = text_repr
    _repr_html_ = html_repr


def kernel_properties(
    tau: float, *, norm: Norm = "plain"
) -> KernelProperties:
    """Peak time, peak value and charge of the alpha kernel, in closed form.

    Parameters
    ----------
    tau : float
        Time constant (ms), finite and > 0.
    norm : {"plain", "peak", "area", "legacy"}
        Normalisation convention (see :mod:`alphakit.kernels`).

    Returns
    -------
    KernelProperties

    Examples
    --------
    >>> p = kernel_properties(8.6, norm="legacy")
    >>> round(p.charge / kernel_properties(8.6, norm="plain").charge, 12)
    8.6
    """
    tau = v.positive_scalar("tau", tau)
    norm = v.choice("norm", norm, NORMS)
    c = norm_factor(norm, tau)
    # int_0^inf t/tau e^(-t/tau) dt = tau; max of t/tau e^(-t/tau) = 1/e at t = tau.
    props = KernelProperties(
        tau=tau,
        norm=norm,
        peak_time=tau,
        peak=c / math.e,
        charge=c * tau,
        mean_time=2.0 * tau,
    )
    # e.g. the legacy charge tau^2: inf at tau = 1e200, 0.0 at tau = 1e-200.
    # Report it rather than return a value that is not the kernel's.
    for field in ("peak", "charge", "mean_time"):
        value = getattr(props, field)
        if not math.isfinite(value) or value == 0.0:
            problem = "overflows" if value else "underflows to 0 in"
            raise ValueError(
                f"tau={tau!r} is out of range for norm {norm!r}: the kernel's {field} "
                f"{problem} float64"
            )
    return props


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
    norm = v.choice("norm", norm, NORMS)
    t = _times(t)
    return alpha(t, tau, norm_factor(norm, tau))


def _dual_base(t: np.ndarray, tau_rise: float, tau_decay: float) -> np.ndarray:
    """(e^(-t/td) - e^(-t/tr)) / (1/tr - 1/td), written so it never divides by zero.

    The expression is symmetric in the two rates a <= b, so it equals
    t e^(-a t) * phi((b - a) t) with phi(x) = (1 - e^(-x))/x, phi(0) = 1; x >= 0
    means no overflow, and expm1 keeps it accurate as b - a -> 0 (the alpha limit
    t e^(-t/tau)).
    """
    a, b = sorted((1.0 / tau_rise, 1.0 / tau_decay))
    t = np.maximum(t, 0.0)
    x = (b - a) * t
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = np.where(x > 0, -np.expm1(-x) / np.where(x > 0, x, 1.0), 1.0)
    return t * np.exp(-a * t) * phi


def _dual_peak(tau_rise: float, tau_decay: float) -> tuple[float, float]:
    """Peak time and peak value of :func:`_dual_base`, continuous at equality."""
    a, b = sorted((1.0 / tau_rise, 1.0 / tau_decay))
    y = (b - a) / a
    # t* = ln(b/a)/(b - a) = log1p(y)/(a y) -> 1/a as y -> 0
    t_peak = (math.log1p(y) / y if y > 0 else 1.0) / a
    return t_peak, float(_dual_base(np.array(t_peak), tau_rise, tau_decay))


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
    ``t e^(-t/tau)`` as ``tau_rise -> tau_decay``, so each norm tends to the
    alpha kernel of the same name:

    * ``"legacy"``: ``D`` itself;
    * ``"plain"``: ``D / tau_rise`` (charge ``tau_decay``, as an exponential synapse with jump 1);
    * ``"area"``: ``D / (tau_rise tau_decay)`` (charge 1);
    * ``"peak"``: ``D / max D`` (peak 1).

    The function is continuous through ``tau_rise == tau_decay``: it never
    divides by zero nor returns NaN there.

    Parameters
    ----------
    t : array_like
        Times (ms), finite.
    tau_rise, tau_decay : float
        Time constants (ms), finite and > 0, in either order.
    norm : {"plain", "peak", "area", "legacy"}
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
    """
    tau_rise = v.positive_scalar("tau_rise", tau_rise)
    tau_decay = v.positive_scalar("tau_decay", tau_decay)
    norm = v.choice("norm", norm, NORMS)
    t = _times(t)
    for name, tau in (("tau_rise", tau_rise), ("tau_decay", tau_decay)):
        if not math.isfinite(1.0 / tau):  # the rates 1/tau are what the formula uses
            raise ValueError(f"{name}={tau!r} is out of range: 1/{name} overflows float64")
    with np.errstate(all="ignore"):  # extreme taus are caught below, with their names
        base = _dual_base(t, tau_rise, tau_decay)
        if norm == "legacy":
            out = base
        elif norm == "plain":
            out = base / tau_rise
        elif norm == "area":
            out = base / tau_rise / tau_decay
        else:
            out = base / _dual_peak(tau_rise, tau_decay)[1]
    if not np.all(np.isfinite(out)):
        raise ValueError(
            f"tau_rise={tau_rise!r}, tau_decay={tau_decay!r} are out of range for norm "
            f"{norm!r}: the kernel overflows float64"
        )
    return out
