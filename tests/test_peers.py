"""alphakit.peers: each simulator's alpha synapse, measured, against alphakit's closed forms.

The conventions below (norm and lag of each simulator) are written here from the
simulators' documentation and source, independently of the runners: a test fails
when a runner or a simulator disagrees with them. References are computed with
``alpha_kernel`` / ``dual_exp_kernel`` / ``simulate`` directly, not with
``peers.kernel_prediction`` (which is itself tested against them).

Tolerances are relative to the peak of the expected trace: 1e-9 for the exact
methods; for the explicit integrators the reference is the same integrator in
``alphakit.simulate`` (so 1e-9 again), and their distance to the kernel is then
the integrator's known error. NEST's iaf_cond_alpha uses GSL's adaptive RKF45:
1e-7 (measured 1.5e-9). Every simulator is optional: its tests skip without it.
"""

from __future__ import annotations

import importlib.util
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from alphakit import (
    alpha_kernel,
    dual_exp_kernel,
    exp_kernel,
    kernel_properties,
    peers,
    simulate,
    times_to_grid,
)
from alphakit.conventions import CONVENTIONS

TAU = 2.0
DT = 0.1
DURATION = 60.0  # 30 tau: the kernel's tail beyond is 31 e^-30 ~ 3e-12 of its charge
WEIGHT = 1.7
TRAIN = [1.0, 3.3, 3.3, 7.0]  # on the grid; 3.3/0.1 = 32.99999..., twice (two spikes)
SINGLE = [1.0]
EXACT_RTOL = 1e-9

# the simulators' import names, for importorskip
MODULES = {
    "NEST": "nest",
    "Brian2": "brian2",
    "NEURON": "neuron",
    "BrainPy": "brainpy",
    "Elephant": "elephant",
}


def _need(simulator: str) -> None:
    # keep the optional imports quiet (NEST's banner, NEURON's no-DISPLAY warning)
    os.environ.setdefault("PYNEST_QUIET", "1")
    os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")
    pytest.importorskip(MODULES[simulator])


def _marks(simulator: str) -> list[pytest.MarkDecorator]:
    return [pytest.mark.brainpy] if simulator == "BrainPy" else [pytest.mark.peers]


def _kernel_sum(times, lag, norm, tau=TAU, tau_rise=None, cutoff=math.inf):
    t = np.arange(round(DURATION / DT)) * DT
    s = t[:, None] - np.asarray(times)[None, :] - lag
    if tau_rise is None:
        k = alpha_kernel(s, tau, norm=norm)
    else:
        k = dual_exp_kernel(s, tau_rise, tau, norm=norm)
    k = np.where(s > cutoff + 1e-9 * DT, 0.0, k)
    return WEIGHT * k.sum(axis=1)


def _assert_close(measured, expected, rtol, what):
    scale = np.max(np.abs(expected))
    err = np.max(np.abs(measured - expected))
    assert err <= rtol * scale, f"{what}: max error {err:.3g} = {err / scale:.3g} of the peak"


# (simulator, runner, kwargs, norm, lag in ms, rtol, extra convention)
# Lags from the documentation: NEST delivers at t_s + delay (default delay = dt);
# Brian2 records before it integrates and applies on_pre after (one step);
# NEURON evaluates AlphaSynapse's closed form at mid-step, and Exp2Syn's g from
# the start-of-step states; BrainPy's update(x) integrates then adds x (lag 0);
# Elephant's causal kernel on the sampling grid (lag 0).
EXACT_CASES = [
    ("NEST", peers.run_nest, {"model": "iaf_psc_alpha"}, "peak", DT, EXACT_RTOL, {}),
    (
        "NEST",
        peers.run_nest,
        {"model": "iaf_psc_alpha", "delay": 1.5},
        "peak",
        1.5,
        EXACT_RTOL,
        {},
    ),
    ("NEST", peers.run_nest, {"model": "iaf_cond_alpha"}, "peak", DT, 1e-7, {}),
    ("Brian2", peers.run_brian2, {"method": "exact"}, "plain", DT, EXACT_RTOL, {}),
    ("Brian2", peers.run_brian2, {"method": "exact", "delay": 0.5}, "plain", 0.6, EXACT_RTOL, {}),
    (
        "NEURON",
        peers.run_neuron,
        {"model": "AlphaSynapse"},
        "peak",
        DT / 2,
        EXACT_RTOL,
        {"cutoff": 10 * TAU},
    ),
    (
        "NEURON",
        peers.run_neuron,
        {"model": "Exp2Syn"},
        "peak",
        DT,
        EXACT_RTOL,
        {"tau_rise": 0.9999 * TAU},
    ),
    ("Elephant", peers.run_elephant, {}, "area", 0.0, EXACT_RTOL, {}),
]


