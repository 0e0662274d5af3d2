"""The data behind :mod:`alphakit.conventions`: one row per simulator's synapse.

Every row was read from the simulator's own source or documentation (cited in
``source``; nothing is copied, only the mathematics is restated). This module
holds the alpha rows and assembles :data:`CONVENTIONS`; the exponential and
dual-exponential rows are in ``_conventions_family``, the row and table types
in ``_convention_types``.

Every alpha convention is ``e^a tau^b * w * t/tau * exp(-t/tau)``: the pair of
integers ``(a, b)`` is all that separates them, so factors between conventions
are named exactly from exponents, never guessed from floats.
"""

from __future__ import annotations

import math

from ._convention_types import (
    ALPHA_MEDIAN,
    FACTOR_CANDIDATES,
    NORM_EXPONENTS,
    NORM_SIGNATURES,
    UNITS,
    Convention,
    ConventionTable,
    factor_label,
    factor_value,
    matching_factors,
)
from ._conventions_family import BRAINPY_LATE, FAMILY_ROWS

__all__ = [
    "ALPHA_MEDIAN",
    "CONVENTIONS",
    "FACTOR_CANDIDATES",
    "NORM_EXPONENTS",
    "NORM_SIGNATURES",
    "UNITS",
    "Convention",
    "ConventionTable",
    "factor_label",
    "factor_value",
    "matching_factors",
]

_PEAK = dict(
    kind="alpha",
    formula="w * e / tau * t * exp(-t / tau)",
    peak="w",
    peak_time="tau",
    charge="e * w * tau",
    norm="peak",
    factor="e",
)
_PLAIN = dict(
    kind="alpha",
    formula="w * t / tau * exp(-t / tau)",
    peak="w / e",
    peak_time="tau",
    charge="w * tau",
    norm="plain",
    factor="1",
)
_AREA = dict(
    kind="alpha",
    formula="w * t / tau**2 * exp(-t / tau)",
    peak="w / (e * tau)",
    peak_time="tau",
    charge="w",
    norm="area",
    factor="1/tau",
)
_LEGACY = dict(
    kind="alpha",
    formula="w * t * exp(-t / tau)",
    peak="w * tau / e",
    peak_time="tau",
    charge="w * tau**2",
    norm="legacy",
    factor="tau",
)

_BP = "brainpy/BrainPy: "
_BRAINPY_LATE = BRAINPY_LATE

ALPHA_ROWS = (
    Convention(
        name="nest_iaf_psc_alpha",
        units="pA",
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
        units="nS",
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
        units="pA",
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
        units="uS",
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
        units="uS",
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
        units="nA",
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
        units="uS",
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
        units="1",
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
        units="1",
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
        units="1",
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
        units="1",
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
        units="1",
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
        units="1",
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
        units="1",
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
        units="1",
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

CONVENTIONS = ConventionTable(ALPHA_ROWS + FAMILY_ROWS)
