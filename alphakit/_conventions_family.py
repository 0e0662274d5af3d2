"""The exponential and dual-exponential (beta) rows of :data:`alphakit.conventions.CONVENTIONS`.

Each row was read from the simulator's source or documentation (``source``);
only the mathematics is restated. The dual-exponential formulas use ``tau`` for
the decay and ``tau_rise`` for the rise time constant, and are written as the
simulators write them, dividing by ``tau - tau_rise`` (undefined at equal time
constants, where :func:`alphakit.dual_exp_kernel` takes the alpha limit).
"""

from __future__ import annotations

from ._convention_types import Convention

#: The timing convention of alphakit.ode, as the table's timing column states it.
BRAINPY_LATE = (
    "used as bp.synapses.* / in a projection, the synapse reads the presynaptic spike one "
    "step late: g first rises at step m + 2 for a spike at step m (alphakit: m + 1)"
)

_EXP_JUMP = dict(
    kind="exp",
    formula="w * exp(-t / tau)",
    peak="w",
    peak_time="0",
    charge="w * tau",
    norm="peak",
    factor="1",
)
_EXP_AREA = dict(
    kind="exp",
    formula="w * exp(-t / tau) / tau",
    peak="w / tau",
    peak_time="0",
    charge="w",
    norm="area",
    factor="1/tau",
)

# P = max of the plain dual exponential tau/(tau - tau_rise) (e^(-t/tau) - e^(-t/tau_rise)),
# reached at t* = tau tau_rise / (tau - tau_rise) ln(tau / tau_rise).
_P = "(tau_rise / tau) ** (tau_rise / (tau - tau_rise))"
_DIFF = "(exp(-t / tau) - exp(-t / tau_rise))"
_T_PEAK = "tau * tau_rise / (tau - tau_rise) * log(tau / tau_rise)"
_DUAL_PEAK = dict(
    kind="dual_exp",
    formula=f"w * tau / (tau - tau_rise) * {_DIFF} / {_P}",
    peak="w",
    peak_time=_T_PEAK,
    charge=f"w * tau / {_P}",
    norm="peak",
    factor=f"1 / {_P}",
)
_DUAL_PLAIN = dict(
    kind="dual_exp",
    formula=f"w * tau / (tau - tau_rise) * {_DIFF}",
    peak=f"w * {_P}",
    peak_time=_T_PEAK,
    charge="w * tau",
    norm="plain",
    factor="1",
)
_DUAL_AREA = dict(
    kind="dual_exp",
    formula=f"w * {_DIFF} / (tau - tau_rise)",
    peak=f"w * {_P} / tau",
    peak_time=_T_PEAK,
    charge="w",
    norm="area",
    factor="1/tau",
)
_DUAL_LEGACY = dict(
    kind="dual_exp",
    formula=f"w * tau * tau_rise / (tau - tau_rise) * {_DIFF}",
    peak=f"w * tau_rise * {_P}",
    peak_time=_T_PEAK,
    charge="w * tau * tau_rise",
    norm="legacy",
    factor="tau_rise",
)
_DUAL_DIFFERENCE = dict(
    kind="dual_exp",
    formula=f"w * {_DIFF}",
    peak=f"w * (tau - tau_rise) / tau * {_P}",
    peak_time=_T_PEAK,
    charge="w * (tau - tau_rise)",
    norm="difference",
    factor="(tau - tau_rise) / tau",
)

_NEST_TIMING = (
    "the input arriving in a step (after the connection delay, >= dt) is added at the end of "
    "the step's update: the recorded variable shows it from t_s + delay (lag = delay)"
)
_BP = "brainpy/BrainPy: "
_BP_DUAL = _BP + "brainpy/dyn/synapses/abstract_models.py"

