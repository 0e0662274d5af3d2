"""Fit kind, time constants and a continuous onset to a recorded response.

Private helper of :mod:`alphakit.diagnosis`. For a given kind the recording is
linear in the weight, so the scale has a closed form (``<y, b> / <b, b>``, with
``b`` the response of the spikes to the kind's "plain" kernel) and only the
shape parameters are searched: the onset ``delta`` (ms, any real number from
``-lead`` steps on) and the time constants.

The response with onset ``delta = (L + f) dt`` (``L`` whole, ``0 <= f < 1``) is
``c_f[n - L]``, where ``c_f`` convolves the spikes with the kernel sampled at
``(j - f) dt``; it is computed once per fraction ``f`` on ``T + lead`` samples
(an FFT convolution for counts on the grid, an exact sum over spikes for spike
times), and every whole step ``L`` is then one shift. All whole steps are
scanned at once (an FFT cross-correlation for the numerators, a cumulative sum
for the denominators); the fraction is refined by bounded Brent minimisation in
the steps on either side of the best whole one. The alpha and dual-exponential
kernels start at 0, so their response is continuous in ``delta``; the
exponential kernel jumps at its onset, so within a step a fractional onset only
multiplies the samples by ``e^(f dt / tau)``: it cannot be told from the scale,
and the exponential's onset is fitted in whole steps.

Unknown time constants are searched on a log grid (whole-step onsets only, which
is cheap), then refined with the onset by Nelder-Mead on ``(delta/dt, log tau[,
log tau_rise])``.
"""

from __future__ import annotations

import math
from typing import NamedTuple, cast

import numpy as np

from . import _validation as v
from ._kernel_math import kernel
from ._types import Kind
from .convolution import convolve_spikes

#: An onset within this many steps of a whole step counts as that whole step.
WHOLE_STEP_TOL = 1e-3

#: How many times smaller an off-grid onset must make the residual than the best whole step.
ONSET_GAIN = 2.0

#: Kinds in order of preference: fewer time constants first.
KIND_ORDER = ("exp", "alpha", "dual_exp")


class ShapeFit(NamedTuple):
    """One fit: the kind and its time constants, onset (ms), scale, residual, fitted trace."""

    kind: str
    tau: float
    tau_rise: float | None
    onset: float
    lag: int | None
    scale: float
    residual: float
    fitted: np.ndarray


