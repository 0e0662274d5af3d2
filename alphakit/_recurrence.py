"""The one linear-recurrence engine behind ``convolve_spikes`` and ``simulate``.

For input u of shape (T,) or (T, n) and a 2x2 one-step matrix M with
M[1, 0] = 0 (h never feels g: true of every alpha form and integrator) it computes

    x[k] = M x[k-1] + (0, u[k]),   x[-1] = 0,   x = (g, h).

For a few synapses ``scipy.signal.lfilter`` runs the recurrence as an IIR
filter in compiled code (~10 ns a sample here, a dependent multiply-add per
step). For many synapses that scalar loop is the bottleneck, so the time axis
is cut into blocks of L steps and the recurrence solved block-wise, all blocks
and synapses at once, with matrix products:

1. Inside a block the response to the block's own input is a lower-triangular
   Toeplitz matrix of the impulse response, K[j, i] = (M^(j-i))[:, 1].
2. The block end states that inputs alone produce chain from block to block by
   the same recurrence with M^L; that short recurrence (T/L steps) runs in lfilter.
3. Each block then adds its incoming state's free response M^(j+1) x_in, which
   rides along in the same matrix product as two extra input rows.

No Python loop runs over time steps; a loop over the L <= 64 offsets builds
the powers of M. Results equal the step-by-step recurrence up to rounding
(each entry is a sum of at most L + 2 products plus a chained carry).
"""

from __future__ import annotations

import numpy as np

_BLOCK = 16  # steps per block: large enough to amortise, small enough that L^2 work stays small
# Below this many synapses the blocked products are too thin to beat lfilter's
# compiled scalar loop (measured on 2 cores: 1 synapse x 10^6 steps).
_BLOCKED_MIN_COLUMNS = 32
_CHUNK_ELEMENTS = 1 << 17  # ~1 MiB of float64 per chunk buffer: stays in cache


def _powers(M: np.ndarray, count: int) -> np.ndarray:
    """M^0 ... M^(count-1), shape (count, 2, 2)."""
    out = np.empty((count, 2, 2))
    out[0] = np.eye(2)
    for k in range(1, count):
        out[k] = out[k - 1] @ M
    return out


def _first_order(a: float, x: np.ndarray) -> np.ndarray:
    """y[k] = a y[k-1] + x[k] along axis 0 (a short recurrence over blocks)."""
    from scipy.signal import lfilter  # deferred: scipy.signal is slow to import

    return lfilter([1.0], [1.0, -a], np.ascontiguousarray(x.T), axis=-1).T


def propagate(
    u: np.ndarray, M: np.ndarray, weight: float | np.ndarray = 1.0, want_h: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """(g, h) of the recurrence driven by ``weight * u``; h is None unless ``want_h``.

    ``u`` has shape (T,) or (T, n); ``weight`` is a scalar or has shape (n,).
    Outputs are float64 with the shape of ``u``.
    """
    if M[1, 0] != 0.0:
        raise ValueError("propagate needs an upper-triangular step matrix")
    n = u.shape[1] if u.ndim == 2 else 1
    if n < _BLOCKED_MIN_COLUMNS:
        return _propagate_lfilter(u, M, weight, want_h)
    return _propagate_blocked(u, M, weight, want_h)


def _propagate_lfilter(
    u: np.ndarray, M: np.ndarray, weight: float | np.ndarray, want_h: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Few synapses: one IIR filter per output, from the z-transform of the recurrence.

    (I - M z^-1) X = (0, 1) U gives G = M01 z^-1 U / ((1 - M00 z^-1)(1 - M11 z^-1))
    and H = U / (1 - M11 z^-1).
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
        g = lfilter([0.0, w * b], [1.0, -(a0 + a1), a0 * a1], rows, axis=-1)
        h = lfilter([w], [1.0, -a1], rows, axis=-1) if want_h else None
    if u.ndim == 2:  # back to time on axis 0 (a transposed view)
        g = g.T
        h = h.T if want_h else None
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
    P = _powers(M, L + 1)
    j, i = np.tril_indices(L)
    K = np.zeros((2, L, L + 2))  # K[0] gives g, K[1] gives h
    K[:, j, i] = P[j - i][:, :, 1].T
    K[:, :, L] = P[1:, :, 0].T  # free response to the incoming g ...
    K[:, :, L + 1] = P[1:, :, 1].T  # ... and to the incoming h

    # The input as (B, L, n) blocks: a view when T is a multiple of L.
    if B * L == T:
        U = u2.reshape(B, L, n)
    else:
        U = np.zeros((B * L, n))
        U[:T] = u2
        U = U.reshape(B, L, n)

    # End states from each block's own input, then chained across blocks:
    # X_b = M^L X_(b-1) + E_b, written out for upper-triangular M^L.
    with np.errstate(over="ignore", invalid="ignore"):
        E = np.matmul(K[:, L - 1, :L], U) * weight  # (B, 2, n)
        ML = P[L]
        H = _first_order(ML[1, 1], E[:, 1])
        H_prev = np.vstack([np.zeros((1, n)), H[:-1]])
        G = _first_order(ML[0, 0], E[:, 0] + ML[0, 1] * H_prev)

    g = np.empty((B, L, n))
    h = np.empty((B, L, n)) if want_h else None
    # Work through the blocks a cache-sized chunk at a time: each chunk's input
    # and incoming states are gathered into one small buffer V, then both
    # outputs come from one matrix product each, written straight into place.
    chunk = max(1, _CHUNK_ELEMENTS // ((L + 2) * n))
    V = np.empty((min(chunk, B), L + 2, n))
    for start in range(0, B, chunk):
        stop = min(start + chunk, B)
        buf = V[: stop - start]
        np.multiply(U[start:stop], weight, out=buf[:, :L])
        if start == 0:
            buf[0, L:] = 0.0
            buf[1:, L] = G[: stop - 1]
            buf[1:, L + 1] = H[: stop - 1]
        else:
            buf[:, L] = G[start - 1 : stop - 1]
            buf[:, L + 1] = H[start - 1 : stop - 1]
        # an unstable integrator overflows here; simulate() checks and explains
        with np.errstate(over="ignore", invalid="ignore"):
            np.matmul(K[0], buf, out=g[start:stop])
            if want_h:
                np.matmul(K[1], buf, out=h[start:stop])
    g = g.reshape(B * L, n)[:T].reshape(u.shape)
    if want_h:
        h = h.reshape(B * L, n)[:T].reshape(u.shape)
    return g, h
