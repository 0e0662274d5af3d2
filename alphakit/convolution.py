"""The response of a synapse to a spike train, by convolution.

``convolve_spikes`` computes ``g[n] = sum_m weight * s[m] * k((n - m) dt)``
three ways. The sampled alpha kernel ``k(j dt) = c x j r^j`` (``r = e^(-dt/tau)``,
``x = dt/tau``) has the z-transform ``c x r z^-1 / (1 - r z^-1)^2``: it *is* a
second-order linear recurrence, so ``method="exact"`` runs that recurrence
(an IIR filter) and gets the full, untruncated convolution in O(T). So do the
other kinds (``kind=``): the sampled exponential ``c r^j`` is a first-order
recurrence, the sampled dual exponential a second-order one with two poles
``e^(-dt/tau)`` and ``e^(-dt/tau_rise)``: each is the "exact" step matrix of
:mod:`alphakit.ode`. ``"fft"`` and ``"direct"`` compute the same sum by brute
force and serve as independent checks.

Since the alpha and dual-exponential kernels are 0 at lag 0, a spike at step
``m`` first shows at step ``m + 1``; the exponential kernel jumps at lag 0, so
its spike shows at step ``m`` (see the timing convention in :mod:`alphakit.ode`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from . import _validation as v
from ._engine import RecurrenceOverflow, propagate, propagate_h
from ._kernel_math import (
    KERNEL_NORMS,
    alpha,
    dual_factor,
    exp_factor,
    exp_step,
    kernel,
    kind_step,
    norm_factor,
    step,
)
from ._types import ConvolutionMethod, Kind, Norm, SpikeTimesMethod
from .kernels import NORMS
from .spikes import n_steps

__all__ = ["CONVOLUTION_METHODS", "convolve_spike_times", "convolve_spikes"]

CONVOLUTION_METHODS: tuple[ConvolutionMethod, ...] = ("exact", "fft", "direct")
_SPIKE_TIMES_METHODS: tuple[SpikeTimesMethod, ...] = ("exact", "direct")

# method="direct" adds one kernel sample per step after every spike; beyond
# this many it would run for minutes, while "exact" gives the same in O(T).
_DIRECT_MAX_SAMPLES = 1e10


def _direct_fits(samples: float, what: str) -> None:
    if samples > _DIRECT_MAX_SAMPLES:
        raise ValueError(
            f"method='direct' would sum {samples:.3g} kernel samples ({what}), far more "
            f"than the {_DIRECT_MAX_SAMPLES:.0e} it is meant for as a check: use "
            "method='exact' (O(T), the same result to rounding)"
        )


def convolve_spikes(
    spikes: ArrayLike,
    dt: float,
    tau: float,
    *,
    kind: Kind = "alpha",
    tau_rise: float | None = None,
    norm: Norm = "plain",
    weight: ArrayLike = 1.0,
    method: ConvolutionMethod = "exact",
    allow_fractional: bool = False,
    dtype: DTypeLike = np.float64,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Convolve spike counts on a grid with a sampled kernel (alpha by default).

    Computes ``g[n] = sum_{m <= n} weight * spikes[m] * k((n - m) dt)`` where
    ``k`` is ``alpha_kernel(., tau, norm=norm)``, ``exp_kernel(., tau, norm=norm)``
    or ``dual_exp_kernel(., tau_rise, tau, norm=norm)``, with no truncation of
    the kernel.

    Parameters
    ----------
    spikes : array_like
        Non-negative spike counts, shape ``(T,)`` or ``(T, n)`` (time on axis 0).
    dt : float
        Time step (ms), finite and > 0.
    tau : float
        Synaptic time constant (ms), finite and > 0; the decay time constant for
        ``kind="dual_exp"``.
    kind : {"alpha", "exp", "dual_exp"}
        Kernel shape (see :mod:`alphakit.kernels`).
    tau_rise : float, optional
        Rise time constant (ms), > 0: required for ``kind="dual_exp"``, refused
        for the others.
    norm : str
        Kernel normalisation, one of ``KERNEL_NORMS[kind]`` (see
        :mod:`alphakit.kernels`).
    weight : float or array_like
        Scalar, or one weight per train (shape ``(n,)``) for 2-D ``spikes``.
    method : {"exact", "fft", "direct"}
        ``"exact"``: the kernel's own second-order recurrence, O(T), exact up to
        rounding (run by the same engine as :func:`alphakit.ode.simulate`: numba
        when installed, else ``scipy.signal.lfilter``). ``"fft"``:
        :func:`scipy.signal.fftconvolve` with the kernel sampled over the whole
        grid. ``"direct"``: the sum over spikes, one shifted kernel per non-empty
        step. All three agree to ~1e-12 of the peak. ``"direct"`` refuses
        work beyond 1e10 kernel samples (use ``"exact"``).
    allow_fractional : bool
        Accept counts that are not whole numbers (a grid of weighted spikes).
        By default they raise ValueError: non-integer "counts" are most often
        spike times, which belong to :func:`alphakit.times_to_grid` or
        :func:`convolve_spike_times`.
    dtype : {numpy.float64, numpy.float32}
        Precision of the input and of ``g``. ``"exact"`` carries its state in
        float64 and rounds each stored value once; ``"fft"`` and ``"direct"``
        compute in float64 and round the result.
    out : ndarray, optional
        Preallocated output, as in numpy: the shape of ``spikes``, exactly
        ``dtype``, C- or F-contiguous, writeable, sharing no memory with
        ``spikes``. Filled in place and returned; the values are the same bits
        as without ``out``. If the call raises, its contents are unspecified.

    Returns
    -------
    numpy.ndarray
        ``g``, of ``dtype``, with the shape of ``spikes`` (``out`` if given).

    See Also
    --------
    alphakit.ode.simulate : the same response from the synapse's ODE; with
        ``form="fixed", method="exact"`` it equals this function with no lag.
    convolve_spike_times : spike times off the grid.

    Warns
    -----
    AlphakitWarning
        When ``spikes`` is 2-D with fewer steps than trains (time is axis 0;
        pass ``spikes.T``), or ``tau < dt / 10`` (tau in seconds?).

    Examples
    --------
    >>> import numpy as np
    >>> from alphakit import alpha_kernel
    >>> s = np.zeros(6); s[1] = 1
    >>> g = convolve_spikes(s, dt=1.0, tau=2.0)
    >>> np.allclose(g, alpha_kernel(np.arange(6) - 1.0, 2.0))
    True
    >>> from alphakit import exp_kernel
    >>> g = convolve_spikes(s, dt=1.0, tau=2.0, kind="exp", norm="area")
    >>> np.allclose(g, exp_kernel(np.arange(6) - 1.0, 2.0, norm="area"))
    True
    """
    dtype = v.float_dtype("dtype", dtype)
    # the exact method's engine screens the values in its pass over them
    s = v.spike_array("spikes", spikes, dtype, values=False)
    dt = v.positive_scalar("dt", dt)
    tau = v.positive_scalar("tau", tau)
    kind, tau_rise = v.kernel_kind(kind, tau_rise, KERNEL_NORMS)
    norm = v.kernel_norm(norm, kind, KERNEL_NORMS[kind])
    method = v.choice("method", method, CONVOLUTION_METHODS)
    w = v.weight_array("weight", weight, s.shape[1] if s.ndim == 2 else None)
    screen = v.spike_screen("spikes", v.flag("allow_fractional", allow_fractional))
    if method != "exact":
        screen(s)
    v.tau_vs_dt(dt, tau)
    buffers = v.output_buffers(out, ("g",), s.shape, dtype, inputs=(s, spikes))
    if method == "exact":
        # the "fixed" ODE's g is the kind's "plain" kernel; c scales it to norm
        c = _exact_factor(kind, norm, tau, tau_rise)
        try:
            if kind == "exp":
                target = None if buffers is None else buffers[0]
                a = exp_step("exact", dt, tau)
                return propagate_h(s, a, c * w, out=target, screen=screen)
            M = kind_step(kind, "exact", "fixed", dt, tau, tau_rise)
            target2 = None if buffers is None else (buffers[0], None)
            return propagate(
                s, M, weight=c * w, want_h=False, out=target2, fused=True, screen=screen
            )[0]
        except RecurrenceOverflow:
            raise _overflow(norm, dtype) from None
    with np.errstate(over="ignore", invalid="ignore"):  # reported by _finite
        u = s.astype(np.float64, copy=False) * w
        sampled = kernel(kind, np.arange(s.shape[0]) * dt, tau, tau_rise, norm)
        if method == "fft":
            from scipy.signal import fftconvolve

            k = sampled if u.ndim == 1 else sampled[:, None]
            g = fftconvolve(u, k, axes=0)[: s.shape[0]]
        else:
            g = _direct(u, sampled)
        g = g.astype(dtype, copy=False)
    g = _finite(g, norm)
    if buffers is None:
        return g
    np.copyto(buffers[0], g)
    return buffers[0]


