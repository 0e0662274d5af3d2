import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad, solve_ivp
from scipy.optimize import brentq

from alphakit import (
    KERNEL_NORMS,
    KINDS,
    NORMS,
    alpha_kernel,
    dual_exp_kernel,
    exp_kernel,
    kernel_properties,
)
from alphakit.conventions import (
    ALPHA_MEDIAN,
    CONVENTIONS,
    TIMINGS,
    UNITS,
    convention_names,
    convert_delay,
    convert_weight,
    parameter_from_tau,
    psp_peak,
    tau_from_parameter,
)
from alphakit.diagnosis import classify
from alphakit.peers import OFFGRID_RULES

DATA = Path(__file__).parent / "data"
ROWS = list(CONVENTIONS)
NAMES = convention_names()


ALPHA_ROWS = [r for r in ROWS if r.kind == "alpha"]
TAU_RISE = 1.3  # for the dual-exponential rows


def _expr(text, w, tau, tau_rise=None):
    # the table's closed forms are text written from the sources; evaluate them
    names = {"w": w, "tau": tau, "tau_rise": tau_rise, "e": math.e, "log": math.log}
    return eval(text.replace("^", "**"), {"__builtins__": {}}, names)


def _kernel(kind, t, tau, norm, tau_rise=None):
    if kind == "alpha":
        return alpha_kernel(t, tau, norm=norm)
    if kind == "exp":
        return exp_kernel(t, tau, norm=norm)
    return dual_exp_kernel(t, tau_rise, tau, norm=norm)


# ---------------------------------------------------------------- the table


def test_table_shape_and_names():
    names = CONVENTIONS.names()
    assert len(set(names)) == len(names) >= 30
    assert CONVENTIONS["nest_iaf_psc_alpha"].simulator == "NEST"
    assert CONVENTIONS[0] is ROWS[0]
    with pytest.raises(KeyError, match="known"):
        CONVENTIONS["nest"]
    # issue 16: every simulator's exponential and beta synapse has its row
    for name in (
        "nest_iaf_psc_exp", "nest_iaf_cond_exp", "nest_iaf_cond_beta", "brian2_docs_exp",
        "brian2_docs_biexp", "neuron_expsyn", "neuron_exp2syn", "brainpy_expon",
        "brainpy_dualexpon", "brainpy_dualexpon_before_pr847", "elephant_exponential_kernel",
        "nengo_lowpass", "pynn_if_curr_exp", "pynn_if_cond_exp", "genn_expcurr",
    ):  # fmt: skip
        assert name in names


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_every_row_is_well_formed(row):
    assert row.kind in KINDS
    assert row.norm in KERNEL_NORMS[row.kind]
    assert row.units in UNITS
    assert isinstance(row.source, str) and len(row.source) > 10
    assert row.formula and row.timing and row.tau_per_parameter > 0
    # a row's unit is the one its quantity states
    if UNITS[row.units][0] is not None:
        assert f"({row.units})" in row.quantity


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
@pytest.mark.parametrize("tau", [0.4, 2.0, 8.6])
def test_formula_is_its_norm_and_closed_forms_hold(row, tau):
    w = 1.7
    rise = TAU_RISE * tau / 2.0 if row.kind == "dual_exp" else None
    t = np.linspace(0.0, 30 * tau, 20001)
    response = row.response(t, tau, weight=w, tau_rise=rise)
    # the formula written from the source equals alphakit's kernel of the row's kind and norm
    expected = w * _kernel(row.kind, t, tau, row.norm, rise)
    np.testing.assert_allclose(response, expected, rtol=1e-12, atol=1e-15)
    # and the factor column is that kernel over the kind's plain one
    props = kernel_properties(tau, norm=row.norm, kind=row.kind, tau_rise=rise)
    plain = kernel_properties(tau, norm="plain", kind=row.kind, tau_rise=rise)
    assert row.factor_value(tau, rise) == pytest.approx(props.charge / plain.charge)
    assert _expr(row.factor, w, tau, rise) == pytest.approx(row.factor_value(tau, rise))
    # closed-form peak, time to peak and charge against the numbers
    i = int(np.argmax(response))
    assert _expr(row.peak, w, tau, rise) == pytest.approx(response[i], rel=1e-6)
    assert _expr(row.peak, w, tau, rise) == pytest.approx(w * props.peak, rel=1e-12)
    assert _expr(row.peak_time, w, tau, rise) == pytest.approx(t[i], abs=t[1])

    def f(x):
        return float(row.response(x, tau, weight=w, tau_rise=rise))

    # the exponential jumps at 0: quad over (0, inf) sees the jump as the left end
    charge, _ = quad(f, 0, 60 * tau, limit=200)
    assert _expr(row.charge, w, tau, rise) == pytest.approx(charge, rel=1e-9)
    assert row.response(-1.0, tau, weight=w, tau_rise=rise) == 0.0


