"""The recurrence engines against a plain step-by-step loop, and how one is chosen."""

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from alphakit import _engine, simulate, step_matrix
from alphakit._engine import engine, propagate
from alphakit._engine._scipy import _propagate_blocked, _propagate_lfilter

HAVE_NUMBA = importlib.util.find_spec("numba") is not None
needs_numba = pytest.mark.skipif(not HAVE_NUMBA, reason="numba not installed")


def _jit(u, M, weight, want_h):
    from alphakit._engine import _numba

    return _numba.propagate(u, M, weight, want_h)


ENGINES = [
    _propagate_lfilter,
    _propagate_blocked,
    _engine._scipy.propagate,
    propagate,
    pytest.param(_jit, marks=needs_numba, id="numba"),
]


def _loop(u, M, weight):
    u2 = (u * weight).reshape(u.shape[0], -1)
    x = np.zeros((2, u2.shape[1]))
    g, h = np.empty_like(u2), np.empty_like(u2)
    for k in range(u2.shape[0]):
        x = M @ x
        x[1] += u2[k]
        g[k], h[k] = x
    return g.reshape(u.shape), h.reshape(u.shape)


@pytest.mark.parametrize("run", ENGINES)
@pytest.mark.parametrize("T", [1, 5, 16, 17, 333])
@pytest.mark.parametrize("n", [None, 1, 3, 40])
@pytest.mark.parametrize("method", ["exact", "euler", "rk4"])
def test_engines_equal_the_loop(run, T, n, method):
    rng = np.random.default_rng(T * 7 + (n or 0))
    u = rng.poisson(0.3, (T,) if n is None else (T, n)).astype(float)
    weight = 1.7 if n is None else rng.normal(size=n)
    M = step_matrix(0.3, 2.0, method=method, form="legacy")
    g, h = run(u, M, weight, True)
    g_ref, h_ref = _loop(u, M, weight)
    scale = max(1.0, np.abs(g_ref).max())
    assert g.shape == h.shape == u.shape
    np.testing.assert_allclose(g, g_ref, rtol=0, atol=1e-13 * scale)
    np.testing.assert_allclose(h, h_ref, rtol=0, atol=1e-13 * max(1.0, np.abs(h_ref).max()))


def test_unstable_step_blows_up_like_the_loop():
    M = step_matrix(5.0, 1.0, method="euler", form="fixed")  # a = -4
    u = np.zeros((40, 50))
    u[0] = 1
    g, _ = _propagate_blocked(u, M, 1.0, True)
    g_ref, _ = _loop(u, M, 1.0)
    np.testing.assert_allclose(g, g_ref, rtol=1e-10)


@needs_numba
@pytest.mark.parametrize("layout", ["C", "F", "strided", "1d"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("want_h", [True, False])
def test_numba_engine_matches_the_loop_in_any_layout(layout, dtype, want_h):
    rng = np.random.default_rng(5)
    base = rng.poisson(0.2, (700, 37)).astype(dtype)
    u = {
        "C": base,
        "F": np.asfortranarray(base),
        "strided": base[::2, ::3],
        "1d": base[:, 4],
    }[layout]
    weight = 0.7 if u.ndim == 1 else rng.normal(size=u.shape[1])
    M = step_matrix(0.1, 3.0, method="exp_euler", form="fixed")
    g, h = _jit(u, M, weight, want_h)
    g_ref, h_ref = _loop(u.astype(np.float64), M, weight)
    assert g.dtype == dtype and g.shape == u.shape
    rel = 1e-6 if dtype == np.float32 else 1e-13  # float32: the stored outputs are rounded
    np.testing.assert_allclose(g, g_ref, rtol=0, atol=rel * np.abs(g_ref).max())
    if want_h:
        assert h.dtype == dtype and h.shape == u.shape
        np.testing.assert_allclose(h, h_ref, rtol=0, atol=rel * np.abs(h_ref).max())
    else:
        assert h is None


@needs_numba
def test_numba_engine_is_correct_in_threads_and_releases_the_gil():
    from concurrent.futures import ThreadPoolExecutor

    from alphakit._engine import _numba

    rng = np.random.default_rng(2)
    inputs = [rng.poisson(0.1, (4000, 20)).astype(float, order=o) for o in "CFCF"]
    M = step_matrix(0.2, 4.0, method="rk4", form="legacy")
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda u: _jit(u, M, 1.3, True), inputs))
    for u, (g, h) in zip(inputs, results, strict=True):
        g_ref, h_ref = _loop(u, M, 1.3)
        np.testing.assert_allclose(g, g_ref, rtol=0, atol=1e-13 * g_ref.max())
        np.testing.assert_allclose(h, h_ref, rtol=0, atol=1e-13 * h_ref.max())
    # callers may run several at once only because the kernels release the GIL
    for kernel in (
        _numba._scan,
        _numba._scan_rows,
        _numba._scan_columns,
    ):
        assert kernel.targetoptions.get("nogil") is True


@needs_numba
@pytest.mark.parametrize("shape", [(20000,), (20000, 5), (20000, 40)])
def test_numba_float32_is_the_float64_result_rounded(shape):
    """The state is carried in float64: float32 outputs are float64 outputs rounded once.

    A float32 state would drift by many float32 ulps over 20000 steps of dense input.
    """
    u = np.random.default_rng(8).poisson(3.0, shape).astype(np.float64)
    M = step_matrix(0.1, 8.6, method="exp_euler", form="fixed")
    g64, h64 = _jit(u, M, 1.0, True)
    g32, h32 = _jit(u.astype(np.float32), M, 1.0, True)
    for low, high in ((g32, g64), (h32, h64)):
        ulp = np.spacing(np.abs(high).astype(np.float32))
        assert np.all(np.abs(low.astype(np.float64) - high) <= ulp)