class Problem:
    """A recording ``y`` (T, n) and its spikes; ``mode`` maps trains to columns."""

    def __init__(
        self,
        y: np.ndarray,
        spikes: np.ndarray | list[np.ndarray],
        dt: float,
        mode: str,
        lead: int,
        max_lag: int,
    ) -> None:
        self.y = y
        self.T, self.n = y.shape
        self.dt = dt
        self.mode = mode
        self.lead = lead
        self.max_lag = max_lag
        self.yy = float(np.sum(y * y))
        if isinstance(spikes, list):
            self.times: list[np.ndarray] | None = spikes
            self.counts = None
        else:
            self.times = None
            self.counts = spikes.reshape(self.T, -1)

    # ------------------------------------------------------------ responses

    def base(self, kind: str, tau: float, tau_rise: float | None, frac: float) -> np.ndarray:
        """``c_f`` on ``T + lead`` samples, shaped (T + lead, n)."""
        from scipy.signal import fftconvolve

        N = self.T + self.lead
        dt = self.dt
        with v.internal(), np.errstate(all="ignore"):
            if self.times is not None:
                cols = []
                for ts in self.times:
                    # one row per sample, summed over the spikes in chunks
                    acc = np.zeros(N)
                    grid = (np.arange(N) - frac) * dt
                    for k in range(0, ts.size, 256):
                        part = ts[k : k + 256]
                        at = grid[:, None] - part[None, :]
                        acc += kernel(kind, at, tau, tau_rise, "plain").sum(axis=1)
                    cols.append(acc)
                base = np.stack(cols, axis=1)
            else:
                assert self.counts is not None
                s = np.zeros((N, self.counts.shape[1]))
                s[: self.T] = self.counts
                found: np.ndarray | None = None
                if frac == 0.0:
                    # on the grid: alphakit's own exact recurrence, as diagnose always used
                    try:
                        found = convolve_spikes(
                            s, dt, tau, kind=cast(Kind, kind), tau_rise=tau_rise,
                            allow_fractional=True,
                        ).reshape(N, -1)
                    except ValueError:
                        found = None
                if found is None:
                    kf = kernel(kind, (np.arange(N) - frac) * dt, tau, tau_rise, "plain")
                    found = fftconvolve(s, kf[:, None], axes=0)[:N]
                base = found
        if not np.all(np.isfinite(base)):
            base = np.nan_to_num(base, nan=0.0, posinf=0.0, neginf=0.0)
        if self.mode == "sum":
            return base.sum(axis=1, keepdims=True)
        if self.mode == "broadcast":
            return np.repeat(base, self.n, axis=1)
        return base

    def shifted(self, c: np.ndarray, lag: int) -> np.ndarray:
        """``b[n] = c[n - lag]`` for the T samples (0 before the onset)."""
        out = np.zeros((self.T, self.n))
        lo = max(0, lag)
        out[lo:] = c[lo - lag : self.T - lag]
        return out

    def response(self, kind: str, tau: float, tau_rise: float | None, onset: float) -> np.ndarray:
        """The response with onset ``onset`` (ms): whole steps plus a fraction."""
        x = onset / self.dt
        lag = math.floor(x)
        frac = x - lag
        if kind == "exp" or frac < 1e-12:
            frac = 0.0
        elif frac > 1.0 - 1e-12:
            lag, frac = lag + 1, 0.0
        return self.shifted(self.base(kind, tau, tau_rise, frac), lag)

    def project(self, b: np.ndarray) -> tuple[float, float]:
        """Least-squares scale and relative residual of ``y ~ scale * b``."""
        bb = float(np.sum(b * b))
        if bb == 0.0 or not math.isfinite(bb):
            return 0.0, 1.0
        scale = float(np.sum(self.y * b)) / bb
        err = float(np.sum((self.y - scale * b) ** 2))
        return scale, math.sqrt(max(err, 0.0) / self.yy)

    # ------------------------------------------------------------ onsets

    def scan(self, c: np.ndarray) -> tuple[int, float]:
        """Best whole-step lag in ``[-lead, max_lag]`` for the base ``c`` and its residual."""
        from scipy import fft

        T, P = self.T, self.lead
        N = T + P
        nfft = fft.next_fast_len(T + N, real=True)
        # num[L] = sum_q y[q + L] c[q]; correlation index L + N - 1 ... computed as
        # irfft(Y conj(C)) with wrap-around for negative L.
        spec = (fft.rfft(self.y.T, nfft) * np.conj(fft.rfft(c.T, nfft))).sum(axis=0)
        corr = fft.irfft(spec, nfft)
        lags = np.arange(-P, self.max_lag + 1)
        num = corr[lags % nfft]
        cc = np.concatenate([[0.0], np.cumsum(np.sum(c * c, axis=1))])
        # den[L] = sum of c[q]^2 over the q that land on a sample: max(0, -L) <= q < T - L
        den = cc[np.clip(T - lags, 0, N)] - cc[np.maximum(-lags, 0)]
        with np.errstate(divide="ignore", invalid="ignore"):
            explained = np.where(den > 0, num * num / np.where(den > 0, den, 1.0), -np.inf)
        i = int(np.argmax(explained))
        if not math.isfinite(explained[i]):
            return int(lags[0]), 1.0
        # Exact ties are real for the exponential kernel (an earlier onset only scales
        # the samples): take the tied lag nearest the spike's own step.
        tied = np.flatnonzero(explained >= explained[i] * (1.0 - 1e-9))
        i = int(tied[np.argmin(np.abs(lags[tied]))])
        resid = math.sqrt(max(self.yy - explained[i], 0.0) / self.yy)
        return int(lags[i]), resid

    def onset_residual(self, kind: str, tau: float, tau_rise: float | None, onset: float) -> float:
        return self.project(self.response(kind, tau, tau_rise, onset))[1]

    def best_onset(
        self, kind: str, tau: float, tau_rise: float | None, continuous: bool
    ) -> tuple[float, float]:
        """Onset (ms) and residual for fixed time constants."""
        from scipy.optimize import minimize_scalar

        lag, _ = self.scan(self.base(kind, tau, tau_rise, 0.0))
        onset = lag * self.dt
        best = (onset, self.onset_residual(kind, tau, tau_rise, onset))
        if not continuous or kind == "exp":
            return best
        for lo in (lag - 1, lag):
            a, b = max(lo, -self.lead), min(lo + 1, self.max_lag)
            if a >= b:
                continue
            res = minimize_scalar(
                lambda x: self.onset_residual(kind, tau, tau_rise, x * self.dt),
                bounds=(a, b),
                method="bounded",
                options={"xatol": 1e-9},
            )
            if res.fun < best[1]:
                best = (float(res.x) * self.dt, float(res.fun))
        return best

    def finish(
        self, kind: str, tau: float, tau_rise: float | None, onset: float, continuous: bool
    ) -> ShapeFit:
        """The fit at these parameters, at the best whole step unless an onset off it is better.

        An onset off the grid is kept only when it divides the best whole step's
        residual by more than :data:`ONSET_GAIN`: a time constant a little off, or an
        integrator's error, moves the best onset by a fraction of a step, but
        removes little of the residual.
        """
        lag, _ = self.scan(self.base(kind, tau, tau_rise, 0.0))
        whole = self.shifted(self.base(kind, tau, tau_rise, 0.0), lag)
        scale, resid = self.project(whole)
        b = whole
        x = onset / self.dt
        if continuous and kind != "exp" and abs(x - round(x)) > WHOLE_STEP_TOL:
            b_off = self.response(kind, tau, tau_rise, onset)
            scale_off, resid_off = self.project(b_off)
            if resid > ONSET_GAIN * resid_off:
                b, scale, resid, lag = b_off, scale_off, resid_off, None  # type: ignore[assignment]
        if not np.any(b):
            raise ValueError(
                "the spikes produce no response within the recording: either they all fall in "
                "the last step or the time constants are so much smaller than dt that the "
                "sampled kernel underflows to 0; there is nothing to fit"
            )
        onset = lag * self.dt if lag is not None else onset
        return ShapeFit(kind, tau, tau_rise, onset, lag, scale, resid, scale * b)

    # ------------------------------------------------------------ time constants

    def fit_taus(
        self,
        kind: str,
        tau: float | None,
        tau_rise: float | None,
        continuous: bool,
        guess: float,
    ) -> ShapeFit:
        """Fit whatever of ``tau``/``tau_rise`` is None (and the onset), then finish."""
        from scipy.optimize import minimize

        free_tau, free_rise = tau is None, kind == "dual_exp" and tau_rise is None
        if not free_tau and not free_rise:
            onset, _ = self.best_onset(kind, tau, tau_rise, continuous)  # type: ignore[arg-type]
            return self.finish(kind, tau, tau_rise, onset, continuous)  # type: ignore[arg-type]
        lo = math.log(max(self.dt / 10.0, guess / 100.0))
        hi = math.log(max(guess * 30.0, self.T * self.dt))
        grid = np.linspace(lo, hi, 33 if kind != "dual_exp" else 17)

        def unpack(p: np.ndarray) -> tuple[float, float | None]:
            i = 0
            t = tau
            if free_tau:
                t, i = math.exp(p[0]), 1
            r = tau_rise
            if free_rise:
                r = math.exp(p[i])
            return float(t), (None if r is None else float(r))  # type: ignore[arg-type]

        # a log grid over the free time constants, whole-step onsets only
        pts: list[np.ndarray]
        if free_tau and free_rise:
            pts = [np.array([a, b]) for a in grid for b in grid if b <= a]
        else:
            pts = [np.array([a]) for a in grid]
        best_p, best_r, best_lag = pts[0], math.inf, 0
        for p in pts:
            t, r = unpack(p)
            lag, resid = self.scan(self.base(kind, t, r, 0.0))
            if resid < best_r:
                best_p, best_r, best_lag = p, resid, lag

        def objective(q: np.ndarray) -> float:
            t, r = unpack(q[1:])
            if not (math.isfinite(t) and (r is None or math.isfinite(r))):
                return math.inf
            onset = q[0] * self.dt
            if not -self.lead <= q[0] <= self.max_lag:
                return math.inf
            if kind == "exp" or not continuous:
                onset = round(q[0]) * self.dt
            return self.onset_residual(kind, t, r, onset)

        start = np.concatenate([[float(best_lag)], best_p])
        steps = np.concatenate([[0.3], np.full(best_p.size, 0.1)])
        simplex = np.vstack([start] + [start + np.diag(steps)[i] for i in range(start.size)])
        res = minimize(
            objective,
            start,
            method="Nelder-Mead",
            options={"initial_simplex": simplex, "xatol": 1e-9, "fatol": 1e-15, "maxiter": 4000},
        )
        q = res.x if res.fun <= objective(start) else start
        t, r = unpack(q[1:])
        if free_rise and r is not None and t is not None and r > t:
            # D is symmetric in its two rates: call the faster one the rise
            if free_tau:
                t, r = r, t
        # the onset for the fitted time constants, with the exact whole-step scan
        onset, _ = self.best_onset(kind, t, r, continuous)
        return self.finish(kind, t, r, onset, continuous)