def test_neuron_exp2syn_approaches_the_alpha_row():
    # exp2syn.mod: g = w * factor * (exp(-t/tau2) - exp(-t/tau1)), factor normalising
    # the peak to 1, with tau1 clamped to 0.9999 tau2 in INITIAL.
    tau2 = 5.0
    tau1 = 0.9999 * tau2
    tp = tau1 * tau2 / (tau2 - tau1) * math.log(tau2 / tau1)
    factor = 1.0 / (-math.exp(-tp / tau1) + math.exp(-tp / tau2))
    t = np.linspace(0, 60, 601)
    exp2 = factor * (np.exp(-t / tau2) - np.exp(-t / tau1))
    row = CONVENTIONS["neuron_exp2syn_limit"]
    # the clamp leaves a difference of order 1e-4 of the peak (which is 1)
    np.testing.assert_allclose(exp2, row.response(t, tau2, weight=1.0), rtol=0, atol=2e-4)


def test_neuron_alphasynapse_and_pynn_alpha_function():
    # syn.mod / alphaisyn.mod: gmax * x * exp(1 - x), x = (t - onset)/tau
    tau, gmax = 2.5, 0.3
    t = np.linspace(0, 10 * tau, 300)
    x = t / tau
    for name in ("neuron_alphasynapse", "pynn_if_curr_alpha", "pynn_if_cond_alpha"):
        np.testing.assert_allclose(
            CONVENTIONS[name].response(t, tau, weight=gmax), gmax * x * np.exp(1 - x), rtol=1e-13
        )


def test_genn_recurrence_samples_the_row_exactly():
    # pynn_genn AlphaCurr decay code: x <- E (DT inSyn e/tau + x); inSyn <- E inSyn
    dt, tau, w = 0.1, 3.0, 0.8
    E = math.exp(-dt / tau)
    x, in_syn, xs = 0.0, w, [0.0]
    for _ in range(400):
        x = E * (dt * in_syn * math.e / tau + x)
        in_syn *= E
        xs.append(x)
    t = np.arange(len(xs)) * dt
    genn = CONVENTIONS["genn_alpha"].response(t, tau, weight=w)
    np.testing.assert_allclose(xs, genn, rtol=1e-12)


ODE_ROWS = {
    # name: (dg/dt coupling c in dg/dt = -g/tau + c h, jump of h per unit weight)
    "brian2_docs_alpha": (lambda tau: 1 / tau, lambda tau: 1.0),
    "brainpy_alpha": (lambda tau: 1 / tau, lambda tau: 1.0),
    "brainpy_alpha_legacy": (lambda tau: 1.0, lambda tau: 1.0),
    "brainpy_dualexpon_equal": (lambda tau: 1.0, lambda tau: math.e / tau),
    "brainpy_dualexpon_equal_legacy": (lambda tau: 1.0, lambda tau: 1.0),
}


