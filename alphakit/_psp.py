"""The peak PSP of a current-based LIF membrane driven by one synaptic kernel.

``C dV/dt = -C V/tau_m + I(t)``, ``I = k(t)`` (one spike of unit weight), so
``V = (k * e^(-t/tau_m)) / C``. For the exponential kernel this is a dual
exponential in closed form (``D(t; tau, tau_m)``, peak from
``_kernel_math.dual_peak``). For the alpha and dual-exponential kernels it is
the last state of a 3x3 upper-triangular linear system ``(h, g, V)``:
``V(t) = e_V . expm(A t) x0`` is exact at any time constants, equal ones
included (no partial fractions, no division by a difference of rates), and
the peak is the root of ``dV/dt``.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import expm
from scipy.optimize import brentq

from ._kernel_math import dual_factor, dual_peak, exp_factor, norm_factor


def _system(
    kind: str, norm: str, tau: float, tau_rise: float | None, tau_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """A and x0 of (h, g, V) for the kind's "plain" kernel times its norm's factor."""
    if kind == "alpha":
        c, rise, coupling = norm_factor(norm, tau), tau, 1.0 / tau
    else:
        assert tau_rise is not None
        c, rise, coupling = dual_factor(norm, tau_rise, tau), tau_rise, 1.0 / tau_rise
    A = np.array(
        [
            [-1.0 / rise, 0.0, 0.0],
            [coupling, -1.0 / tau, 0.0],
            [0.0, 1.0, -1.0 / tau_m],
        ]
    )
    return A, np.array([c, 0.0, 0.0])


def psp_peak_unit(
    kind: str, norm: str, tau: float, tau_rise: float | None, tau_m: float
) -> tuple[float, float]:
    """(time, value) of the PSP peak for unit weight and unit capacitance.

    The value is in (weight unit) x ms / (capacitance unit): pA and pF give mV.
    """
    if kind == "exp":
        # k = c e^(-t/tau); k * e^(-t/tau_m) = c D(t; tau, tau_m), symmetric in the two
        t_peak, d_peak = dual_peak(tau, tau_m)
        return t_peak, exp_factor(norm, tau) * d_peak
    A, x0 = _system(kind, norm, tau, tau_rise, tau_m)
    # a negative kernel ("difference" with tau_rise > tau) has a negative PSP: its extremum
    sign = 1.0 if x0[0] >= 0 else -1.0
    x0 = sign * x0
    if x0[0] == 0:  # "difference" at equal time constants: no kernel, no PSP
        return 0.0, 0.0

    def slope(t: float) -> float:
        return float((A @ expm(A * t) @ x0)[2])

    # V rises from 0 (V'(0) = 0: g starts at 0) and decays to 0 after one peak; its
    # slope changes sign once. Bracket it on a log grid up to well past every tau.
    taus = [tau, tau_m] + ([tau_rise] if tau_rise is not None else [])
    grid = np.geomspace(1e-6 * min(taus), 200.0 * max(taus), 400)
    signs = np.array([slope(t) for t in grid])
    i = int(np.argmax(signs < 0))
    if signs[i] >= 0 or i == 0:  # pragma: no cover - a kernel that never decays
        raise ValueError("the PSP has no peak within 200 time constants")
    t_peak = brentq(slope, grid[i - 1], grid[i], xtol=1e-14 * grid[i], rtol=1e-15)
    return t_peak, sign * float((expm(A * t_peak) @ x0)[2])


def psp_trace_unit(
    t: np.ndarray, kind: str, norm: str, tau: float, tau_rise: float | None, tau_m: float
) -> np.ndarray:
    """V(t) for unit weight and unit capacitance (for plots and checks)."""
    if kind == "exp":
        from ._kernel_math import dual_base

        return exp_factor(norm, tau) * dual_base(t, tau, tau_m)
    A, x0 = _system(kind, norm, tau, tau_rise, tau_m)
    return np.array([(expm(A * ti) @ x0)[2] if ti > 0 else 0.0 for ti in t])

