"""The scipy/numpy back-end of the recurrence engine: the reference.

Same contract as :func:`alphakit._engine.propagate`, needing only the core
dependencies. For a few synapses ``scipy.signal.lfilter`` runs the recurrence
as an IIR filter in compiled code, a dependent multiply-add per step. For many
synapses that scalar loop is the bottleneck, so the time axis is cut into
blocks of L steps and the recurrence solved block-wise, all blocks and synapses
at once, with matrix products:

1. Inside a block the response to the block's own input is a lower-triangular
   Toeplitz matrix of the impulse response, K[j, i] = (M^(j-i))[:, 1].
2. The block end states that inputs alone produce chain from block to block by
   the same recurrence with M^L; that short recurrence (T/L steps) runs in lfilter,
   a cache-sized chunk of blocks at a time, while the chunk's input is in cache.
3. Each block then adds its incoming state's free response M^(j+1) x_in, which
   rides along in the same matrix product as two extra input rows.

No Python loop runs over time steps: one runs over chunks of about 2^17
values (a few blocks of L = 16 steps for 1000 synapses), and one over the L
offsets builds the powers of M. Results equal the step-by-step recurrence up to
rounding (each entry is a sum of at most L + 2 products plus a chained carry).
"""

from __future__ import annotations

import numpy as np

from ._common import RecurrenceOverflow

_BLOCK = 16  # steps per block: large enough to amortise, small enough that L^2 work stays small
# Below this many synapses the blocked products are too thin to beat lfilter's
# compiled scalar loop (the crossover was found by timing both paths).
_BLOCKED_MIN_COLUMNS = 32
_CHUNK_ELEMENTS = 1 << 17  # ~1 MiB of float64 per chunk buffer: stays in cache


def _powers(M: np.ndarray, count: int) -> np.ndarray:
    """M^0 ... M^(count-1), shape (count, 2, 2)."""
    out = np.empty((count, 2, 2))
    out[0] = np.eye(2)
    for k in range(1, count):
        out[k] = out[k - 1] @ M
    return out


