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

``python -m alphakit._engine._numba`` compiles every kernel into numba's cache
(``binder/postBuild`` runs it; see :func:`warm_up`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numba
import numpy as np

from ._common import RecurrenceOverflow


def jit_disabled() -> bool:
    """Whether NUMBA_DISABLE_JIT is in force (the loops would then run uncompiled)."""
    # numba.config sets its options at import, from the environment: no static attribute
    return bool(numba.config.DISABLE_JIT)  # type: ignore[attr-defined]


# Each kernel returns a code: bit 0 (OVERFLOW) when a value of g or h does not
# fit the output dtype (|x| > lim), or went inf or NaN; bit 1 (ODD_INPUT) when an
# input value is negative, not finite or not a whole number. The state is
# float64, where inf and NaN are absorbing (a * inf stays inf, 0 * inf is NaN,
# NaN stays NaN), so the final state shows those; finite values too large for
# float32 are caught as they are stored. Both flags are integer ORs, which do not
# stop the loops from vectorising: screening the input costs no extra pass.
# For x = +-inf or NaN, x - floor(x) is NaN, which differs from 0 (np.floor: a float;
# math.floor would convert to an integer, undefined for inf in vectorised code).
OVERFLOW = 1
ODD_INPUT = 2


@numba.njit(cache=True, nogil=True)
def _scan(u, a0, a1, b, w, g, h, want_h, lim, want_g):  # pragma: no cover - compiled
    gk = 0.0
    hk = 0.0
    bad = 0
    odd = 0
    for k in range(u.shape[0]):
        x = u[k]
        odd |= (x < 0.0) | ((x - np.floor(x)) != 0.0)
        gk = a0 * gk + b * hk  # g feels the h of the previous step
        hk = a1 * hk + w * x
        if want_g:
            g[k] = gk
        if want_h:
            h[k] = hk
        bad |= (abs(gk) > lim) | (abs(hk) > lim)
    over = bad != 0 or not (math.isfinite(gk) and math.isfinite(hk))
    return OVERFLOW * over + ODD_INPUT * (odd != 0)


# fused multiply-adds (contract) only: no reassociation, so the steps are the same
# sums as the scalar loop's, each rounded once instead of twice
@numba.njit(cache=True, nogil=True, fastmath={"contract"})
def _scan_rows(u, a0, a1, b, w, g, h, want_h, lim, want_g):  # pragma: no cover - compiled
    """Time step by time step, all synapses at once: for rows that are contiguous.

    One loop over a row does everything (update, store, overflow flag), so each
    row's data passes through the registers once; what to store is decided
    outside it, so no loop carries a branch and all vectorise.
    """
    m = u.shape[1]
    gk = np.zeros(m)
    hk = np.zeros(m)
    bad = 0
    odd = 0
    for k in range(u.shape[0]):
        # row views keep the inner loop free of 2-D index arithmetic, so it vectorises
        uk = u[k]
        gr = g[k]
        hr = h[k]
        if want_h and want_g:
            for j in range(m):
                x = uk[j]
                odd |= (x < 0.0) | ((x - np.floor(x)) != 0.0)
                gj = a0 * gk[j] + b * hk[j]
                hj = a1 * hk[j] + w[j] * x
                gk[j] = gj
                hk[j] = hj
                gr[j] = gj
                hr[j] = hj
                bad |= (abs(gj) > lim) | (abs(hj) > lim)
        elif want_h:  # h alone: the exponential synapse (g's row of M is zero)
            for j in range(m):
                x = uk[j]
                odd |= (x < 0.0) | ((x - np.floor(x)) != 0.0)
                hj = a1 * hk[j] + w[j] * x
                hk[j] = hj
                hr[j] = hj
                bad |= abs(hj) > lim
        else:
            for j in range(m):
                x = uk[j]
                odd |= (x < 0.0) | ((x - np.floor(x)) != 0.0)
                gj = a0 * gk[j] + b * hk[j]
                hj = a1 * hk[j] + w[j] * x
                gk[j] = gj
                hk[j] = hj
                gr[j] = gj
                bad |= (abs(gj) > lim) | (abs(hj) > lim)
    over = bad != 0
    for j in range(m):
        if not (math.isfinite(gk[j]) and math.isfinite(hk[j])):
            over = True
    return OVERFLOW * over + ODD_INPUT * (odd != 0)


@numba.njit(cache=True, nogil=True)
def _scan_columns(u, a0, a1, b, w, g, h, want_h, lim, want_g):  # pragma: no cover - compiled
    """One synapse after the other, each through all its time steps: for F order."""
    bad = 0
    odd = 0
    over = False
    for j in range(u.shape[1]):
        gk = 0.0
        hk = 0.0
        wj = w[j]
        for k in range(u.shape[0]):
            x = u[k, j]
            odd |= (x < 0.0) | ((x - np.floor(x)) != 0.0)
            gk = a0 * gk + b * hk
            hk = a1 * hk + wj * x
            if want_g:
                g[k, j] = gk
            if want_h:
                h[k, j] = hk
            bad |= (abs(gk) > lim) | (abs(hk) > lim)
        if not (math.isfinite(gk) and math.isfinite(hk)):
            over = True
    over = over or bad != 0
    return OVERFLOW * over + ODD_INPUT * (odd != 0)


def _column(x: np.ndarray | None) -> np.ndarray | None:
    return None if x is None else x[:, 0]


def propagate(
    u: np.ndarray,
    M: np.ndarray,
    weight: float | np.ndarray,
    want_h: bool,
    out: tuple[np.ndarray | None, np.ndarray | None] | None = None,
    want_g: bool = True,
    screen: Callable[[np.ndarray], None] | None = None,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(g, h) of the recurrence driven by ``weight * u``, as the scipy engine's.

    ``screen``: called with ``u`` when the loop met an input value that is
    negative, not finite or not whole; it raises the caller's error, or returns
    when such values are allowed (the results stand).

    ``out``: buffers for g and h (None for one not wanted), written in place;
    any memory layout works, the loop order follows the input's. ``want_g``
    False (with ``want_h``) computes and stores h alone, and returns g as None.

    Raises :class:`alphakit._engine.RecurrenceOverflow` when a value of g or h
    does not fit ``u.dtype`` (float64 or float32).
    """
    a0, a1, b = float(M[0, 0]), float(M[1, 1]), float(M[0, 1])
    lim = float(np.finfo(u.dtype).max)
    if u.ndim == 2 and u.shape[1] == 1:  # one synapse: the scalar loop, then back to (T, 1)
        col = None if out is None else (_column(out[0]), _column(out[1]))
        g, h = propagate(u[:, 0], M, float(np.ravel(weight)[0]), want_h, col, want_g, screen)
        if out is not None:
            return out
        return (g[:, None] if g is not None else None), (h[:, None] if h is not None else None)
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
        code = _scan(u, a0, a1, b, float(weight), g_arg, h_arg, want_h, lim, want_g)
    else:
        n = u.shape[1]
        w = np.ascontiguousarray(np.broadcast_to(np.asarray(weight, dtype=np.float64), (n,)))
        kernel = _scan_rows if order == "C" else _scan_columns
        code = kernel(u, a0, a1, b, w, g_arg, h_arg, want_h, lim, want_g)
    if code & ODD_INPUT and screen is not None:
        screen(u)
    if code & OVERFLOW:
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