def _case_id(case) -> str:
    simulator, _, kwargs, *_ = case
    return simulator + "-" + "-".join(f"{k}={v}" for k, v in kwargs.items())


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=_marks(c[0]), id=_case_id(c)) for c in EXACT_CASES],
)
def test_exact_runner_is_the_kernel_with_its_documented_lag(case):
    simulator, runner, kwargs, norm, lag, rtol, extra = case
    _need(simulator)
    r = runner(TRAIN, weight=WEIGHT, tau=TAU, dt=DT, duration=DURATION, **kwargs)
    assert r.simulator == simulator
    assert r.norm == norm
    # the conventions table (written from the simulators' sources) names the same norm
    assert CONVENTIONS[r.convention].norm == norm
    assert r.lag == pytest.approx(lag, abs=1e-12)
    assert r.response.shape == r.t.shape == (round(DURATION / DT),)
    np.testing.assert_allclose(r.t, np.arange(r.t.size) * DT, rtol=0, atol=1e-12)
    expected = _kernel_sum(TRAIN, lag, norm, **extra)
    _assert_close(r.response, expected, rtol, r.label)
    # one step earlier or later is far off: the lag is measured, not absorbed in the tolerance
    for wrong in (lag - DT, lag + DT):
        shifted = _kernel_sum(TRAIN, wrong, norm, **extra)
        assert np.max(np.abs(r.response - shifted)) > 100 * rtol * np.max(expected)
    # the module's own prediction agrees with this independent one
    _assert_close(peers.kernel_prediction(r), expected, 1e-12, "kernel_prediction")


# Explicit integrators: equal to alphakit.simulate with the same method, shifted by the lag.
INTEGRATOR_CASES = [
    ("Brian2", peers.run_brian2, {"method": m}, m, 1, 1.0) for m in ("euler", "rk2", "rk4")
] + [
    # BrainPy: Alpha is the "fixed" form (plain); DualExpon with equal taus jumps by e/tau
    # into the legacy form, which is the fixed form with weight x e (peak norm)
    # BrainPy's other explicit methods of one order take the same step on this linear
    # system (midpoint, heun2 are rk2's Taylor polynomial), so they map onto alphakit's.
    ("BrainPy", peers.run_brainpy, {"model": model, "method": m_bp}, m_ak, 0, scale)
    for model, scale in (("Alpha", 1.0), ("DualExpon", math.e))
    for m_bp, m_ak in (("exp_auto", "exp_auto"), ("euler", "euler"), ("rk2", "rk2"),
                       ("midpoint", "rk2"), ("rk4", "rk4"), ("rk4_38rule", "rk4"))
]  # fmt: skip


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=_marks(c[0]), id=_case_id(c)) for c in INTEGRATOR_CASES],
)
def test_integrator_runner_equals_alphakit_simulate(case):
    simulator, runner, kwargs, method, lag_steps, scale = case
    _need(simulator)
    r = runner(TRAIN, weight=WEIGHT, tau=TAU, dt=DT, duration=DURATION, **kwargs)
    assert r.lag == pytest.approx(lag_steps * DT, abs=1e-12)
    assert CONVENTIONS[r.convention].norm == r.norm
    spikes = times_to_grid(TRAIN, DT, duration=DURATION)
    g = simulate(spikes, DT, TAU, form="fixed", method=method, weight=WEIGHT * scale).g
    expected = np.concatenate([np.zeros(lag_steps), g[: g.size - lag_steps]])
    _assert_close(r.response, expected, EXACT_RTOL, r.label)
    # and the integrator's error against the exact kernel is what alphakit says it is
    kernel = _kernel_sum(TRAIN, lag_steps * DT, r.norm)
    known = np.max(np.abs(expected - kernel))
    assert np.max(np.abs(r.response - kernel)) == pytest.approx(known, rel=1e-6, abs=1e-12)


