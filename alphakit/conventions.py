"""Every simulator's synapse, side by side; weights and delays converted between them.

:data:`CONVENTIONS` is a table, as data, of how NEST, NESTML, NEURON, PyNN,
GeNN, Brian2, BrainPy (before and after issue 577 and BrainPy PR 847),
Elephant and Nengo define the response to one spike of weight ``w``, for the
alpha, exponential and dual-exponential (beta) synapses: kind, formula, peak
value, time to peak, charge, the unit of ``w``, timing, source, and the
alphakit norm it equals. ``print(CONVENTIONS)`` shows it as plain text; a
notebook renders it as HTML.

Within a kind every convention is the same shape times a constant, so a weight
in one convention converts to another by one factor (:func:`convert_weight`):
the same charge, the same peak, or the same PSP peak of a current-based LIF
membrane (:func:`psp_peak`), with unit prefixes and a driving force between a
conductance and a current. A measured response names its convention by that
constant (:func:`alphakit.diagnosis.classify`).

:data:`TIMINGS` states each simulator's timing conventions with sources:
where an off-grid spike lands, where a delay sits and its minimum, when a
spike first shows in the recorded variable, and the order of a step;
:func:`convert_delay` answers "which delay in B reproduces this delay in A?".

Time constants are in ms. Elephant's kernels are parametrised by their
standard deviation ``sigma`` (``tau = sigma / sqrt(2)`` for the alpha kernel,
``tau = sigma`` for the exponential one), and Nengo's ``tau`` is in seconds:
:func:`tau_from_parameter` and :func:`parameter_from_tau` do these mappings
explicitly, and everything else takes alphakit's ``tau`` in ms.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v
from ._conventions_table import (
    ALPHA_MEDIAN,
    CONVENTIONS,
    NORM_EXPONENTS,
    UNITS,
    Convention,
    ConventionTable,
)
from ._conventions_timing import TIMINGS, SimulatorTiming, convert_delay
from ._kernel_math import KERNEL_NORMS, KINDS
from ._psp import psp_peak_unit
from ._types import Match

__all__ = [
    "ALPHA_MEDIAN",
    "CONVENTIONS",
    "MATCHES",
    "TIMINGS",
    "UNITS",
    "Convention",
    "ConventionTable",
    "SimulatorTiming",
    "convention_names",
    "convert_delay",
    "convert_weight",
    "parameter_from_tau",
    "psp_peak",
    "tau_from_parameter",
]

#: What :func:`convert_weight` can keep equal.
MATCHES: tuple[Match, ...] = ("charge", "peak", "psp")


class _Side(NamedTuple):
    name: str
    kind: str
    norm: str
    units: str


def convention_names() -> tuple[str, ...]:
    """Every name :func:`convert_weight` accepts.

    The table's rows; then ``"<kind>:<norm>"`` for alphakit's exponential and
    dual-exponential kernels (``"exp:area"``, ``"dual_exp:peak"``, ...); then
    alphakit's alpha norms by themselves. A row carries the unit of its weight;
    the alphakit names are unitless (``"1"``).

    Examples
    --------
    >>> convention_names()[-4:]
    ('plain', 'peak', 'area', 'legacy')
    >>> "exp:area" in convention_names()
    True
    """
    kinds = tuple(f"{k}:{n}" for k in KINDS if k != "alpha" for n in KERNEL_NORMS[k])
    return CONVENTIONS.names() + kinds + tuple(NORM_EXPONENTS)


def _side(name: Any, param: str) -> _Side:
    name = v.choice(param, name, convention_names())
    if name in NORM_EXPONENTS:
        return _Side(name, "alpha", name, "1")
    if ":" in name:
        kind, norm = name.split(":")
        return _Side(name, kind, norm, "1")
    row = CONVENTIONS[name]
    return _Side(name, row.kind, row.norm, row.units)


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
    >>> tau_from_parameter("elephant_exponential_kernel", 5.0)
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


def _optional_positive(name: str, value: Any) -> float | None:
    return None if value is None else v.positive_scalar(name, value)


def _rise(side: _Side, given: float | None, param: str, role: str) -> float | None:
    if side.kind != "dual_exp":
        return None
    if given is None:
        raise ValueError(f"{param} is required: the {role} {side.name!r} is a dual exponential")
    return given


def _with_units(side: _Side, units: Any, param: str) -> _Side:
    if units is None:
        return side
    units = v.choice(param, units, tuple(UNITS))
    own = UNITS[side.units][0]
    if own is not None and UNITS[units][0] != own:
        other = UNITS[units][0]
        raise ValueError(f"{param}={units!r}: {side.name!r} takes a {own}, not a {other}")
    return side._replace(units=units)


def _per_unit(
    side: _Side, tau: float, rise: float | None, match: str, tau_m: float | None
) -> float:
    """Charge, peak or PSP peak of the side's kernel with unit weight."""
    if match == "psp":
        assert tau_m is not None
        with np.errstate(all="ignore"):
            return psp_peak_unit(side.kind, side.norm, tau, rise, tau_m)[1]
    from .kernels import kernel_properties

    p = kernel_properties(tau, norm=side.norm, kind=side.kind, tau_rise=rise)  # type: ignore[arg-type]
    return p.charge if match == "charge" else p.peak


