"""The recurrence engine's two paths against a plain step-by-step loop."""

import numpy as np
import pytest

from alphakit import step_matrix
from alphakit._recurrence import _propagate_blocked, _propagate_lfilter, propagate


def _loop(u, M, weight):
    u2 = (u * weight).reshape(u.shape[0], -1)
    x = np.zeros((2, u2.shape[1]))
    g, h = np.empty_like(u2), np.empty_like(u2)
    for k in range(u2.shape[0]):
        x = M @ x
        x[1] += u2[k]
        g[k], h[k] = x
    return g.reshape(u.shape), h.reshape(u.shape)


@pytest.mark.parametrize("engine", [_propagate_lfilter, _propagate_blocked, propagate])
@pytest.mark.parametrize("T", [1, 5, 16, 17, 333])
@pytest.mark.parametrize("n", [None, 1, 3, 40])
@pytest.mark.parametrize("method", ["exact", "euler", "rk4"])
def test_engines_equal_the_loop(engine, T, n, method):
    rng = np.random.default_rng(T * 7 + (n or 0))
    u = rng.poisson(0.3, (T,) if n is None else (T, n)).astype(float)
    weight = 1.7 if n is None else rng.normal(size=n)
    M = step_matrix(method, "legacy", 0.3, 2.0)
    g, h = engine(u, M, weight, True)
    g_ref, h_ref = _loop(u, M, weight)
    scale = max(1.0, np.abs(g_ref).max())
    assert g.shape == h.shape == u.shape
    np.testing.assert_allclose(g, g_ref, rtol=0, atol=1e-13 * scale)
    np.testing.assert_allclose(h, h_ref, rtol=0, atol=1e-13 * max(1.0, np.abs(h_ref).max()))


def test_unstable_step_blows_up_like_the_loop():
    M = step_matrix("euler", "fixed", 5.0, 1.0)  # a = -4
    u = np.zeros((40, 50))
    u[0] = 1
    g, _ = _propagate_blocked(u, M, 1.0, True)
    g_ref, _ = _loop(u, M, 1.0)
    np.testing.assert_allclose(g, g_ref, rtol=1e-10)
