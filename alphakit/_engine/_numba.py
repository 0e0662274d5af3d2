"""The numba back-end of the recurrence engine: one compiled pass over the data.

Same contract as :func:`alphakit._engine.propagate`; the scipy back-end
(:mod:`alphakit._engine._scipy`) stays the reference that the tests hold this
one to. numba is optional (``pip install "alphakit[fast]"``); this module
imports it, so the dispatcher imports this module only once a recurrence
actually runs.

The recurrence is x[k] = M x[k-1] + (0, w u[k]) with M = [[a0, b], [0, a1]]:
two multiply-adds per synapse and step. For one synapse the dependent chain
through the state sets the pace, and a plain scalar loop over the input, with
no temporaries, runs at it (lfilter needs one pass per output through a
general-order filter). For many synapses memory sets it, so the data is walked
once in its own layout: with time on axis 0 in C order the inner loop runs
across the synapses of one time step (contiguous, vectorised); in F order,
down each synapse's own column.

One thread: for many synapses the loop streams through memory, so more threads
mostly compete for the same bandwidth, and a CPU count is no guide on a Binder
pod whose quota is one CPU. The kernels release the GIL, so
callers may run several at once. Each synapse's state is carried in float64,
in time order; only the stored outputs are rounded to the input's precision.
Every loop takes a step as the same two fused multiply-adds (:func:`_fma`), so
a synapse's trace has the same bits in any layout and any column.

``python -m alphakit._engine._numba`` compiles every kernel into numba's cache
(``binder/postBuild`` runs it; see :func:`warm_up`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal, cast

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic, overload

from ._common import RecurrenceOverflow, Screen


def jit_disabled() -> bool:
    """Whether NUMBA_DISABLE_JIT is in force (the loops would then run uncompiled)."""
    # numba.config sets its options at import, from the environment: no static attribute
    return bool(numba.config.DISABLE_JIT)  # type: ignore[attr-defined]


# Each kernel returns one flag: True when a stored value of g or h does not fit
# the output dtype (|x| > lim), when the state went inf or NaN, or (with
# ``screen_input``) when an input value is negative, NaN or not a whole number;
# propagate() then runs the caller's screen, which raises for odd input, and
# otherwise reports the overflow. The state is float64, where inf and NaN are
# absorbing (a * inf stays inf, 0 * inf is NaN, NaN stays NaN), so the final
# state shows those, an infinite input among them; finite values too large for
# float32 are caught as they are stored. h that is not stored may exceed the
# output dtype on its way: g, computed from it in float64, is unaffected.
# One flag, not one per cause: each flag is an OR reduction that the vectorised
# loops carry along, and a second one is not free (benchmarks/README.md).
# floor(x) != |x| is one comparison for "negative, fractional, NaN or -inf" (floor
# of a whole non-negative x is x itself; -0.0 passes, as it should); +inf passes
# it and shows in the final state.


def _weight_at(w, j):  # pragma: no cover - replaced by the overload in compiled code
    raise NotImplementedError


@overload(_weight_at, inline="always")
def _weight_at_overload(w, j):
    """w[j] for one weight per synapse, w itself for one weight for all.

    The row loops compile once for each: a scalar weight stays in a register,
    where an array of them would be a third array of state the loop reads at
    every step (24 KiB for 1000 synapses, against a 32 KiB L1 cache that the
    streaming input and outputs pass through), which kept the loop well above
    the memory floor (benchmarks/README.md).
    """
    if isinstance(w, types.Array):
        return lambda w, j: w[j]
    return lambda w, j: w


@intrinsic
def _fma_intrinsic(typingctx, a, b, c):
    """a * b + c in float64, rounded once (LLVM's fma).

    Written out rather than left to the compiler (``fastmath={"contract"}``), which
    fuses either product of ``a0 * g + b * h`` as it sees fit, and may choose
    differently in two loops, or in the vectorised body and the tail of one: the
    bits would then depend on the layout, the weight's shape or a synapse's column.
    One instruction where the CPU has FMA (x86-64 since 2013, ARM64); elsewhere LLVM
    calls libm's exact, slower fma.
    """
    f64 = types.float64
    if not all(isinstance(t, types.Float) for t in (a, b, c)):
        return None

    def codegen(context, builder, signature, args):
        d = ir.DoubleType()
        fn = builder.module.declare_intrinsic("llvm.fma", [d], ir.FunctionType(d, [d, d, d]))
        return builder.call(fn, args)

    return f64(f64, f64, f64), codegen


# what the loops call; typed for mypy as what it computes, not as numba's intrinsic object
_fma = cast(Callable[[float, float, float], float], _fma_intrinsic)


@numba.njit(cache=True, nogil=True)
def _scan(u, a0, a1, b, w, g, h, want_g, want_h, lim, screen_input):  # pragma: no cover
    """One train through all its time steps (also each column of an F-order array)."""
    gk = 0.0
    hk = 0.0
    flag = 0
    for k in range(u.shape[0]):
        x = u[k]
        gk = _fma(a0, gk, b * hk)  # g feels the h of the previous step
        hk = _fma(a1, hk, w * x)
        if want_g:
            g[k] = gk
        if want_h:
            h[k] = hk
        flag |= (
            (want_g & (abs(gk) > lim))
            | (want_h & (abs(hk) > lim))
            | (screen_input & (np.floor(x) != abs(x)))
        )
    return flag != 0 or not (math.isfinite(gk) and math.isfinite(hk))


@numba.njit(cache=True, nogil=True)
def _row_gh(x, g, h, gk, hk, a0, a1, b, w, lim, screen_input):  # pragma: no cover
    """One time step of all synapses, g and h stored; returns the row's flag.

    Each row is a loop of its own, with no branch inside, so that it vectorises;
    the update, the stores and the flag pass each value through the registers once.
    """
    flag = 0
    for j in range(x.shape[0]):
        xj = x[j]
        gj = _fma(a0, gk[j], b * hk[j])
        hj = _fma(a1, hk[j], _weight_at(w, j) * xj)
        gk[j] = gj
        hk[j] = hj
        g[j] = gj
        h[j] = hj
        flag |= (
            (abs(gj) > lim) | (abs(hj) > lim) | (screen_input & (np.floor(xj) != abs(xj)))
        )
    return flag


@numba.njit(cache=True, nogil=True)
def _row_g(x, g, gk, hk, a0, a1, b, w, lim, screen_input):  # pragma: no cover
    """One time step of all synapses, g alone stored (h stays loop state)."""
    flag = 0
    for j in range(x.shape[0]):
        xj = x[j]
        gj = _fma(a0, gk[j], b * hk[j])
        hj = _fma(a1, hk[j], _weight_at(w, j) * xj)
        gk[j] = gj
        hk[j] = hj
        g[j] = gj
        flag |= (abs(gj) > lim) | (screen_input & (np.floor(xj) != abs(xj)))
    return flag


@numba.njit(cache=True, nogil=True)
def _row_h(x, h, hk, a1, w, lim, screen_input):  # pragma: no cover
    """One time step of all synapses, h alone: the exponential synapse (g's row of M is zero)."""
    flag = 0
    for j in range(x.shape[0]):
        xj = x[j]
        hj = _fma(a1, hk[j], _weight_at(w, j) * xj)
        hk[j] = hj
        h[j] = hj
        flag |= (abs(hj) > lim) | (screen_input & (np.floor(xj) != abs(xj)))
    return flag


@numba.njit(cache=True, nogil=True)
def _rows(u, a0, a1, b, w, g, h, want_g, want_h, lim, screen_input):  # pragma: no cover
    m = u.shape[1]
    gk = np.zeros(m)
    hk = np.zeros(m)
    flag = 0
    for k in range(u.shape[0]):
        # row views keep the inner loops free of 2-D index arithmetic, so they vectorise
        if want_g and want_h:
            flag |= _row_gh(u[k], g[k], h[k], gk, hk, a0, a1, b, w, lim, screen_input)
        elif want_h:
            flag |= _row_h(u[k], h[k], hk, a1, w, lim, screen_input)
        else:
            flag |= _row_g(u[k], g[k], gk, hk, a0, a1, b, w, lim, screen_input)
    finite = True
    for j in range(m):
        finite &= math.isfinite(gk[j]) and math.isfinite(hk[j])
    return flag != 0 or not finite


@numba.njit(cache=True, nogil=True)
def _scan_rows(u, a0, a1, b, w, g, h, want_g, want_h, lim, screen_input):  # pragma: no cover
    """Time step by time step, all synapses at once: for rows that are contiguous.

    ``w`` holds one weight per synapse, or one for all (shape (1,)).
    """
    if w.shape[0] == 1:
        return _rows(u, a0, a1, b, w[0], g, h, want_g, want_h, lim, screen_input)
    return _rows(u, a0, a1, b, w, g, h, want_g, want_h, lim, screen_input)


@numba.njit(cache=True, nogil=True)
def _scan_columns(u, a0, a1, b, w, g, h, want_g, want_h, lim, screen_input):  # pragma: no cover
    """One synapse after the other, each by the one-train loop: for F order."""
    flag = False
    for j in range(u.shape[1]):
        wj = w[0] if w.shape[0] == 1 else w[j]
        flag |= _scan(u[:, j], a0, a1, b, wj, g[:, j], h[:, j], want_g, want_h, lim, screen_input)
    return flag


def _column(x: np.ndarray | None) -> np.ndarray | None:
    return None if x is None else x[:, 0]


def propagate(
    u: np.ndarray,
    M: np.ndarray,
    weight: float | np.ndarray,
    want_h: bool,
    out: tuple[np.ndarray | None, np.ndarray | None] | None = None,
    want_g: bool = True,
    screen: Screen | None = None,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(g, h) of the recurrence driven by ``weight * u``, as the scipy engine's.

    ``screen``: the caller's check of the input values. When ``screen.whole``
    the loop flags values that are negative, NaN or not whole as it reads them
    and calls ``screen`` only then; otherwise (fractional values allowed)
    ``screen`` runs first, and the loop checks nothing but the outputs.

    ``out``: buffers for g and h (None for one not wanted), written in place;
    any memory layout works, the loop order follows the input's. ``want_g``
    False (with ``want_h``) computes and stores h alone, and returns g as None.

    Raises :class:`alphakit._engine.RecurrenceOverflow` when a stored value of g
    or h does not fit ``u.dtype`` (float64 or float32).
    """
    a0, a1, b = float(M[0, 0]), float(M[1, 1]), float(M[0, 1])
    lim = float(np.finfo(u.dtype).max)
    if u.ndim == 2 and u.shape[1] == 1:  # one synapse: the scalar loop, then back to (T, 1)
        col = None if out is None else (_column(out[0]), _column(out[1]))
        g, h = propagate(u[:, 0], M, float(np.ravel(weight)[0]), want_h, col, want_g, screen)
        if out is not None:
            return out
        return (g[:, None] if g is not None else None), (h[:, None] if h is not None else None)
    screen_input = screen is not None and screen.whole
    if screen is not None and not screen_input:
        screen(u)  # fractional counts allowed: the loop cannot tell odd ones from them
    if not (u.flags.c_contiguous or u.flags.f_contiguous):
        u = np.ascontiguousarray(u)  # a strided view: one copy beats strided passes
    order: Literal["C", "F"] = "F" if u.ndim == 2 and not u.flags.c_contiguous else "C"
    if out is None:
        g = np.empty(u.shape, dtype=u.dtype, order=order) if want_g else None
        h = np.empty(u.shape, dtype=u.dtype, order=order) if want_h else None
    else:
        g, h = out
    # An output not wanted is handed the other array instead (same type, so no
    # second compilation), which the kernels never write to.
    g_arg = g if g is not None else h
    h_arg = h if h is not None else g
    if u.ndim == 1:
        args = (float(weight), g_arg, h_arg, want_g, want_h, lim, screen_input)
        flagged = _scan(u, a0, a1, b, *args)
    else:
        # one weight for all synapses as shape (1,): the row loops keep it in a register
        w = np.atleast_1d(np.asarray(weight, dtype=np.float64))
        if w.shape != (1,) and w.shape != (u.shape[1],):  # the loops index it unchecked
            raise ValueError(f"weight must be a scalar or shape ({u.shape[1]},), got {w.shape}")
        kernel = _scan_rows if order == "C" else _scan_columns
        flagged = kernel(u, a0, a1, b, w, g_arg, h_arg, want_g, want_h, lim, screen_input)
    if flagged:
        if screen_input:
            assert screen is not None
            screen(u)  # raises for odd input; if it returns, the flag was the outputs'
        raise RecurrenceOverflow(f"g or h does not fit {u.dtype.name}")
    return (g if want_g else None), (h if want_h else None)


def warm_up() -> None:
    """Compile every kernel for float64 and float32 input, or load it from numba's cache.

    ``binder/postBuild`` runs this (``python -m alphakit._engine._numba``) so that
    the compiled code ships in the image. numba keys its cache on the CPU model,
    so a pod on another kind of machine compiles again, once.
    """
    M = np.array([[0.5, 0.25], [0.0, 0.5]])
    for dtype in (np.float64, np.float32):
        u = np.ones((3, 2), dtype=dtype)
        for x in (np.ascontiguousarray(u[:, 0]), u, np.asfortranarray(u)):
            propagate(x, M, 1.0, want_h=True)
            locked = x.copy(order="K")  # np.load(mmap_mode="r") and the like: their own type
            locked.flags.writeable = False
            propagate(locked, M, 1.0, want_h=True)


if __name__ == "__main__":
    import time

    start = time.perf_counter()
    warm_up()
    print(f"alphakit: numba kernels ready in {time.perf_counter() - start:.1f} s")
