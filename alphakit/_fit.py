"""Fit a lagged, scaled alpha response to a recording, and name what the fit found.

Shared by :mod:`alphakit.diagnosis` and :mod:`alphakit.conventions`.

For a lag ``L`` the least-squares scale is ``<y, b_L> / <b_L, b_L>`` (``b_L``:
the convolution delayed by ``L`` steps) and the squared residual is
``|y|^2 - <y, b_L>^2 / <b_L, b_L>``. Every numerator is one FFT
cross-correlation, every denominator one reversed cumulative sum, so all lags
cost O(T log T) together; the chosen lag's scale is then recomputed with plain
dot products, so that exact factors come back exact to rounding.

:func:`describe` then names the scale as a factor ``e^a tau^b`` between
conventions and explains the fit in words.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from . import _validation as v
from ._conventions_table import (
    CONVENTIONS,
    NORM_EXPONENTS,
    NORM_SIGNATURES,
    factor_label,
    matching_factors,
)
from ._types import Norm
from .convolution import convolve_spike_times, convolve_spikes

# Said of any recording, so it names no simulator as the source: most deliver a spike in
# the step after it (see the timing convention in alphakit.ode and conventions.TIMINGS).
ONE_STEP_LAG = (
    "A one-step lag means the spike was delivered in the step after its own, as "
    "BrainPy's projections and most simulators' connections deliver it "
    "(alphakit.conventions.TIMINGS gives each simulator's timing)."
)


class Fit(NamedTuple):
    """Per column: lag, scale, relative residual; and the fitted trace (T, n)."""

    lag: np.ndarray
    scale: np.ndarray
    residual: np.ndarray
    fitted: np.ndarray


def convolve(
    spikes: np.ndarray | list[np.ndarray],
    T: int,
    dt: float,
    tau: float,
    norm: Norm,
    mode: str,
    n_y: int,
) -> np.ndarray:
    """The convolution shaped (T, n_y); ``mode`` says how trains map to recorded columns."""
    # The callers validated the spikes; the tau search goes below dt on purpose,
    # so the public functions' unit warnings are off here.
    with v.internal():
        if isinstance(spikes, list):  # spike times, convolved exactly off the grid
            base = np.stack(
                [convolve_spike_times(t, dt, tau, duration=T * dt, norm=norm) for t in spikes],
                axis=1,
            )
        else:
            base = convolve_spikes(spikes, dt, tau, norm=norm, allow_fractional=True)
            base = base.reshape(T, -1)
    if mode == "sum":
        return base.sum(axis=1, keepdims=True)
    if mode == "broadcast":
        return np.repeat(base, n_y, axis=1)
    return base


def _lag_tables(
    y: np.ndarray, b: np.ndarray, max_lag: int, shared: bool
) -> tuple[np.ndarray, np.ndarray]:
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


def fit_tau(
    y: np.ndarray,
    spikes: np.ndarray | list[np.ndarray],
    T: int,
    dt: float,
    tau: float,
    norm: Norm,
    mode: str,
    max_lag: int,
) -> float:
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


# ---------------------------------------------------------------- naming the fit


def fmt(x: float) -> str:
    """A number as the explanations print it."""
    return f"{x:.3f}" if 0.01 <= abs(x) < 1e4 else f"{x:.4g}"


def _named(ab: tuple[int, int], scale: float) -> str:
    return ("-" if scale < 0 else "") + factor_label(*ab)


def _norm_of(ab: tuple[int, int], norm: str) -> str | None:
    a0, b0 = NORM_EXPONENTS[norm]
    total = (ab[0] + a0, ab[1] + b0)
    return next((n for n, e in NORM_EXPONENTS.items() if e == total), None)


def _lag_words(lag: int, dt: float) -> str:
    if lag == 0:
        return "with no lag"
    steps = "one step" if lag == 1 else f"{lag} steps"
    return f"{steps} ({fmt(lag * dt)} ms) late"


def _explain(d: dict, dt: float, fits: list[tuple[int, int]]) -> str:
    scale, tau, norm, lag = d["scale"], d["tau"], d["norm"], d["lag"]
    parts = [
        f"The recording is {fmt(scale)} x the convolution with the {norm!r} alpha kernel "
        f"(tau = {fmt(tau)} ms), {_lag_words(lag, dt)}; relative residual {d['residual']:.2g}."
    ]
    if not d["shape_matches"]:
        parts.append(
            f"The shape does not match: a residual of {d['residual']:.2g} remains that no "
            "scale or lag can remove, so the scale says nothing about the convention."
        )
        return " ".join(parts)
    if d["factor"] is None:
        parts.append(
            f"{fmt(scale)} is none of the factors between conventions (1, e, tau, e*tau, "
            f"e/tau, tau^2 and inverses, at tau = {fmt(tau)}) within the tolerance: "
            "the weight itself is probably not 1."
        )
    else:
        head = f"{fmt(scale)} is {d['factor']}" + (" (no factor)" if fits[0] == (0, 0) else "")
        if len(fits) > 1:
            others = ", ".join(_named(ab, scale) for ab in fits[1:])
            head += f" (at this tau it is also {others}: the factor alone cannot decide)"
        conv = d["convention"]
        if conv is None:
            parts.append(
                f"{head}; with unit weight no convention gives it (the weight may carry "
                "part of the factor)."
            )
        else:
            sig = NORM_SIGNATURES[conv]
            verb = "the same convention as the kernel" if conv == norm else f"the {conv!r} norm"
            parts.append(f"{head}, the signature of {sig}: the recording follows {verb}.")
    if lag == 1:
        parts.append(ONE_STEP_LAG)
    return " ".join(parts)


def describe(
    lag: float,
    scale: float,
    residual: float,
    dt: float,
    tau: float,
    norm: Norm,
    rtol: float,
    shape_rtol: float,
    refit: Any = None,
) -> dict[str, Any]:
    """The fields of a :class:`alphakit.diagnosis.Diagnosis` but ``fitted`` and ``refit``.

    ``refit`` (a Diagnosis at the best-fitting tau, or None) is explained too.
    """
    lag, scale, residual = int(lag), float(scale), float(residual)
    fits = matching_factors(scale, tau, rtol)
    ab = fits[0] if fits else None
    shape_ok = residual <= shape_rtol
    # a factor only names a convention when the shape is the alpha shape
    conv = None if ab is None or scale < 0 or not shape_ok else _norm_of(ab, norm)
    d = dict(
        lag=lag,
        lag_ms=lag * dt,
        scale=scale,
        residual=residual,
        tau=tau,
        norm=norm,
        factor=None if ab is None else _named(ab, scale),
        convention=conv,
        matches=tuple(r.name for r in CONVENTIONS if r.norm == conv and r.kind == "alpha"),
        shape_matches=shape_ok,
    )
    text = _explain(d, dt, fits)
    if refit is not None:
        text += (
            f" Fitting tau as well: the best tau is {fmt(refit.tau)} ms (residual "
            f"{refit.residual:.2g}). " + refit.explanation
        )
        if not refit.shape_matches:
            text += " Even so it is not an alpha response of the given spikes."
    d["explanation"] = text
    return d
