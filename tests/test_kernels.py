"""Kernel invariants across every convention at once (elephant.kernels style)."""


import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import quad

from alphakit import NORMS, alpha_kernel, dual_exp_kernel, kernel_properties

from _reference import NORM_FACTOR

TAUS = [0.5, 2.0, 8.6, 20.0]
taus = st.floats(min_value=0.05, max_value=200.0)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("tau", TAUS)
def test_invariants_by_quadrature(norm, tau):
    """Peak, peak time, charge and mean time agree with numerical quadrature."""
    props = kernel_properties(tau, norm=norm)

    def k(t):
        return float(alpha_kernel(t, tau, norm=norm))

    charge, _ = quad(k, 0, np.inf)
    first_moment, _ = quad(lambda t: t * k(t), 0, np.inf)
    t = np.linspace(0, 10 * tau, 200_001)
    values = alpha_kernel(t, tau, norm=norm)
    assert charge == pytest.approx(props.charge, rel=1e-9)
    assert first_moment / charge == pytest.approx(props.mean_time, rel=1e-9)
    assert values.max() == pytest.approx(props.peak, rel=1e-9)
    assert t[values.argmax()] == pytest.approx(props.peak_time, abs=10 * tau / 200_000)


@pytest.mark.parametrize("norm", NORMS)
def test_factor_relative_to_plain(norm):
    for tau in TAUS:
        t = np.linspace(0.01, 5 * tau, 50)
        ratio = alpha_kernel(t, tau, norm=norm) / (t / tau * np.exp(-t / tau))
        np.testing.assert_allclose(ratio, NORM_FACTOR[norm](tau), rtol=1e-14)


def test_named_conventions():
    tau = 8.6
    assert kernel_properties(tau, norm="peak").peak == pytest.approx(1.0, rel=1e-15)
    assert kernel_properties(tau, norm="area").charge == pytest.approx(1.0, rel=1e-15)
    legacy, plain = kernel_properties(tau, norm="legacy"), kernel_properties(tau, norm="plain")
    assert legacy.charge / plain.charge == pytest.approx(tau, rel=1e-15)


@pytest.mark.parametrize("norm", NORMS)
def test_causal_and_vectorised(norm):
    t = np.array([[-1e300, -5.0, -1e-12], [0.0, 1.0, 1e6]])
    k = alpha_kernel(t, 2.0, norm=norm)
    assert k.shape == t.shape
    assert np.all(k[0] == 0) and k[1, 0] == 0
    assert np.all(np.isfinite(k))
    assert k[1, 2] == 0.0  # underflows cleanly, no NaN


@pytest.mark.parametrize("norm", NORMS)
@given(tau=taus, rise=st.floats(min_value=0.05, max_value=50.0))
def test_dual_exp_continuous_at_equal_taus(norm, tau, rise):
    t = np.linspace(0, 10 * tau, 101)
    equal = dual_exp_kernel(t, tau, tau, norm=norm)
    np.testing.assert_allclose(equal, alpha_kernel(t, tau, norm=norm), rtol=1e-12, atol=1e-300)
    # approaching equality from either side converges to the alpha kernel
    for eps in (1e-6, -1e-6):
        near = dual_exp_kernel(t, tau * (1 + eps), tau, norm=norm)
        assert np.all(np.isfinite(near))
        peak = np.abs(alpha_kernel(t, tau, norm=norm)).max()
        assert np.abs(near - equal).max() <= 1e-5 * peak


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize(("tau_rise", "tau_decay"), [(1.0, 5.0), (5.0, 1.0), (0.3, 10.0)])
def test_dual_exp_against_textbook_formula(norm, tau_rise, tau_decay):
    """Compare with the direct formula away from the singular point, and its norms."""
    t = np.linspace(0, 60, 60_001)
    base = (np.exp(-t / tau_decay) - np.exp(-t / tau_rise)) / (1 / tau_rise - 1 / tau_decay)
    k = dual_exp_kernel(t, tau_rise, tau_decay, norm=norm)
    ratio = k[1:] / base[1:]
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)
    f = lambda x: float(dual_exp_kernel(x, tau_rise, tau_decay, norm=norm))  # noqa: E731
    charge = quad(f, 0, np.inf)[0]
    expected = {
        "legacy": (k.max(), tau_rise * tau_decay),
        "plain": (k.max(), tau_decay),
        "area": (k.max(), 1.0),
        "peak": (1.0, charge),
    }[norm]
    # the peak time of the base shape, ln(td/tr) / (1/tr - 1/td), from calculus
    t_peak = np.log(tau_decay / tau_rise) / (1 / tau_rise - 1 / tau_decay)
    assert float(dual_exp_kernel(t_peak, tau_rise, tau_decay, norm=norm)) == pytest.approx(
        expected[0], rel=1e-7
    )
    assert k.max() <= float(dual_exp_kernel(t_peak, tau_rise, tau_decay, norm=norm)) * (1 + 1e-15)
    assert charge == pytest.approx(expected[1], rel=1e-9)


