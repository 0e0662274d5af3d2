"""The synapses' formulas, shared by :mod:`.kernels`, :mod:`.convolution` and :mod:`.ode`.

Written once here so that the kernel a convolution sums and the one-step
matrix a recurrence runs are the very numbers the public functions document:
the sampled kernels (alpha ``c * t/tau * exp(-t/tau)``, exponential
``c * exp(-t/tau)``, dual exponential ``c * D(t)``) with their norms' factors
``c``, and the step matrix ``[[a0, b], [0, a1]]`` of every kind and integrator
(derived in :mod:`alphakit.ode`). Arguments are assumed valid: the public
functions check them.
"""

from __future__ import annotations

import math

import numpy as np

from ._types import Kind, Norm

KINDS: tuple[Kind, ...] = ("alpha", "exp", "dual_exp")
#: The norms each kind has (documented in :mod:`alphakit.kernels`).
KERNEL_NORMS: dict[Kind, tuple[Norm, ...]] = {
    "alpha": ("plain", "peak", "area", "legacy"),
    "exp": ("plain", "peak", "area"),
    "dual_exp": ("plain", "peak", "area", "legacy", "difference"),
}


def norm_factor(norm: str, tau: float) -> float:
    """The constant c such that the kernel is c * t/tau * exp(-t/tau).

    Raises for a tau so small that 1/tau ("area") overflows: every value
    computed from c would be inf.
    """
    c = {"plain": 1.0, "peak": math.e, "area": 1.0 / tau, "legacy": tau}[norm]
    if not math.isfinite(c):
        raise ValueError(
            f"tau={tau!r} is out of range for norm {norm!r}: its normalisation factor "
            "overflows float64"
        )
    return c


def alpha(t: np.ndarray, tau: float, c: float) -> np.ndarray:
    """``c * t/tau * exp(-t/tau)`` for ``t >= 0``, 0 before; never NaN for finite ``t``."""
    with np.errstate(over="ignore"):
        x = np.maximum(t, 0.0) / tau  # clipping first keeps exp() from overflowing for t << 0
    # t/tau may overflow (t = 1e300, tau = 1e-10): x e^(-x) is 0 there, not inf * 0 = NaN
    x = np.minimum(x, 1e300)
    return c * (x * np.exp(-x))  # grouped so that a huge c never meets a 0 from exp


def _coupling(form: str, tau: float) -> float:
    """c of N = [[0, c], [0, 0]]: how strongly h drives g."""
    return 1.0 / tau if form == "fixed" else 1.0


def step_entries(method: str, form: str, dt: float, tau: float) -> tuple[float, float]:
    """(a, b) of the step matrix [[a, b], [0, a]] (both diagonals are equal).

    ``method`` is one of ``alphakit.ode.METHODS`` (aliases already resolved).
    """
    c = _coupling(form, tau)
    z = -dt / tau  # dt times the eigenvalue of A
    if method == "exact":
        # expm(dt A) = e^z (I + dt N)
        a = math.exp(z)
        return a, c * dt * a
    if method == "exp_euler":
        # BrainPy exp_auto: g advanced by exponential Euler with h frozen at the
        # start of the step: g1 = r g0 + (1 - r) c tau h0, h1 = r h0.
        r = math.exp(z)
        return r, c * tau * (1.0 - r)
    # An explicit s-stage Runge-Kutta method of order s <= 4 applied to a linear
    # system is the Taylor polynomial p(dt A) of degree s, whatever its tableau;
    # p(dt A) = p(z) I + p'(z) dt N.
    order = {"euler": 1, "rk2": 2, "rk4": 4}[method]
    p = sum(z**k / math.factorial(k) for k in range(order + 1))
    dp = sum(z ** (k - 1) / math.factorial(k - 1) for k in range(1, order + 1))
    return p, c * dt * dp


