import json
from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from alphakit import (
    FORMS,
    METHODS,
    AlphakitWarning,
    alpha_kernel,
    convolve_spikes,
    poisson_train,
    simulate,
    step_matrix,
)

from _reference import COUPLING, ode_matrix

DATA = Path(__file__).parent / "data"


def _A(form, tau):
    return ode_matrix(tau, COUPLING[form](tau))


# Explicit Runge-Kutta tableaux, stepped on f(x) = A x: an independent check of
# the claim that every s-stage method of order s is the Taylor polynomial.
TABLEAUX = {
    "euler": ([[]], [1.0]),
    "rk2": ([[], [2 / 3]], [1 / 4, 3 / 4]),  # Ralston; Heun or midpoint give the same here
    "rk4": ([[], [0.5], [0, 0.5], [0, 0, 1.0]], [1 / 6, 1 / 3, 1 / 3, 1 / 6]),
}


def _rk_step(A, x, dt, method):
    a, b = TABLEAUX[method]
    ks = []
    for row in a:
        ks.append(A @ (x + dt * sum(aij * k for aij, k in zip(row, ks, strict=False))))
    return x + dt * sum(bi * k for bi, k in zip(b, ks, strict=True))


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("method", ["euler", "rk2", "rk4"])
def test_step_matrix_is_the_runge_kutta_step(form, method):
    dt, tau = 0.3, 2.0
    M = step_matrix(dt, tau, method=method, form=form)
    for x in (np.array([1.0, 0.0]), np.array([0.0, 1.0]), np.array([0.3, -2.0])):
        np.testing.assert_allclose(
            M @ x, _rk_step(_A(form, tau), x, dt, method), rtol=1e-13, atol=1e-15
        )


@pytest.mark.parametrize("form", FORMS)
def test_exact_and_exp_euler_step_matrices(form):
    dt, tau = 0.4, 3.0
    M = step_matrix(dt, tau, method="exact", form=form)
    np.testing.assert_allclose(M, expm(dt * _A(form, tau)))
    # exponential Euler on g with h frozen, written out by hand
    c = COUPLING[form](tau)
    r = np.exp(-dt / tau)
    g0, h0 = 0.7, 1.3
    g1 = g0 * r + c * h0 * tau * (1 - r)
    np.testing.assert_allclose(
        step_matrix(dt, tau, method="exp_euler", form=form) @ [g0, h0], [g1, h0 * r], rtol=1e-14
    )
    np.testing.assert_array_equal(
        step_matrix(dt, tau, method="exp_auto", form=form),
        step_matrix(dt, tau, method="exp_euler", form=form),
    )


@pytest.mark.parametrize("form", FORMS)
def test_single_spike_closed_form_and_solve_ivp(form):
    dt, tau, T = 0.1, 8.6, 1500
    s = np.zeros(T)
    s[0] = 1
    g, h = simulate(s, dt, tau, form=form, method="exact")
    t = np.arange(T) * dt
    closed = alpha_kernel(t, tau, norm="plain" if form == "fixed" else "legacy")
    np.testing.assert_allclose(g, closed, rtol=0, atol=1e-12 * closed.max())
    np.testing.assert_allclose(h, np.exp(-t / tau), rtol=1e-12)
    sol = solve_ivp(
        lambda _t, x: _A(form, tau) @ x, (0, t[-1]), [0.0, 1.0], t_eval=t, rtol=1e-11, atol=1e-13
    )
    np.testing.assert_allclose(g, sol.y[0], rtol=0, atol=1e-8 * closed.max())


@pytest.mark.parametrize("n", [None, 4])
def test_exact_ode_equals_exact_convolution(n, engine):
    s = poisson_train(60.0, 0.1, duration=3000.0, n=n, seed=11)
    w = 0.8 if n is None else np.linspace(-1, 2, n)
    g = simulate(s, 0.1, 8.6, form="fixed", method="exact", weight=w).g
    conv = convolve_spikes(s, 0.1, 8.6, weight=w)
    assert np.abs(g - conv).max() <= 1e-10 * np.abs(conv).max()  # lag 0, as documented
    gl = simulate(s, 0.1, 8.6, form="legacy", method="exact", weight=w).g
    assert np.abs(gl - 8.6 * g).max() <= 1e-10 * np.abs(gl).max()


@pytest.mark.parametrize("method", METHODS)
def test_legacy_over_fixed_is_exactly_tau(method):
    s = poisson_train(100.0, 0.05, duration=300.0, seed=1)
    for tau in (2.0, 8.6):
        fixed = simulate(s, 0.05, tau, method=method).g
        legacy = simulate(s, 0.05, tau, form="legacy", method=method).g
        # exactly tau up to rounding, which grows slowly along the recurrence
        assert np.abs(legacy - tau * fixed).max() <= 1e-11 * np.abs(legacy).max()


@pytest.mark.parametrize(
    ("method", "order"), [("euler", 1), ("rk2", 2), ("rk4", 4), ("exp_euler", 1)]
)
def test_measured_order_of_convergence(method, order, engine):
    """Slope of log(max error) against log(dt), error measured against the closed form."""
    tau, t_end = 5.0, 50.0
    dts = np.array([0.5, 0.25, 0.125, 0.0625])
    errors = []
    for dt in dts:
        T = round(t_end / dt)
        s = np.zeros(T)
        s[0] = 1
        g = simulate(s, dt, tau, method=method).g
        errors.append(np.abs(g - alpha_kernel(np.arange(T) * dt, tau)).max())
    slope = np.polyfit(np.log(dts), np.log(errors), 1)[0]
    assert slope == pytest.approx(order, abs=0.15)