def test_dual_exp_symmetric_base():
    t = np.linspace(0, 30, 301)
    np.testing.assert_allclose(
        dual_exp_kernel(t, 2.0, 7.0, norm="legacy"),
        dual_exp_kernel(t, 7.0, 2.0, norm="legacy"),
        rtol=1e-14,
    )


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: alpha_kernel([1.0], 0.0), "tau"),
        (lambda: alpha_kernel([1.0], -1.0), "tau"),
        (lambda: alpha_kernel([1.0], float("nan")), "tau"),
        (lambda: alpha_kernel([1.0], float("inf")), "tau"),
        (lambda: alpha_kernel([np.nan], 1.0), "t "),
        (lambda: alpha_kernel([1.0], 1.0, norm="unit"), "norm.*plain"),
        (lambda: dual_exp_kernel([1.0], 0.0, 1.0), "tau_rise"),
        (lambda: dual_exp_kernel([1.0], 1.0, -2.0), "tau_decay"),
        (lambda: kernel_properties(1.0, norm="Peak"), "norm"),
        (lambda: kernel_properties(1e200, norm="legacy"), "tau.*out of range.*charge overflows"),
        (lambda: kernel_properties(1e-200, norm="legacy"), "tau.*charge underflows"),
        (lambda: kernel_properties(1e-310, norm="area"), "tau.*out of range.*'area'"),
        (lambda: alpha_kernel([1e-310], 1e-310, norm="area"), "tau.*out of range"),
        (lambda: dual_exp_kernel([1.0], 1e-310, 1.0, norm="area"), "tau_rise.*out of range"),
    ],
)
def test_bad_input_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: alpha_kernel([1.0], "8.6"),
        lambda: alpha_kernel(["a"], 1.0),
        lambda: alpha_kernel([1.0], 1.0, norm=None),
        lambda: kernel_properties(True),
    ],
)
def test_bad_input_type_error(call):
    with pytest.raises(TypeError):
        call()


@pytest.mark.parametrize("norm", NORMS)
def test_extreme_tau_stays_finite(norm):
    for tau in (1e-200, 1e-8, 1e8):
        assert np.all(np.isfinite(alpha_kernel([0.0, 1.0, 1e3], tau, norm=norm)))


def test_complex_scalars_rejected():
    with pytest.raises(TypeError, match="tau"):
        alpha_kernel([1.0], np.complex128(1.0))


@pytest.mark.filterwarnings("error")
def test_extreme_but_representable_arguments_give_the_limits():
    # t/tau overflows, but x e^(-x) -> 0: the kernel is 0 there, not inf * 0 = NaN
    assert np.array_equal(alpha_kernel([1e300, -1e300], 1e-10), [0.0, 0.0])
    # tiny equal taus: the area kernel's peak 1/(e tau) is still a float64
    t = np.array([1e-300])
    k = dual_exp_kernel(t, 1e-300, 1e-300, norm="area")
    np.testing.assert_allclose(k, np.exp(-1) / 1e-300)
    np.testing.assert_allclose(alpha_kernel(t, 1e-300, norm="area"), np.exp(-1) / 1e-300)