def _exact_factor(kind: str, norm: str, tau: float, tau_rise: float | None) -> float:
    if kind == "alpha":
        return norm_factor(norm, tau)
    if kind == "exp":
        return exp_factor(norm, tau)
    assert tau_rise is not None
    c = dual_factor(norm, tau_rise, tau)
    if not np.isfinite(c):
        raise ValueError(
            f"tau_rise={tau_rise!r}, tau={tau!r} are out of range for norm {norm!r}: its "
            "normalisation factor overflows float64"
        )
    return c


def _overflow(norm: str, dtype: DTypeLike = np.float64) -> ValueError:
    return ValueError(
        f"g overflowed {np.dtype(dtype).name}: weight x spike counts x the {norm!r} kernel's "
        "peak is too large"
    )


def _finite(g: np.ndarray, norm: str) -> np.ndarray:
    """``g``, unless it holds inf or NaN (the methods that sum whole arrays check here)."""
    if not np.all(np.isfinite(g)):
        raise _overflow(norm, g.dtype)
    return g


def _direct(u: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    T = u.shape[0]
    u2 = u.reshape(T, -1)
    rows, cols = np.nonzero(u2)
    _direct_fits(float(np.sum(T - rows)), f"{rows.size} non-empty steps on a grid of {T}")
    out = np.zeros_like(u2)
    for m, j in zip(rows, cols, strict=True):
        out[m:, j] += u2[m, j] * kernel[: T - m]
    return out.reshape(u.shape)


def convolve_spike_times(
    times: ArrayLike,
    dt: float,
    tau: float,
    *,
    duration: float,
    norm: Norm = "plain",
    weight: float = 1.0,
    method: SpikeTimesMethod = "exact",
) -> np.ndarray:
    """The alpha response to spike times off the grid, sampled at ``t_n = n dt``.

    Evaluates ``g(t_n) = sum_s weight * k(t_n - t_s)`` exactly for arbitrary
    spike times ``t_s`` (not rounded to the grid).

    A spike at ``t_s`` with ``m = ceil(t_s/dt)`` and ``d = m dt - t_s`` adds
    ``k(j dt + d) = c e^(-d/tau) (d/tau r^j + x j r^j)`` at step ``m + j``: a
    first-order and a second-order recurrence, so ``"exact"`` stays O(T + S).
    ``"direct"`` sums the kernel over all spikes, O(T S), as a check.

    Parameters
    ----------
    times : array_like
        Spike times (ms) in ``[0, duration)``, one train.
    dt : float
        Sampling step (ms).
    tau : float
        Time constant (ms).
    duration : float
        Length of the output (ms).
    norm : {"plain", "peak", "area", "legacy"}
        Kernel normalisation.
    weight : float
        Weight of every spike.
    method : {"exact", "direct"}
        ``"direct"`` refuses more than 1e10 kernel samples (steps x spikes).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_steps(duration, dt),)``.

    Examples
    --------
    >>> import numpy as np
    >>> from alphakit import alpha_kernel
    >>> g = convolve_spike_times([0.25], 0.5, 1.0, duration=2.0)
    >>> np.allclose(g, alpha_kernel(np.arange(4) * 0.5 - 0.25, 1.0))
    True
    """
    dt = v.positive_scalar("dt", dt)
    duration = v.positive_scalar("duration", duration)
    tau = v.positive_scalar("tau", tau)
    norm = v.choice("norm", norm, NORMS)
    method = v.choice("method", method, _SPIKE_TIMES_METHODS)
    weight = v.finite_scalar("weight", weight)
    ts = v.real_array("times", times, ndim=(0, 1)).ravel()
    if np.any(ts < 0) or np.any(ts >= duration):
        raise ValueError(f"times must lie in [0, duration) = [0, {duration})")
    v.tau_vs_dt(dt, tau)
    T = n_steps(duration, dt)
    # "direct" evaluates a (T, spikes) table; "exact" a few arrays of length T
    shape = (T, ts.size) if method == "direct" else (4, T)
    v.grid_fits(shape, f"method {method!r}", "check duration and dt (both in ms)")
    if method == "direct":
        _direct_fits(float(T) * ts.size, f"{T} steps x {ts.size} spikes")
    c = norm_factor(norm, tau)
    t_grid = np.arange(T) * dt
    if method == "direct":
        with np.errstate(over="ignore", invalid="ignore"):  # reported by _finite
            g = weight * alpha(t_grid[:, None] - ts[None, :], tau, c).sum(axis=1)
        return _finite(g, norm)
    # First grid point at or after each spike (k(0) = 0, so a spike exactly on
    # the grid may be given to its own step); decided on the grid times
    # themselves so that d = t_m - t_s >= 0 holds in floating point.
    m = np.ceil(ts / dt)
    m = np.where((m - 1) * dt >= ts, m - 1, m).astype(np.int64)
    keep = m < T
    m, d = m[keep], m[keep] * dt - ts[keep]
    decay = np.exp(-d / tau)
    first = np.bincount(m, weights=decay * d / tau, minlength=T)
    second = np.bincount(m, weights=decay, minlength=T)
    # first: d/tau r^j is h's response; second: x j r^j is g's (see _kernel_math.step)
    M = step("exact", "fixed", dt, tau)
    try:
        g_first = propagate(first, M, weight=weight * c)[1]
        g_second = propagate(second, M, weight=weight * c, want_h=False, fused=True)[0]
    except RecurrenceOverflow:
        raise _overflow(norm) from None
    with np.errstate(over="ignore"):
        return _finite(g_first + g_second, norm)  # both parts fit; their sum may not