def step(method: str, form: str, dt: float, tau: float) -> np.ndarray:
    """The step matrix ``[[a, b], [0, a]]`` of :func:`step_entries`.

    ``step("exact", "fixed", dt, tau)`` is expm(dt A) of the fixed form: its
    g-response to ``h <- 1`` is the sampled "plain" kernel, ``x j r^j`` at step
    ``j`` (``x = dt/tau``, ``r = e^(-dt/tau)``), and its h-response is ``r^j``.
    """
    a, b = step_entries(method, form, dt, tau)
    return np.array([[a, b], [0.0, a]])


# --- the exponential kernel ------------------------------------------------


def exp_factor(norm: str, tau: float) -> float:
    """c of the exponential kernel c e^(-t/tau): jump 1 ("plain", "peak") or charge 1."""
    c = 1.0 / tau if norm == "area" else 1.0
    if not math.isfinite(c):
        raise ValueError(
            f"tau={tau!r} is out of range for norm {norm!r}: its normalisation factor "
            "overflows float64"
        )
    return c


def exponential(t: np.ndarray, tau: float, c: float) -> np.ndarray:
    """``c * exp(-t/tau)`` for ``t >= 0`` (the value at 0 is the jump ``c``), 0 before."""
    with np.errstate(over="ignore"):
        x = np.minimum(np.maximum(t, 0.0) / tau, 1e300)
    return np.where(t >= 0, c * np.exp(-x), 0.0)


# --- the dual exponential ----------------------------------------------------


def dual_base(t: np.ndarray, tau_rise: float, tau_decay: float) -> np.ndarray:
    """D(t) = (e^(-t/td) - e^(-t/tr)) / (1/tr - 1/td), written so it never divides by zero.

    The expression is symmetric in the two rates a <= b, so it equals
    t e^(-a t) * phi((b - a) t) with phi(x) = (1 - e^(-x))/x, phi(0) = 1; x >= 0
    means no overflow, and expm1 keeps it accurate as b - a -> 0 (the alpha limit
    t e^(-t/tau)).
    """
    a, b = sorted((1.0 / tau_rise, 1.0 / tau_decay))
    t = np.maximum(t, 0.0)
    x = (b - a) * t
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        phi = np.where(x > 0, -np.expm1(-x) / np.where(x > 0, x, 1.0), 1.0)
        return t * np.exp(-a * t) * phi


def dual_peak(tau_rise: float, tau_decay: float) -> tuple[float, float]:
    """Peak time and peak value of :func:`dual_base`, continuous at equality."""
    a, b = sorted((1.0 / tau_rise, 1.0 / tau_decay))
    y = (b - a) / a
    # t* = ln(b/a)/(b - a) = log1p(y)/(a y) -> 1/a as y -> 0
    t_peak = (math.log1p(y) / y if y > 0 else 1.0) / a
    return t_peak, float(dual_base(np.array(t_peak), tau_rise, tau_decay))


def dual_factor(norm: str, tau_rise: float, tau_decay: float) -> float:
    """c such that the dual-exponential kernel of ``norm`` is c * D(t) / tau_rise.

    Relative to the "plain" kernel D/tr (the g of the "fixed" ODE, the base the
    engine runs), so that the factors stay near 1 where D/tr does not overflow.
    """
    with np.errstate(all="ignore"):
        if norm == "legacy":
            return tau_rise
        if norm == "plain":
            return 1.0
        if norm == "area":
            return 1.0 / tau_decay
        if norm == "difference":
            # tr (1/tr - 1/td), exactly 0 at equality (the kernel vanishes there)
            return (tau_decay - tau_rise) / tau_decay
        return tau_rise / dual_peak(tau_rise, tau_decay)[1]


def dual(t: np.ndarray, tau_rise: float, tau_decay: float, norm: str) -> np.ndarray:
    """The dual-exponential kernel of ``norm``; inf where a value overflows."""
    with np.errstate(all="ignore"):
        plain = dual_base(t, tau_rise, tau_decay) / tau_rise
        return dual_factor(norm, tau_rise, tau_decay) * plain


# --- all kinds -----------------------------------------------------------------


