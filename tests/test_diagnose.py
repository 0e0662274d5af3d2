import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse

from alphakit import NORMS, convolve_spikes, grid_to_times, kernel_properties, poisson_train
from alphakit.diagnosis import Diagnosis, diagnose, recognise_factor

DATA = Path(__file__).parent / "data"


def _delay(x, lag):
    out = np.zeros_like(x)
    out[lag:] = x[: x.shape[0] - lag]
    return out


def _charge_ratio(true_norm, ref_norm, tau):
    # independent of the factor bookkeeping in diagnose: the kernels' own charges
    true, ref = kernel_properties(tau, norm=true_norm), kernel_properties(tau, norm=ref_norm)
    return true.charge / ref.charge


# (dt, lag, relative noise): a few regimes per pair, kept small for speed
REGIMES = [(0.1, 0, 0.0), (0.05, 1, 0.0), (0.5, 3, 1e-3)]


@pytest.mark.parametrize("tau", [0.5, 2.0, 8.6])
@pytest.mark.parametrize(("true_norm", "ref_norm"), list(itertools.product(NORMS, NORMS)))
def test_known_factor_recovered_for_every_pair(true_norm, ref_norm, tau):
    rng = np.random.default_rng(7)
    for dt, lag, noise in REGIMES:
        s = poisson_train(40.0, dt, duration=300.0, seed=3)
        clean = _delay(convolve_spikes(s, dt, tau, norm=true_norm), lag)
        y = clean + noise * np.sqrt(np.mean(clean**2)) * rng.standard_normal(clean.shape)
        d = diagnose(y, s, dt, tau, norm=ref_norm)
        expected = _charge_ratio(true_norm, ref_norm, tau)
        assert d.lag == lag
        assert d.scale == pytest.approx(expected, rel=1e-10 if noise == 0 else 1e-3)
        assert d.convention == true_norm
        assert d.shape_matches and d.refit is None
        assert d.residual < (1e-12 if noise == 0 else 3 * noise)
        if true_norm == ref_norm:
            assert d.factor == "1"


def test_lag_and_scale_match_brute_force_least_squares():
    # A recording that is not an alpha response at all: the FFT over all lags
    # must still agree with lstsq lag by lag.
    rng = np.random.default_rng(1)
    dt, tau, T, max_lag = 0.1, 3.0, 400, 40
    s = poisson_train(80.0, dt, duration=T * dt, seed=5)
    y = rng.standard_normal(T).cumsum()
    b = convolve_spikes(s, dt, tau)
    best = None
    for lag in range(max_lag + 1):
        bl = _delay(b, lag)[:, None]
        coef, res, *_ = np.linalg.lstsq(bl, y, rcond=None)
        err = np.sum((y - bl[:, 0] * coef[0]) ** 2)
        if best is None or err < best[0]:
            best = (err, lag, coef[0])
    d = diagnose(y, s, dt, tau, max_lag=max_lag, onset="step")
    assert d.lag == best[1]
    assert d.scale == pytest.approx(best[2], rel=1e-9)
    assert d.residual == pytest.approx(math.sqrt(best[0]) / np.linalg.norm(y), rel=1e-9)
    np.testing.assert_allclose(d.fitted, best[2] * _delay(b, best[1]), rtol=1e-9, atol=1e-12)


def _reference(name):
    f = np.load(DATA / name)
    p = json.loads(str(f["params"]))
    return f["g"], f["pre_spike"], p


REFERENCE = sorted(p.name for p in DATA.glob("brainpy-*.npz"))


@pytest.mark.parametrize("name", REFERENCE)
def test_brainpy_reference_traces(name):
    g, pre, p = _reference(name)
    dt, tau = p["dt"], p.get("tau", p.get("tau_decay", 8.6))
    assert g.dtype == np.float32
    d = diagnose(g, pre, dt, tau)
    assert d.lag == 1  # BrainPy's synapse sees the presynaptic spike one step late
    assert d.shape_matches
    legacy = name.startswith("brainpy-2.4.6")
    assert d.convention == ("legacy" if legacy else "plain")
    assert d.factor == ("tau" if legacy else "1")
    expected = tau if legacy else 1.0
    # rk4 is exact to float32; exp_auto carries a bias of ~0.6 %, Euler ~0.3 %
    rel = 1e-5 if name.endswith("rk4.npz") else 1e-2
    assert d.scale == pytest.approx(expected, rel=rel)
    if legacy:
        assert "BrainPy <= 2.4.6" in d.explanation
    assert "one step" in d.explanation