FAMILY_ROWS = (
    Convention(
        name="nest_iaf_psc_exp",
        simulator="NEST",
        model="iaf_psc_exp",
        quantity="synaptic current I_syn_ex (pA); w in pA",
        units="pA",
        tau_parameter="tau = tau_syn_ex (or tau_syn_in), ms",
        tau_per_parameter=1.0,
        timing="exact integration; " + _NEST_TIMING,
        source="nest/nest-simulator: models/iaf_psc_exp.h (user docs: the current jumps by the "
        "weight and decays with tau_syn_ex); models/iaf_psc_exp.cpp (i_syn_ex_ += weight)",
        notes="the weight is the PSC amplitude",
        **_EXP_JUMP,
    ),
    Convention(
        name="nest_iaf_cond_exp",
        simulator="NEST",
        model="iaf_cond_exp",
        quantity="conductance g_ex (nS); w in nS",
        units="nS",
        tau_parameter="tau = tau_syn_ex (or tau_syn_in), ms",
        tau_per_parameter=1.0,
        timing="GSL ODE solver; " + _NEST_TIMING,
        source="nest/nest-simulator: models/iaf_cond_exp.h (conductance jumps by the weight); "
        "models/iaf_cond_exp.cpp (y_[G_EXC] += spike input)",
        **_EXP_JUMP,
    ),
    Convention(
        name="nest_iaf_cond_beta",
        simulator="NEST >= 2.18",
        model="iaf_cond_beta",
        quantity="conductance g_ex (nS); w in nS",
        units="nS",
        tau_parameter="tau = tau_decay_ex, tau_rise = tau_rise_ex, ms",
        tau_per_parameter=1.0,
        timing="GSL ODE solver; " + _NEST_TIMING,
        source="nest/nest-simulator: models/iaf_cond_beta.h, models/iaf_cond_beta.cpp and "
        "nestkernel/beta_normalization_factor.h (unit peak: nest-simulator PR 1197, PR 1407)",
        notes="the weight is the peak conductance; equal taus give the alpha limit",
        **_DUAL_PEAK,
    ),
    Convention(
        name="nest_iaf_cond_beta_pr1038",
        simulator="NEST (PR 1038 to PR 1197)",
        model="iaf_cond_beta, first version",
        quantity="conductance g_ex (nS); w in nS",
        units="nS",
        tau_parameter="tau = tau_decay_ex, tau_rise = tau_rise_ex, ms",
        tau_per_parameter=1.0,
        timing="GSL ODE solver; " + _NEST_TIMING,
        source="nest/nest-simulator PR 1038 (models/iaf_cond_beta.cpp: normalisation "
        "1/(tau_decay tau_rise), unit integral), corrected to unit peak in PR 1197",
        notes="the bug: unit area instead of unit peak",
        **_DUAL_AREA,
    ),
    Convention(
        name="brian2_docs_exp",
        simulator="Brian2",
        model="documented exponential synapse",
        quantity="g (any unit); w added to g on_pre",
        units="1",
        tau_parameter="tau = tau, ms",
        tau_per_parameter=1.0,
        timing="dg/dt = -g/tau, on_pre: g += w; delivered after the step's integration, so "
        "the monitor shows it one step after t_s + delay (lag = delay + dt)",
        source="https://brian2.readthedocs.io/en/stable/user/"
        "converting_from_integrated_form.html; "
        "https://brian2.readthedocs.io/en/stable/user/synapses.html",
        **_EXP_JUMP,
    ),
    Convention(
        name="brian2_docs_biexp",
        simulator="Brian2",
        model="documented biexponential form",
        quantity="g (any unit); w added on_pre",
        units="1",
        tau_parameter="tau = the decay, tau_rise = the rise time constant, ms",
        tau_per_parameter=1.0,
        timing="as brian2_docs_exp (lag = delay + dt)",
        source="https://brian2.readthedocs.io/en/stable/user/converting_from_integrated_form.html "
        "(g(t) = tau2/(tau2 - tau1) (exp(-t/tau1) - exp(-t/tau2))); brian-team/brian2 #1179",
        notes="the documented formula, written with the two exponentials swapped (negative "
        "for tau1 < tau2, brian2 #1179); its magnitude is this row, unit charge per tau",
        **_DUAL_PLAIN,
    ),
    Convention(
        name="brian2_biexp_invpeak",
        simulator="Brian2",
        model="biexponential with invpeak (Brian 1 library, docs after PR 1722)",
        quantity="g (any unit); w added on_pre",
        units="1",
        tau_parameter="tau = the decay, tau_rise = the rise time constant, ms",
        tau_per_parameter=1.0,
        timing="as brian2_docs_exp (lag = delay + dt)",
        source="brian-team/brian2 #1179 (dx/dt = (invpeak y - x)/tau1, dy/dt = -y/tau2, "
        "invpeak = (tau2/tau1)^(tau1/(tau2 - tau1))); brian-team/brian2 PR 1722",
        notes="unit peak: what Brian's implementation did while the docs showed the plain form",
        **_DUAL_PEAK,
    ),
    Convention(
        name="neuron_expsyn",
        simulator="NEURON",
        model="ExpSyn",
        quantity="conductance g (uS); w = NetCon weight (uS)",
        units="uS",
        tau_parameter="tau = tau, ms",
        tau_per_parameter=1.0,
        timing="event delivered at the start of the step from t if due by t + dt/2; g shows "
        "it at the end of that step (lag = delay + dt at on-grid times)",
        source="neuronsimulator/nrn: src/nrnoc/expsyn.mod (g' = -g/tau; NET_RECEIVE: "
        "g = g + weight)",
        **_EXP_JUMP,
    ),
    Convention(
        name="neuron_exp2syn",
        simulator="NEURON",
        model="Exp2Syn",
        quantity="conductance g (uS); w = NetCon weight (uS)",
        units="uS",
        tau_parameter="tau = tau2 (decay), tau_rise = tau1 (rise), ms",
        tau_per_parameter=1.0,
        timing="as neuron_expsyn (lag = delay + dt)",
        source="neuronsimulator/nrn: src/nrnoc/exp2syn.mod (factor = 1/(-exp(-tp/tau1) + "
        "exp(-tp/tau2)): an event of weight 1 peaks at 1)",
        notes="INITIAL clamps tau1/tau2 to [1e-9, 0.9999]",
        **_DUAL_PEAK,
    ),
    Convention(
        name="brainpy_expon",
        simulator="BrainPy >= 2.4",
        model="dyn.Expon",
        quantity="g; w = g_max of the projection",
        units="1",
        tau_parameter="tau = tau, ms",
        tau_per_parameter=1.0,
        timing="update(x): g integrated over the step, then g += x; " + BRAINPY_LATE,
        source=_BP + "brainpy/dyn/synapses/abstract_models.py (class Expon: derivative -g/tau, "
        "add_current: g += x)",
        **_EXP_JUMP,
    ),
    Convention(
        name="brainpy_dualexpon",
        simulator="BrainPy >= 2.8 (PR 847)",
        model="dyn.DualExpon",
        quantity="g; w = g_max of the projection",
        units="1",
        tau_parameter="tau = tau_decay, tau_rise = tau_rise, ms",
        tau_per_parameter=1.0,
        timing="dg/dt = -g/tau_decay + h, dh/dt = -h/tau_rise, h += a x; " + BRAINPY_LATE,
        source=_BP_DUAL + " (_dual_exp_a: a = (tau_rise/tau_decay)^(tau_rise/(tau_rise - "
        "tau_decay))/tau_rise, e/tau at equal taus; BrainPy PR 847)",
        notes="unit peak in continuous time; the default exp_auto integrator overshoots it "
        "by about dt/(2 tau_rise)",
        **_DUAL_PEAK,
    ),
    Convention(
        name="brainpy_dualexpon_before_pr847",
        simulator="BrainPy 2.5 to 2.7",
        model="dyn.DualExpon",
        quantity="g; w = g_max of the projection",
        units="1",
        tau_parameter="tau = tau_decay, tau_rise = tau_rise, ms",
        tau_per_parameter=1.0,
        timing="as brainpy_dualexpon",
        source=_BP + "brainpy/_src/dyn/synapses/abstract_models.py @ V2.5.0 (DualExpon with the "
        "peak normaliser A = tau_decay/(tau_decay - tau_rise) (...)); BrainPy PR 847",
        notes="the same unit peak, but tau_rise == tau_decay divides by zero (NaN)",
        **_DUAL_PEAK,
    ),
    Convention(
        name="brainpy_dualexpon_legacy",
        simulator="BrainPy <= 2.4.6",
        model="DualExpon",
        quantity="g; w = g_max of the projection",
        units="1",
        tau_parameter="tau = tau_decay, tau_rise = tau_rise, ms",
        tau_per_parameter=1.0,
        timing="dg/dt = -g/tau_decay + h, dh/dt = -h/tau_rise, h += x; " + BRAINPY_LATE,
        source=_BP + "brainpy/_src/dyn/synapses/abstract_models.py @ V2.4.6 (class DualExpon, "
        "no normaliser)",
        notes="the raw solution of the equations: tau_rise times the plain kernel",
        **_DUAL_LEGACY,
    ),
    Convention(
        name="brainpy_dualexponv2",
        simulator="BrainPy >= 2.5",
        model="dyn.DualExponV2 with A = 1",
        quantity="A (g_decay - g_rise); w = g_max",
        units="1",
        tau_parameter="tau = tau_decay, tau_rise = tau_rise, ms",
        tau_per_parameter=1.0,
        timing="two exponential gates, each += x; " + BRAINPY_LATE,
        source=_BP_DUAL + " (class DualExponV2: returns A * (g_decay - g_rise); "
        "_format_dual_exp_A)",
        notes="the documented formula g_max A (e^(-t/tau_decay) - e^(-t/tau_rise)); "
        "identically 0 at equal taus (an error since BrainPy PR 847)",
        **_DUAL_DIFFERENCE,
    ),
    Convention(
        name="elephant_exponential_kernel",
        simulator="Elephant",
        model="kernels.ExponentialKernel",
        quantity="rate contribution (1/time unit); w = weight of the spike",
        units="1",
        tau_parameter="tau = sigma",
        tau_per_parameter=1.0,
        timing="instantaneous_rate(center_kernel=True), the default, puts the kernel's median "
        "(tau ln 2) on the spike; center_kernel=False starts it at the spike (lag 0)",
        source="NeuralEnsemble/elephant: elephant/kernels.py (ExponentialKernel: "
        "(1/tau) exp(-t/tau), tau = sigma)",
        notes="unit area in any time unit (quantities); alphakit uses ms",
        **_EXP_AREA,
    ),
    Convention(
        name="nengo_lowpass",
        simulator="Nengo",
        model="synapses.Lowpass",
        quantity="filtered signal; a spike is 1/dt for one step (unit area)",
        units="1",
        tau_parameter="tau = 1000 * tau_nengo (Nengo's tau is in seconds)",
        tau_per_parameter=1000.0,
        timing="LinearFilter 1/(tau s + 1) applied to the spike train",
        source="nengo/nengo: nengo/synapses.py (class Lowpass: LinearFilter([1], [tau, 1]))",
        notes="unit area; with tau in s the kernel is per second, here per ms",
        **_EXP_AREA,
    ),
    Convention(
        name="pynn_if_curr_exp",
        simulator="PyNN",
        model="IF_curr_exp",
        quantity="synaptic current (nA); w in nA",
        units="nA",
        tau_parameter="tau = tau_syn_E (or tau_syn_I), ms",
        tau_per_parameter=1.0,
        timing="as the backend (NEST: iaf_psc_exp with w * 1000 pA)",
        source="NeuralEnsemble/PyNN: pyNN/standardmodels/cells.py (IF_curr_exp); "
        "pyNN/nest/standardmodels/cells.py (iaf_psc_exp); pyNN/neuron/nmodl/expisyn.mod",
        **_EXP_JUMP,
    ),
    Convention(
        name="pynn_if_cond_exp",
        simulator="PyNN",
        model="IF_cond_exp",
        quantity="conductance (uS); w in uS",
        units="uS",
        tau_parameter="tau = tau_syn_E (or tau_syn_I), ms",
        tau_per_parameter=1.0,
        timing="as the backend (NEST: iaf_cond_exp with w * 1000 nS; NEURON: ExpSyn)",
        source="NeuralEnsemble/PyNN: pyNN/standardmodels/cells.py (IF_cond_exp); "
        "pyNN/nest/standardmodels/cells.py (iaf_cond_exp)",
        **_EXP_JUMP,
    ),
    Convention(
        name="genn_expcurr",
        simulator="GeNN",
        model="ExpCurr / ExpCond postsynaptic model",
        quantity="init * inSyn, added to Isyn (ExpCond: times E - V); w added to inSyn",
        units="1",
        tau_parameter="tau = tau, ms",
        tau_per_parameter=1.0,
        timing="inSyn *= exp(-DT/tau) every step; the current of a step is init * inSyn",
        source="genn-team/genn: include/genn/genn/postsynapticModels.h (ExpCurr, ExpCond: "
        "init = tau (1 - exp(-DT/tau)) / DT)",
        notes="the jump is w * init = w (1 - DT/(2 tau) + ...), which makes the step sum's "
        "charge exactly w tau: the unit jump as DT -> 0",
        **_EXP_JUMP,
    ),
)