@pytest.mark.peers
def test_exp2syn_is_the_alpha_kernel_to_within_its_tau_ratio():
    _need("NEURON")
    r = peers.run_neuron(TRAIN, weight=WEIGHT, tau=TAU, dt=DT, duration=DURATION, model="Exp2Syn")
    assert r.tau_rise == pytest.approx(peers.EXP2SYN_MAX_RATIO * TAU)
    # closed-form distance between the peak-normalised dual exponential and alpha kernels
    s = np.linspace(0, 30 * TAU, 200001)
    gap = np.max(
        np.abs(
            dual_exp_kernel(s, r.tau_rise, TAU, norm="peak") - alpha_kernel(s, TAU, norm="peak")
        )
    )
    assert 1e-5 < gap < 1e-3  # about 1 - tau_ratio of the peak
    alpha = _kernel_sum(TRAIN, DT, "peak")
    err = np.max(np.abs(r.response - alpha))
    assert err <= len(TRAIN) * WEIGHT * gap * (1 + 1e-6)


def _single(simulator, runner, kwargs):
    _need(simulator)
    return runner(SINGLE, weight=WEIGHT, tau=TAU, dt=DT, duration=DURATION, **kwargs)


# Peak, time to peak and charge of one spike against kernel_properties.
PROPERTY_CASES = [
    ("NEST", peers.run_nest, {"model": "iaf_psc_alpha"}),
    ("NEST", peers.run_nest, {"model": "iaf_cond_alpha"}),
    ("Brian2", peers.run_brian2, {"method": "exact"}),
    ("NEURON", peers.run_neuron, {"model": "AlphaSynapse"}),
    ("BrainPy", peers.run_brainpy, {"model": "DualExpon"}),
    ("Elephant", peers.run_elephant, {}),
]


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=_marks(c[0]), id=_case_id(c)) for c in PROPERTY_CASES],
)
def test_measured_peak_and_charge_match_kernel_properties(case):
    r = _single(*case)
    m = peers.measure(r)
    props = kernel_properties(TAU, norm=r.norm)
    # the samples bracket the true peak time t_s + lag + tau to within dt/2
    assert abs(m.time_to_peak - (r.lag + props.peak_time)) <= DT / 2 + 1e-9
    # alpha is flat at its peak: off by at most (dt/2)^2 / (2 tau^2) relatively,
    # plus the integrator's error for the inexact ones (BrainPy exp_auto: O(dt/tau))
    peak_rtol = (DT / 2) ** 2 / (2 * TAU**2) + (0.05 if r.method == "exp_auto" else 1e-7)
    assert m.peak == pytest.approx(WEIGHT * props.peak, rel=peak_rtol)
    # Riemann sum of a kernel that starts at 0: trapezoid error (dt/tau)^2/12;
    # NEURON's AlphaSynapse stops at 10 tau and loses (1 + 10) e^-10 of the charge
    lost = (1 + 10) * math.exp(-10) if r.model == "AlphaSynapse" else 0.0
    charge_rtol = (DT / TAU) ** 2 / 12 + 1e-9 + (0.05 if r.method == "exp_auto" else 0)
    assert m.charge == pytest.approx(WEIGHT * props.charge * (1 - lost), rel=charge_rtol)
    if r.model == "AlphaSynapse":
        # and the truncation is really there: the charge is nearer the truncated value
        full, cut = WEIGHT * props.charge, WEIGHT * props.charge * (1 - lost)
        assert abs(m.charge - cut) < abs(m.charge - full) / 2


def test_same_weight_means_different_synapses_across_simulators():
    # The ratio of the charges of one spike in two conventions is the weight conversion
    # factor; check it on the closed forms first (this is what notebook 7 measures).
    plain, peak, area = (kernel_properties(TAU, norm=n) for n in ("plain", "peak", "area"))
    assert peak.peak / plain.peak == pytest.approx(math.e)
    assert plain.charge / area.charge == pytest.approx(TAU)


@pytest.mark.peers
def test_nest_weight_converted_to_brian2_gives_the_same_conductance():
    _need("NEST")
    _need("Brian2")
    w_nest = 2.5  # nS, the peak in NEST
    nest = peers.run_nest(
        SINGLE, weight=w_nest, tau=TAU, dt=DT, duration=20.0, model="iaf_cond_alpha"
    )
    # Brian2's docs alpha peaks at w / e; both lag one step at NEST's minimum delay
    brian = peers.run_brian2(SINGLE, weight=w_nest * math.e, tau=TAU, dt=DT, duration=20.0)
    _assert_close(brian.response, nest.response, 1e-7, "Brian2 vs NEST")


# --- arguments, laziness, state ------------------------------------------------------------