def propagate(
    u: np.ndarray,
    M: np.ndarray,
    weight: float | np.ndarray,
    want_h: bool,
    out: tuple[np.ndarray | None, np.ndarray | None] | None = None,
    fused: bool = False,
    want_g: bool = True,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(g, h) of the recurrence driven by ``weight * u``, for float64 or float32 ``u``.

    Raises :class:`RecurrenceOverflow` when a stored value of g or h does not fit
    ``u.dtype``. ``out``: buffers the results are copied into and returned as (this reference
    back-end computes in its own arrays first). ``fused``: see
    :func:`alphakit._engine.propagate`. ``want_g`` False (with ``want_h``): h
    alone, g returned as None.
    """
    n = u.shape[1] if u.ndim == 2 else 1
    g: np.ndarray | None
    h: np.ndarray | None
    if not want_g:
        g, h = None, _first_order(u, float(M[1, 1]), weight)
    elif n < _BLOCKED_MIN_COLUMNS:
        g, h = _propagate_lfilter(u, M, weight, want_h, fused)
    else:
        g, h = _propagate_blocked(u, M, weight, want_h)
        stored = [x for x in (g, h) if x is not None]
        if u.dtype != np.float64 and not all(_all_finite(x) for x in stored):
            # The blocks' products run in float32: a block whose incoming state is beyond
            # float32's range gets inf even when the chained (float64) state comes back
            # into range, so every stored value is checked, not the last step. g alone may
            # still fit when only h does not, as on the other paths (only stored values
            # must): the float64 products tell.
            if want_h:
                raise RecurrenceOverflow(f"g or h does not fit {u.dtype.name}")
            g, _ = _propagate_blocked(u.astype(np.float64), M, weight, False)
            if not np.abs(g).max() <= np.finfo(u.dtype).max:
                raise RecurrenceOverflow(f"g or h does not fit {u.dtype.name}")
            g = g.astype(u.dtype)
    # Otherwise inf and NaN, once in the state, stay to the last step (a * inf is inf,
    # 0 * inf NaN, and NaN stays NaN); the lfilter path checks float32 overflow itself.
    for x in (g, h):
        if x is not None and not np.all(np.isfinite(x[-1])):
            raise RecurrenceOverflow(f"g or h does not fit {u.dtype.name}")
    if out is None:
        return g, h
    for buffer, value in zip(out, (g, h), strict=True):
        if buffer is not None:
            np.copyto(buffer, value)
    return out


def _all_finite(x: np.ndarray) -> bool:
    """Whether ``x`` holds no inf or NaN: its min and max, two reductions with no
    full-size temporary (NaN and inf show in them)."""
    return bool(np.isfinite(x.min()) and np.isfinite(x.max()))


def _first_order(u: np.ndarray, a: float, weight: float | np.ndarray) -> np.ndarray:
    """h alone, h[k] = a h[k-1] + w u[k]: one IIR filter along time (also for many columns,
    where one pass of lfilter is already as fast as the data can be read)."""
    from scipy.signal import lfilter

    with np.errstate(over="ignore", invalid="ignore"):
        h = lfilter([1.0], [1.0, -a], u * np.asarray(weight, dtype=np.float64), axis=0)
    if u.dtype != np.float64 and not np.abs(h).max(initial=0.0) <= np.finfo(u.dtype).max:
        raise RecurrenceOverflow(f"g or h does not fit {u.dtype.name}")
    return h.astype(u.dtype, copy=False)


def _propagate_lfilter(
    u: np.ndarray, M: np.ndarray, weight: float | np.ndarray, want_h: bool, fused: bool = False
) -> tuple[np.ndarray, np.ndarray | None]:
    """Few synapses: IIR filters along time, from the z-transform of the recurrence.

    (I - M z^-1) X = (0, 1) U gives H = U / (1 - M11 z^-1) and
    G = M01 z^-1 H / (1 - M00 z^-1). g is filtered from h (this cascade is the
    recurrence itself), also when h is not kept, so that g is the same either way.
    With ``fused`` and no h, one second-order filter,
    G = M01 z^-1 U / ((1 - M00 z^-1)(1 - M11 z^-1)), saves a pass instead. The
    expanded second-order form is less accurate: its double pole near 1 amplifies
    rounding (about 3x the true truncation error of RK4 at dt/tau = 0.002).
    """
    from scipy.signal import lfilter

    a0, a1, b = float(M[0, 0]), float(M[1, 1]), float(M[0, 1])
    # A scalar weight rides in the filters' numerators (no pass over the data);
    # per-synapse weights scale the input rows.
    w = float(weight) if np.ndim(weight) == 0 else 1.0
    rows = u if u.ndim == 1 else np.ascontiguousarray(u.T)
    if np.ndim(weight) != 0:
        rows = rows * np.asarray(weight)[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        if want_h or not fused:
            h = lfilter([w], [1.0, -a1], rows, axis=-1)
            g = lfilter([0.0, b], [1.0, -a0], h, axis=-1)
        else:
            h = None
            g = lfilter([0.0, w * b], [1.0, -(a0 + a1), a0 * a1], rows, axis=-1)
        if not want_h:
            h = None
    # lfilter computes in float64 (its coefficients are); hand back the input's precision,
    # unless a value does not fit it (which the last step need not show)
    if u.dtype != np.float64:
        lim = np.finfo(u.dtype).max
        if any(x is not None and not np.abs(x).max() <= lim for x in (g, h)):
            raise RecurrenceOverflow(f"g or h does not fit {u.dtype.name}")
    g = g.astype(u.dtype, copy=False)
    h = h.astype(u.dtype, copy=False) if h is not None else None
    if u.ndim == 2:  # back to time on axis 0 (a transposed view)
        g = g.T
        h = h.T if h is not None else None
    return g, h


def _propagate_blocked(
    u: np.ndarray, M: np.ndarray, weight: float | np.ndarray, want_h: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Many synapses: the block-wise matrix-product solution described above."""
    T = u.shape[0]
    u2 = u.reshape(T, -1)
    n = u2.shape[1]
    L = min(_BLOCK, T)
    B = -(-T // L)
    dtype = u.dtype  # float64, or float32 on request: the products run in it
    P = _powers(M, L + 1)
    j, i = np.tril_indices(L)
    K = np.zeros((2, L, L + 2), dtype=dtype)  # K[0] gives g, K[1] gives h
    K[:, j, i] = P[j - i][:, :, 1].T
    K[:, :, L] = P[1:, :, 0].T  # free response to the incoming g ...
    K[:, :, L + 1] = P[1:, :, 1].T  # ... and to the incoming h

    # The input as (B, L, n) blocks: a view when T is a multiple of L.
    if B * L == T:
        U = u2.reshape(B, L, n)
    else:
        U = np.zeros((B * L, n), dtype=dtype)
        U[:T] = u2
        U = U.reshape(B, L, n)

    g = np.empty((B, L, n), dtype=dtype)
    h = np.empty((B, L, n), dtype=dtype) if want_h else None
    # Work through the blocks a cache-sized chunk at a time: gather the chunk's
    # weighted input into one small buffer V, chain its blocks' end states on from
    # the previous chunk, then both outputs come from one matrix product each,
    # written straight into place.
    chunk = max(1, _CHUNK_ELEMENTS // ((L + 2) * n))
    V = np.empty((min(chunk, B), L + 2, n), dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore"):  # simulate() checks and explains
        _solve_chunks(U, V, K, P[L], weight, chunk, g, h)
    g = g.reshape(B * L, n)[:T].reshape(u.shape)
    if h is not None:
        h = h.reshape(B * L, n)[:T].reshape(u.shape)
    return g, h


def _solve_chunks(
    U: np.ndarray,
    V: np.ndarray,
    K: np.ndarray,
    ML: np.ndarray,
    weight: float | np.ndarray,
    chunk: int,
    g: np.ndarray,
    h: np.ndarray | None,
) -> None:
    """Fill g (and h) chunk by chunk, carrying the state from one chunk to the next.

    A block's end state is M^L times the previous one plus what its own input
    gives (the last row of K applied to it): X_b = M^L X_(b-1) + E_b. Within a
    chunk that short recurrence runs in lfilter (float64, whatever the dtype).
    """
    from scipy.signal import lfilter

    B, L, n = U.shape
    a_g, a_h, c = float(ML[0, 0]), float(ML[1, 1]), float(ML[0, 1])
    G_prev, H_prev = np.zeros(n), np.zeros(n)  # state entering the chunk
    for start in range(0, B, chunk):
        stop = min(start + chunk, B)
        buf = V[: stop - start]
        np.multiply(U[start:stop], weight, out=buf[:, :L])
        E = np.matmul(K[:, L - 1, :L], buf[:, :L]).astype(np.float64)  # (m, 2, n)
        H = lfilter([1.0], [1.0, -a_h], E[:, 1], axis=0, zi=a_h * H_prev[None, :])[0]
        H_in = np.vstack([H_prev[None, :], H[:-1]])
        G = lfilter([1.0], [1.0, -a_g], E[:, 0] + c * H_in, axis=0, zi=a_g * G_prev[None, :])[0]
        buf[0, L], buf[0, L + 1] = G_prev, H_prev
        buf[1:, L], buf[1:, L + 1] = G[:-1], H[:-1]
        G_prev, H_prev = G[-1], H[-1]
        np.matmul(K[0], buf, out=g[start:stop])
        if h is not None:
            np.matmul(K[1], buf, out=h[start:stop])
