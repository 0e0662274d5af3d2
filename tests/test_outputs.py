"""simulate(outputs=, out=) and convolve_spikes(out=, dtype=): same bits, checked buffers."""

from __future__ import annotations

import numpy as np
import pytest

import alphakit as ak

DT, TAU = 0.1, 5.0
# one train, one column, a few columns (lfilter on the scipy engine), many (its blocked path)
SHAPES = [(400,), (400, 1), (400, 3), (403, 40)]


def spikes(shape: tuple[int, ...], order: str = "C", seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.asarray(rng.poisson(0.05, size=shape).astype(float), order=order)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("method", ["exact", "rk4", "euler", "exp_euler"])
def test_g_only_and_out_are_bit_identical_to_the_default(engine, shape, order, dtype, method):
    s = spikes(shape, order)
    kw = dict(method=method, dtype=dtype, weight=0.7)
    default = ak.simulate(s, DT, TAU, **kw)
    g_only = ak.simulate(s, DT, TAU, outputs="g", **kw)
    assert g_only.h is None
    np.testing.assert_array_equal(g_only.g, default.g)
    # buffers in both memory orders, whatever the input's
    g_buf, h_buf = np.empty(shape, dtype, order="C"), np.empty(shape, dtype, order="F")
    both = ak.simulate(s, DT, TAU, out=(g_buf, h_buf), **kw)
    assert both.g is g_buf and both.h is h_buf
    np.testing.assert_array_equal(g_buf, default.g)
    np.testing.assert_array_equal(h_buf, default.h)
    g_buf2 = np.full(shape, np.nan, dtype)
    assert ak.simulate(s, DT, TAU, outputs="g", out=g_buf2, **kw).g is g_buf2
    np.testing.assert_array_equal(g_buf2, default.g)


@pytest.mark.parametrize("shape", [(400, 3), (403, 40)])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["alpha", "exp", "dual_exp"])
def test_one_weight_for_all_gives_the_bits_of_one_per_synapse(
    monkeypatch, shape, order, dtype, kind
):
    # The compiled row loops keep one weight for all synapses in a register and read
    # per-synapse weights from an array: two loops, which must agree to the bit.
    # Weights exact in float32, which simulate rounds per-synapse weights to.
    pytest.importorskip("numba")
    monkeypatch.setenv("ALPHAKIT_ENGINE", "numba")
    s = spikes(shape, order)
    rise = {"tau_rise": 1.0} if kind == "dual_exp" else {}
    weights = np.linspace(0.25, 2.0, shape[1]).astype(np.float32).astype(float)
    kw = dict(dtype=dtype, kind=kind, method="exp_euler", **rise)
    each = ak.simulate(s, DT, TAU, weight=weights, **kw)
    for j in (0, shape[1] // 2, shape[1] - 1):
        one = ak.simulate(s, DT, TAU, weight=float(weights[j]), **kw)
        np.testing.assert_array_equal(one.g[:, j], each.g[:, j])
        if kind != "exp":
            np.testing.assert_array_equal(one.h[:, j], each.h[:, j])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["alpha", "exp", "dual_exp"])