@pytest.mark.parametrize(
    "runner",
    [peers.run_nest, peers.run_brian2, peers.run_neuron, peers.run_brainpy, peers.run_elephant],
)
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"spike_times": [60.0]}, ValueError, r"\[0, duration\)"),
        ({"spike_times": []}, ValueError, "at least one"),
        ({"spike_times": [np.nan]}, ValueError, "finite"),
        ({"spike_times": "1.0"}, TypeError, "spike_times"),
        ({"spike_times": [1.0], "tau": 0.0}, ValueError, "tau"),
        ({"spike_times": [1.0], "dt": -0.1}, ValueError, "dt"),
        ({"spike_times": [1.0], "weight": np.inf}, ValueError, "weight"),
    ],
)
def test_runners_reject_bad_arguments_before_touching_a_simulator(runner, kwargs, error, match):
    args = {"weight": 1.0, "tau": TAU, "dt": DT, "duration": DURATION} | kwargs
    with pytest.raises(error, match=match):
        runner(**args)


@pytest.mark.parametrize(
    ("runner", "kwargs", "match"),
    [
        (peers.run_nest, {"spike_times": [0.0]}, "> 0"),
        (peers.run_nest, {"spike_times": [1.0], "weight": -1.0}, "weight"),
        (peers.run_nest, {"spike_times": [1.0], "delay": 0.0}, "delay"),
        (peers.run_nest, {"spike_times": [1.0], "delay": 0.15}, "delay"),
        (peers.run_nest, {"spike_times": [1.0], "model": "iaf_psc_delta"}, "model"),
        (peers.run_brian2, {"spike_times": [1.0], "method": "heun"}, "method"),
        (peers.run_brian2, {"spike_times": [1.0], "delay": -0.1}, "delay"),
        (peers.run_neuron, {"spike_times": [1.0], "model": "Exp3Syn"}, "model"),
        (
            peers.run_neuron,
            {"spike_times": [1.0], "model": "Exp2Syn", "tau_ratio": 1.0},
            "tau_ratio",
        ),
        (peers.run_brainpy, {"spike_times": [1.0], "model": "Exponential"}, "model"),
        (peers.run_brainpy, {"spike_times": [1.0], "method": "rkf45"}, "method"),  # adaptive
        (peers.run_elephant, {"spike_times": [1.0], "cutoff_tau": 0}, "cutoff_tau"),
    ],
)
def test_runner_specific_arguments(runner, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        runner(**kwargs)


@pytest.mark.parametrize(
    ("runner", "module", "extra"),
    [
        (peers.run_nest, "nest", "peers"),
        (peers.run_brian2, "brian2", "peers"),
        (peers.run_neuron, "neuron", "peers"),
        (peers.run_elephant, "elephant", "peers"),
        (peers.run_brainpy, "brainpy", "brainpy"),
    ],
)
def test_missing_simulator_names_the_extra(monkeypatch, runner, module, extra):
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` raise ImportError
    with pytest.raises(ImportError, match=rf"alphakit\[{extra}\]"):
        runner([1.0], tau=TAU, dt=DT, duration=10.0)


def test_importing_peers_imports_no_simulator():
    code = (
        "import sys, alphakit.peers as p; p.versions(); "
        "print(sorted(m for m in ('nest', 'neuron', 'brian2', 'elephant', 'brainpy', 'jax') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_versions_reports_installed_distributions():
    found = peers.versions()
    assert set(found) == {"NEST", "NEURON", "Brian2", "Elephant", "BrainPy"}
    for simulator, version in found.items():
        module = MODULES[simulator]
        installed = importlib.util.find_spec(module) is not None
        assert (version is not None) == installed, simulator


def test_measure_and_prediction_reject_other_objects():
    with pytest.raises(TypeError, match="PeerResponse"):
        peers.measure(np.zeros(3))
    with pytest.raises(TypeError, match="PeerResponse"):
        peers.kernel_prediction({"t": np.zeros(3)})
    with pytest.raises(TypeError, match="skip_missing"):
        peers.run_all([1.0], skip_missing="yes")


@pytest.mark.peers
def test_runners_restore_simulator_state():
    _need("Brian2")
    _need("NEURON")
    import brian2
    from neuron import h

    brian2.prefs.codegen.target = "auto"
    h.dt = 0.025
    peers.run_brian2(SINGLE, tau=TAU, dt=DT, duration=5.0)
    peers.run_neuron(SINGLE, tau=TAU, dt=DT, duration=5.0)
    assert brian2.prefs.codegen.target == "auto"
    assert h.dt == 0.025


@pytest.mark.brainpy
def test_brainpy_runner_leaves_x64_and_dt_as_they_were():
    _need("BrainPy")
    import brainpy.math as bm
    import jax

    before = (jax.config.jax_enable_x64, bm.get_dt())
    r = peers.run_brainpy(SINGLE, tau=TAU, dt=0.25, duration=5.0)
    assert r.response.dtype == np.float64
    assert (jax.config.jax_enable_x64, bm.get_dt()) == before


def test_run_all_skips_missing_simulators(monkeypatch):
    for module in MODULES.values():
        monkeypatch.setitem(sys.modules, module, None)
    assert peers.run_all([1.0], tau=TAU, dt=DT, duration=10.0) == []
    with pytest.raises(ImportError):
        peers.run_all([1.0], tau=TAU, dt=DT, duration=10.0, skip_missing=False)


# --- off-grid spike times: each simulator's own placement, live (issue 15) ------------------

# (simulator, runner, kwargs, placed step of each time of OFFGRID at dt 0.1 and at dt 0.5),
# worked out by hand from each rule as its source states it (see alphakit._timing)
OFFGRID = [2.25, 3.3, 5.55, 10.25, 10.26]  # 2.25/0.1 = 22.5 exactly, 10.25/0.1 = 102.4999..
OFFGRID_CASES = [
    # NEST: up to the end of the step, unless on the grid within half a tic
    ("NEST", peers.run_nest, {}, [23, 33, 56, 103, 103], [5, 7, 12, 21, 21]),
    # Brian2: the step that holds the time (int((t + 1e-3 dt) / dt))
    ("Brian2", peers.run_brian2, {}, [22, 33, 55, 102, 102], [4, 6, 11, 20, 20]),
    # BrainPy SpikeTimeGroup: the first step at or after
    ("BrainPy", peers.run_brainpy, {}, [23, 33, 56, 103, 103], [5, 7, 12, 21, 21]),
    # NEURON NetCon events: due by t + dt/2 -> the nearest step; half-way times (2.25, 5.55
    # at 0.1) go where NEURON's t, summed from half steps, puts them: 2.2 + 0.05 >= 2.25 but
    # 5.5 - 1 ulp + 0.05 < 5.55
    ("NEURON", peers.run_neuron, {"model": "Exp2Syn"}, [22, 33, 56, 102, 103], [4, 7, 11, 20, 21]),
    # Elephant: numpy.histogram bins [n dt, (n+1) dt)
    ("Elephant", peers.run_elephant, {}, [22, 33, 55, 102, 102], [4, 6, 11, 20, 20]),
]


@pytest.mark.peers
@pytest.mark.parametrize("dt", [0.1, 0.5])
@pytest.mark.parametrize(("simulator", "runner", "kwargs", "steps01", "steps05"), OFFGRID_CASES)
def test_offgrid_times_placed_by_each_simulator(simulator, runner, kwargs, steps01, steps05, dt):
    _need(simulator)
    expected = np.array(steps01 if dt == 0.1 else steps05)
    run = runner(OFFGRID, weight=WEIGHT, tau=TAU, dt=dt, duration=DURATION, **kwargs)
    # the rule as data says the same as the hand-worked steps
    rule = peers.OFFGRID_RULES[simulator]
    np.testing.assert_array_equal(rule.steps(np.sort(OFFGRID), dt), expected)
    np.testing.assert_array_equal(np.rint(run.spike_times / dt), expected)
    # the live trace starts where the rule and the lag say: first sample after onset
    onset = int(expected[0]) + round(run.lag / dt)
    peak = np.abs(run.response).max()
    assert np.all(np.abs(run.response[: onset + 1]) <= 1e-9 * peak)
    assert abs(run.response[onset + 1]) > 1e-6 * peak
    # and the whole trace is the closed-form kernel from the placed times
    if run.method in ("exact", "analytic", "cnexp"):
        np.testing.assert_allclose(
            run.response, peers.kernel_prediction(run), rtol=0, atol=EXACT_RTOL * peak
        )


@pytest.mark.peers
def test_neuron_alphasynapse_keeps_offgrid_onsets_exact():
    _need("NEURON")
    # duration 30: away from the 10 tau cutoff, where a sample may sit on either side of it
    run = peers.run_neuron([10.25, 3.33], weight=WEIGHT, tau=TAU, dt=DT, duration=30.0)
    np.testing.assert_array_equal(run.spike_times, [3.33, 10.25])
    # g = alpha(t - dt/2 - 10.25) exactly: an onset between samples
    peak = np.abs(run.response).max()
    np.testing.assert_allclose(
        run.response, peers.kernel_prediction(run), rtol=0, atol=EXACT_RTOL * peak
    )


def test_offgrid_rules_cite_their_sources():
    assert set(peers.OFFGRID_RULES) == {"NEST", "Brian2", "BrainPy", "NEURON", "Elephant"}
    for rule in peers.OFFGRID_RULES.values():
        assert rule.sources and rule.rule and rule.element


@pytest.mark.parametrize("runner", [peers.run_nest, peers.run_brainpy])
def test_a_spike_rounded_up_past_the_run_is_refused(runner):
    with pytest.raises(ValueError, match="past the last step"):
        runner([DURATION - 0.05], weight=1.0, tau=TAU, dt=DT, duration=DURATION)


# --- the exponential and dual-exponential synapses (issue 16) -------------------------------

RISE = 0.5  # ms, tau_rise of the dual-exponential runs (TAU = 2 is the decay)


def _kind_sum(times, lag, kind, norm, tau_rise=None, jump_at_lag=True):
    # integer steps, so that a sample exactly at a jump is recognised as such
    n = np.arange(round(DURATION / DT))
    onsets = np.rint((np.asarray(times) + lag) / DT).astype(int)
    s = (n[:, None] - onsets[None, :]) * DT
    if kind == "exp":
        k = exp_kernel(s, TAU, norm=norm)
        if not jump_at_lag:
            k = np.where(s == 0, 0.0, k)
    else:
        k = dual_exp_kernel(s, tau_rise, TAU, norm=norm)
    return WEIGHT * k.sum(axis=1)


def _row_norm(name):
    # the conventions rows of issue 16 land separately; check them once they exist
    try:
        return CONVENTIONS[name].norm
    except KeyError:
        return None


# (simulator, runner, kwargs, kind, norm, lag in ms, rtol, tau_rise, jump shown at the lag)
# From the simulators' sources: NEST's iaf_*_exp currents and conductances jump by the
# weight in the step the spike arrives (t_s + delay), iaf_cond_beta scales its jump to a
# unit peak (nest-simulator PR 1197); Brian2's docs synapses record a step before on_pre
# acts (lag dt), the biexponential with its invpeak (unit peak); NEURON's ExpSyn adds the
# weight to g at the start of the step, after that time's sample; Exp2Syn's factor gives a
# unit peak; BrainPy's Expon adds x to g after integrating (lag 0), exp_auto being exact
# for one linear equation; Elephant's ExponentialKernel is expon.pdf (1/tau at 0).
KIND_CASES = [
    ("NEST", peers.run_nest, {"kind": "exp"}, "exp", "peak", DT, EXACT_RTOL, None, True),
    ("NEST", peers.run_nest, {"model": "iaf_cond_exp"}, "exp", "peak", DT, 1e-7, None, True),
    ("NEST", peers.run_nest, {"tau_rise": RISE}, "dual_exp", "peak", DT, 1e-6, RISE, True),
    ("Brian2", peers.run_brian2, {"kind": "exp"}, "exp", "peak", DT, EXACT_RTOL, None, True),
    (
        "Brian2", peers.run_brian2, {"kind": "dual_exp", "tau_rise": RISE}, "dual_exp", "peak",
        DT, EXACT_RTOL, RISE, True,
    ),
    ("NEURON", peers.run_neuron, {"kind": "exp"}, "exp", "peak", 0.0, EXACT_RTOL, None, False),
    (
        "NEURON", peers.run_neuron, {"kind": "exp", "delay": 0.5}, "exp", "peak", 0.5,
        EXACT_RTOL, None, False,
    ),
    (
        "NEURON", peers.run_neuron, {"tau_rise": RISE, "delay": 0.3}, "dual_exp", "peak", 0.4,
        EXACT_RTOL, RISE, True,
    ),
    ("BrainPy", peers.run_brainpy, {"kind": "exp"}, "exp", "peak", 0.0, EXACT_RTOL, None, True),
    ("Elephant", peers.run_elephant, {"kind": "exp"}, "exp", "area", 0.0, EXACT_RTOL, None, True),
]  # fmt: skip


@pytest.mark.parametrize(
    "case", [pytest.param(c, marks=_marks(c[0]), id=_case_id(c)) for c in KIND_CASES]
)
def test_every_kind_is_alphakits_kernel_with_its_documented_lag(case):
    simulator, runner, kwargs, kind, norm, lag, rtol, rise, jump = case
    _need(simulator)
    r = runner(TRAIN, weight=WEIGHT, tau=TAU, dt=DT, duration=DURATION, **kwargs)
    assert (r.kind, r.norm, r.jump_at_lag) == (kind, norm, jump)
    assert r.lag == pytest.approx(lag, abs=1e-12)
    assert r.tau_rise == (rise if kind == "dual_exp" else 0.0)
    assert _row_norm(r.convention) in (None, norm)
    expected = _kind_sum(TRAIN, lag, kind, norm, rise, jump)
    _assert_close(r.response, expected, rtol, r.label)
    for wrong in (lag - DT, lag + DT):
        shifted = _kind_sum(TRAIN, wrong, kind, norm, rise, jump)
        assert np.max(np.abs(r.response - shifted)) > 100 * rtol * np.max(expected)
    if kind == "exp":  # the jump shows at the lag, or (NEURON) one sample later
        assert _kind_sum(TRAIN, lag, kind, norm, rise, not jump) != pytest.approx(r.response)
    _assert_close(peers.kernel_prediction(r), expected, 1e-12, "kernel_prediction")
    # one spike: peak and charge of the closed form
    one = runner(SINGLE, weight=WEIGHT, tau=TAU, dt=DT, duration=DURATION, **kwargs)
    props = kernel_properties(TAU, kind=kind, tau_rise=rise, norm=norm)
    m = peers.measure(one)
    if kind == "exp":
        assert m.peak == pytest.approx(WEIGHT * props.peak, rel=1e-7 if jump else DT / TAU)
    else:  # the samples straddle the peak within dt/2
        assert WEIGHT * props.peak * (1 - (DT / RISE) ** 2) <= m.peak <= WEIGHT * props.peak
    # a jump's Riemann sum counts the first sample whole: charge + weight k(0) dt / 2
    half = WEIGHT * props.peak * DT / 2 * (1 if jump else -1) if kind == "exp" else 0.0
    assert m.charge == pytest.approx(WEIGHT * props.charge + half, rel=(DT / RISE) ** 2 / 12)


# (simulator, kwargs, alphakit method, steps of lag, ODE form, weight factor): the explicit
# integrators against alphakit.simulate. Brian2's biexponential is alphakit's "fixed" form
# scaled to a unit peak, BrainPy's DualExpon the "legacy" form with the jump a = 1 / peak.
_PLAIN_PEAK = kernel_properties(TAU, kind="dual_exp", tau_rise=RISE, norm="plain").peak
_LEGACY_PEAK = kernel_properties(TAU, kind="dual_exp", tau_rise=RISE, norm="legacy").peak
KIND_INTEGRATOR_CASES = [
    ("Brian2", {"kind": "exp", "method": m}, m, 1, "fixed", 1.0) for m in ("euler", "rk4")
] + [
    ("Brian2", {"tau_rise": RISE, "method": m}, m, 1, "fixed", 1 / _PLAIN_PEAK)
    for m in ("euler", "rk2", "rk4")
] + [
    ("BrainPy", {"kind": "exp", "method": m}, m, 0, "fixed", 1.0) for m in ("euler", "rk4")
] + [
    ("BrainPy", {"tau_rise": RISE, "method": m}, m, 0, "legacy", 1 / _LEGACY_PEAK)
    for m in ("exp_auto", "euler", "rk2", "rk4")
]  # fmt: skip


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, marks=_marks(c[0]), id=c[0] + "-" + "-".join(map(str, c[1].values())))
        for c in KIND_INTEGRATOR_CASES
    ],
)
def test_every_kind_integrator_equals_alphakit_simulate(case):
    simulator, kwargs, method, lag_steps, form, factor = case
    _need(simulator)
    runner = peers.run_brian2 if simulator == "Brian2" else peers.run_brainpy
    r = runner(TRAIN, weight=WEIGHT, tau=TAU, dt=DT, duration=DURATION, **kwargs)
    spikes = times_to_grid(TRAIN, DT, duration=DURATION)
    g = simulate(
        spikes, DT, TAU, kind=r.kind, tau_rise=kwargs.get("tau_rise"),
        form=form if r.kind != "exp" else "fixed", method=method, weight=WEIGHT * factor,
    ).g  # fmt: skip
    expected = np.concatenate([np.zeros(lag_steps), g[: g.size - lag_steps]])
    _assert_close(r.response, expected, EXACT_RTOL, r.label)


@pytest.mark.brainpy
def test_dualexpon_exp_auto_overshoots_its_peak_by_dt_over_two_tau_rise():
    _need("BrainPy")
    tau_rise, tau_decay = 0.5, 5.0
    dts = np.array([0.025, 0.05, 0.1, 0.2])
    o = peers.dualexpon_overshoot(dts, tau_rise=tau_rise, tau_decay=tau_decay)
    # exponential Euler holds h at its start-of-step value over the step, so each step
    # gives g the exact transfer times R = (td (1 - e^-y)) (1/td - 1/tr) / (e^-x - e^-y)
    x, y = dts / tau_rise, dts / tau_decay
    ratio = tau_decay * (-np.expm1(-y)) * (1 / tau_decay - 1 / tau_rise) / (
        np.exp(-x) - np.exp(-y)
    )
    np.testing.assert_allclose(o.step_ratio, ratio - 1, rtol=1e-9)
    # and the trace is R times the exact sampled kernel: its largest sample, exactly
    for dt, r, measured in zip(dts, ratio, o.measured, strict=True):
        t = np.arange(0, 10 * tau_decay, dt)
        top = np.max(dual_exp_kernel(t, tau_rise, tau_decay, norm="peak"))
        assert measured == pytest.approx(r * top - 1, abs=1e-9)
    np.testing.assert_allclose(o.measured, o.simulated, rtol=0, atol=1e-9)
    # positive, below the bound, and about dt / (2 tau_rise): 10 % at dt 0.1, tau_rise 0.5
    assert np.all(o.measured > 0)
    assert np.all(o.measured <= o.step_ratio + 1e-12)
    np.testing.assert_allclose(o.first_order, dts / (2 * tau_rise))
    assert np.all(np.abs(o.measured / o.first_order - 1) < 2 * o.first_order)
    assert o.measured[2] == pytest.approx(0.10, abs=0.01)


@pytest.mark.parametrize(
    ("runner", "kwargs", "match"),
    [
        (peers.run_nest, {"kind": "dual_exp"}, "tau_rise is required"),
        (peers.run_nest, {"kind": "exp", "tau_rise": 1.0}, "tau_rise"),
        (peers.run_nest, {"model": "iaf_psc_alpha", "kind": "exp"}, "iaf_psc_exp"),
        (peers.run_nest, {"tau_rise": 0.0}, "tau_rise"),
        (peers.run_brian2, {"kind": "dual_exp", "tau_rise": TAU}, "tau_rise must differ"),
        (peers.run_brian2, {"kind": "beta"}, "kind"),
        (peers.run_neuron, {"tau_rise": TAU}, "tau_rise must be at most"),
        (peers.run_neuron, {"tau_rise": 0.5, "tau_ratio": 0.5}, "tau_ratio"),
        (peers.run_neuron, {"model": "ExpSyn", "tau_rise": 0.5}, "ExpSyn"),
        (peers.run_brainpy, {"model": "Expon", "kind": "alpha"}, "Expon"),
        (peers.run_elephant, {"kind": "dual_exp"}, "not available"),
        (peers.dualexpon_overshoot, {"tau_rise": 0.5, "tau_decay": 5.0}, "dt_values"),
    ],
)
def test_kind_arguments_are_checked_before_touching_a_simulator(runner, kwargs, match):
    with pytest.raises(ValueError, match=match):
        if runner is peers.dualexpon_overshoot:
            runner([-0.1], **kwargs)
        else:
            runner([1.0], tau=TAU, **kwargs)


def test_run_all_checks_the_kind_and_knows_every_kind(monkeypatch):
    assert set(peers.PEERS_BY_KIND) == {"alpha", "exp", "dual_exp"}
    assert peers.PEERS is peers.PEERS_BY_KIND["alpha"]
    with pytest.raises(ValueError, match="tau_rise is required"):
        peers.run_all([1.0], kind="dual_exp")
    for module in MODULES.values():
        monkeypatch.setitem(sys.modules, module, None)
    assert peers.run_all([1.0], kind="dual_exp", tau_rise=RISE) == []


@pytest.mark.peers
@pytest.mark.parametrize("kind", ["exp", "dual_exp"])
def test_run_all_runs_every_simulator_in_the_kind(kind):
    rise = RISE if kind == "dual_exp" else None
    runs = peers.run_all(TRAIN, weight=WEIGHT, tau=TAU, dt=DT, duration=20.0, kind=kind,
                         tau_rise=rise)  # fmt: skip
    assert runs and {r.kind for r in runs} == {kind}
    for r in runs:
        if r.method in ("exact", "cnexp", "rkf45") or (r.method == "exp_auto" and kind == "exp"):
            peak = np.max(np.abs(r.response))
            np.testing.assert_allclose(
                r.response, peers.kernel_prediction(r), rtol=0, atol=1e-6 * peak, err_msg=r.label
            )
