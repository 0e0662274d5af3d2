"""The data behind :mod:`alphakit.conventions`: one row per simulator's alpha response.

Every row was read from the simulator's own source or documentation (cited in
``source``; nothing is copied, only the mathematics is restated). Each formula is
the response, at time ``t >= 0`` after one spike of weight ``w``, written as a
numpy expression in ``t``, ``w``, ``tau`` and ``e``, so that the tests evaluate
the very text shown to readers and compare it with :func:`alphakit.alpha_kernel`.

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


@dataclass(frozen=True)
class Convention:
    """How one simulator defines the alpha response to one spike of weight ``w``.

    Attributes
    ----------
    name : str
        Key used by :func:`alphakit.conventions.convert_weight` and friends.
    simulator, model : str
        Who and what (class, mechanism or documented recipe).
    quantity : str
        The variable that carries the response and the unit of ``w``.
    formula : str
        Response at ``t >= 0`` (ms) after a spike at ``t = 0``; a numpy
        expression in ``t``, ``w``, ``tau``, ``e``.
    peak, peak_time, charge : str
        Closed forms in ``w`` and ``tau``; charge is the integral over ``t``.
    norm : str
        The alphakit norm with the same kernel (``"plain"``, ``"peak"``, ``"area"``, ``"legacy"``).
    factor : str
        The response divided by ``w * alpha_kernel(t, tau, "plain")``.
    tau_parameter : str
        The simulator's own parameter and how it maps to alphakit's ``tau``.
    tau_per_parameter : float
        ``tau`` (ms) per unit of that parameter (``1/sqrt(2)`` for Elephant's
        ``sigma``, 1000 for Nengo's ``tau`` in seconds).
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
    formula: str
    peak: str
    peak_time: str
    charge: str
    norm: str
    factor: str
    tau_parameter: str
    tau_per_parameter: float
    timing: str
    source: str
    notes: str = ""

    def exponents(self) -> tuple[int, int]:
        """``(a, b)`` with response = ``e^a tau^b * w * t/tau * exp(-t/tau)``."""
        return NORM_EXPONENTS[self.norm]

    def factor_value(self, tau: float) -> float:
        """The factor relative to alphakit's ``"plain"`` kernel, for this ``tau`` (ms)."""
        return factor_value(*self.exponents(), tau)

    def response(self, t: ArrayLike, tau: float, *, weight: float = 1.0) -> np.ndarray:
        """Evaluate :attr:`formula` (``w`` is ``weight``) at ``t`` (ms); zero for ``t < 0``."""
        t = np.asarray(t, dtype=float)
        tc = np.maximum(t, 0.0)
        namespace = {"t": tc, "w": float(weight), "tau": float(tau), "e": math.e, "exp": np.exp}
        value = eval(self.formula, {"__builtins__": {}}, namespace)  # our own constant text
        return np.where(t > 0, value, 0.0)


_HEADERS = (
    ("name", "name"),
    ("simulator / model", None),
    ("response to weight w", "formula"),
    ("peak", "peak"),
    ("t_peak", "peak_time"),
    ("charge", "charge"),
    ("norm", "norm"),
    ("x plain", "factor"),
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


_PEAK = dict(
    formula="w * e / tau * t * exp(-t / tau)",
    peak="w",
    peak_time="tau",
    charge="e * w * tau",
    norm="peak",
    factor="e",
)
_PLAIN = dict(
    formula="w * t / tau * exp(-t / tau)",
    peak="w / e",
    peak_time="tau",
    charge="w * tau",
    norm="plain",
    factor="1",
)
_AREA = dict(
    formula="w * t / tau**2 * exp(-t / tau)",
    peak="w / (e * tau)",
    peak_time="tau",
    charge="w",
    norm="area",
    factor="1/tau",
)
_LEGACY = dict(
    formula="w * t * exp(-t / tau)",
    peak="w * tau / e",
    peak_time="tau",
    charge="w * tau**2",
    norm="legacy",
    factor="tau",
)

_BP = "brainpy/BrainPy: "
# The timing convention in alphakit.ode, as the table's timing column states it.
_BRAINPY_LATE = (
    "used as bp.synapses.Alpha / a projection, the synapse reads the presynaptic spike one "
    "step late: g first rises at step m + 2 for a spike at step m (alphakit: m + 1)"
)

CONVENTIONS = ConventionTable(
    (
        Convention(
            name="nest_iaf_psc_alpha",
            simulator="NEST",
            model="iaf_psc_alpha",
            quantity="synaptic current I_syn_ex (pA); w in pA",
            tau_parameter="tau = tau_syn_ex (or tau_syn_in), ms",
            tau_per_parameter=1.0,
            timing="exact integration on the grid; the jump enters dI_ex in the step the spike "
            "is delivered (after the connection delay), so I_syn rises from the next step",
            source="nest/nest-simulator: models/iaf_psc_alpha.cpp "
            "(EPSCInitialValue_ = e / tau_syn_ex added to dI per unit weight)",
            notes="the weight is the PSC amplitude",
            **_PEAK,
        ),
        Convention(
            name="nest_iaf_cond_alpha",
            simulator="NEST",
            model="iaf_cond_alpha",
            quantity="conductance g_ex (nS); w in nS",
            tau_parameter="tau = tau_syn_ex (or tau_syn_in), ms",
            tau_per_parameter=1.0,
            timing="GSL ODE solver; the jump enters dg_ex after the delivery step's "
            "integration, so g_ex rises from the next step",
            source="nest/nest-simulator: models/iaf_cond_alpha.cpp "
            "(PSConInit_E = e / tau_synE added to dg_ex per unit weight)",
            notes="the weight is the peak conductance",
            **_PEAK,
        ),
        Convention(
            name="nestml_alpha",
            simulator="NESTML",
            model="iaf_psc_alpha_neuron kernel",
            quantity="convolve(I_kernel_exc, exc_spikes) (pA); w = spike weight",
            tau_parameter="tau = tau_syn_exc, ms",
            tau_per_parameter=1.0,
            timing="kernel convolved with the spike input port",
            source="nest/nestml: models/neurons/iaf_psc_alpha_neuron.nestml "
            "(kernel I_kernel_exc = (e / tau_syn_exc) * t * exp(-t / tau_syn_exc))",
            **_PEAK,
        ),
        Convention(
            name="neuron_alphasynapse",
            simulator="NEURON",
            model="AlphaSynapse",
            quantity="conductance g (uS); w = gmax",
            tau_parameter="tau = tau, ms",
            tau_per_parameter=1.0,
            timing="one event per instance, at t = onset",
            source="neuronsimulator/nrn: src/nrnoc/syn.mod "
            "(g = gmax * alpha((t - onset)/tau), alpha(x) = x * exp(1 - x))",
            notes="set to 0 for (t - onset)/tau > 10 (loses 11 e^-10 = 5e-4 of the charge); "
            "no NET_RECEIVE, so gmax plays the weight",
            **_PEAK,
        ),
        Convention(
            name="neuron_exp2syn_limit",
            simulator="NEURON",
            model="Exp2Syn, tau1 -> tau2",
            quantity="conductance g (uS); w = NetCon weight (uS)",
            tau_parameter="tau = tau2 (tau1 -> tau2), ms",
            tau_per_parameter=1.0,
            timing="event at the NetCon delivery time",
            source="neuronsimulator/nrn: src/nrnoc/exp2syn.mod "
            "(factor normalises the peak of exp(-t/tau2) - exp(-t/tau1) to 1)",
            notes="INITIAL clamps tau1 to 0.9999 * tau2, so NEURON itself only approaches "
            "this limit (relative difference ~1e-4)",
            **_PEAK,
        ),
        Convention(
            name="pynn_if_curr_alpha",
            simulator="PyNN",
            model="IF_curr_alpha",
            quantity="synaptic current (nA); w in nA",
            tau_parameter="tau = tau_syn_E (or tau_syn_I), documented as the rise time, ms",
            tau_per_parameter=1.0,
            timing="as the backend (NEST: iaf_psc_alpha with w * 1000 pA)",
            source="NeuralEnsemble/PyNN: pyNN/standardmodels/cells.py (IF_curr_alpha); "
            "pyNN/neuron/nmodl/alphaisyn.mod (w * alpha(x), alpha(x) = x exp(1 - x)); "
            "pyNN/nest/standardmodels/cells.py and synapses.py (iaf_psc_alpha, weight x 1000)",
            **_PEAK,
        ),
        Convention(
            name="pynn_if_cond_alpha",
            simulator="PyNN",
            model="IF_cond_alpha",
            quantity="conductance gsyn_exc (uS); w in uS",
            tau_parameter="tau = tau_syn_E (or tau_syn_I), ms",
            tau_per_parameter=1.0,
            timing="as the backend (NEST: iaf_cond_alpha with w * 1000 nS)",
            source="NeuralEnsemble/PyNN: pyNN/standardmodels/cells.py (IF_cond_alpha); "
            "pyNN/neuron/nmodl/alphasyn.mod (w * alpha(x)); "
            "pyNN/nest/standardmodels/cells.py and synapses.py (iaf_cond_alpha, weight x 1000)",
            **_PEAK,
        ),
        Convention(
            name="genn_alpha",
            simulator="GeNN",
            model="AlphaCurr / AlphaCond postsynaptic model",
            quantity="x, added to Isyn (or times E - V); w = weight added to inSyn",
            tau_parameter="tau = tau, ms",
            tau_per_parameter=1.0,
            timing="x <- exp(-DT/tau) (DT inSyn e/tau + x) samples the kernel exactly on the grid",
            source="genn-team/pynn_genn: pynn_genn/standardmodels/cells.py "
            "(genn_postsyn_defs AlphaCurr, AlphaCond: init e/tau)",
            notes="GeNN's core ships ExpCurr/ExpCond/DeltaCurr only "
            "(include/genn/genn/postsynapticModels.h); the alpha model is PyNN-GeNN's",
            **_PEAK,
        ),
        Convention(
            name="brian2_docs_alpha",
            simulator="Brian2",
            model="documented alpha synapse",
            quantity="V (or g); w added to x on_pre",
            tau_parameter="tau = tau, ms",
            tau_per_parameter=1.0,
            timing="dV/dt = (x - V)/tau, dx/dt = -x/tau, on_pre: x += w",
            source="https://brian2.readthedocs.io/en/stable/user/converting_from_integrated_form.html"
            " (brian-team/brian2: docs_sphinx/user/converting_from_integrated_form.rst)",
            notes="the docs state the maximum w/e at t = tau",
            **_PLAIN,
        ),
        Convention(
            name="brainpy_alpha",
            simulator="BrainPy >= 2.5.0",
            model="Alpha (fixed form)",
            quantity="g; w = g_max of the projection",
            tau_parameter="tau = tau_decay, ms",
            tau_per_parameter=1.0,
            timing="dg/dt = (-g + h)/tau, dh/dt = -h/tau, h += spike; " + _BRAINPY_LATE,
            source=_BP + "brainpy/_src/dyn/synapses/abstract_models.py @ V2.5.0 (class Alpha); "
            "brainpy/dyn/synapses/abstract_models.py from 2.8",
            notes="the fix of BrainPy issue 577",
            **_PLAIN,
        ),
        Convention(
            name="brainpy_alpha_legacy",
            simulator="BrainPy <= 2.4.6",
            model="Alpha (legacy form)",
            quantity="g; w = g_max of the projection",
            tau_parameter="tau = tau_decay, ms",
            tau_per_parameter=1.0,
            timing="dg/dt = -g/tau + h, dh/dt = -h/tau, h += spike; " + _BRAINPY_LATE,
            source=_BP + "brainpy/_src/dyn/synapses/abstract_models.py @ V2.4.6 "
            "(class Alpha(DualExpon) with tau_rise = tau_decay)",
            notes="tau times the plain kernel: BrainPy issue 577",
            **_LEGACY,
        ),
        Convention(
            name="brainpy_dualexpon_equal",
            simulator="BrainPy >= 2.8.0",
            model="DualExpon, tau_rise == tau_decay",
            quantity="g; w = g_max of the projection",
            tau_parameter="tau = tau_rise = tau_decay, ms",
            tau_per_parameter=1.0,
            timing="dg/dt = -g/tau + h, dh/dt = -h/tau, h += a * spike, a = e/tau; "
            + _BRAINPY_LATE,
            source=_BP + "brainpy/dyn/synapses/abstract_models.py @ V2.8.2 "
            "(_dual_exp_a: L'Hopital limit a = e/tau)",
            notes="peak 1: e times BrainPy's own Alpha (checked by running 2.8.2 and 2.9.0); "
            "in 2.5-2.7 equal taus make the normaliser A divide by zero",
            **_PEAK,
        ),
        Convention(
            name="brainpy_dualexpon_equal_legacy",
            simulator="BrainPy <= 2.4.6",
            model="DualExpon, tau_rise == tau_decay",
            quantity="g; w = g_max of the projection",
            tau_parameter="tau = tau_rise = tau_decay, ms",
            tau_per_parameter=1.0,
            timing="dg/dt = -g/tau + h, dh/dt = -h/tau, h += spike (no normaliser)",
            source=_BP + "brainpy/_src/dyn/synapses/abstract_models.py @ V2.4.6 (class DualExpon)",
            notes="the same equations as the legacy Alpha",
            **_LEGACY,
        ),
        Convention(
            name="elephant_alpha_kernel",
            simulator="Elephant",
            model="kernels.AlphaKernel",
            quantity="rate contribution (1/time unit); w = weight of the spike",
            tau_parameter="tau = sigma / sqrt(2) (sigma is the kernel's standard deviation)",
            tau_per_parameter=1.0 / math.sqrt(2.0),
            timing="instantaneous_rate(center_kernel=True), the default, shifts the kernel so its "
            f"median ({ALPHA_MEDIAN:.4f} tau) sits on the spike: it starts {ALPHA_MEDIAN:.4f} tau "
            "before the spike and peaks 0.678 tau before it",
            source="NeuralEnsemble/elephant: elephant/kernels.py (AlphaKernel); "
            "elephant/statistics.py (instantaneous_rate, center_kernel)",
            notes="unit area in any time unit (quantities); alphakit uses ms",
            **_AREA,
        ),
        Convention(
            name="nengo_alpha",
            simulator="Nengo",
            model="synapses.Alpha",
            quantity="filtered signal; a spike is 1/dt for one step (unit area)",
            tau_parameter="tau = 1000 * tau_nengo (Nengo's tau is in seconds)",
            tau_per_parameter=1000.0,
            timing="LinearFilter applied to the spike train",
            source="nengo/nengo: nengo/synapses.py "
            "(class Alpha: alpha(t) = (t / tau**2) * exp(-t / tau))",
            notes="unit area; with tau in s the kernel is per second, here per ms",
            **_AREA,
        ),
    )
)
