import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from alphakit import (
    NORMS,
    alpha_kernel,
    convolve_spike_times,
    convolve_spikes,
    kernel_properties,
    poisson_train,
    times_to_grid,
)
from alphakit.convolution import CONVOLUTION_METHODS


def _rel(a, b):
    return np.abs(a - b).max() / np.abs(b).max()


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("method", CONVOLUTION_METHODS)
def test_single_spike_is_the_sampled_kernel(norm, method):
    dt, tau, m = 0.1, 8.6, 37
    s = np.zeros(2000)
    s[m] = 1
    expected = alpha_kernel((np.arange(2000) - m) * dt, tau, norm=norm)
    np.testing.assert_allclose(
        convolve_spikes(s, dt, tau, norm=norm, method=method), expected, rtol=0, atol=1e-13 * tau
    )


@pytest.mark.parametrize("norm", NORMS)
def test_methods_agree_to_1e12(norm, engine):
    s = poisson_train(80.0, 0.1, duration=2000.0, n=3, seed=7)
    s[5, 1] += 2  # several spikes in one step
    w = np.array([1.0, -0.5, 3.0])
    out = {
        m: convolve_spikes(s, 0.1, 8.6, norm=norm, weight=w, method=m) for m in CONVOLUTION_METHODS
    }
    for m in ("fft", "direct"):
        assert _rel(out[m], out["exact"]) < 1e-12


def test_exact_long_train_matches_fft(engine):
    s = poisson_train(20.0, 0.1, duration=100_000.0, seed=0)  # 10^6 steps
    a = convolve_spikes(s, 0.1, 8.6)
    b = convolve_spikes(s, 0.1, 8.6, method="fft")
    assert _rel(a, b) < 1e-12


@settings(max_examples=40, deadline=None)
@given(
    s=hnp.arrays(np.float64, st.integers(2, 300), elements=st.integers(0, 3).map(float)),
    shift=st.integers(0, 50),
    tau=st.floats(0.2, 30.0),
    dt=st.sampled_from([0.05, 0.1, 0.5]),
    w1=st.floats(-5, 5),
    w2=st.floats(-5, 5),
)
def test_superposition_and_time_invariance(s, shift, tau, dt, w1, w2):
    other = np.roll(s[::-1], 3)
    lin = convolve_spikes(np.c_[s, other], dt, tau, weight=[w1, w2]).sum(axis=1)
    parts = w1 * convolve_spikes(s, dt, tau) + w2 * convolve_spikes(other, dt, tau)
    scale = max(1.0, np.abs(parts).max())
    assert np.abs(lin - parts).max() <= 1e-11 * scale
    shifted = convolve_spikes(np.r_[np.zeros(shift), s], dt, tau)
    np.testing.assert_allclose(shifted[shift:], convolve_spikes(s, dt, tau), atol=1e-11 * scale)
    assert np.all(shifted[: shift + 1] == 0)  # causal: nothing before (or at) the first step


@pytest.mark.parametrize("norm", NORMS)
def test_charge_conservation(norm):
    """sum g dt -> (number of spikes) x charge, once every response has decayed."""
    dt, tau = 0.01, 5.0
    s = np.zeros(100_000)
    s[[10, 500, 2000, 2001, 2001]] = [1, 1, 1, 1, 0]
    s[3000] = 2
    g = convolve_spikes(s, dt, tau, norm=norm)
    charge = kernel_properties(tau, norm=norm).charge
    # the rectangle rule on a kernel that starts at 0 is exact to O(dt^2)
    assert g.sum() * dt == pytest.approx(s.sum() * charge, rel=1e-5)


def test_legacy_over_plain_is_tau():
    s = poisson_train(50.0, 0.1, duration=500.0, seed=2)
    legacy = convolve_spikes(s, 0.1, 8.6, norm="legacy")
    plain = convolve_spikes(s, 0.1, 8.6)
    assert np.abs(legacy - 8.6 * plain).max() <= 1e-12 * np.abs(legacy).max()