@needs_numba
def test_one_column_runs_the_one_train_loop():
    u = np.random.default_rng(3).poisson(0.2, (3000, 1)).astype(float)
    M = step_matrix(0.1, 2.0, method="exact", form="fixed")
    g2, h2 = _jit(u, M, np.array([0.7]), True)
    g1, h1 = _jit(u[:, 0], M, 0.7, True)
    assert g2.shape == h2.shape == (3000, 1)
    assert np.array_equal(g2[:, 0], g1) and np.array_equal(h2[:, 0], h1)


@needs_numba
def test_public_functions_really_run_on_the_chosen_engine(monkeypatch, engine):
    from alphakit import convolve_spike_times, convolve_spikes
    from alphakit._engine import _numba

    calls = []
    real = _numba.propagate
    monkeypatch.setattr(_numba, "propagate", lambda *a, **k: calls.append(1) or real(*a, **k))
    s = np.zeros((100, 3))
    s[4] = 1
    simulate(s, 0.1, 1.0)
    convolve_spikes(s[:, 0], 0.1, 1.0)
    convolve_spike_times([0.25], 0.1, 1.0, duration=10.0)
    assert len(calls) == (4 if engine == "numba" else 0)


@needs_numba
def test_warm_up_compiles_what_the_public_functions_use():
    """After warm_up(), the layouts users hand in compile nothing new."""
    from alphakit import convolve_spike_times, convolve_spikes
    from alphakit._engine import _numba

    kernels = (_numba._scan, _numba._scan_rows, _numba._scan_columns)
    _numba.warm_up()
    before = [len(k.signatures) for k in kernels]
    assert all(before)
    rng = np.random.default_rng(0)
    s = rng.poisson(0.1, (200, 4)).astype(float)
    locked = s.copy()
    locked.flags.writeable = False
    for spikes in (s, np.asfortranarray(s), s[:, 0], s[::2, ::2], locked, s.astype(np.float32)):
        dtype = spikes.dtype
        simulate(spikes, 0.1, 1.0, dtype=dtype)
        convolve_spikes(spikes.astype(float), 0.1, 1.0)
    convolve_spike_times([], 0.1, 1.0, duration=10.0)
    convolve_spike_times([1.0], 0.1, 1.0, duration=10.0)
    assert [len(k.signatures) for k in kernels] == before


@needs_numba
def test_warm_up_runs_as_binder_runs_it():
    """binder/postBuild runs the numba back-end as a script; runpy must not import it twice."""
    out = subprocess.run(
        [sys.executable, "-W", "error::RuntimeWarning", "-m", "alphakit._engine._numba"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "numba kernels ready" in out.stdout, out.stderr


def test_numba_disable_jit_means_the_scipy_engine():
    code = (
        "import os, alphakit._engine as r; print(r.engine()); "
        "os.environ['ALPHAKIT_ENGINE'] = 'numba'\n"
        "try:\n    r.engine()\nexcept ImportError as e:\n    print(e)"
    )
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "ALPHAKIT_ENGINE": "auto"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.splitlines()
    assert out[0] == "scipy"
    if HAVE_NUMBA:
        assert "NUMBA_DISABLE_JIT" in out[1]
    else:
        assert "not installed" in out[1]


@pytest.mark.parametrize("value", ["scipy", " SciPy ", "auto", "numba", ""])
def test_engine_follows_the_environment(monkeypatch, value):
    monkeypatch.setenv("ALPHAKIT_ENGINE", value)
    wanted = value.strip().lower()
    if wanted == "numba" and not HAVE_NUMBA:
        with pytest.raises(ImportError, match="numba"):
            engine()
        return
    expected = "scipy" if wanted == "scipy" or not HAVE_NUMBA else "numba"
    assert engine() == expected


def test_unknown_engine_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("ALPHAKIT_ENGINE", "cuda")
    with pytest.raises(ValueError, match="ALPHAKIT_ENGINE.*auto.*numba.*scipy"):
        simulate([0.0, 1.0, 0.0], 0.1, 1.0)


def test_without_numba_auto_falls_back_and_numba_names_the_extra(monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "numba" else real_find_spec(name, *a),
    )
    _engine._numba_problem.cache_clear()
    try:
        monkeypatch.setenv("ALPHAKIT_ENGINE", "auto")
        assert engine() == "scipy"
        s = np.zeros(50)
        s[3] = 1
        assert simulate(s, 0.1, 1.0).g.max() > 0
        monkeypatch.setenv("ALPHAKIT_ENGINE", "numba")
        with pytest.raises(ImportError, match=r"alphakit\[fast\]"):
            simulate(s, 0.1, 1.0)
    finally:
        monkeypatch.undo()
        _engine._numba_problem.cache_clear()


def test_import_alphakit_does_not_import_numba():
    code = "import sys, alphakit; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@needs_numba
@pytest.mark.parametrize("order", ["C", "F"])
def test_numba_engine_refuses_weights_of_another_length(order):
    # the compiled loops index the weights without bounds checks
    from alphakit._engine import _numba

    u = np.asarray(np.ones((10, 5)), order=order)
    M = np.array([[0.5, 0.25], [0.0, 0.5]])
    with pytest.raises(ValueError, match=r"weight must be a scalar or shape \(5,\)"):
        _numba.propagate(u, M, np.array([1.0, 2.0, 3.0]), True)
