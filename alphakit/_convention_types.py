"""The types behind :mod:`alphakit.conventions`: a row (:class:`Convention`) and the table.

Each row's formula is the response, at time ``t >= 0`` after one spike of
weight ``w``, written as a numpy expression in ``t``, ``w``, ``tau``,
``tau_rise``, ``e``, ``exp`` and ``log``, so that the tests evaluate the very
text shown to readers and compare it with alphakit's kernel of the row's kind
and norm. The rows themselves are in ``_conventions_table`` (alpha) and
``_conventions_family`` (exponential and dual exponential).

Every alpha convention is ``e^a tau^b * w * t/tau * exp(-t/tau)``: the pair of
integers ``(a, b)`` is all that separates them, so factors between conventions
are named exactly from exponents, never guessed from floats.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

#: e^a tau^b of each alphakit norm, relative to "plain" (t/tau e^(-t/tau)).
NORM_EXPONENTS: dict[str, tuple[int, int]] = {
    "plain": (0, 0),
    "peak": (1, 0),
    "area": (0, -1),
    "legacy": (0, 1),
}

#: Median of the alpha density t/tau^2 e^(-t/tau), in units of tau: the root of
#: 1 - (1 + x) e^(-x) = 1/2. Elephant centres its kernel here by default.
ALPHA_MEDIAN = 1.6783469900166608


#: What each alphakit norm is the signature of, in words (for explanations).
NORM_SIGNATURES: dict[str, str] = {
    "legacy": "dg/dt = -g/tau + h (BrainPy <= 2.4.6)",
    "plain": "dg/dt = (-g + h)/tau (BrainPy >= 2.5, Brian2's documented alpha synapse)",
    "peak": "a kernel normalised to unit peak (NEST, NESTML, NEURON, PyNN, GeNN, "
    "BrainPy >= 2.8 DualExpon with tau_rise == tau_decay)",
    "area": "a kernel normalised to unit area (Elephant, Nengo)",
}

#: e^a tau^b for every ratio between two of the four norms, simplest first.
FACTOR_CANDIDATES: tuple[tuple[int, int], ...] = (
    (0, 0), (0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, -1),
    (1, -1), (-1, 1), (0, 2), (0, -2),
)  # fmt: skip


def matching_factors(scale: float, tau: float, rtol: float) -> list[tuple[int, int]]:
    """The ``(a, b)`` in :data:`FACTOR_CANDIDATES` with |scale| ~= e^a tau^b, simplest first.

    Within the relative tolerance ``rtol``; none for ``scale == 0``.
    """
    return [
        ab
        for ab in FACTOR_CANDIDATES
        if scale != 0 and abs(abs(scale) / factor_value(*ab, tau) - 1.0) <= rtol
    ]


def factor_label(a: int, b: int) -> str:
    """Name ``e^a tau^b`` as a reader writes it: ``"e*tau"``, ``"1/(e*tau)"``, ``"tau^2"``."""
    num = [s for s, k in (("e", a), ("tau", b)) if k > 0 for s in [_power(s, k)]]
    den = [s for s, k in (("e", a), ("tau", b)) if k < 0 for s in [_power(s, -k)]]
    top = "*".join(num) or "1"
    if not den:
        return top
    bottom = "*".join(den)
    return f"{top}/({bottom})" if len(den) > 1 else f"{top}/{bottom}"


def _power(symbol: str, k: int) -> str:
    return symbol if k == 1 else f"{symbol}^{k}"


def factor_value(a: int, b: int, tau: float) -> float:
    """``e^a tau^b`` as a float."""
    return math.e**a * tau**b


#: The unit of a weight, per row: what it is a unit of and its power of ten in SI
#: units (A or S). "1" is a weight whose unit the user chooses (Brian2, BrainPy,
#: GeNN, Nengo, Elephant): alphakit converts it by the factor between the kernels only.
UNITS: dict[str, tuple[str | None, int]] = {
    "pA": ("current", -12),
    "nA": ("current", -9),
    "nS": ("conductance", -9),
    "uS": ("conductance", -6),
    "1": (None, 0),
}


@dataclass(frozen=True)
class Convention:
    """How one simulator defines the response to one spike of weight ``w``.

    Attributes
    ----------
    name : str
        Key used by :func:`alphakit.conventions.convert_weight` and friends.
    simulator, model : str
        Who and what (class, mechanism or documented recipe).
    quantity : str
        The variable that carries the response and the unit of ``w``.
    kind : str
        The kernel's shape: ``"alpha"``, ``"exp"`` or ``"dual_exp"``
        (:data:`alphakit.kernels.KINDS`).
    formula : str
        Response at ``t >= 0`` (ms) after a spike at ``t = 0``; a numpy
        expression in ``t``, ``w``, ``tau``, ``tau_rise`` (dual exponential:
        ``tau`` is the decay), ``e``, ``exp``, ``log``.
    peak, peak_time, charge : str
        Closed forms in ``w``, ``tau`` (and ``tau_rise``); charge is the integral over ``t``.
    norm : str
        The alphakit norm of that kind with the same kernel
        (one of ``alphakit.kernels.KERNEL_NORMS[kind]``).
    factor : str
        The response divided by ``w`` times the kind's ``"plain"`` kernel.
    units : str
        The unit of ``w``: ``"pA"``, ``"nA"`` (current), ``"nS"``, ``"uS"``
        (conductance) or ``"1"`` (chosen by the user; :data:`UNITS`).
    tau_parameter : str
        The simulator's own parameter and how it maps to alphakit's ``tau``.
    tau_per_parameter : float
        ``tau`` (ms) per unit of that parameter (``1/sqrt(2)`` for Elephant's
        alpha ``sigma``, 1 for its exponential ``sigma``, 1000 for Nengo's
        ``tau`` in seconds).
    timing : str
        Where the response starts relative to the spike.
    source : str
        File in the simulator's repository (``owner/repo: path``) or documentation URL.
    notes : str
        Caveats.
    """

    name: str
    simulator: str
    model: str
    quantity: str
    kind: str
    formula: str
    peak: str
    peak_time: str
    charge: str
    norm: str
    factor: str
    units: str
    tau_parameter: str
    tau_per_parameter: float
    timing: str
    source: str
    notes: str = ""

    def exponents(self) -> tuple[int, int]:
        """``(a, b)`` with response = ``e^a tau^b * w * t/tau * exp(-t/tau)`` (alpha rows)."""
        if self.kind != "alpha":
            raise ValueError(f"{self.name} is a {self.kind!r} row; exponents are the alpha rows'")
        return NORM_EXPONENTS[self.norm]

    def factor_value(self, tau: float, tau_rise: float | None = None) -> float:
        """The factor relative to the kind's ``"plain"`` kernel, for these time constants (ms)."""
        from .kernels import kernel_properties

        kw: dict[str, Any] = dict(kind=self.kind, tau_rise=tau_rise)
        own = kernel_properties(tau, norm=self.norm, **kw)  # type: ignore[arg-type]
        return own.charge / kernel_properties(tau, norm="plain", **kw).charge

    def response(
        self, t: ArrayLike, tau: float, *, weight: float = 1.0, tau_rise: float | None = None
    ) -> np.ndarray:
        """Evaluate :attr:`formula` (``w`` is ``weight``) at ``t`` (ms); zero for ``t < 0``.

        ``tau_rise`` is required for the dual-exponential rows (whose formula,
        like the simulators' own, divides by ``tau - tau_rise``: use
        :func:`alphakit.dual_exp_kernel` at equal time constants).
        """
        if (self.kind == "dual_exp") != (tau_rise is not None):
            raise ValueError(f"tau_rise is required for dual_exp rows only ({self.name})")
        t = np.asarray(t, dtype=float)
        tc = np.maximum(t, 0.0)
        namespace = {
            "t": tc,
            "w": float(weight),
            "tau": float(tau),
            "tau_rise": None if tau_rise is None else float(tau_rise),
            "e": math.e,
            "exp": np.exp,
            "log": np.log,
        }
        value = eval(self.formula, {"__builtins__": {}}, namespace)  # our own constant text
        # t >= 0: the exponential kernel takes its full value at the spike
        return np.where(t >= 0, value, 0.0)