def test_weights_per_column():
    s = poisson_train(50.0, 0.1, duration=200.0, n=2, seed=1)
    g = convolve_spikes(s, 0.1, 4.0, weight=[2.0, -1.0])
    np.testing.assert_allclose(g[:, 0], 2 * convolve_spikes(s[:, 0], 0.1, 4.0))
    np.testing.assert_allclose(g[:, 1], -convolve_spikes(s[:, 1], 0.1, 4.0))


@pytest.mark.parametrize("norm", NORMS)
def test_off_grid_times_exact(norm, engine):
    rng = np.random.default_rng(5)
    times = np.sort(rng.uniform(0, 100, 40))
    exact = convolve_spike_times(times, 0.1, 8.6, duration=100.0, norm=norm, weight=0.7)
    direct = convolve_spike_times(
        times, 0.1, 8.6, duration=100.0, norm=norm, weight=0.7, method="direct"
    )
    # the closed form itself, written out here independently
    t = np.arange(1000) * 0.1
    by_hand = 0.7 * alpha_kernel(t[:, None] - times[None, :], 8.6, norm=norm).sum(axis=1)
    assert _rel(exact, by_hand) < 1e-12
    assert _rel(direct, by_hand) < 1e-14


def test_off_grid_on_grid_times_match_grid_convolution():
    times = np.arange(0, 100, 0.7)  # every seventh step, on the grid up to rounding
    a = convolve_spike_times(times, 0.1, 8.6, duration=100.0)
    b = convolve_spikes(times_to_grid(times, 0.1, duration=100.0), 0.1, 8.6)
    assert _rel(a, b) < 1e-12


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(spikes=[0, -1, 0]), "non-negative"),
        (dict(spikes=[0, np.nan]), "finite"),
        (dict(spikes=[]), "at least one"),
        (dict(spikes=np.zeros((2, 2, 2))), "dimension"),
        (dict(dt=0.0), "dt"),
        (dict(dt=np.inf), "dt"),
        (dict(tau=-3.0), "tau"),
        (dict(norm="unit"), "norm"),
        (dict(method="iir"), "exact"),
        (dict(weight=[1.0, 2.0]), "weight"),
        (dict(weight=np.nan), "weight"),
    ],
)
def test_bad_input(kwargs, match):
    args = dict(spikes=[0.0, 1.0, 0.0], dt=0.1, tau=1.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        convolve_spikes(**args)


def test_bad_input_off_grid():
    with pytest.raises(ValueError, match="duration"):
        convolve_spike_times([5.0], 0.1, 1.0, duration=5.0)
    with pytest.raises(ValueError, match="method"):
        convolve_spike_times([1.0], 0.1, 1.0, duration=5.0, method="fft")
    with pytest.raises(TypeError, match="spikes"):
        convolve_spikes(["a", "b"], 0.1, 1.0)
    for method in ("exact", "direct"):
        with pytest.raises(ValueError, match=f"'{method}'.*GiB.*duration and dt"):
            convolve_spike_times([1.0], 1e-12, 1.0, duration=1e9, method=method)


def test_no_trains_is_rejected():
    with pytest.raises(ValueError, match="at least one train"):
        convolve_spikes(np.zeros((5, 0)), 0.1, 1.0)


@pytest.mark.parametrize("method", ["exact", "fft", "direct"])
@pytest.mark.parametrize("n", [None, 40])
def test_overflow_is_reported_not_returned(engine, method, n):
    s = np.zeros(300)
    s[5] = 10  # ten spikes at once: 10 x 1e308 x the plain kernel's peak 1/e overflows
    s = s if n is None else np.repeat(s[:, None], n, axis=1)
    with pytest.raises(ValueError, match="overflowed float64.*weight"):
        convolve_spikes(s, 0.1, 2.0, weight=1e308, method=method)


@pytest.mark.parametrize("method", ["exact", "direct"])
def test_off_grid_overflow_is_reported_not_returned(engine, method):
    with pytest.raises(ValueError, match="overflowed float64"):
        convolve_spike_times(
            [0.25] * 10, 0.1, 1.0, duration=10.0, weight=1e308, norm="peak", method=method
        )
    empty = convolve_spike_times([], 0.1, 1.0, duration=10.0, method=method)
    assert empty.dtype == np.float64 and not empty.any()
