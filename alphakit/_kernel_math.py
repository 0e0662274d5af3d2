"""The alpha synapse's formulas, shared by :mod:`.kernels`, :mod:`.convolution` and :mod:`.ode`.

Written once here so that the kernel a convolution sums and the one-step
matrix a recurrence runs are the very numbers the public functions document:
the sampled kernel ``c * t/tau * exp(-t/tau)`` with its norm's factor ``c``,
and the step matrix ``[[a, b], [0, a]]`` of every integrator (derived in
:mod:`alphakit.ode`). Arguments are assumed valid: the public functions check them.
"""

from __future__ import annotations

import math

import numpy as np


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