def test_every_layout_gives_the_same_bits(monkeypatch, dtype, kind):
    # The compiled engine walks C order row by row (vectorised across synapses), F order
    # and single trains synapse by synapse (scalar loops); each step is the same two
    # explicit fused multiply-adds in all of them, so a synapse's trace does not depend
    # on the layout, on its column (vectorised body or tail) or on its neighbours.
    pytest.importorskip("numba")
    monkeypatch.setenv("ALPHAKIT_ENGINE", "numba")
    s = spikes((501, 37), seed=3).astype(dtype)
    rise = {"tau_rise": 1.0} if kind == "dual_exp" else {}
    kw = dict(dtype=dtype, kind=kind, method="rk4", **rise)
    weights = np.linspace(0.5, 2.0, 37).astype(np.float32).astype(float)
    rows = ak.simulate(s, DT, TAU, weight=weights, **kw).g
    np.testing.assert_array_equal(
        ak.simulate(np.asfortranarray(s), DT, TAU, weight=weights, **kw).g, rows
    )
    strided = np.repeat(s, 2, axis=1)[:, ::2]
    np.testing.assert_array_equal(ak.simulate(strided, DT, TAU, weight=weights, **kw).g, rows)
    for j in (0, 17, 36):  # first, inside the vectorised body, last (the tail)
        alone = ak.simulate(s[:, j], DT, TAU, weight=float(weights[j]), **kw).g
        np.testing.assert_array_equal(alone, rows[:, j])


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("order", ["C", "F"])
def test_only_the_stored_outputs_must_fit_the_dtype(engine, shape, order):
    # h peaks at the weight, the alpha synapse's g (dt = tau = 1) at 1/e of it: h beyond
    # float32's range, g within. g alone fits, and is the float64 g rounded once (the
    # state is float64 on every path); g and h together do not.
    s = np.zeros(shape)
    s[0] = 1.0
    s = np.asarray(s, order=order)
    kw = dict(weight=5e38, method="exact")
    exact = ak.simulate(s, 1.0, 1.0, **kw)
    big = float(np.finfo(np.float32).max)
    assert exact.h.max() > big > exact.g.max()
    g = ak.simulate(s, 1.0, 1.0, dtype=np.float32, outputs="g", **kw).g
    np.testing.assert_array_equal(g, exact.g.astype(np.float32))
    with pytest.raises(ValueError, match="overflowed float32"):
        ak.simulate(s, 1.0, 1.0, dtype=np.float32, **kw)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_passing_overflow_is_caught(engine, shape):
    # Two spikes take h to ~4e38, beyond float32, and it decays back into range within
    # ~16 steps, long before the end; g stays below. Every stored value is checked, not
    # the last step: g and h together raise, g alone is the float64 g rounded once.
    s = np.zeros(shape)
    s[15] = s[16] = 1.0
    kw = dict(weight=2e38, method="exact")
    exact = ak.simulate(s, 0.01, 1.0, **kw)
    big = float(np.finfo(np.float32).max)
    assert exact.h.max() > big > exact.h[-1].max() and exact.g.max() < big
    g = ak.simulate(s, 0.01, 1.0, dtype=np.float32, outputs="g", **kw).g
    np.testing.assert_array_equal(g, exact.g.astype(np.float32))
    with pytest.raises(ValueError, match="overflowed float32"):
        ak.simulate(s, 0.01, 1.0, dtype=np.float32, **kw)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("method", ["exact", "fft", "direct"])
def test_convolve_out_is_bit_identical(engine, shape, method):
    s = spikes(shape)
    g = ak.convolve_spikes(s, DT, TAU, method=method)
    buf = np.full(shape, np.nan)
    assert ak.convolve_spikes(s, DT, TAU, method=method, out=buf) is buf
    np.testing.assert_array_equal(buf, g)


@pytest.mark.parametrize("method", ["exact", "fft", "direct"])
def test_convolve_float32_rounds_the_float64_result(engine, method):
    s = spikes((500, 3))
    g64 = ak.convolve_spikes(s, DT, TAU, method=method)
    g32 = ak.convolve_spikes(s, DT, TAU, method=method, dtype=np.float32)
    assert g32.dtype == np.float32 and g32.shape == s.shape
    # each stored value is the float64 one rounded once: within half a float32 ulp of it
    # (plus the float64 method's own error, far below that)
    np.testing.assert_allclose(g32, g64, rtol=2.0**-23, atol=1e-12)
    out = np.empty(s.shape, np.float32)
    ak.convolve_spikes(s, DT, TAU, method=method, dtype=np.float32, out=out)
    np.testing.assert_array_equal(out, g32)


def test_float32_convolution_overflow_is_reported():
    s = np.zeros(50)
    s[0] = 1.0
    with pytest.raises(ValueError, match="overflowed float32"):
        ak.convolve_spikes(s, DT, TAU, weight=1e39, dtype=np.float32, method="fft")


def test_the_input_is_never_aliased(engine):
    s = spikes((300, 4))
    before = s.copy()
    for trace in (ak.simulate(s, DT, TAU), ak.simulate(s, DT, TAU, outputs="g")):
        for x in trace:
            assert x is None or not np.shares_memory(x, s)
    assert not np.shares_memory(ak.convolve_spikes(s, DT, TAU), s)
    g, h = np.empty_like(s), np.empty_like(s)
    ak.simulate(s, DT, TAU, out=(g, h))
    np.testing.assert_array_equal(s, before)


def _bad_out_cases(s: np.ndarray):
    T, n = s.shape
    good = np.empty_like(s)
    ro = np.empty_like(s)
    ro.flags.writeable = False
    wide = np.empty((T, 2 * n))
    pair = np.empty((2, T, n))
    return [
        ((np.empty((T + 1, n)), good), ValueError, "shape"),
        ((np.empty((T, n), np.float32), good), TypeError, "dtype float64"),
        ((wide[:, ::2], good), ValueError, "contiguous"),
        ((ro, good), ValueError, "read-only"),
        ((s, good), ValueError, "overlaps the input"),
        ((pair[0], pair[0]), ValueError, "overlap"),
        ((good, [[0.0] * n] * T), TypeError, "numpy array"),
        (good, TypeError, "tuple of 2 arrays"),
        ((good,), TypeError, "tuple of 2 arrays"),
    ]


