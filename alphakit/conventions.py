"""Every simulator's alpha synapse, side by side; weights converted between them.

:data:`CONVENTIONS` is a table, as data, of how NEST, NESTML, NEURON, PyNN,
GeNN, Brian2, BrainPy (before and after issue 577), Elephant and Nengo define
the response to one spike of weight ``w``: formula, peak value, time to peak,
charge, source, and the alphakit norm it equals. ``print(CONVENTIONS)`` shows it
as plain text; a notebook renders it as HTML.

All of them are ``e^a tau^b * w * t/tau * exp(-t/tau)`` with integers ``a, b``:
the same shape, so a weight in one convention converts to another by a
constant (:func:`convert_weight`), and a measured response names its
convention by that constant (:func:`alphakit.diagnosis.classify`).

Time constants are in ms. Elephant's kernel is parametrised by its standard
deviation ``sigma``, ``tau = sigma / sqrt(2)``, and Nengo's ``tau`` is in
seconds: :func:`tau_from_parameter` and :func:`parameter_from_tau` do these
mappings explicitly, and everything else takes alphakit's ``tau`` in ms.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v
from ._conventions_table import (
    ALPHA_MEDIAN,
    CONVENTIONS,
    NORM_EXPONENTS,
    Convention,
    ConventionTable,
    factor_value,
)
from ._types import Match

__all__ = [
    "ALPHA_MEDIAN",
    "CONVENTIONS",
    "Convention",
    "ConventionTable",
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