_HEADERS = (
    ("name", "name"),
    ("simulator / model", None),
    ("kind", "kind"),
    ("response to weight w", "formula"),
    ("peak", "peak"),
    ("t_peak", "peak_time"),
    ("charge", "charge"),
    ("norm", "norm"),
    ("x plain", "factor"),
    ("w in", "units"),
)


class ConventionTable(tuple):
    """A tuple of :class:`Convention` rows that prints as a table.

    ``str(table)`` (or :meth:`to_text`) is a plain-text table with the sources
    listed below it; a notebook shows :meth:`to_html` through ``_repr_html_``.
    Rows can be looked up by index or by name: ``table["nest_iaf_psc_alpha"]``.
    """

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            for row in self:
                if row.name == key:
                    return row
            raise KeyError(f"no convention named {key!r}; known: {self.names()}")
        out = super().__getitem__(key)
        return ConventionTable(out) if isinstance(key, slice) else out

    def names(self) -> tuple[str, ...]:
        """Row names, in table order."""
        return tuple(row.name for row in self)

    def of_kind(self, kind: str) -> ConventionTable:
        """The rows of one kind (``"alpha"``, ``"exp"`` or ``"dual_exp"``), in table order."""
        kinds = {row.kind for row in self}
        if kind not in kinds:
            raise ValueError(f"kind must be one of {sorted(kinds)}, got {kind!r}")
        return ConventionTable(row for row in self if row.kind == kind)

    def _cells(self, row: Convention) -> list[str]:
        return [
            f"{row.simulator} {row.model}" if attr is None else str(getattr(row, attr))
            for _, attr in _HEADERS
        ]

    def to_text(self) -> str:
        """Render as a fixed-width plain-text table, sources listed after it."""
        header = [h for h, _ in _HEADERS] + ["src"]
        rows = [self._cells(r) + [f"[{i + 1}]"] for i, r in enumerate(self)]
        widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=True)]

        def line(cells: list[str]) -> str:
            return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        out = [line(header), line(["-" * w for w in widths])]
        out += [line(r) for r in rows]
        out.append("")
        out += [f"[{i + 1}] {r.source}" for i, r in enumerate(self)]
        return "\n".join(out)

    def to_html(self) -> str:
        """Render as an HTML table (all fields, sources included)."""
        names = [f.name for f in fields(Convention)]
        head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
        body = "".join(
            "<tr>"
            + "".join(f"<td>{html.escape(str(getattr(r, n)))}</td>" for n in names)
            + "</tr>"
            for r in self
        )
        return (
            '<table class="alphakit-conventions">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        return self.to_html()


