"""Importing BrainPy on demand, quietly, and the integrator names we accept.

Nothing here imports BrainPy or jax at module import, so ``alphakit.brainpy``
itself imports without them; only calling a runner (or touching
``LegacyAlpha``) does. The import goes through :mod:`alphakit._optional`, the
one place that words the install hint.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from .. import _validation as v
from .._optional import install_hint, require

__all__ = ["BRAINPY_METHODS", "INSTALL_HINT", "check_method", "quiet", "require_brainpy"]

INSTALL_HINT = install_hint("brainpy")

# BrainPy's fixed-step explicit integrators (names as ``bp.odeint(method=...)``
# takes them). Its adaptive ones (rkf45, rkdp, ...) are left out: they change
# the step size, which makes no sense for a synapse on a fixed time grid.
BRAINPY_METHODS: tuple[str, ...] = (
    "exp_auto",
    "exp_euler",
    "exponential_euler",
    "exp_euler_auto",
    "euler",
    "midpoint",
    "heun2",
    "ralston2",
    "rk2",
    "rk3",
    "heun3",
    "ralston3",
    "ssprk3",
    "rk4",
    "ralston4",
    "rk4_38rule",
)


def check_method(method: Any) -> str:
    """Validate a BrainPy integrator name (see :data:`BRAINPY_METHODS`)."""
    return v.choice("method", method, BRAINPY_METHODS)


def require_brainpy() -> tuple[ModuleType, ModuleType]:
    """Return ``(brainpy, brainpy.math)``, or raise ImportError naming the extra."""
    with quiet():
        return require("brainpy", "brainpy"), require("brainpy.math", "brainpy")


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence the warnings BrainPy and jax raise while we build and run models.

    Notebook validation compares cell outputs, and deprecation notices from
    BrainPy's older ``bp.synapses`` API would break it; the filter is local to
    this block, so the user's own warning settings are untouched afterwards.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