def _unit_factor(src: str, dst: str, driving_force: float | None) -> float:
    """Weight in ``dst`` units per weight in ``src`` units (driving force in mV)."""
    (qs, es), (qt, et) = UNITS[src], UNITS[dst]
    if qs is None or qt is None:
        return 1.0
    exponent = es - et
    if qs == qt:
        return 10.0**exponent
    assert driving_force is not None
    # I = g * V: siemens times volts (mV = 1e-3 V) is amperes
    if qs == "conductance":
        return 10.0 ** (exponent - 3) * driving_force
    return 10.0 ** (exponent + 3) / driving_force


def convert_weight(
    weight: ArrayLike,
    source: str,
    target: str,
    *,
    tau: float,
    tau_rise: float | None = None,
    match: Match = "charge",
    target_tau: float | None = None,
    target_tau_rise: float | None = None,
    driving_force: float | None = None,
    tau_m: float | None = None,
    source_units: str | None = None,
    target_units: str | None = None,
) -> Any:
    """The weight in ``target`` with the same charge, peak or PSP peak as ``weight`` in ``source``.

    Any two conventions convert, across kinds (an alpha synapse to an
    exponential one keeps the charge, the peak or the PSP it is asked to keep),
    units (pA/nA, nS/uS, and conductance to current at ``driving_force``) and
    time constants.

    Parameters
    ----------
    weight : float or array_like
        Weight(s) in the source convention and its unit (finite).
    source, target : str
        Rows of :data:`CONVENTIONS` (``"nest_iaf_psc_exp"``, ...), alphakit's
        kernels as ``"<kind>:<norm>"`` (``"exp:area"``, ``"dual_exp:peak"``) or
        its alpha norms (``"plain"``, ``"peak"``, ``"area"``, ``"legacy"``):
        :func:`convention_names`.
    tau : float
        alphakit's time constant (ms) of the source kernel, the decay for a
        dual exponential; for Elephant pass ``tau_from_parameter(row, sigma)``.
    tau_rise : float, optional
        Rise time constant (ms) of a dual-exponential source; also the
        target's default. Refused when neither side is a dual exponential.
    match : {"charge", "peak", "psp"}
        Keep the integral of the response, its maximum, or the peak of the PSP
        it drives in a current-based LIF membrane with time constant ``tau_m``
        (the membrane's capacitance cancels; :func:`psp_peak` gives the PSP).
    target_tau, target_tau_rise : float, optional
        The target's time constants (ms); default ``tau`` and ``tau_rise``.
        With the same kind and time constants all matches give the same weight
        (the same shape); they differ across kinds or time constants.
    driving_force : float, optional
        ``E_rev - V`` (mV) at which a conductance (nS, uS) is a current
        (pA, nA): required between a conductance and a current row, refused
        otherwise. nS x mV = pA.
    tau_m : float, optional
        Membrane time constant (ms), required for ``match="psp"`` only.
    source_units, target_units : {"pA", "nA", "nS", "uS", "1"}, optional
        The unit of a side's weight where the row leaves it to the user
        (``"1"``: Brian2, BrainPy, GeNN, ...), or another prefix of the row's
        own quantity. Default: the row's :attr:`~Convention.units`.

    Returns
    -------
    float or numpy.ndarray
        Like ``weight``.

    Notes
    -----
    Unit prefixes are converted between rows that carry them (NEST pA/nS,
    PyNN nA/uS, NEURON uS); a unitless name (``"1"``: Brian2, BrainPy, GeNN,
    Elephant, Nengo, alphakit's kernels) takes the weight in the other side's
    unit. The weight is multiplied by one float factor one way and divided by
    the same float the other way, so a round trip returns ``w`` to within one or
    two units in the last place (bitwise when the factor is 1).

    Examples
    --------
    >>> round(convert_weight(1.0, "brainpy_alpha_legacy", "brainpy_alpha", tau=8.6), 12)
    8.6
    >>> round(convert_weight(1.0, "nest_iaf_psc_alpha", "plain", tau=5.0), 6)  # e
    2.718282
    >>> convert_weight(2.0, "nest_iaf_psc_exp", "elephant_exponential_kernel", tau=5.0)
    10.0
    >>> convert_weight(3.0, "nest_iaf_cond_beta", "brainpy_dualexpon", tau=5.0,
    ...                tau_rise=1.0, match="peak")
    3.0
    >>> convert_weight(2.0, "nest_iaf_cond_exp", "nest_iaf_psc_exp", tau=5.0,
    ...                driving_force=-70.0)  # 2 nS at E - V = -70 mV
    -140.0
    >>> round(convert_weight(0.8, "brian2_docs_alpha", "neuron_alphasynapse", tau=5.0,
    ...                      source_units="nS"), 9)  # 0.8/e nS, in uS
    0.000294304
    """
    src = _with_units(_side(source, "source"), source_units, "source_units")
    dst = _with_units(_side(target, "target"), target_units, "target_units")
    match = v.choice("match", match, MATCHES)
    tau = v.positive_scalar("tau", tau)
    tau_t = tau if target_tau is None else v.positive_scalar("target_tau", target_tau)
    rise = _optional_positive("tau_rise", tau_rise)
    rise_t_given = _optional_positive("target_tau_rise", target_tau_rise)
    if rise is not None and "dual_exp" not in (src.kind, dst.kind):
        raise ValueError("tau_rise is only for a dual-exponential source or target")
    if rise_t_given is not None and dst.kind != "dual_exp":
        raise ValueError("target_tau_rise is only for a dual-exponential target")
    rise_s = _rise(src, rise, "tau_rise", "source")
    rise_t = _rise(dst, rise if rise_t_given is None else rise_t_given, "tau_rise", "target")
    if (match == "psp") != (tau_m is not None):
        raise ValueError("tau_m (the membrane time constant) is for match='psp', required there")
    tm = None if tau_m is None else v.positive_scalar("tau_m", tau_m)
    qs, qt = UNITS[src.units][0], UNITS[dst.units][0]
    needs_force = qs is not None and qt is not None and qs != qt
    if needs_force and driving_force is None:
        raise ValueError(
            f"driving_force (mV) is required to convert a {qs} ({src.units}) "
            f"to a {qt} ({dst.units})"
        )
    if not needs_force and driving_force is not None:
        raise ValueError("driving_force is only for converting a conductance to a current")
    force = None if driving_force is None else v.finite_scalar("driving_force", driving_force)
    if force == 0:
        raise ValueError("driving_force must be nonzero: at 0 mV a conductance carries no current")
    scalar = np.ndim(weight) == 0
    wv = v.finite_scalar("weight", weight) if scalar else v.real_array("weight", weight)
    a = (src.kind, src.norm, tau, rise_s or -1.0, src.units)
    b = (dst.kind, dst.norm, tau_t, rise_t or -1.0, dst.units)
    if a == b:
        return wv

    def factor(x: tuple, y: tuple) -> float:
        """Target weight per source weight, from x to y."""
        sx, sy = _Side("", x[0], x[1], x[4]), _Side("", y[0], y[1], y[4])
        q_from = _per_unit(sx, x[2], None if x[3] < 0 else x[3], match, tm)
        q_to = _per_unit(sy, y[2], None if y[3] < 0 else y[3], match, tm)
        if q_to == 0 or q_from == 0:
            zero = target if q_to == 0 else source
            raise ValueError(f"{zero!r} has no {match} at these time constants: nothing to match")
        return q_from / q_to * _unit_factor(x[4], y[4], force)

    # One float, computed in a canonical direction, so that s->t and t->s use
    # the same number (multiply one way, divide the other).
    lo, hi = sorted((a, b))
    ratio = factor(lo, hi)
    return wv * ratio if a == lo else wv / ratio


