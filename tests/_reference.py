"""Independent references shared by the tests, written from the definitions.

Nothing here comes from alphakit's own tables or helpers: these are the closed forms the
package is checked against, kept in one place so that two test files cannot disagree on them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

# c in c * t/tau * e^(-t/tau) for each norm: the plain kernel has c = 1, unit peak c = e (the
# plain peak is 1/e, at t = tau), unit area c = 1/tau (the plain charge is tau), and BrainPy's
# pre-2.5 synapse c = tau (issue 577).
NORM_FACTOR: dict[str, Callable[[float], float]] = {
    "plain": lambda tau: 1.0,
    "peak": lambda tau: math.e,
    "area": lambda tau: 1.0 / tau,
    "legacy": lambda tau: tau,
}

# c in dg/dt = -g/tau + c h, dh/dt = -h/tau: tau dg/dt = -g + h is c = 1/tau; the legacy form
# dg/dt = -g/tau + h is c = 1.
COUPLING: dict[str, Callable[[float], float]] = {
    "fixed": lambda tau: 1.0 / tau,
    "legacy": lambda tau: 1.0,
}


def alpha(t: np.ndarray, tau: float, c: float = 1.0) -> np.ndarray:
    """c * t/tau * e^(-t/tau) for t >= 0, zero before."""
    t = np.asarray(t, dtype=float)
    return np.where(t >= 0, c * t / tau * np.exp(-np.clip(t, 0, None) / tau), 0.0)


def ode_matrix(tau: float, c: float) -> np.ndarray:
    """A in d/dt (g, h) = A (g, h) for the coupling c (see COUPLING)."""
    return np.array([[-1.0 / tau, c], [0.0, -1.0 / tau]])