def test_explanation_reads_like_the_issue():
    s = np.zeros(1000)
    s[100] = 1
    g = 8.6 * _delay(convolve_spikes(s, 0.1, 8.6), 1)
    d = diagnose(g.astype(np.float32), s, 0.1, 8.6)
    text = str(d)
    assert "8.600 x the convolution" in text
    assert "one step (0.100 ms) late" in text
    assert "8.600 is tau" in text
    assert "dg/dt = -g/tau + h (BrainPy <= 2.4.6)" in text
    assert isinstance(d, Diagnosis) and d.tau_estimate is None


def test_float32_and_float64_agree():
    s = poisson_train(30.0, 0.1, duration=200.0, seed=2)
    g = math.e * _delay(convolve_spikes(s, 0.1, 4.0), 2)
    d64 = diagnose(g, s, 0.1, 4.0)
    d32 = diagnose(g.astype(np.float32), s, 0.1, 4.0)
    assert (d32.lag, d32.factor, d32.convention) == (d64.lag, "e", "peak")
    assert d32.scale == pytest.approx(d64.scale, rel=1e-6)


def test_dense_sparse_and_times_agree():
    dt, tau, n = 0.1, 5.0, 4
    s = poisson_train(20.0, dt, duration=150.0, n=n, seed=9)
    y = tau * _delay(convolve_spikes(s, dt, tau), 1)
    dense = diagnose(y, s, dt, tau)
    sparse = diagnose(y, scipy.sparse.csr_matrix(s), dt, tau)
    times = diagnose(y, grid_to_times(s, dt), dt, tau, times=True)
    for d in (sparse, times):
        assert (d.lag, d.factor, d.convention) == (dense.lag, "tau", "legacy")
        assert d.scale == pytest.approx(dense.scale, rel=1e-10)


def test_off_grid_spike_times():
    dt, tau = 0.1, 3.0
    times = np.array([1.234, 7.77, 20.05])
    from alphakit import convolve_spike_times

    y = convolve_spike_times(times, dt, tau, duration=40.0, norm="area")
    d = diagnose(y, times, dt, tau, times=True)
    assert (d.lag, d.convention, d.factor) == (0, "area", "1/tau")
    assert d.residual < 1e-12


def test_many_synapses_shared_and_per_column():
    dt, tau, n = 0.1, 2.0, 3
    s = poisson_train(25.0, dt, duration=200.0, n=n, seed=4)
    b = convolve_spikes(s, dt, tau)
    # shared: the same factor on every column
    shared = diagnose(math.e * _delay(b, 1), s, dt, tau)
    assert (shared.lag, shared.convention) == (1, "peak")
    assert shared.fitted.shape == (s.shape[0], n)
    # per column: each its own factor and lag
    factors, lags = [1.0, tau, 1.0 / tau], [0, 1, 2]
    y = np.stack(
        [f * _delay(b[:, j], k) for j, (f, k) in enumerate(zip(factors, lags, strict=True))],
        axis=1,
    )
    per = diagnose(y, s, dt, tau, per_column=True)
    assert [d.lag for d in per] == lags
    assert [d.convention for d in per] == ["plain", "legacy", "area"]
    for d, f in zip(per, factors, strict=True):
        assert d.scale == pytest.approx(f, rel=1e-10)
    # one shared scale cannot explain different factors: the shape "does not match"
    assert not diagnose(y, s, dt, tau).shape_matches


def test_one_train_many_columns_and_many_trains_one_column():
    dt, tau = 0.1, 4.0
    s = poisson_train(30.0, dt, duration=200.0, seed=8)
    b = convolve_spikes(s, dt, tau)
    y = np.stack([b, 2 * b], axis=1)
    per = diagnose(y, s, dt, tau, per_column=True)
    assert [round(d.scale, 9) for d in per] == [1.0, 2.0]
    trains = poisson_train(30.0, dt, duration=200.0, n=5, seed=8)
    total = convolve_spikes(trains, dt, tau).sum(axis=1)
    d = diagnose(tau * total, trains, dt, tau)
    assert d.convention == "legacy" and d.scale == pytest.approx(tau, rel=1e-10)


def test_wrong_tau_is_reported_and_estimated():
    dt, true_tau = 0.1, 8.6
    s = poisson_train(20.0, dt, duration=300.0, seed=11)
    g = true_tau * _delay(convolve_spikes(s, dt, true_tau), 1)
    d = diagnose(g, s, dt, tau=4.0)
    assert not d.shape_matches
    assert "shape does not match" in d.explanation
    assert d.tau_estimate == pytest.approx(true_tau, rel=1e-6)
    assert d.refit.shape_matches and d.refit.lag == 1
    assert d.refit.convention == "legacy" and d.refit.factor == "tau"


def test_not_an_alpha_response_is_said_plainly():
    dt, tau = 0.1, 5.0
    s = poisson_train(20.0, dt, duration=300.0, seed=12)
    # an exponential synapse: no tau makes it an alpha response
    r = math.exp(-dt / tau)
    from scipy.signal import lfilter

    y = lfilter([1.0], [1.0, -r], s)
    d = diagnose(y, s, dt, tau)
    assert not d.shape_matches and not d.refit.shape_matches
    assert "not an alpha response" in d.explanation