def kernel(
    kind: str, t: np.ndarray, tau: float, tau_rise: float | None, norm: str
) -> np.ndarray:
    """The kernel of ``kind`` and ``norm`` sampled at ``t`` (tau is the decay time constant)."""
    if kind == "alpha":
        return alpha(t, tau, norm_factor(norm, tau))
    if kind == "exp":
        return exponential(t, tau, exp_factor(norm, tau))
    assert tau_rise is not None
    return dual(t, tau_rise, tau, norm)


def _exp_divided_difference(x: float, y: float) -> float:
    """(e^x - e^y)/(x - y), and e^x at x == y, without cancellation.

    Factored from the larger exponent m: e^m expm1(d)/d with d = min - max <= 0,
    so nothing overflows for x, y <= 0 and expm1 keeps d -> 0 accurate.
    """
    hi, lo = max(x, y), min(x, y)
    d = lo - hi
    ratio = math.expm1(d) / d if d != 0.0 else 1.0
    return math.exp(hi) * ratio


def _taylor(order: int, x: float) -> float:
    return sum(x**k / math.factorial(k) for k in range(order + 1))


def _taylor_divided_difference(order: int, x: float, y: float) -> float:
    """(p(x) - p(y))/(x - y) for the Taylor polynomial p of e^z of ``order``; p'(x) at x == y.

    Expanded as sum_k (1/k!) sum_j x^j y^(k-1-j): for x, y <= 0 every term of
    one degree has the same sign, so nothing cancels however close x and y are.
    """
    return sum(
        sum(x**j * y ** (k - 1 - j) for j in range(k)) / math.factorial(k)
        for k in range(1, order + 1)
    )


def dual_step_entries(
    method: str, form: str, dt: float, tau_rise: float, tau_decay: float
) -> tuple[float, float, float]:
    """(a0, b, a1) of the dual exponential's step matrix [[a0, b], [0, a1]].

    A = [[-1/td, c], [0, -1/tr]] with c = 1/tr ("fixed") or 1 ("legacy"). For an
    upper-triangular 2x2 A, f(A) has diagonal f(A00), f(A11) and off-diagonal
    A01 times the divided difference of f at the two eigenvalues, which tends to
    f' (the alpha case) as they meet.
    """
    c = 1.0 / tau_rise if form == "fixed" else 1.0
    zg, zh = -dt / tau_decay, -dt / tau_rise
    if method == "exact":
        return math.exp(zg), c * dt * _exp_divided_difference(zg, zh), math.exp(zh)
    if method == "exp_euler":
        # BrainPy exp_auto: g by exponential Euler with h frozen at the start of the
        # step, g1 = r g0 + (1 - r) c td h0; h1 = e^(zh) h0 exactly.
        return math.exp(zg), -c * tau_decay * math.expm1(zg), math.exp(zh)
    order = {"euler": 1, "rk2": 2, "rk4": 4}[method]
    return (
        _taylor(order, zg),
        c * dt * _taylor_divided_difference(order, zg, zh),
        _taylor(order, zh),
    )


def exp_step(method: str, dt: float, tau: float) -> float:
    """The one-step factor of dh/dt = -h/tau: e^(-dt/tau), or its Taylor polynomial."""
    z = -dt / tau
    if method in ("exact", "exp_euler"):  # exponential Euler is exact for one linear equation
        return math.exp(z)
    return _taylor({"euler": 1, "rk2": 2, "rk4": 4}[method], z)


def kind_step(
    kind: str, method: str, form: str, dt: float, tau: float, tau_rise: float | None
) -> np.ndarray:
    """The step matrix of any kind; for "exp" only its h row is used: [[0, 0], [0, a]]."""
    if kind == "alpha":
        return step(method, form, dt, tau)
    if kind == "exp":
        return np.array([[0.0, 0.0], [0.0, exp_step(method, dt, tau)]])
    assert tau_rise is not None
    a0, b, a1 = dual_step_entries(method, form, dt, tau_rise, tau)
    return np.array([[a0, b], [0.0, a1]])