def psp_peak(
    weight: float,
    source: str,
    *,
    tau: float,
    tau_m: float,
    tau_rise: float | None = None,
    C_m: float | None = None,
    R_m: float | None = None,
    driving_force: float | None = None,
) -> float:
    """Peak PSP (mV) of a current-based LIF membrane at rest after one spike of ``weight``.

    ``C_m dV/dt = -C_m V/tau_m + I(t)`` with ``I`` the source's response to
    the spike. For the exponential kernel the PSP is a dual exponential with a
    closed-form peak; for the alpha and dual-exponential kernels it is the
    exact solution of the linear system (matrix exponential), its peak the
    root of ``dV/dt``.

    Parameters
    ----------
    weight : float
        Weight in the source's unit: a current (pA, nA), a conductance (nS,
        uS, with ``driving_force``) or unitless, taken as pA.
    source : str
        A name of :func:`convention_names`.
    tau, tau_rise : float
        The synapse's time constants (ms), as in :func:`convert_weight`.
    tau_m : float
        Membrane time constant (ms).
    C_m, R_m : float
        Membrane capacitance (pF) or resistance (MOhm): exactly one
        (``C_m = 1000 tau_m / R_m``).
    driving_force : float, optional
        ``E_rev - V`` (mV) for a conductance row: the current is ``g * driving_force``.

    Returns
    -------
    float
        The PSP's peak (mV); its minimum for a negative weight or kernel.

    Examples
    --------
    >>> round(psp_peak(100.0, "nest_iaf_psc_exp", tau=2.0, tau_m=10.0, C_m=250.0), 6)
    0.534992
    """
    side = _side(source, "source")
    tau = v.positive_scalar("tau", tau)
    tau_m = v.positive_scalar("tau_m", tau_m)
    rise = _optional_positive("tau_rise", tau_rise)
    if rise is not None and side.kind != "dual_exp":
        raise ValueError("tau_rise is only for a dual-exponential source")
    rise = _rise(side, rise, "tau_rise", "source")
    if (C_m is None) == (R_m is None):
        raise ValueError("give exactly one of C_m (pF) and R_m (MOhm)")
    if C_m is not None:
        cap = v.positive_scalar("C_m", C_m)
    else:
        cap = 1000.0 * tau_m / v.positive_scalar("R_m", R_m)
    w = v.finite_scalar("weight", weight)
    kind_of = UNITS[side.units][0]
    if (kind_of == "conductance") != (driving_force is not None):
        raise ValueError("driving_force (mV) is required for a conductance source, and only there")
    force = None if driving_force is None else v.finite_scalar("driving_force", driving_force)
    w_pA = w * _unit_factor(side.units, "pA" if kind_of else "1", force)
    with np.errstate(all="ignore"):
        per_unit = psp_peak_unit(side.kind, side.norm, tau, rise, tau_m)[1]
    return w_pA * per_unit / cap  # pA ms / pF = mV
