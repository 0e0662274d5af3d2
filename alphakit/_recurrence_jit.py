"""The recurrence engine compiled by numba: one pass over the data.

Same contract as :func:`alphakit._recurrence.propagate`; the scipy engine there
stays the reference that the tests hold this one to. numba is optional
(``pip install "alphakit[fast]"``); this module imports it, so it is only
imported once a recurrence actually runs.

The recurrence is x[k] = M x[k-1] + (0, w u[k]) with M = [[a0, b], [0, a1]]:
two multiply-adds per synapse and step. For one synapse the dependent chain
through the state sets the pace, and a plain scalar loop over the input, with
no temporaries, runs at it (lfilter needs one pass per output through a
general-order filter). For many synapses memory sets it, so the data is walked
once in its own layout: with time on axis 0 in C order the inner loop runs
across the synapses of one time step (contiguous, vectorised); in F order,
down each synapse's own column.

One thread: at 1000 synapses x 10^5 steps a second thread made it slower on the
shared 2-core machines this was measured on (0.30-0.35 s against 0.17-0.22 s,
load average 3), and a CPU count is no guide on a Binder pod whose quota is
one CPU. The kernels release the GIL, so callers may run several at once.
Each synapse's state is carried in float64, in time order; only the stored
outputs are rounded to the input's precision.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _scan(u, a0, a1, b, w, g, h, want_h):  # pragma: no cover - compiled
    gk = 0.0
    hk = 0.0
    for k in range(u.shape[0]):
        gk = a0 * gk + b * hk  # g feels the h of the previous step
        hk = a1 * hk + w * u[k]
        g[k] = gk
        if want_h:
            h[k] = hk


# fused multiply-adds (contract) only: no reassociation, so the steps are the same
# sums as the scalar loop's, each rounded once instead of twice
@numba.njit(cache=True, nogil=True, fastmath={"contract"})
def _scan_rows(u, a0, a1, b, w, g, h, want_h):  # pragma: no cover - compiled
    """Time step by time step, all synapses at once: for rows that are contiguous."""
    m = u.shape[1]
    gk = np.zeros(m)
    hk = np.zeros(m)
    for k in range(u.shape[0]):
        # row views keep the inner loop free of 2-D index arithmetic, so it vectorises
        uk = u[k]
        gr = g[k]
        for j in range(m):
            gj = a0 * gk[j] + b * hk[j]
            hk[j] = a1 * hk[j] + w[j] * uk[j]
            gk[j] = gj
            gr[j] = gj
        if want_h:
            hr = h[k]
            for j in range(m):
                hr[j] = hk[j]


@numba.njit(cache=True, nogil=True)
def _scan_columns(u, a0, a1, b, w, g, h, want_h):  # pragma: no cover - compiled
    """One synapse after the other, each through all its time steps: for F order."""
    for j in range(u.shape[1]):
        gk = 0.0
        hk = 0.0
        wj = w[j]
        for k in range(u.shape[0]):
            gk = a0 * gk + b * hk
            hk = a1 * hk + wj * u[k, j]
            g[k, j] = gk
            if want_h:
                h[k, j] = hk


def propagate(
    u: np.ndarray, M: np.ndarray, weight: float | np.ndarray, want_h: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """(g, h) of the recurrence driven by ``weight * u``, as the scipy engine's."""
    a0, a1, b = float(M[0, 0]), float(M[1, 1]), float(M[0, 1])
    if not (u.flags.c_contiguous or u.flags.f_contiguous):
        u = np.ascontiguousarray(u)  # a strided view: one copy beats strided passes
    order = "F" if u.ndim == 2 and not u.flags.c_contiguous else "C"
    g = np.empty(u.shape, dtype=u.dtype, order=order)
    # Without h the kernels still need an array of the right type; they never touch it.
    h = np.empty(u.shape if want_h else (1,) * u.ndim, dtype=u.dtype, order=order)
    if u.ndim == 1:
        _scan(u, a0, a1, b, float(weight), g, h, want_h)
        return g, (h if want_h else None)

    n = u.shape[1]
    w = np.ascontiguousarray(np.broadcast_to(np.asarray(weight, dtype=np.float64), (n,)))
    kernel = _scan_rows if order == "C" else _scan_columns
    kernel(u, a0, a1, b, w, g, h, want_h)
    return g, (h if want_h else None)


def warm_up() -> None:
    """Compile every kernel for float64 and float32 input, or load it from numba's cache.

    ``binder/postBuild`` runs this (``python -m alphakit._recurrence_jit``) so that
    the compiled code ships in the image and no reader waits for the compiler.
    """
    M = np.array([[0.5, 0.25], [0.0, 0.5]])
    for dtype in (np.float64, np.float32):
        u = np.ones((3, 2), dtype=dtype)
        for x in (np.ascontiguousarray(u[:, 0]), u, np.asfortranarray(u)):
            propagate(x, M, 1.0, want_h=True)


if __name__ == "__main__":
    import time

    start = time.perf_counter()
    warm_up()
    print(f"alphakit: numba kernels ready in {time.perf_counter() - start:.1f} s")
