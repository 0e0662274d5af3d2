"""The one linear-recurrence engine behind ``convolve_spikes`` and ``simulate``.

For input u of shape (T,) or (T, n) and a 2x2 one-step matrix M with
M[1, 0] = 0 (h never feels g: true of every kind, form and integrator; the
diagonal entries differ for the dual exponential) it computes

    x[k] = M x[k-1] + (0, w u[k]),   x[-1] = 0,   x = (g, h).

:func:`propagate_h` runs the h row alone, ``h[k] = a h[k-1] + w u[k]``: the
exponential synapse, stored in one output at the cost of one.

Two back-ends fulfil that one contract, and this module picks one per call:

* :mod:`alphakit._engine._numba`: compiled loops, one pass over the data. numba
  is optional (the ``fast``, ``brainpy`` and ``notebooks`` extras bring it).
* :mod:`alphakit._engine._scipy`: ``scipy.signal.lfilter`` and numpy matrix
  products. It is the reference: it needs nothing beyond the core
  dependencies, and the tests hold the compiled back-end to it and to a plain
  Python loop.

The environment variable ``ALPHAKIT_ENGINE`` (``auto``, ``numba`` or ``scipy``)
chooses; ``auto`` takes numba when it imports and compiles. Imports run one way:
this module imports the back-ends, they import only :mod:`._common`.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from functools import cache
from typing import Literal, overload

import numpy as np

from . import _scipy
from ._common import RecurrenceOverflow, Screen

__all__ = ["ENGINES", "RecurrenceOverflow", "Screen", "engine", "propagate", "propagate_h"]

ENGINES = ("auto", "numba", "scipy")


_Out = tuple[np.ndarray, np.ndarray | None] | None


@overload
def propagate(
    u: np.ndarray,
    M: np.ndarray,
    weight: float | np.ndarray = ...,
    want_h: Literal[True] = ...,
    *,
    out: _Out = ...,
    fused: bool = ...,
    screen: Screen | None = ...,
) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def propagate(
    u: np.ndarray,
    M: np.ndarray,
    weight: float | np.ndarray = ...,
    *,
    want_h: Literal[False],
    out: _Out = ...,
    fused: bool = ...,
    screen: Screen | None = ...,
) -> tuple[np.ndarray, None]: ...
@overload
def propagate(
    u: np.ndarray,
    M: np.ndarray,
    weight: float | np.ndarray,
    want_h: bool,
    *,
    out: _Out = ...,
    fused: bool = ...,
    screen: Screen | None = ...,
) -> tuple[np.ndarray, np.ndarray | None]: ...
def propagate(
    u: np.ndarray,
    M: np.ndarray,
    weight: float | np.ndarray = 1.0,
    want_h: bool = True,
    *,
    out: _Out = None,
    fused: bool = False,
    screen: Screen | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(g, h) of the recurrence driven by ``weight * u``; h is None unless ``want_h``.

    ``u`` has shape (T,) or (T, n); ``weight`` is a scalar or has shape (n,).
    Outputs have the shape of ``u`` and its precision (float64, or float32);
    raises :class:`RecurrenceOverflow` when a value does not fit it.

    ``out``: ``(g, h)`` buffers of that shape and precision to write into and
    return (``h`` None when not ``want_h``); the caller has checked them. The
    values are the same bits as in fresh outputs.

    ``fused``: without h, the scipy back-end may run g through one second-order
    filter instead of the cascade h -> g (one pass less, but its double pole
    amplifies rounding); g then differs from the ``want_h=True`` g in the last
    bits. Otherwise g is the same with or without h on both back-ends.

    ``screen``: the caller's check of the input values (spike counts: finite,
    non-negative, whole unless allowed), which raises its own error. The scipy
    back-end calls it first. The compiled loops flag odd values as they read
    them (when ``screen.whole``; counts allowed to be fractional are screened
    first) and call it only then, so valid input is read once, not three times;
    on invalid input the outputs (``out`` included) hold garbage when it raises.
    """
    if M[1, 0] != 0.0:
        raise ValueError("propagate needs an upper-triangular step matrix")
    if u.dtype not in (np.float64, np.float32):
        u = u.astype(np.float64)  # e.g. np.bincount's int64 for no spikes at all
    if engine() == "numba":
        from . import _numba

        g, h = _numba.propagate(u, M, weight, want_h, out, screen=screen)
    else:
        if screen is not None:
            screen(u)
        g, h = _scipy.propagate(u, M, weight, want_h, out, fused)
    assert g is not None
    return g, h


def propagate_h(
    u: np.ndarray,
    a: float,
    weight: float | np.ndarray = 1.0,
    *,
    out: np.ndarray | None = None,
    screen: Screen | None = None,
) -> np.ndarray:
    """h of ``h[k] = a h[k-1] + weight * u[k]``, ``h[-1] = 0``: the first-order recurrence.

    The same contract as :func:`propagate` (shapes, precision, ``out``,
    :class:`RecurrenceOverflow`), with g neither computed into memory nor returned.
    """
    if u.dtype not in (np.float64, np.float32):
        u = u.astype(np.float64)
    M = np.array([[0.0, 0.0], [0.0, a]])
    buffers = None if out is None else (None, out)
    if engine() == "numba":
        from . import _numba

        h = _numba.propagate(u, M, weight, True, buffers, want_g=False, screen=screen)[1]
    else:
        if screen is not None:
            screen(u)
        h = _scipy.propagate(u, M, weight, True, buffers, want_g=False)[1]
    assert h is not None
    return h


def engine() -> str:
    """The engine the next recurrence will run on: ``"numba"`` or ``"scipy"``.

    Chosen by the environment variable ``ALPHAKIT_ENGINE`` (one of ``ENGINES``,
    read at every call so that it can be switched inside a session); ``"auto"``,
    the default, takes numba when it can be imported.
    """
    wanted = os.environ.get("ALPHAKIT_ENGINE", "auto").strip().lower() or "auto"
    if wanted not in ENGINES:
        raise ValueError(
            f"environment variable ALPHAKIT_ENGINE must be one of {ENGINES}, got {wanted!r}"
        )
    if wanted == "scipy":
        return "scipy"
    problem = _numba_problem()
    if problem is None:
        return "numba"
    if wanted == "numba":
        raise ImportError(f"ALPHAKIT_ENGINE=numba, but {problem}")
    return "scipy"


@cache
def _numba_problem() -> str | None:
    """Why the numba engine cannot run (None when it can); decided once per process."""
    if importlib.util.find_spec("numba") is None:
        return 'numba is not installed (pip install "alphakit[fast]")'
    try:
        from . import _numba  # imports numba
    except Exception as exc:  # a broken numba install must not break the library
        problem = f"numba failed to import ({type(exc).__name__}: {exc})"
        warnings.warn(f"{problem}; alphakit falls back to its scipy engine", stacklevel=3)
        return problem
    if _numba.jit_disabled():
        # the loops would run as interpreted Python, far slower than either engine
        return "NUMBA_DISABLE_JIT is set, so numba would not compile"
    return None
