"""Every simulator's alpha synapse, side by side; weights converted between them.

:data:`CONVENTIONS` is a table, as data, of how NEST, NESTML, NEURON, PyNN,
GeNN, Brian2, BrainPy (before and after issue 577), Elephant and Nengo define
the response to one spike of weight ``w``: formula, peak value, time to peak,
charge, source, and the alphakit norm it equals. ``print(CONVENTIONS)`` shows it
as plain text; a notebook renders it as HTML.

All of them are ``e^a tau^b * w * t/tau * exp(-t/tau)`` with integers ``a, b``:
the same shape, so a weight in one convention converts to another by a
constant (:func:`convert_weight`), and a measured response names its
convention by that constant (:func:`classify`).

Time constants are in ms. Elephant's kernel is parametrised by its standard
deviation ``sigma``, ``tau = sigma / sqrt(2)``, and Nengo's ``tau`` is in
seconds: :func:`tau_from_parameter` and :func:`parameter_from_tau` do these
mappings explicitly, and everything else takes alphakit's ``tau`` in ms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v
from ._conventions_table import (
    ALPHA_MEDIAN,
    CONVENTIONS,
    NORM_EXPONENTS,
    NORM_SIGNATURES,
    Convention,
    ConventionTable,
    factor_value,
)
from ._display import html_repr, text_repr
from ._fit import describe, fit, fit_tau, fmt
from ._types import Match

__all__ = [
    "ALPHA_MEDIAN",
    "CONVENTIONS",
    "Classification",
    "Convention",
    "ConventionTable",
    "classify",
    "convention_names",
    "convert_weight",
    "parameter_from_tau",
    "tau_from_parameter",
]

MATCHES: tuple[Match, ...] = ("charge", "peak")


def convention_names() -> tuple[str, ...]:
    """Every name :func:`convert_weight` accepts: the table's rows, then alphakit's norms.

    Examples
    --------
    >>> convention_names()[-4:]
    ('plain', 'peak', 'area', 'legacy')
    """
    return CONVENTIONS.names() + tuple(NORM_EXPONENTS)


def _norm_of(name: str, param: str) -> str:
    if isinstance(name, str) and name in NORM_EXPONENTS:
        return name
    return CONVENTIONS[v.choice(param, name, convention_names())].norm


def tau_from_parameter(name: str, value: float) -> float:
    """alphakit's ``tau`` (ms) from a convention's own parameter.

    Parameters
    ----------
    name : str
        A row of :data:`CONVENTIONS`.
    value : float
        That simulator's parameter: ``sigma`` (ms) for Elephant, ``tau`` in
        seconds for Nengo, the time constant in ms for the others.

    Returns
    -------
    float

    Examples
    --------
    >>> round(tau_from_parameter("elephant_alpha_kernel", 2.0**0.5 * 5.0), 12)
    5.0
    >>> tau_from_parameter("nengo_alpha", 0.005)
    5.0
    """
    row = CONVENTIONS[v.choice("name", name, CONVENTIONS.names())]
    return v.positive_scalar("value", value) * row.tau_per_parameter


def parameter_from_tau(name: str, tau: float) -> float:
    """The inverse of :func:`tau_from_parameter`: a convention's own parameter from ``tau``.

    Parameters
    ----------
    name : str
        A row of :data:`CONVENTIONS`.
    tau : float
        alphakit's time constant (ms).

    Returns
    -------
    float
        ``sigma`` (ms) for Elephant, ``tau`` in seconds for Nengo, ``tau`` (ms) otherwise.

    Examples
    --------
    >>> round(parameter_from_tau("elephant_alpha_kernel", 5.0), 6)
    7.071068
    """
    row = CONVENTIONS[v.choice("name", name, CONVENTIONS.names())]
    return v.positive_scalar("tau", tau) / row.tau_per_parameter


def _per_unit(norm: str, tau: float, match: str) -> float:
    """Charge (or peak) of the norm's kernel with unit weight."""
    c = factor_value(*NORM_EXPONENTS[norm], tau)
    # plain: charge tau, peak 1/e
    return c * tau if match == "charge" else c / math.e


