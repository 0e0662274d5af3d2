"""Numerical core of :mod:`alphakit.diagnose`: best lag and scale over all lags at once.

For a lag ``L`` the least-squares scale is ``<y, b_L> / <b_L, b_L>`` (``b_L``:
the convolution delayed by ``L`` steps) and the squared residual is
``|y|^2 - <y, b_L>^2 / <b_L, b_L>``. Every numerator is one FFT
cross-correlation, every denominator one reversed cumulative sum, so all lags
cost O(T log T) together; the chosen lag's scale is then recomputed with plain
dot products, so that exact factors come back exact to rounding.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .convolution import convolve_spike_times, convolve_spikes


class Fit(NamedTuple):
    """Per column: lag, scale, relative residual; and the fitted trace (T, n)."""

    lag: np.ndarray
    scale: np.ndarray
    residual: np.ndarray
    fitted: np.ndarray


def convolve(spikes, T: int, dt: float, tau: float, norm: str, mode: str, n_y: int) -> np.ndarray:
    """The convolution shaped (T, n_y); ``mode`` says how trains map to recorded columns."""
    if isinstance(spikes, list):  # spike times, convolved exactly off the grid
        base = np.stack([convolve_spike_times(t, dt, T * dt, tau, norm) for t in spikes], axis=1)
    else:
        base = convolve_spikes(spikes, dt, tau, norm, method="exact").reshape(T, -1)
    if mode == "sum":
        return base.sum(axis=1, keepdims=True)
    if mode == "broadcast":
        return np.repeat(base, n_y, axis=1)
    return base


def _lag_tables(y: np.ndarray, b: np.ndarray, max_lag: int, shared: bool):
    """<y, b_L> and <b_L, b_L> for L = 0..max_lag: shape (max_lag + 1, n), or (max_lag + 1, 1)."""
    from scipy import fft

    T = y.shape[0]
    nfft = fft.next_fast_len(T + max_lag + 1, real=True)
    # Time contiguous in memory: the FFTs run along the last axis.
    spec = fft.rfft(y.T, nfft) * np.conj(fft.rfft(b.T, nfft))
    if shared:  # the sum over columns commutes with the inverse transform
        spec = spec.sum(axis=0, keepdims=True)
    # irfft(Y conj(B))[L] = sum_m y[m] b[m - L]; nfft > T + max_lag, so nothing wraps.
    num = fft.irfft(spec, nfft)[:, : max_lag + 1].T
    den = np.cumsum(b * b, axis=0)[T - 1 - np.arange(max_lag + 1)]
    if shared:
        den = den.sum(axis=1, keepdims=True)
    return num, den


def _shift_columns(b: np.ndarray, lags: np.ndarray) -> np.ndarray:
    out = np.zeros_like(b)
    for lag in np.unique(lags):
        cols = lags == lag
        out[lag:, cols] = b[: b.shape[0] - lag, cols]
    return out


def fit(y: np.ndarray, b: np.ndarray, max_lag: int, shared: bool = True) -> Fit:
    """Best lag and scale, one pair for all columns (``shared``) or one per column."""
    num, den = _lag_tables(y, b, max_lag, shared)
    with np.errstate(divide="ignore", invalid="ignore"):
        explained = np.where(den > 0, num * num / np.where(den > 0, den, 1.0), -np.inf)
    best = np.argmax(explained, axis=0)  # the first of equals: the smallest lag
    lags = np.broadcast_to(best, (y.shape[1],)) if shared else best
    bl = _shift_columns(b, lags)
    bb, yb = np.sum(bl * bl, axis=0), np.sum(y * bl, axis=0)
    if shared:
        bb, yb = np.full_like(bb, bb.sum()), np.full_like(yb, yb.sum())
    if np.any(bb == 0.0):
        raise ValueError(
            "the spikes produce no response within the recording: either they all fall in the "
            "last step (the alpha kernel is 0 at lag 0) or tau is so much smaller than dt "
            "that the sampled kernel underflows to 0; there is nothing to fit"
        )
    scale = yb / bb
    fitted = scale * bl
    err, norm = np.sum((y - fitted) ** 2, axis=0), np.sum(y * y, axis=0)
    if shared:
        err, norm = np.full_like(err, err.sum()), np.full_like(norm, norm.sum())
    return Fit(np.asarray(lags, dtype=np.int64), scale, np.sqrt(err / norm), fitted)


def fit_tau(y, spikes, T: int, dt: float, tau: float, norm: str, mode: str, max_lag: int):
    """tau minimising the residual with the best lag and scale (1-D search on log tau)."""
    from scipy.optimize import minimize_scalar

    def resid(log_tau: float) -> float:
        b = convolve(spikes, T, dt, math.exp(log_tau), norm, mode, y.shape[1])
        try:
            return float(fit(y, b, max_lag).residual[0])
        except ValueError:
            return math.inf

    # A coarse log grid first (the residual is not unimodal far from the optimum),
    # then Brent's method between the grid neighbours of the best point.
    lo, hi = math.log(max(tau / 30.0, dt / 20.0)), math.log(max(tau * 30.0, dt))
    grid = np.linspace(lo, hi, 29)
    values = np.array([resid(x) for x in grid])
    i = int(np.argmin(values))
    a, c = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    res = minimize_scalar(resid, bounds=(a, c), method="bounded", options={"xatol": 1e-9})
    return float(math.exp(res.x if res.fun <= values[i] else grid[i]))
