"""The one linear-recurrence engine behind ``convolve_spikes`` and ``simulate``.

For input u of shape (T,) or (T, n) and a 2x2 one-step matrix M it computes

    x[k] = M x[k-1] + (0, u[k]),   x[-1] = 0,   x = (g, h).

By the z-transform, (I - M z^-1) X = (0, 1) U, so with
det(z) = 1 - tr(M) z^-1 + det(M) z^-2:

    G = M[0, 1] z^-1 / det(z) U,     H = (1 - M[0, 0] z^-1) / det(z) U,

two IIR filters that ``scipy.signal.lfilter`` runs in compiled code, with no
Python loop over time steps and no truncation.

(A blocked closed form made of vectorised cumulative sums was tried and was
3-5x slower than lfilter here: numpy's cumsum along axis 0 is not vectorised
across columns.)
"""

from __future__ import annotations

import numpy as np


def _filter(b: list[float], a: list[float], u: np.ndarray) -> np.ndarray:
    from scipy.signal import lfilter  # deferred: scipy.signal is slow to import

    if u.ndim == 1:
        return lfilter(b, a, u)
    # lfilter walks axis 0 of a C-ordered (T, n) array with a stride, 3-5x
    # slower than on contiguous rows; filter the transposed copy and hand back
    # its transpose (a (T, n) view, Fortran-ordered).
    return lfilter(b, a, np.ascontiguousarray(u.T), axis=-1).T


def propagate(
    u: np.ndarray, M: np.ndarray, want_h: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """(g, h) of the recurrence above; h is None unless ``want_h``."""
    den = [1.0, -float(M[0, 0] + M[1, 1]), float(M[0, 0] * M[1, 1] - M[0, 1] * M[1, 0])]
    if u.ndim == 2:
        u = np.ascontiguousarray(u.T).T  # transpose once, shared by both filters
    g = _filter([0.0, float(M[0, 1])], den, u)
    if not want_h:
        return g, None
    if M[1, 0] == 0.0:  # h does not feel g (every alpha form): a first-order filter
        return g, _filter([1.0], [1.0, -float(M[1, 1])], u)
    return g, _filter([1.0, -float(M[0, 0])], den, u)