ALL_FACTORS = {
    (0, 0): "1",
    (0, 1): "tau",
    (0, -1): "1/tau",
    (1, 0): "e",
    (-1, 0): "1/e",
    (1, 1): "e*tau",
    (-1, -1): "1/(e*tau)",
    (1, -1): "e/tau",
    (-1, 1): "tau/e",
    (0, 2): "tau^2",
    (0, -2): "1/tau^2",
}


@pytest.mark.parametrize("tau", [0.3, 2.0, 8.6, 40.0])
@pytest.mark.parametrize(("ab", "label"), list(ALL_FACTORS.items()))
def test_every_factor_is_named(ab, label, tau):
    value = math.e ** ab[0] * tau ** ab[1]
    best, fits = recognise_factor(value * 1.004, tau, rtol=0.01)
    assert best == ab and fits == [ab]
    s = np.zeros(300)
    s[10] = 1
    d = diagnose(value * convolve_spikes(s, 0.1, tau), s, 0.1, tau)
    assert d.factor == label


def test_factor_ambiguity_and_misfits():
    # tau = e makes e and tau the same number: both are reported
    best, fits = recognise_factor(math.e, math.e)
    assert set(fits) >= {(1, 0), (0, 1)}
    s = np.zeros(300)
    s[10] = 1
    b = convolve_spikes(s, 0.1, 8.6)
    d = diagnose(3.3 * b, s, 0.1, 8.6)
    assert d.factor is None and d.convention is None
    assert "none of the factors" in d.explanation
    neg = diagnose(-8.6 * b, s, 0.1, 8.6)
    assert neg.factor == "-tau" and neg.convention is None
    # e*tau relative to plain is no convention with unit weight
    et = diagnose(math.e * 8.6 * b, s, 0.1, 8.6)
    assert et.factor == "e*tau" and et.convention is None
    # ... but relative to "area" it is the peak convention
    assert diagnose(math.e * b, s, 0.1, 8.6, norm="area").factor == "e*tau"


def test_bad_input():
    s = np.zeros(100)
    s[5] = 1
    g = convolve_spikes(s, 0.1, 2.0)
    with pytest.raises(ValueError, match="same number of time steps"):
        diagnose(g[:-1], s, 0.1, 2.0)
    with pytest.raises(ValueError, match="no spikes"):
        diagnose(g, np.zeros(100), 0.1, 2.0)
    bad = g.copy()
    bad[3] = np.nan
    with pytest.raises(ValueError, match="recorded must contain only finite"):
        diagnose(bad, s, 0.1, 2.0)
    with pytest.raises(ValueError, match="spikes must contain only finite"):
        diagnose(g, np.where(s > 0, np.nan, 0.0), 0.1, 2.0)
    with pytest.raises(ValueError, match="max_lag"):
        diagnose(g, s, 0.1, 2.0, max_lag=-1)
    with pytest.raises(ValueError, match="max_lag"):
        diagnose(g, s, 0.1, 2.0, max_lag=100)
    with pytest.raises(TypeError, match="max_lag"):
        diagnose(g, s, 0.1, 2.0, max_lag=1.5)
    with pytest.raises(ValueError, match="zero everywhere"):
        diagnose(np.zeros(100), s, 0.1, 2.0)
    with pytest.raises(ValueError, match="columns"):
        diagnose(np.ones((100, 3)), np.ones((100, 2)), 0.1, 2.0)
    with pytest.raises(ValueError, match="tau"):
        diagnose(g, s, 0.1, -2.0)
    with pytest.raises(ValueError, match="norm"):
        diagnose(g, s, 0.1, 2.0, norm="nest")
    last = np.zeros(100)
    last[-1] = 1
    with pytest.raises(ValueError, match="no response"):
        diagnose(g, last, 0.1, 2.0, onset="step")
    with pytest.raises(ValueError, match="non-negative"):
        diagnose(g, -s, 0.1, 2.0)
    with pytest.raises(ValueError, match="no spike times"):
        diagnose(g, [], 0.1, 2.0, times=True)


def test_per_column_with_one_train():
    s = np.zeros(300)
    s[5] = 1
    (d,) = diagnose(8.6 * convolve_spikes(s, 0.1, 8.6), s, 0.1, 8.6, per_column=True)
    assert d.factor == "tau" and d.lag == 0


@pytest.mark.parametrize("name", ["rtol", "shape_rtol"])
def test_tolerances_must_be_below_one(name):
    s = np.zeros(100)
    s[5] = 1
    with pytest.raises(ValueError, match=name):
        diagnose(convolve_spikes(s, 0.1, 1.0), s, 0.1, 1.0, **{name: 1.5})
