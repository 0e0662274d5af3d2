"""diagnose and classify for every kind and norm, with continuous onsets (issues 15 and 16).

The recordings are built from the closed forms of :mod:`alphakit.kernels`
evaluated at the spike times plus the onset (not from the fitting code), so a
fitted onset, time constant or scale is compared with the numbers that made it.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import alphakit as ak
from alphakit import KERNEL_NORMS, kernel_properties
from alphakit.diagnosis import Classification, Diagnosis, classify, diagnose

DATA = Path(__file__).parent / "data"
DT = 0.1
# (tau_rise, tau); tau_rise 1 would make the dual exponential's "legacy" equal "plain"
TAUS = {"alpha": (None, 3.0), "exp": (None, 4.0), "dual_exp": (1.5, 5.0)}
CASES = [
    (kind, norm)
    for kind, norms in KERNEL_NORMS.items()
    for norm in norms
    if norm != "difference"  # identically 0 at equal taus: covered on its own below
]


def _closed_form(kind, norm, t):
    rise, tau = TAUS[kind]
    if kind == "alpha":
        return ak.alpha_kernel(t, tau, norm=norm)
    if kind == "exp":
        return ak.exp_kernel(t, tau, norm=norm)
    return ak.dual_exp_kernel(t, rise, tau, norm=norm)


def _recording(kind, norm, weight, onset, T=1500, spike_steps=(50, 400, 410, 900)):
    t = np.arange(T) * DT
    s = np.zeros(T)
    y = np.zeros(T)
    for m in spike_steps:
        s[m] += 1
        y += weight * _closed_form(kind, norm, t - m * DT - onset)
    return y, s


def _expected_scale(kind, norm, weight):
    # the scale against the kind's "plain" kernel: the ratio of the kernels' charges
    rise, tau = TAUS[kind]
    p = kernel_properties(tau, norm=norm, kind=kind, tau_rise=rise)
    q = kernel_properties(tau, norm="plain", kind=kind, tau_rise=rise)
    return weight * p.charge / q.charge


@pytest.mark.parametrize(("kind", "norm"), CASES)
def test_every_kind_and_norm_with_whole_and_fractional_onsets(kind, norm):
    rng = np.random.default_rng(hash((kind, norm)) % 2**32)
    rise, tau = TAUS[kind]
    # exp: a fraction of a step is a scale on the grid, so its onsets are whole steps
    onsets = [0.0, 2 * DT] if kind == "exp" else [0.0, 0.37 * DT, 1.5 * DT, -0.4 * DT]
    for onset in onsets:
        for noise in (0.0, 1e-3):
            weight = 1.0 if noise == 0.0 else float(rng.uniform(0.5, 3.0))
            clean, s = _recording(kind, norm, weight, onset)
            y = clean + noise * np.sqrt(np.mean(clean**2)) * rng.standard_normal(clean.shape)
            # known kind and time constants
            d = diagnose(y, s, DT, tau, kind=kind, tau_rise=rise)
            tol = 1e-6 + 0.02 * DT * (noise > 0)
            assert d.kind == kind and d.lag_ms == pytest.approx(onset, abs=tol)
            whole = abs(onset / DT - round(onset / DT)) < 1e-9
            assert d.lag == (round(onset / DT) if whole else None)
            expected = _expected_scale(kind, norm, weight)
            assert d.scale == pytest.approx(expected, rel=1e-8 if noise == 0 else 5e-3)
            if noise == 0.0:
                same = {norm, d.convention} <= {"plain", "peak"}  # one kernel for exp
                assert d.convention == norm or (kind == "exp" and same)
                assert d.residual < 1e-8
            # kind and time constants unknown
            f = diagnose(y, s, DT, kind=None)
            assert f.kind == kind
            assert f.tau == pytest.approx(tau, rel=1e-6 if noise == 0 else 2e-2)
            if kind == "dual_exp":
                assert f.tau_rise == pytest.approx(rise, rel=1e-5 if noise == 0 else 5e-2)
            else:
                assert f.tau_rise is None
            assert f.lag_ms == pytest.approx(onset, abs=1e-5 + 0.05 * DT * (noise > 0))
            assert f.scale == pytest.approx(expected, rel=1e-5 if noise == 0 else 3e-2)
            assert f.shape_matches and f.tau_decay == f.tau


def test_acceptance_half_a_step_on_a_grid():
    # the exact response delayed by 0.05 ms on a 0.1 ms grid: lag_ms 0.05, the right scale
    tau, T = 5.0, 1000
    s = np.zeros(T)
    s[[100, 350]] = 1
    y = 8.6 * ak.convolve_spike_times(np.array([100, 350]) * DT + 0.05, DT, tau, duration=T * DT)
    d = diagnose(y, s, DT, tau)
    assert d.lag is None and d.lag_ms == pytest.approx(0.05, abs=1e-7)
    assert d.scale == pytest.approx(8.6, rel=1e-8) and d.factor is None
    assert "0.5 steps (0.050 ms) late" in d.explanation
    # with whole steps only, the old answer: a whole lag that leaves a residual
    w = diagnose(y, s, DT, tau, onset="step")
    assert w.lag in (0, 1) and w.residual > 100 * d.residual + 1e-3


@pytest.mark.parametrize("tau", [2.0, 5.0, 8.6])
def test_acceptance_unit_area_alpha_sampled_from_dt(tau):
    t = (np.arange(int(15 * tau / DT)) + 1) * DT  # no sample at the onset
    c = classify(ak.alpha_kernel(t, tau, norm="area"), DT)
    assert isinstance(c, Classification)
    assert (c.kind, c.convention, c.lag) == ("alpha", "area", -1)
    assert c.lag_ms == pytest.approx(-DT, abs=1e-9)
    assert c.tau == pytest.approx(tau, rel=1e-6) and c.factor_label == "1/tau"


@pytest.mark.parametrize(("kind", "norm"), CASES)
def test_classify_every_kind_and_norm(kind, norm):
    rise, tau = TAUS[kind]
    for onset in (0.0, 0.5 * DT, -DT) if kind != "exp" else (0.0, 3 * DT):
        t = np.arange(int(12 * tau / DT)) * DT
        y = _closed_form(kind, norm, t - onset)
        c = classify(y, DT)
        assert c.kind == kind
        assert c.lag_ms == pytest.approx(onset, abs=1e-6)
        assert c.tau == pytest.approx(tau, rel=1e-5)
        assert c.tau_rise == (None if rise is None else pytest.approx(rise, rel=1e-4))
        assert c.factor == pytest.approx(_expected_scale(kind, norm, 1.0), rel=1e-5)
        if kind == "exp" and norm in ("plain", "peak"):
            assert c.convention in ("plain", "peak")
        else:
            assert c.convention == norm
        # given the kind and time constants, the same answer
        g = classify(y, DT, tau, kind=kind, tau_rise=rise)
        assert g.convention == c.convention and not g.tau_estimated


def test_dual_exp_difference_norm_and_its_factor():
    t = np.arange(600) * DT
    y = ak.dual_exp_kernel(t, 1.0, 5.0, norm="difference")
    c = classify(y, DT, kind="dual_exp")
    assert c.convention == "difference" and c.factor_label == "1 - tau_rise/tau_decay"


def test_classify_explanation_ends_cleanly_with_or_without_table_rows():
    # the sentence names the table rows of the convention after a colon; with no row
    # for the kind's norm it must end after the signature, not with ": ."
    t = np.arange(600) * DT
    for kind, norm in (("dual_exp", "area"), ("alpha", "peak")):
        rise, tau = TAUS[kind]
        c = classify(_closed_form(kind, norm, t), DT, tau, kind=kind, tau_rise=rise)
        assert c.convention == norm
        assert ": ." not in c.explanation and c.explanation.endswith(".")
        if c.matches:
            assert c.explanation.endswith(", ".join(c.matches) + ".")


@pytest.mark.parametrize("kind", ["alpha", "dual_exp"])
def test_legacy_form_from_simulate(kind):
    # BrainPy's legacy equations integrated by alphakit: lag 0, the "legacy" norm
    tau, rise = 4.0, (1.5 if kind == "dual_exp" else None)
    s = ak.poisson_train(30.0, DT, duration=200.0, seed=4)
    g = ak.simulate(s, DT, tau, form="legacy", method="exact", kind=kind, tau_rise=rise).g
    d = diagnose(g, s, DT, tau, kind=kind, tau_rise=rise)
    assert (d.lag, d.convention, d.kind) == (0, "legacy", kind)
    d = diagnose(g, s, DT, kind=None)
    assert d.kind == kind and d.convention == "legacy"
    assert d.tau == pytest.approx(tau, rel=1e-6)


@pytest.mark.parametrize("method", ["euler", "exp_auto", "rk4"])
def test_brainpy_reference_single_spike_is_alpha(method):
    f = np.load(DATA / f"brainpy-2.8.2-single-tau8.6-dt0.1-{method}.npz")
    p = json.loads(str(f["params"]))
    m = int(np.flatnonzero(f["pre_spike"][:, 0])[0])
    c = classify(f["g"][m:], p["dt"], rtol=0.02)
    assert (c.kind, c.lag, c.convention) == ("alpha", 1, "plain")
    d = diagnose(f["g"], f["pre_spike"], p["dt"], kind=None, rtol=0.02)
    assert (d.kind, d.lag, d.convention) == ("alpha", 1, "plain")
    assert d.tau == pytest.approx(8.6, rel=1e-2)


def test_bad_input():
    y, s = _recording("alpha", "plain", 1.0, 0.0, T=300, spike_steps=(10,))
    with pytest.raises(ValueError, match="tau_rise"):
        diagnose(y, s, DT, 3.0, tau_rise=1.0)
    with pytest.raises(ValueError, match="tau_rise"):
        diagnose(y, s, DT, 3.0, kind="dual_exp", tau_rise=-1.0)
    with pytest.raises(ValueError, match="norm"):
        diagnose(y, s, DT, 3.0, kind="exp", norm="legacy")
    with pytest.raises(ValueError, match="norm"):
        diagnose(y, s, DT, kind=None, norm="legacy")
    with pytest.raises(ValueError, match="kind"):
        diagnose(y, s, DT, 3.0, kind="beta")
    with pytest.raises(ValueError, match="onset"):
        diagnose(y, s, DT, 3.0, onset="half")
    with pytest.raises(ValueError, match="kind"):
        classify(y, DT, kind="gauss")
    with pytest.raises(ValueError, match="tau"):
        classify(y, DT, tau=0.0)


def test_results_show_kind_and_onset():
    y, s = _recording("dual_exp", "peak", 1.0, 0.05, T=400, spike_steps=(10,))
    d = diagnose(y, s, DT, 5.0, kind="dual_exp", tau_rise=1.5)
    assert isinstance(d, Diagnosis)
    text = repr(d)
    assert "kind='dual_exp'" in text and "lag=None" in text and "tau_rise=1.5" in text
    assert "dual-exponential" in d.explanation


@pytest.mark.peers
def test_live_nest_alpha_trace():
    peers = pytest.importorskip("alphakit.peers")
    pytest.importorskip("nest")
    r = peers.run_nest([10.0], tau=2.0, dt=DT, duration=40.0)
    s = np.zeros(r.response.shape[0])
    s[round(10.0 / DT)] = 1
    d = diagnose(r.response, s, DT, kind=None)
    assert d.kind == "alpha" and d.convention == "peak"
    assert d.lag_ms == pytest.approx(r.lag, abs=1e-6) and d.tau == pytest.approx(2.0, rel=1e-6)