def convert_weight(
    weight: ArrayLike,
    tau: float,
    *,
    source: str,
    target: str,
    match: Match = "charge",
    target_tau: float | None = None,
) -> Any:
    """The weight in ``target`` that gives the same charge (or peak) as ``weight`` in ``source``.

    Parameters
    ----------
    weight : float or array_like
        Weight(s) in the source convention (finite).
    tau : float
        alphakit's time constant (ms) of the source kernel; for Elephant pass
        ``tau_from_parameter("elephant_alpha_kernel", sigma)``.
    source, target : str
        Rows of :data:`CONVENTIONS` (e.g. ``"nest_iaf_psc_alpha"``) or alphakit
        norms (``"plain"``, ``"peak"``, ``"area"``, ``"legacy"``).
    match : {"charge", "peak"}
        Keep the integral of the response, or its maximum.
    target_tau : float, optional
        Time constant of the target kernel (ms); default ``tau``. With equal
        time constants both matches give the same weight (every convention is
        the same shape); they differ when the time constant changes.

    Returns
    -------
    float or numpy.ndarray
        Like ``weight``.

    Notes
    -----
    The weight is multiplied by one float factor one way and divided by the
    same float the other way, so a round trip returns ``w`` to within one or
    two units in the last place (bitwise when the factor is 1). Bitwise
    equality both ways is impossible in floating point for factors such as
    ``e`` or ``8.6``: scaling by them is not a bijection of the floats.

    Examples
    --------
    >>> round(convert_weight(1.0, 8.6, source="brainpy_alpha_legacy", target="brainpy_alpha"), 12)
    8.6
    >>> round(convert_weight(1.0, 5.0, source="nest_iaf_psc_alpha", target="plain"), 6)  # e
    2.718282
    """
    tau = v.positive_scalar("tau", tau)
    tau_t = tau if target_tau is None else v.positive_scalar("target_tau", target_tau)
    src = _norm_of(source, "source")
    dst = _norm_of(target, "target")
    match = v.choice("match", match, MATCHES)
    scalar = np.ndim(weight) == 0
    wv = v.finite_scalar("weight", weight) if scalar else v.real_array("weight", weight)
    a, b = (src, tau), (dst, tau_t)
    if a == b:
        return wv
    # One float, computed in a canonical direction, so that s->t and t->s use
    # the same number (multiply one way, divide the other).
    lo, hi = sorted((a, b))
    ratio = _per_unit(*lo, match) / _per_unit(*hi, match)
    return wv * ratio if a == lo else wv / ratio


@dataclass(frozen=True)
class Classification:
    """What :func:`classify` found in a response to one spike.

    Attributes
    ----------
    convention : str or None
        The alphakit norm (``"plain"``, ``"peak"``, ``"area"``, ``"legacy"``) the
        response equals with unit weight, or None.
    matches : tuple of str
        Rows of :data:`CONVENTIONS` with that norm.
    factor : float
        Response divided by ``t/tau e^(-t/tau)`` (least squares).
    factor_label : str or None
        ``factor`` named as ``e^a tau^b``, or None.
    tau : float
        The time constant used (ms): given, or fitted.
    tau_estimated : bool
        True when ``tau`` was fitted.
    lag : int
        Steps between the spike (step 0) and the start of the kernel.
    residual : float
        Relative residual of the fit.
    peak, peak_time, charge : float
        Measured on the samples: maximum, its time after the spike (ms), and
        ``sum * dt``.
    explanation : str
        One paragraph in words.
    """

    convention: str | None
    matches: tuple[str, ...]
    factor: float
    factor_label: str | None
    tau: float
    tau_estimated: bool
    lag: int
    residual: float
    peak: float
    peak_time: float
    charge: float
    explanation: str

    _display_note = "explanation"
    __repr__ = text_repr
    _repr_html_ = html_repr

    def __str__(self) -> str:
        return self.explanation