def test_rk4_error_is_truncation_not_rounding_at_small_steps(engine):
    """At dt/tau = 0.002 RK4's error is still its own (dt^4), not the engine's rounding.

    Halving dt must divide the error by 2^4 = 16; an ill-conditioned evaluation of
    the recurrence (a double pole near 1) adds rounding of the same size and breaks it.
    """
    tau, t_end = 5.0, 50.0
    errors = []
    for dt in (0.02, 0.01):
        T = round(t_end / dt)
        s = np.zeros(T)
        s[0] = 1
        g = simulate(s, dt, tau, method="rk4").g
        errors.append(np.abs(g - alpha_kernel(np.arange(T) * dt, tau)).max())
    assert errors[0] / errors[1] == pytest.approx(16.0, rel=0.1)


def test_exact_method_has_no_error():
    s = np.zeros(100)
    s[0] = 1
    g = simulate(s, 2.0, 5.0, method="exact").g
    np.testing.assert_allclose(g, alpha_kernel(np.arange(100) * 2.0, 5.0), atol=1e-15)


def test_unstable_method_is_reported(engine):
    s = np.zeros(5000)
    s[0] = 1
    # dt = 25 tau also draws the units warning (tau in seconds?); here it is meant
    with pytest.raises(ValueError, match="unstable"), pytest.warns(AlphakitWarning, match="tau"):
        simulate(s, 25.0, 1.0, method="euler")  # |1 - dt/tau| = 24 per step
    # still stable just below the limit: Euler needs dt < 2 tau
    assert np.all(np.isfinite(simulate(s[:100], 1.9, 1.0, method="euler").g))


def _reference(name):
    with np.load(DATA / name) as d:
        params = json.loads(str(d["params"]))
        return params, d["pre_spike"][:, 0].astype(float), d["g"][:, 0].astype(float)


@pytest.mark.parametrize("version", ["2.4.6", "2.8.2"])
@pytest.mark.parametrize("case", ["seed", "single-tau8.6-dt0.1"])
@pytest.mark.parametrize("method", ["exp_auto", "rk4", "euler"])
def test_reproduces_real_brainpy_traces(version, case, method, engine):
    """BrainPy's g equals alphakit's, one step late, to 1e-5 of the peak (float32)."""
    params, pre_spike, g_bp = _reference(f"brainpy-{version}-{case}-{method}.npz")
    assert pre_spike.sum() >= 1
    form = "legacy" if version == "2.4.6" else "fixed"
    ours = simulate(pre_spike, params["dt"], params["tau"], form=form, method=method).g
    lagged = np.r_[0.0, ours[:-1]]
    assert np.abs(lagged - g_bp).max() <= 1e-5 * np.abs(g_bp).max()
    # ... and the lag is really one step: without it the match fails
    assert np.abs(ours - g_bp).max() > 1e-3 * np.abs(g_bp).max()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(form="old"), "form.*fixed"),
        (dict(method="rk3"), "method.*euler"),
        (dict(dt=-0.1), "dt"),
        (dict(tau=0), "tau"),
        (dict(spikes=[[[0.0]]]), "dimension"),
        (dict(spikes=[np.inf, 0]), "finite"),
        (dict(weight=[1.0, 1.0, 1.0]), "weight"),
    ],
)
def test_bad_input(kwargs, match):
    args = dict(spikes=[0.0, 1.0, 0.0], dt=0.1, tau=1.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        simulate(**args)
    if set(kwargs) <= {"form", "method", "dt", "tau"}:
        with pytest.raises(ValueError, match=match):
            step_matrix(
                args["dt"],
                args["tau"],
                method=args.get("method", "exact"),
                form=args.get("form", "fixed"),
            )


@pytest.mark.parametrize("n", [None, 3, 40])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_overflow_from_input_is_not_blamed_on_the_method(engine, n, dtype):
    # The float32 case overflows at the spike and decays back into range long before
    # the last step: the state is float64, so only a check at every step catches it.
    s = np.zeros(2000)
    s[0] = 1
    s = s if n is None else np.repeat(s[:, None], n, axis=1)
    weight = 1e39 if dtype == "float32" else 1e308
    with pytest.raises(ValueError, match=f"overflowed {dtype}.*weights or spike counts"):
        simulate(s * 2, 1.0, 1.0, weight=weight, dtype=dtype)
    # just inside the range: no error, and the values are there
    ok = simulate(s, 1.0, 1.0, weight=weight / 10, dtype=dtype)
    assert np.all(np.isfinite(ok.h)) and ok.h.max() == pytest.approx(weight / 10, rel=1e-6)


@pytest.mark.parametrize("n", [None, 3, 40])
@pytest.mark.parametrize("method", METHODS)
def test_float32_agrees_with_float64(n, method, engine):
    s = poisson_train(80.0, 0.1, duration=500.0, n=n, seed=4)
    w = 1.0 if n is None else np.linspace(0.5, 2.0, n)
    ref = simulate(s, 0.1, 8.6, method=method, weight=w)
    low = simulate(s.astype(np.float32), 0.1, 8.6, method=method, weight=w, dtype="float32")
    for a, b in zip(low, ref, strict=True):
        assert a.dtype == np.float32 and a.shape == b.shape
        assert np.abs(a - b).max() <= 1e-5 * np.abs(b).max()


def test_dtype_validated():
    with pytest.raises(ValueError, match="dtype"):
        simulate([0.0, 1.0], 0.1, 1.0, dtype=np.int64)
    with pytest.raises(TypeError, match="dtype"):
        simulate([0.0, 1.0], 0.1, 1.0, dtype="no such type")
