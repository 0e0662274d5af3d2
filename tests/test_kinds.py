"""The exponential and dual-exponential synapses: kernels, properties, recurrences.

References are independent of the code under test: numerical quadrature and
dense sampling for the kernels' properties, the textbook formulas for the
kernels, scipy's ``expm`` for the exact step, a step-by-step loop of BrainPy's
exponential-Euler rule, and convergence orders for the Runge-Kutta methods.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.linalg import expm

from alphakit import (
    KERNEL_NORMS,
    KINDS,
    alpha_kernel,
    convolve_spikes,
    dual_exp_kernel,
    exp_kernel,
    kernel_properties,
    simulate,
    step_matrix,
)

KIND_NORMS = [(kind, norm) for kind in KINDS for norm in KERNEL_NORMS[kind]]
METHODS = ("euler", "rk2", "rk4", "exp_euler", "exact")


def _kernel(kind, t, tau, tau_rise, norm):
    if kind == "alpha":
        return alpha_kernel(t, tau, norm=norm)
    if kind == "exp":
        return exp_kernel(t, tau, norm=norm)
    return dual_exp_kernel(t, tau_rise, tau, norm=norm)


def _textbook(kind, t, tau, tau_rise, norm):
    """The kernels written out directly (t > 0, tau_rise != tau)."""
    if kind == "exp":
        return np.exp(-t / tau) / (tau if norm == "area" else 1.0)
    diff = np.exp(-t / tau) - np.exp(-t / tau_rise)
    D = diff / (1 / tau_rise - 1 / tau)
    t_peak = np.log(tau / tau_rise) / (1 / tau_rise - 1 / tau)
    D_peak = (np.exp(-t_peak / tau) - np.exp(-t_peak / tau_rise)) / (1 / tau_rise - 1 / tau)
    return {
        "legacy": D,
        "plain": D / tau_rise,
        "area": D / (tau_rise * tau),
        "peak": D / D_peak,
        "difference": diff,
    }[norm]


@pytest.mark.parametrize(("kind", "norm"), KIND_NORMS)
@pytest.mark.parametrize(("tau", "tau_rise"), [(5.0, 1.0), (2.0, 6.0), (8.6, 8.6)])
def test_properties_match_quadrature_sampling_and_limits(kind, norm, tau, tau_rise):
    """Charge and mean time by quadrature, peak by dense sampling, continuity at tau_rise = tau."""
    rise = tau_rise if kind == "dual_exp" else None
    if rise is None:
        tau_rise = tau  # one time constant: the three cases are three taus
    p = kernel_properties(tau, norm=norm, kind=kind, tau_rise=rise)
    assert (p.kind, p.tau, p.tau_rise, p.norm) == (kind, tau, rise, norm)

    def k(t):
        return float(_kernel(kind, np.array(t), tau, rise, norm))

    end = 60 * max(tau, tau_rise)
    charge = quad(k, 0, end, limit=200, points=[p.peak_time])[0]
    first = quad(lambda t: t * k(t), 0, end, limit=200, points=[p.peak_time])[0]
    assert charge == pytest.approx(p.charge, rel=1e-9, abs=1e-12)
    if p.charge != 0:
        assert first / charge == pytest.approx(p.mean_time, rel=1e-8)
    t = np.linspace(0, 10 * max(tau, tau_rise), 400_001)
    values = _kernel(kind, t, tau, rise, norm)
    i = np.argmax(np.abs(values))
    assert values[i] == pytest.approx(p.peak, rel=1e-9, abs=1e-15)
    if p.peak != 0:
        assert t[i] == pytest.approx(p.peak_time, abs=2 * (t[1] - t[0]))
    if kind == "alpha" or tau_rise == tau:
        return
    np.testing.assert_allclose(values[1:], _textbook(kind, t[1:], tau, rise, norm), rtol=1e-9)
    if kind == "exp":
        return
    # continuity across tau_rise -> tau: the kernel and its properties, from both sides
    equal_k = dual_exp_kernel(t, tau, tau, norm=norm)
    equal_p = kernel_properties(tau, norm=norm, kind=kind, tau_rise=tau)
    scale = np.abs(alpha_kernel(t, tau, norm="legacy" if norm == "difference" else norm)).max()
    for eps in (1e-7, -1e-7, 1e-12, -1e-12):
        near = tau * (1 + eps)
        near_k = dual_exp_kernel(t, near, tau, norm=norm)
        assert np.abs(near_k - equal_k).max() <= 10 * abs(eps) * scale
        near_p = kernel_properties(tau, norm=norm, kind=kind, tau_rise=near)
        for field in ("peak_time", "peak", "charge", "mean_time"):
            a, b = getattr(near_p, field), getattr(equal_p, field)
            assert abs(a - b) <= 10 * abs(eps) * max(abs(b), tau, scale), field
    if norm != "difference":
        np.testing.assert_allclose(equal_k, alpha_kernel(t, tau, norm=norm), rtol=1e-12)


def test_exp_kernel_textbook_and_jump():
    t = np.array([-1e-12, 0.0, 1.0, 3.0])
    np.testing.assert_array_equal(exp_kernel(t, 2.0)[:2], [0.0, 1.0])
    np.testing.assert_allclose(exp_kernel(t, 2.0, norm="area")[2:], np.exp(-t[2:] / 2) / 2)
    np.testing.assert_array_equal(exp_kernel(t, 2.0, norm="peak"), exp_kernel(t, 2.0))


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: kernel_properties(5.0, kind="dual_exp"), "tau_rise"),
        (lambda: kernel_properties(5.0, kind="dual_exp", tau_rise=0.0), "tau_rise"),
        (lambda: kernel_properties(5.0, kind="dual_exp", tau_rise=-1.0), "tau_rise"),
        (lambda: kernel_properties(5.0, kind="alpha", tau_rise=1.0), "tau_rise"),
        (lambda: kernel_properties(5.0, kind="exp", norm="legacy"), "norm"),
        (lambda: kernel_properties(5.0, kind="alpha", norm="difference"), "norm"),
        (lambda: kernel_properties(5.0, kind="beta"), "kind"),
        (lambda: exp_kernel([1.0], 5.0, norm="legacy"), "norm"),
        (lambda: alpha_kernel([1.0], 5.0, norm="difference"), "norm"),
        (lambda: convolve_spikes(np.ones(3), 0.1, 5.0, kind="dual_exp"), "tau_rise"),
        (lambda: convolve_spikes(np.ones(3), 0.1, 5.0, kind="exp", tau_rise=1.0), "tau_rise"),
        (lambda: convolve_spikes(np.ones(3), 0.1, 5.0, kind="exp", norm="legacy"), "norm"),
        (lambda: simulate(np.ones(3), 0.1, 5.0, kind="dual_exp", tau_rise=-2.0), "tau_rise"),
        (lambda: simulate(np.ones(3), 0.1, 5.0, kind="exp", form="legacy"), "form"),
        (lambda: step_matrix(0.1, 5.0, kind="alpha", tau_rise=5.0), "tau_rise"),
        (lambda: step_matrix(0.1, 5.0, kind="exp", form="legacy"), "form"),
    ],
)
def test_bad_kind_arguments_name_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# --- the recurrences -------------------------------------------------------------

CASES = [("alpha", None), ("exp", None), ("dual_exp", 1.3), ("dual_exp", 7.0), ("dual_exp", 4.0)]


def _train(T, n=None):
    rng = np.random.default_rng(3)
    shape = (T,) if n is None else (T, n)
    s = (rng.random(shape) < 0.03).astype(float)
    s[0] = 1.0
    s[T // 2] = 2.0  # two spikes in one step
    return s


def _sampled(kind, s, dt, tau, rise, norm, weight=1.0):
    """sum_m weight s[m] k((n - m) dt), the kernel sampled by its public function."""
    T = s.shape[0]
    k = _kernel(kind, np.arange(T) * dt, tau, rise, norm)
    u = s * weight
    out = np.zeros_like(u)
    for m in np.nonzero(u.reshape(T, -1).any(axis=1))[0]:
        out[m:] += u[m] * (k[: T - m] if u.ndim == 1 else k[: T - m, None])
    return out


@pytest.mark.parametrize(("kind", "rise"), CASES)
def test_exact_equals_sampled_kernel(engine, kind, rise):
    dt, tau, T = 0.1, 4.0, 600
    w40 = np.linspace(0.5, 2, 40)
    inputs = [(np.eye(1, T, 5)[0], 1.0), (_train(T), 1.0), (_train(T, 40), w40)]
    for s, w in inputs:
        for norm in KERNEL_NORMS[kind]:
            ref = _sampled(kind, s, dt, tau, rise, norm, w)
            scale = np.abs(ref).max() or 1.0
            g = convolve_spikes(s, dt, tau, kind=kind, tau_rise=rise, norm=norm, weight=w)
            assert np.abs(g - ref).max() <= 1e-12 * scale, norm
            for method in ("fft", "direct"):
                other = convolve_spikes(
                    s, dt, tau, kind=kind, tau_rise=rise, norm=norm, weight=w, method=method
                )
                assert np.abs(other - ref).max() <= 1e-12 * scale
        plain = _sampled(kind, s, dt, tau, rise, "plain", w)
        trace = simulate(s, dt, tau, kind=kind, tau_rise=rise, weight=w)
        assert np.abs(trace.g - plain).max() <= 1e-12 * np.abs(plain).max()
        assert (trace.h is None) == (kind == "exp")
        if kind == "dual_exp":
            legacy = simulate(s, dt, tau, kind=kind, tau_rise=rise, weight=w, form="legacy").g
            ref = _sampled(kind, s, dt, tau, rise, "legacy", w)
            assert np.abs(legacy - ref).max() <= 1e-12 * np.abs(ref).max()


@pytest.mark.parametrize(("kind", "rise"), CASES)
@pytest.mark.parametrize("method", METHODS)
def test_engines_agree_and_outputs_g_is_the_same(monkeypatch, kind, rise, method):
    s = _train(500, 50).astype(np.float32)
    results = []
    for name in ("scipy", "numba"):
        monkeypatch.setenv("ALPHAKIT_ENGINE", name)
        for dtype in (np.float64, np.float32):
            x = s.astype(dtype)
            both = simulate(x, 0.1, 3.0, kind=kind, tau_rise=rise, method=method, dtype=dtype)
            buf = np.empty_like(x)
            only = simulate(
                x, 0.1, 3.0, kind=kind, tau_rise=rise, method=method, outputs="g", out=buf,
                dtype=dtype,
            )
            assert only.g is buf and only.h is None
            np.testing.assert_allclose(only.g, both.g, rtol=1e-6 if dtype == np.float32 else 0)
            results.append(both.g.astype(np.float64))
    peak = np.abs(results[0]).max()
    assert np.abs(results[0] - results[2]).max() <= 1e-13 * peak  # float64, two engines
    assert np.abs(results[1] - results[3]).max() <= 1e-6 * peak  # float32


@pytest.mark.parametrize("form", ["fixed", "legacy"])
@pytest.mark.parametrize("tau_rise", [0.7, 3.0, 3.0 * (1 + 1e-9), 9.0])
def test_dual_exact_step_is_expm(form, tau_rise):
    tau, dt = 3.0, 0.25
    c = 1.0 / tau_rise if form == "fixed" else 1.0
    A = np.array([[-1 / tau, c], [0.0, -1 / tau_rise]])
    M = step_matrix(dt, tau, kind="dual_exp", tau_rise=tau_rise, form=form)
    np.testing.assert_allclose(M, expm(dt * A), rtol=1e-13, atol=0)


@pytest.mark.parametrize("form", ["fixed", "legacy"])
@pytest.mark.parametrize("method", METHODS)
def test_dual_step_is_continuous_and_equals_alpha_at_equal_taus(form, method):
    tau, dt = 3.0, 0.2
    alpha = step_matrix(dt, tau, method=method, form=form)
    equal = step_matrix(dt, tau, method=method, form=form, kind="dual_exp", tau_rise=tau)
    np.testing.assert_allclose(equal, alpha, rtol=1e-15)
    for eps in (1e-4, 1e-8, 1e-12, -1e-12, -1e-8, -1e-4):
        rise = tau * (1 + eps)
        near = step_matrix(dt, tau, method=method, form=form, kind="dual_exp", tau_rise=rise)
        assert np.all(np.isfinite(near))
        np.testing.assert_allclose(near, alpha, rtol=3 * abs(eps), atol=0)


@pytest.mark.parametrize("tau_rise", [0.8, 2.5])
def test_dual_taylor_methods_are_the_polynomials_of_dt_a(tau_rise):
    """Independent of the divided-difference formula: the matrix polynomial itself."""
    tau, dt = 5.0, 0.3
    A = dt * np.array([[-1 / tau, 1 / tau_rise], [0.0, -1 / tau_rise]])
    for method, order in (("euler", 1), ("rk2", 2), ("rk4", 4)):
        p = sum(np.linalg.matrix_power(A, k) / np.prod(range(1, k + 1)) for k in range(order + 1))
        M = step_matrix(dt, tau, method=method, kind="dual_exp", tau_rise=tau_rise)
        np.testing.assert_allclose(M, p, rtol=1e-14)
    for method, order in (("euler", 1), ("rk2", 2), ("rk4", 4)):
        a = -dt / tau
        expected = sum(a**k / np.prod(range(1, k + 1)) for k in range(order + 1))
        assert step_matrix(dt, tau, method=method, kind="exp")[0, 0] == pytest.approx(expected)


@pytest.mark.parametrize("tau_rise", [1.0, 5.0 * (1 + 1e-10), 12.0])
def test_dual_convergence_orders(tau_rise):
    """Largest error over the response ~ dt^p: p = 1, 2, 4 for euler, rk2, rk4."""
    tau, t_end = 5.0, 40.0
    for method, order in (("euler", 1), ("rk2", 2), ("rk4", 4)):
        errors = []
        for dt in (0.04, 0.02):
            n = round(t_end / dt)
            s = np.zeros(n)
            s[0] = 1
            g = simulate(s, dt, tau, kind="dual_exp", tau_rise=tau_rise, method=method).g
            exact = dual_exp_kernel(np.arange(n) * dt, tau_rise, tau)
            errors.append(np.abs(g - exact).max())
        assert np.log2(errors[0] / errors[1]) == pytest.approx(order, abs=0.1), method


@pytest.mark.parametrize("form", ["fixed", "legacy"])
def test_dual_exp_euler_is_brainpy_rule(form):
    """BrainPy's exp_auto: x1 = x0 + dt exprel(dt J) f(x0), each variable with the other frozen."""
    tau, tau_rise, dt, T = 6.0, 1.5, 0.4, 60
    c = 1.0 / tau_rise if form == "fixed" else 1.0
    s = _train(T)

    def step(x, J, f):
        z = dt * J
        return x + dt * (np.expm1(z) / z) * f

    g = h = 0.0
    ref = []
    for k in range(T):
        g, h = step(g, -1 / tau, -g / tau + c * h), step(h, -1 / tau_rise, -h / tau_rise)
        h += s[k]
        ref.append(g)
    got = simulate(s, dt, tau, kind="dual_exp", tau_rise=tau_rise, form=form, method="exp_auto").g
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-15)