@pytest.mark.parametrize("case", range(9))
def test_bad_out_buffers_are_refused(case):
    s = spikes((50, 3))
    out, exc, words = _bad_out_cases(s)[case]
    with pytest.raises(exc, match=words):
        ak.simulate(s, DT, TAU, out=out)


def test_g_only_takes_one_buffer_and_convolve_checks_its_own():
    s = spikes((50, 3))
    with pytest.raises(TypeError, match="out must be an array g"):
        ak.simulate(s, DT, TAU, outputs="g", out=(np.empty_like(s), np.empty_like(s)))
    with pytest.raises(ValueError, match="shape"):
        ak.convolve_spikes(s, DT, TAU, out=np.empty(50))
    with pytest.raises(TypeError, match="dtype float32"):
        ak.convolve_spikes(s, DT, TAU, dtype=np.float32, out=np.empty_like(s))
    with pytest.raises(ValueError, match="overlaps the input"):
        ak.convolve_spikes(s, DT, TAU, out=s)


def test_outputs_is_validated():
    with pytest.raises(ValueError, match="outputs"):
        ak.simulate(np.zeros(5), DT, TAU, outputs="h")


BAD_COUNTS = [
    (np.nan, "finite"),
    (np.inf, "finite"),
    (-np.inf, "non-negative|finite"),
    (-1.0, "non-negative"),
    (0.5, "whole spike counts"),
]


@pytest.mark.parametrize(("value", "words"), BAD_COUNTS)
@pytest.mark.parametrize("kind", ["alpha", "exp", "dual_exp"])
@pytest.mark.parametrize("shape", [(300,), (300, 1), (300, 40)])
def test_odd_counts_get_the_precise_error_on_every_engine(engine, value, words, kind, shape):
    # the compiled engine screens the values inside its loop (no separate pass); the
    # message must be the one the up-front checks give
    s = spikes(shape)
    s.flat[s.size // 2] = value
    rise = {"tau_rise": 1.0} if kind == "dual_exp" else {}
    with pytest.raises(ValueError, match=words):
        ak.simulate(s, DT, TAU, kind=kind, **rise)
    with pytest.raises(ValueError, match=words):
        ak.convolve_spikes(s, DT, TAU, kind=kind, **rise)


@pytest.mark.parametrize(("value", "words"), BAD_COUNTS[:-1])
@pytest.mark.parametrize("kind", ["alpha", "exp"])
@pytest.mark.parametrize("shape", [(300,), (300, 40)])
def test_fractional_counts_allowed_still_refuse_odd_ones(engine, value, words, kind, shape):
    # with fractions allowed the compiled loops do not screen the values; the screen runs first
    s = spikes(shape) * 0.25
    s.flat[s.size // 2] = value
    with pytest.raises(ValueError, match=words):
        ak.simulate(s, DT, TAU, kind=kind, allow_fractional=True)
    with pytest.raises(ValueError, match=words):
        ak.convolve_spikes(s, DT, TAU, kind=kind, allow_fractional=True)


@pytest.mark.parametrize("kind", ["alpha", "exp", "dual_exp"])
def test_allowed_fractional_counts_are_computed_once_screened(engine, kind):
    s = spikes((300, 3)) * 0.25  # weighted grid
    rise = {"tau_rise": 1.0} if kind == "dual_exp" else {}
    g = ak.simulate(s, DT, TAU, kind=kind, allow_fractional=True, **rise).g
    # the same as whole counts with the weight carried by `weight`
    ref = ak.simulate(s * 4, DT, TAU, kind=kind, weight=0.25, **rise).g
    np.testing.assert_allclose(g, ref, rtol=1e-12, atol=1e-15)
    c = ak.convolve_spikes(s, DT, TAU, kind=kind, allow_fractional=True, **rise)
    ref = ak.convolve_spikes(s * 4, DT, TAU, kind=kind, weight=0.25, **rise)
    np.testing.assert_allclose(c, ref, rtol=1e-12, atol=1e-15)


def test_valid_counts_are_read_once_on_the_compiled_engine(monkeypatch):
    pytest.importorskip("numba")
    monkeypatch.setenv("ALPHAKIT_ENGINE", "numba")
    from alphakit import _validation

    calls = []
    real = _validation.spike_values
    monkeypatch.setattr(_validation, "spike_values", lambda *a: calls.append(1) or real(*a))
    s = spikes((300, 40))
    ak.simulate(s, DT, TAU)
    ak.convolve_spikes(s, DT, TAU)
    assert calls == []  # screened in the loop, no separate pass
    s[5, 5] = 0.5
    with pytest.raises(ValueError, match="whole"):
        ak.simulate(s, DT, TAU)
    assert calls == [1]  # the full check runs only to word the error