@pytest.mark.parametrize("name", sorted(ODE_ROWS))
def test_ode_rows_by_numerical_integration(name):
    c, jump = ODE_ROWS[name]
    tau, w = 4.0, 1.3

    def rhs(t, x):
        g, h = x
        return [-g / tau + c(tau) * h, -h / tau]

    t = np.linspace(0, 40, 81)
    sol = solve_ivp(rhs, (0, 40), [0.0, w * jump(tau)], t_eval=t, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(sol.y[0], CONVENTIONS[name].response(t, tau, weight=w), atol=1e-8)


def test_elephant_sigma_is_the_standard_deviation_and_median():
    sigma = 6.0
    tau = tau_from_parameter("elephant_alpha_kernel", sigma)
    row = CONVENTIONS["elephant_alpha_kernel"]

    def k(x):
        return float(row.response(x, tau, weight=1.0))

    mean = quad(lambda x: x * k(x), 0, 80 * tau)[0]
    var = quad(lambda x: (x - mean) ** 2 * k(x), 0, 80 * tau)[0]
    assert math.sqrt(var) == pytest.approx(sigma, rel=1e-9)
    median = brentq(lambda x: quad(k, 0, x)[0] - 0.5, 0.1 * tau, 10 * tau, xtol=1e-14)
    assert median / tau == pytest.approx(ALPHA_MEDIAN, rel=1e-10)
    assert parameter_from_tau("elephant_alpha_kernel", tau) == pytest.approx(sigma, rel=1e-15)
    assert tau_from_parameter("nengo_alpha", 0.005) == pytest.approx(5.0)


@pytest.mark.brainpy
def test_brainpy_dualexpon_equal_taus_is_e_times_alpha():
    bp = pytest.importorskip("brainpy")
    bm = bp.math
    from brainpy import share

    dt, tau, T = 0.05, 2.0, 600
    bm.set_dt(dt)
    out = {}
    for key, syn in {
        "alpha": bp.dyn.Alpha(1, tau_decay=tau),
        "dual": bp.dyn.DualExpon(1, tau_rise=tau, tau_decay=tau),
    }.items():
        xs = np.zeros((T, 1))
        xs[0] = 1.0

        def step(i, x, syn=syn):
            share.save(t=i * dt, dt=dt, i=i)
            return syn.update(x)

        out[key] = np.asarray(bm.for_loop(step, (np.arange(T), xs), progress_bar=False))[:, 0]
    ratio = out["dual"][5:] / out["alpha"][5:]
    np.testing.assert_allclose(ratio, math.e, rtol=2e-6)  # float32
    # peak 1 up to exp_auto's discretisation error at dt/tau = 0.025
    assert out["dual"].max() == pytest.approx(1.0, rel=2e-2)


# ---------------------------------------------------------------- rendering


def test_text_and_html_rendering():
    text = str(CONVENTIONS)
    assert text == CONVENTIONS.to_text()
    for row in ROWS:
        assert row.name in text and row.source in text
    html = CONVENTIONS._repr_html_()
    assert html.startswith("<table") and html.count("<tr>") == len(ROWS) + 1
    assert "tau_rise == tau_decay" in html and "&gt;=" in html  # escaped
    sliced = CONVENTIONS[:2]
    assert sliced.names() == CONVENTIONS.names()[:2] and "[2]" in str(sliced)


def test_rendering_needs_no_pandas():
    code = (
        "import sys, alphakit.conventions as c; str(c.CONVENTIONS); c.CONVENTIONS.to_html();"
        "print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------- convert_weight

# SI size of each unit, written out independently of alphakit's UNITS table
SI = {"pA": ("I", 1e-12), "nA": ("I", 1e-9), "nS": ("G", 1e-9), "uS": ("G", 1e-6), "1": (None, 1)}
FORCE = -65.0  # mV


def _side(name):
    if name in NORMS:
        return "alpha", name, "1"
    if ":" in name:
        kind, norm = name.split(":")
        return kind, norm, "1"
    row = CONVENTIONS[name]
    return row.kind, row.norm, row.units


def _unit(src, dst):
    (qs, ss), (qt, st) = SI[src], SI[dst]
    if qs is None or qt is None:
        return 1.0, False
    if qs == qt:
        return ss / st, False
    return (ss * FORCE * 1e-3 / st if qs == "G" else ss / (FORCE * 1e-3) / st), True


@pytest.mark.parametrize("source", NAMES)
@pytest.mark.parametrize("match", ["charge", "peak"])
def test_conversion_keeps_charge_or_peak_across_kinds_and_units(source, match):
    tau, rise, w = 3.7, 1.1, 0.9
    ks, ns, us = _side(source)
    for target in NAMES:
        kt, nt, ut = _side(target)
        unit, force = _unit(us, ut)
        kw = dict(tau=tau, match=match)
        if "dual_exp" in (ks, kt):
            kw["tau_rise"] = rise
        if force:
            kw["driving_force"] = FORCE
        w2 = convert_weight(w, source, target, **kw)
        ps = kernel_properties(tau, norm=ns, kind=ks, tau_rise=rise if ks == "dual_exp" else None)
        pt = kernel_properties(tau, norm=nt, kind=kt, tau_rise=rise if kt == "dual_exp" else None)
        if match == "charge":
            assert w2 * pt.charge == pytest.approx(w * ps.charge * unit, rel=1e-12)
        else:
            assert w2 * pt.peak == pytest.approx(w * ps.peak * unit, rel=1e-12)
        if ks == kt and (nt != "difference") == (ns != "difference"):
            # the same shape: matching one also matches the other
            assert w2 * pt.peak == pytest.approx(w * ps.peak * unit, rel=1e-12)


def test_acceptance_cases_of_issue_16():
    # NEST iaf_psc_exp -> Elephant's exponential kernel, same charge: times tau
    for tau in (0.5, 5.0, 20.0):
        w = convert_weight(1.5, "nest_iaf_psc_exp", "elephant_exponential_kernel", tau=tau)
        assert w == pytest.approx(1.5 * tau, rel=1e-15)
    # NEST iaf_cond_beta -> BrainPy DualExpon, same peak: unchanged (both unit peak)
    for rise, decay in ((0.5, 5.0), (2.0, 3.0), (4.0, 4.0)):
        w = convert_weight(
            2.5, "nest_iaf_cond_beta", "brainpy_dualexpon", tau=decay, tau_rise=rise, match="peak"
        )
        assert w == 2.5


def test_units_and_driving_force_by_hand():
    # 1 nA is 1000 pA: PyNN's nA weight becomes NEST's pA weight
    assert convert_weight(0.25, "pynn_if_curr_exp", "nest_iaf_psc_exp", tau=5.0) == 250.0
    # 1 uS is 1000 nS
    assert convert_weight(0.004, "neuron_expsyn", "nest_iaf_cond_exp", tau=5.0) == 4.0
    # 3 nS at a driving force of 60 mV is 180 pA; 3 uS at 60 mV is 180 nA
    w = convert_weight(3.0, "nest_iaf_cond_exp", "nest_iaf_psc_exp", tau=5.0, driving_force=60.0)
    assert w == pytest.approx(180.0, rel=1e-15)
    w = convert_weight(3.0, "pynn_if_cond_exp", "pynn_if_curr_exp", tau=5.0, driving_force=60.0)
    assert w == pytest.approx(180.0, rel=1e-15)
    w = convert_weight(180.0, "nest_iaf_psc_exp", "neuron_expsyn", tau=5.0, driving_force=60.0)
    assert w == pytest.approx(0.003, rel=1e-15)
    # an alpha current to an exponential current with the same charge: e tau w = tau w'
    w = convert_weight(1.0, "nest_iaf_psc_alpha", "nest_iaf_psc_exp", tau=5.0)
    assert w == pytest.approx(math.e, rel=1e-15)
    # Elephant's sigma: tau = sigma for the exponential kernel, sigma/sqrt(2) for the alpha
    assert tau_from_parameter("elephant_exponential_kernel", 7.0) == 7.0
    assert tau_from_parameter("elephant_alpha_kernel", 7.0) == pytest.approx(7.0 / math.sqrt(2))


def test_conversion_against_integrated_kernels_with_new_tau():
    src, dst = CONVENTIONS["elephant_alpha_kernel"], CONVENTIONS["nest_iaf_psc_alpha"]
    tau = tau_from_parameter(src.name, 10.0)  # sigma = 10 ms
    tau_t, w = 2.0, 3.0

    def charge(row, weight, tau_):
        f = lambda x: float(row.response(x, tau_, weight=weight))  # noqa: E731
        return quad(f, 0, 80 * tau_, limit=200)[0]

    def peak(row, weight, tau_):
        t = np.linspace(0, 5 * tau_, 200001)
        return row.response(t, tau_, weight=weight).max()

    wc = convert_weight(w, src.name, dst.name, tau=tau, match="charge", target_tau=tau_t)
    wp = convert_weight(w, src.name, dst.name, tau=tau, match="peak", target_tau=tau_t)
    assert charge(dst, wc, tau_t) == pytest.approx(charge(src, w, tau), rel=1e-9)
    assert peak(dst, wp, tau_t) == pytest.approx(peak(src, w, tau), rel=1e-8)
    assert wc != pytest.approx(wp)  # a new tau makes the two matches differ


def test_known_conversions():
    w = convert_weight(1.0, "brainpy_alpha_legacy", "brainpy_alpha", tau=8.6)
    assert w == pytest.approx(8.6)
    w = convert_weight(1.0, "brainpy_dualexpon_equal", "brainpy_alpha", tau=5.0)
    assert w == pytest.approx(math.e)
    assert convert_weight(2.0, "nengo_alpha", "elephant_alpha_kernel", tau=5.0) == 2.0
    w = np.array([0.5, 1.0, 2.0])
    np.testing.assert_allclose(convert_weight(w, "area", "plain", tau=4.0), w / 4.0)
    # BrainPy <= 2.4.6 DualExpon is tau_rise times Brian2's documented biexponential
    w = convert_weight(1.0, "brainpy_dualexpon_legacy", "brian2_docs_biexp", tau=5.0, tau_rise=2.0)
    assert w == pytest.approx(2.0)


# ---------------------------------------------------------------- PSP


def _lif_psp_peak(current, tau_m, C_m, t_end):
    """Peak of V for C dV/dt = -C V/tau_m + I(t), by an adaptive ODE solver."""
    sol = solve_ivp(
        lambda t, v: [-v[0] / tau_m + float(current(t)) / C_m],
        (0.0, t_end),
        [0.0],
        rtol=1e-11,
        atol=1e-14,
        max_step=0.01,
        dense_output=True,
    )
    t = np.linspace(0.0, t_end, 400001)
    return sol.sol(t)[0].max()


@pytest.mark.parametrize(
    "name, tau, rise",
    [
        ("nest_iaf_psc_exp", 2.0, None),
        ("nest_iaf_psc_exp", 10.0, None),  # tau == tau_m
        ("pynn_if_curr_exp", 5.0, None),
        ("nest_iaf_psc_alpha", 2.0, None),
        ("nest_iaf_psc_alpha", 10.0, None),
        ("brainpy_alpha_legacy", 3.0, None),
        ("brainpy_dualexpon", 5.0, 1.0),
        ("brian2_docs_biexp", 10.0, 3.0),
        ("dual_exp:area", 4.0, 4.0),
    ],
)
def test_psp_peak_closed_form_against_simulation(name, tau, rise):
    tau_m, C_m, w = 10.0, 250.0, 80.0
    row_units = CONVENTIONS[name].units if name in CONVENTIONS.names() else "1"
    scale = 1000.0 if row_units == "nA" else 1.0  # the LIF takes pA
    kind, norm, _ = _side(name)

    def current(t):
        return w * scale * _kernel(kind, np.array([t]), tau, norm, rise)[0]

    expected = _lif_psp_peak(current, tau_m, C_m, 12 * max(tau, tau_m))
    got = psp_peak(w, name, tau=tau, tau_rise=rise, tau_m=tau_m, C_m=C_m)
    assert got == pytest.approx(expected, rel=1e-7)
    # R_m (MOhm) instead of C_m (pF): tau_m = R_m C_m
    got_r = psp_peak(w, name, tau=tau, tau_rise=rise, tau_m=tau_m, R_m=1000.0 * tau_m / C_m)
    assert got_r == pytest.approx(got, rel=1e-12)


def test_psp_match_gives_the_same_simulated_psp():
    tau_m, C_m = 20.0, 200.0
    w_alpha = 50.0  # pA, NEST iaf_psc_alpha with tau 2 ms
    w_exp = convert_weight(
        w_alpha, "nest_iaf_psc_alpha", "nest_iaf_psc_exp", tau=2.0, target_tau=5.0,
        match="psp", tau_m=tau_m,
    )  # fmt: skip
    w_beta = convert_weight(
        w_alpha, "nest_iaf_psc_alpha", "dual_exp:peak", tau=2.0, target_tau=8.0,
        target_tau_rise=0.5, match="psp", tau_m=tau_m,
    )  # fmt: skip
    v_alpha = _lif_psp_peak(lambda t: w_alpha * alpha_kernel(t, 2.0, norm="peak"), tau_m, C_m, 200)
    v_exp = _lif_psp_peak(lambda t: w_exp * exp_kernel(t, 5.0, norm="peak"), tau_m, C_m, 200)
    v_beta = _lif_psp_peak(
        lambda t: w_beta * dual_exp_kernel(t, 0.5, 8.0, norm="peak"), tau_m, C_m, 200
    )
    assert v_exp == pytest.approx(v_alpha, rel=1e-7)
    assert v_beta == pytest.approx(v_alpha, rel=1e-7)
    # the charge match would not have done it: the slower synapse loses more to the leak
    w_charge = convert_weight(w_alpha, "nest_iaf_psc_alpha", "nest_iaf_psc_exp", tau=2.0,
                              target_tau=5.0)  # fmt: skip
    assert w_charge != pytest.approx(w_exp, rel=1e-3)
    # a conductance source: the current is g * driving force
    v = psp_peak(2.0, "nest_iaf_cond_exp", tau=5.0, tau_m=tau_m, C_m=C_m, driving_force=70.0)
    assert v == pytest.approx(psp_peak(140.0, "nest_iaf_psc_exp", tau=5.0, tau_m=tau_m, C_m=C_m))


@settings(max_examples=300, deadline=None)
@given(
    # normal floats: subnormals carry fewer significant bits, so no ulp bound holds there
    w=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False).filter(
        lambda x: x == 0 or abs(x) > 1e-250
    ),
    tau=st.floats(1e-2, 1e2),
    tau_t=st.one_of(st.none(), st.floats(1e-2, 1e2)),
    source=st.sampled_from(NAMES),
    target=st.sampled_from(NAMES),
    match=st.sampled_from(["charge", "peak"]),
)
def test_round_trips(w, tau, tau_t, source, target, match):
    ks, ns, us = _side(source)
    kt, nt, ut = _side(target)
    kw = {}
    if "dual_exp" in (ks, kt):
        kw["tau_rise"] = 0.7
    if _unit(us, ut)[1]:
        kw["driving_force"] = FORCE
    there = convert_weight(w, source, target, tau=tau, match=match, target_tau=tau_t, **kw)
    back = convert_weight(
        there, target, source, tau=tau if tau_t is None else tau_t, match=match,
        target_tau=tau, **kw,
    )  # fmt: skip
    same = (ks, ns, us) == (kt, nt, ut) and (tau_t is None or tau_t == tau)
    if same:
        assert back == w  # bitwise
    else:
        # one float multiplies one way and divides the other: within 2 ulp
        assert abs(back - w) <= 2 * np.spacing(abs(w)) or w == 0


def test_convert_weight_bad_input():
    with pytest.raises(ValueError, match="unknown source"):
        convert_weight(1.0, "nest", "plain", tau=5.0)
    with pytest.raises(TypeError, match="target"):
        convert_weight(1.0, "plain", 3, tau=5.0)
    with pytest.raises(ValueError, match="unknown match"):
        convert_weight(1.0, "plain", "peak", tau=5.0, match="area")
    with pytest.raises(ValueError, match="weight must be finite"):
        convert_weight(float("nan"), "plain", "peak", tau=5.0)
    with pytest.raises(ValueError, match="tau"):
        convert_weight(1.0, "plain", "peak", tau=0.0)
    with pytest.raises(ValueError, match="value"):
        tau_from_parameter("elephant_alpha_kernel", -1.0)
    with pytest.raises(ValueError, match="tau_rise is required"):
        convert_weight(1.0, "nest_iaf_cond_beta", "plain", tau=5.0)
    with pytest.raises(ValueError, match="tau_rise is only"):
        convert_weight(1.0, "nest_iaf_psc_exp", "plain", tau=5.0, tau_rise=1.0)
    with pytest.raises(ValueError, match="tau_rise"):
        convert_weight(1.0, "nest_iaf_cond_beta", "plain", tau=5.0, tau_rise=-1.0)
    with pytest.raises(ValueError, match="driving_force .* required"):
        convert_weight(1.0, "nest_iaf_cond_exp", "nest_iaf_psc_exp", tau=5.0)
    with pytest.raises(ValueError, match="driving_force is only"):
        convert_weight(1.0, "nest_iaf_psc_exp", "pynn_if_curr_exp", tau=5.0, driving_force=60.0)
    with pytest.raises(ValueError, match="nonzero"):
        convert_weight(1.0, "nest_iaf_cond_exp", "nest_iaf_psc_exp", tau=5.0, driving_force=0)
    with pytest.raises(ValueError, match="tau_m"):
        convert_weight(1.0, "plain", "peak", tau=5.0, match="psp")
    with pytest.raises(ValueError, match="tau_m"):
        convert_weight(1.0, "plain", "peak", tau=5.0, tau_m=10.0)
    with pytest.raises(ValueError, match="no peak"):  # DualExponV2 at equal taus is 0
        convert_weight(1.0, "plain", "brainpy_dualexponv2", tau=5.0, tau_rise=5.0, match="peak")
    with pytest.raises(ValueError, match="exactly one of C_m"):
        psp_peak(1.0, "plain", tau=5.0, tau_m=10.0)
    with pytest.raises(ValueError, match="driving_force"):
        psp_peak(1.0, "nest_iaf_cond_exp", tau=5.0, tau_m=10.0, C_m=250.0)


# ---------------------------------------------------------------- timing and delays


def test_every_simulator_has_a_timing_entry_with_sources():
    for name in ("NEST", "Brian2", "BrainPy", "NEURON", "Elephant"):
        entry = TIMINGS[name]
        assert entry.offgrid is OFFGRID_RULES[name]  # the one table, reused
        assert entry.sources and all(isinstance(s, str) and s for s in entry.sources)
        assert entry.min_delay_steps >= 0 and entry.extra_steps >= 0
        assert entry.delay_site and entry.first_visible and entry.step_order
    assert "dendritic" in TIMINGS["NEST"].delay_site and TIMINGS["NEST"].min_delay_steps == 1
    assert "axonal" in TIMINGS["Brian2"].delay_site and TIMINGS["Brian2"].min_delay_steps == 0


@pytest.mark.parametrize(
    "delay, source, target, expected",
    [
        (1.0, "NEST", "Brian2", 0.9),  # Brian2's monitor sees the spike one step later
        (0.1, "NEST", "Brian2", 0.0),
        (0.0, "Brian2", "NEST", 0.1),  # NEST's minimum delay is dt
        (0.5, "NEURON", "NEST", 0.6),
        (0.3, "BrainPy", "Brian2", 0.3),
        (0.2, "NEST", "Elephant", 0.2),
        (1.0, "nest_iaf_psc_exp", "brian2_docs_exp", 0.9),  # rows name their simulator
    ],
)
def test_convert_delay_concrete_cases(delay, source, target, expected):
    dt = 0.1
    got = convert_delay(delay, source, target, dt=dt)
    assert got == pytest.approx(expected, abs=1e-12)
    # the response starts on the same step: delay + extra steps agree (timing in alphakit.ode)
    lag = {"NEST": 0, "Elephant": 0, "Brian2": 1, "BrainPy": 1, "NEURON": 1}
    sim = {n: n for n in lag} | {"nest_iaf_psc_exp": "NEST", "brian2_docs_exp": "Brian2"}
    assert round(delay / dt) + lag[sim[source]] == round(got / dt) + lag[sim[target]]
    # and back
    assert convert_delay(got, target, source, dt=dt) == pytest.approx(delay, abs=1e-12)


def test_convert_delay_refuses_what_no_delay_reaches():
    with pytest.raises(ValueError, match="no delay in NEST"):
        convert_delay(0.0, "Elephant", "NEST", dt=0.1)
    with pytest.raises(ValueError, match="minimum"):
        convert_delay(0.0, "NEST", "Brian2", dt=0.1)
    with pytest.raises(ValueError, match="whole number of steps"):
        convert_delay(0.25, "NEST", "Brian2", dt=0.1)
    with pytest.raises(ValueError, match="unknown target"):
        convert_delay(1.0, "NEST", "Nest", dt=0.1)
    with pytest.raises(ValueError, match="no timing entry"):
        convert_delay(1.0, "pynn_if_curr_exp", "NEST", dt=0.1)


# ---------------------------------------------------------------- classify


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("tau", [0.5, 3.0, 8.6])
@pytest.mark.parametrize("lag", [0, 1, 4])
def test_classify_every_norm(norm, tau, lag):
    dt = 0.1
    t = (np.arange(int(12 * tau / dt) + 40) - lag) * dt
    y = alpha_kernel(t, tau, norm=norm)
    for given_tau in (None, tau):
        c = classify(y, dt, tau=given_tau)
        assert c.convention == norm and c.lag == lag
        assert c.tau == pytest.approx(tau, rel=1e-6)
        assert c.tau_estimated is (given_tau is None)
        assert c.factor == pytest.approx(kernel_properties(tau, norm=norm).charge / tau, rel=1e-6)
        assert all(CONVENTIONS[m].norm == norm for m in c.matches)
        assert norm in str(c)


@pytest.mark.parametrize("version", ["2.4.6", "2.8.2"])
@pytest.mark.parametrize("method", ["euler", "exp_auto", "rk4"])
def test_classify_brainpy_single_spike(version, method):
    f = np.load(DATA / f"brainpy-{version}-single-tau8.6-dt0.1-{method}.npz")
    p = json.loads(str(f["params"]))
    m = int(np.flatnonzero(f["pre_spike"][:, 0])[0])
    # Euler's kernel decays with the effective tau -dt/log(1 - dt/tau) = 8.55 ms, so the
    # fitted tau and the factor (~8.65) differ by 1.2 %: name it with a 2 % tolerance.
    c = classify(f["g"][m:], p["dt"], rtol=0.02 if method == "euler" else 0.01)
    assert c.lag == 1
    assert c.convention == ("legacy" if version == "2.4.6" else "plain")
    assert c.tau == pytest.approx(8.6, rel=1e-2)


def test_classify_rejects_and_explains():
    t = np.arange(300) * 0.1
    y = np.exp(-t / 3.0)  # exponential synapse, not alpha
    y[0] = 0.0
    c = classify(y, 0.1, kind="alpha")
    assert c.convention is None and "not an alpha function" in c.explanation
    c = classify(3.3 * alpha_kernel(t, 3.0), 0.1, tau=3.0)
    assert c.factor_label is None and c.convention is None
    with pytest.raises(ValueError, match="zero everywhere"):
        classify(np.zeros(10), 0.1)
    with pytest.raises(ValueError, match="one trace"):
        classify(np.ones((10, 2)), 0.1)
    with pytest.raises(ValueError, match="finite"):
        classify([0.0, np.nan, 1.0], 0.1)
    with pytest.raises(ValueError, match="at least 3"):
        classify([0.0, 1.0], 0.1)
    with pytest.raises(ValueError, match="dt"):
        classify(alpha_kernel(t, 3.0), -0.1)


def test_units_given_for_unitless_rows_and_kind_filter():
    # Brian2's w is whatever the user says: in nS it converts to NEURON's uS
    w = convert_weight(0.8, "brian2_docs_alpha", "neuron_alphasynapse", tau=5.0, source_units="nS")
    assert w == pytest.approx(0.8 / math.e / 1000.0, rel=1e-15)
    w = convert_weight(250.0, "nest_iaf_psc_exp", "pynn_if_curr_exp", tau=5.0, source_units="pA")
    assert w == pytest.approx(0.25, rel=1e-15)
    with pytest.raises(ValueError, match="takes a current"):
        convert_weight(1.0, "nest_iaf_psc_exp", "plain", tau=5.0, source_units="nS")
    with pytest.raises(ValueError, match="unknown target_units"):
        convert_weight(1.0, "plain", "peak", tau=5.0, target_units="mV")
    alpha = CONVENTIONS.of_kind("alpha")
    assert alpha.names() == tuple(r.name for r in ROWS if r.kind == "alpha") and len(alpha) == 15
    with pytest.raises(ValueError, match="kind"):
        CONVENTIONS.of_kind("beta")