def classify(
    impulse_response: Any,
    dt: float,
    tau: float | None = None,
    *,
    rtol: float = 0.01,
    shape_rtol: float = 0.05,
) -> Classification:
    """Name the convention of a measured response to one spike of unit weight.

    The response is compared with ``t/tau e^(-t/tau)`` after the spike at step
    0 (an onset lag of a whole number of steps is found; see the timing
    convention in :mod:`alphakit.ode`). Without ``tau``, it is first estimated
    from the samples (charge / peak = ``e tau`` for every convention) and then
    refined by least squares with the best lag and scale. The scale is the convention's
    factor: 1 plain, ``e`` peak, ``1/tau`` area, ``tau`` legacy.

    Parameters
    ----------
    impulse_response : array_like
        Response sampled every ``dt`` from the spike on, shape ``(T,)`` or ``(T, 1)``.
    dt : float
        Sampling step (ms).
    tau : float, optional
        Time constant (ms); fitted when omitted.
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
    >>> c.convention, round(c.tau, 6), c.factor_label
    ('peak', 5.0, 'e')
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
    rtol = v.positive_scalar("rtol", rtol)
    shape_rtol = v.positive_scalar("shape_rtol", shape_rtol)
    for name, value in (("rtol", rtol), ("shape_rtol", shape_rtol)):
        if value >= 1:
            raise ValueError(f"{name} must be a relative tolerance below 1, got {value}")
    spike = np.zeros(T)
    spike[0] = 1.0
    i_peak = int(np.argmax(np.abs(y[:, 0])))
    peak, charge = float(y[i_peak, 0]), float(y.sum() * dt)
    max_lag = max(min(i_peak, T - 1), 0)
    estimated = tau is None
    if estimated:
        guess = charge / (math.e * peak) if charge / peak > 0 else max(i_peak, 1) * dt
        tau = fit_tau(y, spike, T, dt, guess, "plain", "pair", max_lag)
    else:
        tau = v.positive_scalar("tau", tau)
    from .convolution import convolve_spikes

    with v.internal():  # a fitted tau may lie below dt/10: no unit warning for it
        b = convolve_spikes(spike, dt, tau)
    f = fit(y, b.reshape(T, 1), max_lag)
    d = describe(f.lag[0], f.scale[0], f.residual[0], dt, tau, "plain", rtol, shape_rtol)
    out = dict(
        convention=d["convention"],
        matches=d["matches"],
        factor=d["scale"],
        factor_label=d["factor"],
        tau=tau,
        tau_estimated=estimated,
        lag=d["lag"],
        residual=d["residual"],
        peak=peak,
        peak_time=(i_peak - d["lag"]) * dt,
        charge=charge,
    )
    return Classification(explanation=_classify_text(out, d["shape_matches"], dt), **out)


def _classify_text(c: dict, shape_ok: bool, dt: float) -> str:
    how = "fitted" if c["tau_estimated"] else "given"
    lag = "" if c["lag"] == 0 else f", starting {c['lag']} step(s) ({fmt(c['lag'] * dt)} ms) late"
    text = (
        f"The response peaks at {fmt(c['peak'])} about {fmt(c['peak_time'])} ms after "
        f"the kernel starts{lag}, with charge {fmt(c['charge'])}; tau = {fmt(c['tau'])} ms "
        f"({how}). It is {fmt(c['factor'])} x t/tau e^(-t/tau) (relative residual "
        f"{c['residual']:.2g})"
    )
    if not shape_ok:
        return text + ": the shape is not an alpha function, so no convention applies."
    if c["factor_label"] is None:
        return text + ": that factor is none of the conventions' (is the weight 1?)."
    if c["convention"] is None:
        return text + f"; {c['factor_label']} is no convention's factor with unit weight."
    return (
        text + f"; {c['factor_label']} is the {c['convention']!r} convention, "
        f"{NORM_SIGNATURES[c['convention']]}: {', '.join(c['matches'])}."
    )
