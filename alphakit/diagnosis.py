"""Explain a recorded synaptic trace: which kind, which onset, which factor, which convention.

The person who filed BrainPy issue 577 had a recorded conductance, the spike
train that drove it and a kernel, and had to find the factor ``tau`` by hand.
:func:`diagnose` does it in one call: it finds the onset and the
least-squares scale that map :func:`alphakit.convolve_spikes` onto the
recording, names the factor (``tau``, ``e``, ``e*tau``, ``1/tau``,
``1/(e*tau)``, their inverses, ...), says which convention and simulator it
points to, and says plainly when no scale can explain the recording (then it
fits ``tau`` too). :func:`classify` does the same for a response to one spike.

Both know the three kinds of :mod:`alphakit.kernels` (alpha, exponential, dual
exponential): given, or recognised (``kind=None``), with their time constants
given or fitted (``tau=None``, ``tau_rise=None``).

How it works: for a given kind and time constants the recording is linear in
the weight, so the best scale is a ratio of dot products, ``<y, b> / <b, b>``
with ``b`` the convolution started at the onset, and only the shape is searched.
Every whole-step onset at once costs one FFT cross-correlation and one
cumulative sum; the onset is then refined to a fraction of a step by bounded
Brent minimisation of the residual, and unknown time constants by a log grid
and Nelder-Mead (see ``alphakit/_shape_fit.py``).

Onsets
------
``lag_ms`` is the onset of the kernel after the spike, in ms, continuous: a
whole number of steps, a fraction of one, or negative (the kernel started
before the sample of its spike, e.g. a response sampled from ``t = dt``).
``lag`` is that onset in whole steps when it is one, else None. An onset off
the grid is reported only when it divides the best whole step's residual by
more than two: a time constant slightly off, or an integrator's error (Euler's
kernel decays a little faster), moves the best onset by a fraction of a step
without explaining the recording better. The exponential kernel jumps at its
onset, so on a grid a fraction of a step only multiplies every sample by
``e^(f dt/tau)``: for that kind the onset is fitted in whole steps and a
fraction shows as a scale.

Kinds
-----
With ``kind=None`` every kind is fitted, and the first of ``"exp"``,
``"alpha"``, ``"dual_exp"`` (fewest time constants first) whose relative
residual is within ``KIND_TOL`` (0.001) of the best kind's is reported: the dual
exponential contains the other two as limits (``tau_rise -> tau_decay`` and
``tau_rise -> 0``), so it always fits at least as well. ``tau`` is the decay
time constant of every kind (``tau_decay`` is the same number); ``tau_rise`` is
the rise time constant of the dual exponential (the smaller of the two), None
for the other kinds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _kind_names as kn
from . import _validation as v
from ._conventions_table import NORM_SIGNATURES, matching_factors
from ._diagnosis_input import check_kind as _check_kind
from ._diagnosis_input import columns as _columns
from ._diagnosis_input import max_lag as _max_lag
from ._diagnosis_input import recording as _recording
from ._diagnosis_input import spike_input as _spike_input
from ._diagnosis_input import tolerances as _tolerances
from ._display import html_repr, text_repr
from ._fit import describe
from ._shape_fit import KIND_ORDER, Problem, ShapeFit
from ._types import Kind, Norm

__all__ = ["KIND_TOL", "Classification", "Diagnosis", "classify", "diagnose", "recognise_factor"]

#: How much larger (in relative residual) a kind with fewer time constants may fit
#: than the best kind and still be the one reported (``kind=None``).
KIND_TOL = 1e-3

Onset = Literal["continuous", "step"]
ONSETS: tuple[Onset, ...] = ("continuous", "step")


@dataclass(frozen=True)
class Diagnosis:
    """What :func:`diagnose` found.

    Attributes
    ----------
    kind : str
        ``"alpha"``, ``"exp"`` or ``"dual_exp"``: given, or recognised.
    lag : int or None
        The onset in whole steps (negative: before the spike's own step), or None
        when it lies off the grid; see the timing convention in :mod:`alphakit.ode`
        for the lag of each simulator.
    lag_ms : float
        The onset of the kernel after the spike (ms): ``lag * dt``, or the
        fractional onset.
    scale : float
        Least-squares factor: ``recorded ~= scale * convolution started at lag_ms``.
    residual : float
        Relative residual ``|recorded - fit| / |recorded|`` (2-norm over all samples).
    tau : float
        The (decay) time constant of the convolution (ms), given or fitted;
        :attr:`tau_decay` is the same number.
    tau_rise : float or None
        The rise time constant of ``"dual_exp"`` (ms), None for the other kinds.
    norm : str
        The norm of the convolution the scale is relative to.
    factor : str or None
        The scale named (``"tau"``, ``"1/(e*tau)"``, ``"-e"``, ``"1/tau_decay"``...),
        or None when no such factor is within ``rtol``.
    convention : str or None
        The alphakit norm of this kind that the recording follows with unit weight, or None.
    matches : tuple of str
        Rows of :data:`alphakit.conventions.CONVENTIONS` of this kind with that norm.
    shape_matches : bool
        True when ``residual <= shape_rtol``: a scale and an onset explain the recording.
    refit : Diagnosis or None
        When the shape does not match with the given time constants: the
        diagnosis at the best-fitting ones.
    fitted : numpy.ndarray
        ``scale`` times the convolution, shaped like the recording.
    explanation : str
        One paragraph in words.
    """

    kind: str
    lag: int | None
    lag_ms: float
    scale: float
    residual: float
    tau: float
    tau_rise: float | None
    norm: str
    factor: str | None
    convention: str | None
    matches: tuple[str, ...]
    shape_matches: bool
    refit: Diagnosis | None
    fitted: NDArray[np.float64]
    explanation: str

    _display_note = "explanation"
    __repr__ = text_repr
    _repr_html_ = html_repr

    @property
    def tau_decay(self) -> float:
        """The decay time constant (ms): :attr:`tau`, for every kind."""
        return self.tau

    @property
    def tau_estimate(self) -> float | None:
        """The best-fitting ``tau`` (ms) when the shape did not match, else None."""
        return None if self.refit is None else self.refit.tau

    def __str__(self) -> str:
        return self.explanation


# ---------------------------------------------------------------- naming the factor


def recognise_factor(
    scale: float, tau: float, *, rtol: float = 0.01
) -> tuple[tuple[int, int] | None, list[tuple[int, int]]]:
    """The ``(a, b)`` with ``|scale| ~= e^a tau^b`` within ``rtol``, and all that fit.

    Candidates are the ratios between any two of the four norms: 1, ``e``,
    ``tau``, ``e*tau``, ``e/tau``, ``tau^2`` and their inverses. The first
    returned is the simplest that fits; several fit when ``tau`` is near 1 or
    ``e`` (then the factor alone cannot tell the conventions apart).

    Parameters
    ----------
    scale : float
        The factor to name (its sign is ignored here).
    tau : float
        Time constant (ms).
    rtol : float
        Relative tolerance.

    Returns
    -------
    best : tuple of int or None
        ``(a, b)`` of the simplest fitting ``e^a tau^b``.
    fits : list of tuple of int
        Every fitting ``(a, b)``, simplest first.

    Examples
    --------
    >>> recognise_factor(8.6, tau=8.6)
    ((0, 1), [(0, 1)])
    >>> recognise_factor(0.0428, tau=8.6)[0]  # 1/(e tau)
    (-1, -1)
    """
    fits = matching_factors(scale, tau, rtol)
    return (fits[0] if fits else None), fits


# ---------------------------------------------------------------- naming what was fitted


def _make(
    f: ShapeFit, dt: float, norm: str, rtol: float, shape_rtol: float, shape: tuple[int, ...],
    refit: Diagnosis | None = None,
) -> Diagnosis:  # fmt: skip
    if norm != "plain":  # the fit is relative to the kind's "plain" kernel
        ratio = kn.norm_ratio(f.kind, norm, "plain", f.tau, f.tau_rise)
        if ratio == 0.0 or not math.isfinite(ratio):
            raise ValueError(
                f"norm {norm!r} of the {f.kind!r} kernel is identically zero or out of range "
                f"at the fitted time constants: measure the scale against another norm"
            )
        f = f._replace(scale=f.scale / ratio)
    fields = kn.describe_fit(f, dt, norm, rtol, shape_rtol, refit)
    return Diagnosis(refit=refit, fitted=f.fitted.reshape(shape), **fields)


def _fit_kind(
    prob: Problem,
    kind: str | None,
    tau: float | None,
    tau_rise: float | None,
    continuous: bool,
    guess: float,
) -> ShapeFit:
    """The fit of ``kind``, or of the simplest kind within :data:`KIND_TOL` of the best."""
    kinds = (kind,) if kind is not None else KIND_ORDER
    fits = [
        prob.fit_taus(k, tau, tau_rise if k == "dual_exp" else None, continuous, guess)
        for k in kinds
    ]
    best = min(f.residual for f in fits)
    return next(f for f in fits if f.residual <= best + KIND_TOL)


def diagnose(
    recorded: ArrayLike,
    spikes: Any,
    dt: float,
    tau: float | None = None,
    *,
    kind: Kind | None = "alpha",
    tau_rise: float | None = None,
    norm: Norm = "plain",
    max_lag: int | None = None,
    per_column: bool = False,
    times: bool = False,
    allow_fractional: bool = False,
    onset: Onset = "continuous",
    rtol: float = 0.01,
    shape_rtol: float = 0.05,
) -> Diagnosis | tuple[Diagnosis, ...]:
    """Find the onset and scale that map alphakit's convolution onto a recorded trace.

    Parameters
    ----------
    recorded : array_like
        The recorded response (e.g. BrainPy's ``g``), float32 or float64, shape
        ``(T,)`` or ``(T, n)`` with time on axis 0; finite.
    spikes : array_like, scipy.sparse matrix, or spike times
        Spike counts on the same grid, shape ``(T,)`` or ``(T, n)`` (bool is
        fine), or a sparse ``(T, n)`` matrix. With ``times=True``: spike times
        (ms) of one train, or a sequence of trains, convolved exactly off the
        grid. ``n`` trains and ``n`` recorded columns pair up; one train drives
        every recorded column; one recorded column is taken as the sum of all
        trains (equal weights).
    dt : float
        Step (ms).
    tau : float, optional
        The kernel's (decay) time constant (ms); fitted when None.
    kind : {"alpha", "exp", "dual_exp"} or None
        The kernel's shape; None: recognise it (see the module docstring).
    tau_rise : float, optional
        Rise time constant of ``"dual_exp"`` (ms); fitted when None.
    norm : str
        The norm of the kernel the scale is measured against, one of
        ``KERNEL_NORMS[kind]``; with ``kind=None`` one every kind has
        (``"plain"``, ``"peak"``, ``"area"``).
    max_lag : int, optional
        Latest onset tried, in steps, ``0 <= max_lag < T`` (the earliest is one
        step before the spike). Default ``min(T - 1, max(50, ceil(4 tau / dt)))``,
        ``min(T - 1, max(50, T // 4))`` when ``tau`` is fitted.
    per_column : bool
        False (default): one onset and one scale for all columns together.
        True: each column on its own; returns one :class:`Diagnosis` per column.
    times : bool
        ``spikes`` holds spike times (ms) instead of counts.
    allow_fractional : bool
        Accept a grid of counts that are not whole numbers (weighted spikes);
        by default they raise ValueError, since they are most often spike
        times (pass those with ``times=True``).
    onset : {"continuous", "step"}
        Fit the onset to a fraction of a step (default), or in whole steps only.
    rtol : float
        Relative tolerance for naming the scale (``tau``, ``e``, ...).
    shape_rtol : float
        Largest relative residual for which the shape counts as matching;
        above it, when the time constants were given, they are fitted too (see
        :attr:`Diagnosis.refit`).

    Returns
    -------
    Diagnosis or tuple of Diagnosis
        ``str(result)`` is the explanation.

    Raises
    ------
    ValueError
        Lengths that differ, no spikes at all, NaN or inf, a recording that is
        zero everywhere, ``max_lag`` negative or ``>= T``, a norm the kind does
        not have, ``tau_rise`` for a kind with one time constant.

    Examples
    --------
    >>> import numpy as np
    >>> import alphakit as ak
    >>> s = np.zeros(1000); s[100] = 1
    >>> g = np.zeros(1000)
    >>> g[1:] = 8.6 * ak.convolve_spikes(s, 0.1, 8.6)[:-1]  # as BrainPy 2.4.6 records it
    >>> d = ak.diagnose(g, s, 0.1, 8.6)
    >>> d.lag, round(d.scale, 6), d.factor, d.convention
    (1, 8.6, 'tau', 'legacy')

    Half a step late, kind and time constants unknown:

    >>> y = ak.convolve_spike_times([10.05], 0.1, 5.0, duration=100.0, norm="area")
    >>> s = np.zeros(1000); s[100] = 1
    >>> d = ak.diagnose(y, s, 0.1, kind=None)
    >>> d.kind, d.lag, round(d.lag_ms, 6), round(d.tau, 6), d.convention
    ('alpha', None, 0.05, 5.0, 'area')
    """
    y = _recording(recorded)
    T = y.shape[0]
    dt = v.positive_scalar("dt", dt)
    tau = None if tau is None else v.positive_scalar("tau", tau)
    kind, tau_rise, norm = _check_kind(kind, tau_rise, norm)
    rtol, shape_rtol = _tolerances(rtol, shape_rtol)
    per_column = v.flag("per_column", per_column)
    times = v.flag("times", times)
    allow_fractional = v.flag("allow_fractional", allow_fractional)
    continuous = v.choice("onset", onset, ONSETS) == "continuous"
    if tau is not None:
        v.tau_vs_dt(dt, tau)
    if tau_rise is not None:
        v.tau_vs_dt(dt, tau_rise, "tau_rise")
    max_lag = _max_lag(max_lag, T, dt, tau)
    s = _spike_input(spikes, T, times, allow_fractional)
    n_s = len(s) if isinstance(s, list) else (None if s.ndim == 1 else s.shape[1])
    if isinstance(s, list) and len(s) == 1:
        n_s = None
    y2, mode = _columns(y, n_s)
    if not np.any(y2):
        raise ValueError(
            "recorded is zero everywhere although spikes were given: the spikes never "
            "reached the synapse (check the connection), so there is nothing to diagnose"
        )
    if per_column and not np.all(np.any(y2, axis=0)):
        j = int(np.flatnonzero(~np.any(y2, axis=0))[0])
        raise ValueError(f"recorded column {j} is zero everywhere: nothing to diagnose")
    args = (kind, tau, tau_rise, continuous, dt, norm, rtol, shape_rtol)
    lead = 1 if continuous else 0  # whole steps: from the spike's own step on, as always
    if not per_column:
        return _diagnose_one(Problem(y2, s, dt, mode, lead, max_lag), y.shape, *args)
    out = []
    for j in range(y2.shape[1]):
        if mode != "pair":
            sj, mj = s, ("broadcast" if mode == "broadcast" else mode)
        else:
            sj = s[j : j + 1] if isinstance(s, list) else s.reshape(T, -1)[:, j]
            mj = "pair"
        prob = Problem(y2[:, j : j + 1], sj, dt, mj, lead, max_lag)
        out.append(_diagnose_one(prob, (T,), *args))
    return tuple(out)


def _diagnose_one(
    prob: Problem,
    shape: tuple[int, ...],
    kind: str | None,
    tau: float | None,
    tau_rise: float | None,
    continuous: bool,
    dt: float,
    norm: str,
    rtol: float,
    shape_rtol: float,
) -> Diagnosis:
    guess = tau if tau is not None else prob.T * dt / 16.0
    f = _fit_kind(prob, kind, tau, tau_rise, continuous, guess)
    given = kind is not None and tau is not None and (kind != "dual_exp" or tau_rise is not None)
    refit = None
    if given and f.residual > shape_rtol:
        g = prob.fit_taus(f.kind, None, None, continuous, guess)
        refit = _make(g, dt, norm, rtol, shape_rtol, shape)
    return _make(f, dt, norm, rtol, shape_rtol, shape, refit)




# ---------------------------------------------------------------- one spike


@dataclass(frozen=True)
class Classification:
    """What :func:`classify` found in a response to one spike.

    Attributes
    ----------
    kind : str
        ``"alpha"``, ``"exp"`` or ``"dual_exp"``: given, or recognised.
    convention : str or None
        The alphakit norm of that kind (``"plain"``, ``"peak"``, ``"area"``,
        ``"legacy"``...) the response equals with unit weight, or None.
    matches : tuple of str
        Rows of :data:`alphakit.conventions.CONVENTIONS` of this kind with that norm.
    factor : float
        Response divided by the kind's "plain" kernel (least squares):
        ``t/tau e^(-t/tau)``, ``e^(-t/tau)`` or ``D(t)/tau_rise``.
    factor_label : str or None
        ``factor`` named (``e^a tau^b`` for alpha and exp, the norm's constant
        for dual_exp), or None.
    tau : float
        The (decay) time constant used (ms): given, or fitted (:attr:`tau_decay`
        is the same number).
    tau_rise : float or None
        Rise time constant of ``"dual_exp"`` (ms), None for the other kinds.
    tau_estimated : bool
        True when a time constant was fitted.
    lag : int or None
        The onset in whole steps after the spike (step 0), negative when the
        kernel started before the first sample; None when it lies off the grid.
    lag_ms : float
        The onset (ms), continuous.
    residual : float
        Relative residual of the fit.
    peak, peak_time, charge : float
        Measured on the samples: maximum, its time after the onset (ms), and
        ``sum * dt``.
    explanation : str
        One paragraph in words.
    """

    kind: str
    convention: str | None
    matches: tuple[str, ...]
    factor: float
    factor_label: str | None
    tau: float
    tau_rise: float | None
    tau_estimated: bool
    lag: int | None
    lag_ms: float
    residual: float
    peak: float
    peak_time: float
    charge: float
    explanation: str

    _display_note = "explanation"
    __repr__ = text_repr
    _repr_html_ = html_repr

    @property
    def tau_decay(self) -> float:
        """The decay time constant (ms): :attr:`tau`, for every kind."""
        return self.tau

    def __str__(self) -> str:
        return self.explanation


def classify(
    impulse_response: Any,
    dt: float,
    tau: float | None = None,
    *,
    kind: Kind | None = None,
    tau_rise: float | None = None,
    rtol: float = 0.01,
    shape_rtol: float = 0.05,
) -> Classification:
    """Name the kind and convention of a measured response to one spike of unit weight.

    The spike is at step 0. The response is compared with the kind's "plain"
    kernel (``t/tau e^(-t/tau)``, ``e^(-t/tau)``, or ``D(t)/tau_rise`` of
    :func:`alphakit.dual_exp_kernel`) started at a continuous onset, which may
    lie before the first sample (a response sampled from ``t = dt``) or after it
    (see the timing convention in :mod:`alphakit.ode`). Without ``kind`` every
    kind is fitted and the simplest that fits is kept; time constants not given
    are fitted (see :mod:`alphakit.diagnosis`). The scale is the convention's
    factor: for alpha 1 plain, ``e`` peak, ``1/tau`` area, ``tau`` legacy.

    Parameters
    ----------
    impulse_response : array_like
        Response sampled every ``dt`` from the spike on, shape ``(T,)`` or ``(T, 1)``.
    dt : float
        Sampling step (ms).
    tau : float, optional
        (Decay) time constant (ms); fitted when omitted.
    kind : {"alpha", "exp", "dual_exp"}, optional
        The kernel's shape; recognised when omitted.
    tau_rise : float, optional
        Rise time constant of ``"dual_exp"`` (ms); fitted when omitted.
    rtol, shape_rtol : float
        Tolerances for naming the factor and for accepting the shape (as in
        :func:`alphakit.diagnose`).

    Returns
    -------
    Classification

    Examples
    --------
    >>> import numpy as np
    >>> import alphakit as ak
    >>> t = np.arange(500) * 0.1
    >>> c = classify(ak.alpha_kernel(t, 5.0, norm="peak"), dt=0.1)
    >>> c.kind, c.convention, round(c.tau, 6), c.factor_label
    ('alpha', 'peak', 5.0, 'e')

    Sampled from ``t = dt``, with no sample at the onset:

    >>> c = classify(ak.alpha_kernel(t + 0.1, 5.0, norm="area"), dt=0.1)
    >>> c.convention, c.lag, round(c.lag_ms, 9)
    ('area', -1, -0.1)
    >>> c = classify(ak.dual_exp_kernel(t, 1.0, 5.0, norm="peak"), dt=0.1)
    >>> c.kind, round(c.tau_rise, 6), round(c.tau_decay, 6), c.convention
    ('dual_exp', 1.0, 5.0, 'peak')
    """
    y = v.real_array("impulse_response", impulse_response, ndim=(1, 2))
    if y.ndim == 2 and y.shape[1] != 1:
        raise ValueError(f"impulse_response must be one trace, (T,) or (T, 1); got {y.shape}")
    y = y.reshape(-1, 1)
    T = y.shape[0]
    if T < 3:
        raise ValueError(f"impulse_response needs at least 3 samples, got {T}")
    if not np.any(y):
        raise ValueError("impulse_response is zero everywhere: there is no response to classify")
    dt = v.positive_scalar("dt", dt)
    tau = None if tau is None else v.positive_scalar("tau", tau)
    kind, tau_rise, _ = _check_kind(kind, tau_rise, "plain")
    rtol, shape_rtol = _tolerances(rtol, shape_rtol)
    spike = np.zeros(T)
    spike[0] = 1.0
    i_peak = int(np.argmax(np.abs(y[:, 0])))
    peak, charge = float(y[i_peak, 0]), float(y.sum() * dt)
    # onsets from one step before the first sample (more when the peak is later) to the peak
    prob = Problem(y, spike, dt, "pair", i_peak + 1, max(min(i_peak, T - 1), 0))
    guess = charge / (math.e * peak) if charge / peak > 0 else max(i_peak, 1) * dt
    f = _fit_kind(prob, kind, tau, tau_rise, True, guess)
    estimated = tau is None or (f.kind == "dual_exp" and tau_rise is None)
    shape_ok = f.residual <= shape_rtol
    if f.kind == "alpha":
        d = describe(0, f.scale, f.residual, dt, f.tau, "plain", rtol, shape_rtol)
        label, conv = d["factor"], d["convention"]
        sig = NORM_SIGNATURES.get(conv or "", "")
    else:
        label, conv, _fits = kn.name_scale(f.kind, f.scale, f.tau, f.tau_rise, "plain", rtol)
        conv = conv if shape_ok else None
        sig = kn.KIND_NORM_SIGNATURES.get((f.kind, conv or ""), "")
    out = dict(
        kind=f.kind,
        convention=conv,
        matches=kn.rows(f.kind, (conv,)) if conv else (),
        factor=f.scale,
        factor_label=label,
        tau=f.tau,
        tau_rise=f.tau_rise,
        tau_estimated=estimated,
        lag=f.lag,
        lag_ms=f.onset,
        residual=f.residual,
        peak=peak,
        peak_time=i_peak * dt - f.onset,
        charge=charge,
    )
    return Classification(explanation=kn.classify_text(out, shape_ok, sig, dt), **out)
