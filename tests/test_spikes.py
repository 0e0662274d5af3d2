import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from alphakit import grid_to_times, n_steps, poisson_train, regular_train, times_to_grid


def test_counts_per_step_and_boundaries():
    # 0.3 / 0.1 = 2.9999999999999996 in floating point: still step 3
    grid = times_to_grid([0.0, 0.3, 0.35, 0.39999, 0.7], dt=0.1, duration=0.8)
    np.testing.assert_array_equal(grid, [1, 0, 0, 3, 0, 0, 0, 1])


def test_many_trains_of_different_lengths():
    grid = times_to_grid([[1.0, 1.2], [], [0.0, 0.0, 2.9]], dt=1.0, duration=3.0)
    assert grid.shape == (3, 3)
    np.testing.assert_array_equal(grid[:, 0], [0, 2, 0])
    np.testing.assert_array_equal(grid[:, 1], [0, 0, 0])
    np.testing.assert_array_equal(grid[:, 2], [2, 0, 1])


@given(
    steps=st.lists(st.integers(min_value=0, max_value=999), max_size=50),
    dt=st.sampled_from([0.01, 0.025, 0.1, 0.2, 1.0]),
)
def test_round_trip_on_grid(steps, dt):
    times = np.array(steps, dtype=float) * dt
    grid = times_to_grid(times, dt, duration=1000 * dt)
    assert grid.shape == (1000,)
    assert grid.sum() == len(steps)
    np.testing.assert_allclose(np.sort(times), grid_to_times(grid, dt), rtol=0, atol=1e-9 * dt)
    back = times_to_grid(grid_to_times(grid, dt), dt, duration=1000 * dt)
    np.testing.assert_array_equal(back, grid)


def test_grid_to_times_2d():
    grid = np.array([[1, 0], [0, 2], [1, 0]])
    out = grid_to_times(grid, 0.5)
    assert len(out) == 2
    np.testing.assert_allclose(out[0], [0.0, 1.0])
    np.testing.assert_allclose(out[1], [0.5, 0.5])


def test_n_steps():
    assert n_steps(100.0, 0.1) == 1000
    assert n_steps(200.0, 0.1) == 2000
    assert n_steps(1.05, 0.1) == 11


def test_poisson_seeded_and_rate():
    a = poisson_train(40.0, 0.1, duration=10_000.0, n=20, seed=3)
    b = poisson_train(40.0, 0.1, duration=10_000.0, n=20, seed=3)
    c = poisson_train(40.0, 0.1, duration=10_000.0, n=20, seed=4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a.shape == (100_000, 20)
    rate = a.sum() / (20 * 10.0)  # spikes per second
    # 8000 expected spikes: 5 standard deviations is 5 * sqrt(8000) / 200 Hz = 2.2 Hz
    assert abs(rate - 40.0) < 2.3


def test_regular_train():
    s = regular_train(100.0, 0.1, duration=100.0, start=5.0)
    times = grid_to_times(s, 0.1)
    np.testing.assert_allclose(times, 5.0 + 10.0 * np.arange(10), atol=1e-9)
    assert regular_train(100.0, 0.1, duration=100.0, n=3).shape == (1000, 3)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: times_to_grid([1.0], 0.1, duration=1.0), r"\[0, duration\)"),
        (lambda: times_to_grid([-0.1], 0.1, duration=1.0), r"\[0, duration\)"),
        (lambda: times_to_grid([[0.1], [2.0]], 0.1, duration=1.0), r"times\[1\]"),
        (lambda: times_to_grid([np.nan], 0.1, duration=1.0), "times"),
        (lambda: times_to_grid([0.1], 0.0, duration=1.0), "dt"),
        (lambda: times_to_grid([0.1], 0.1, duration=-1.0), "duration"),
        (lambda: grid_to_times([0, 1.5], 0.1), "whole"),
        (lambda: grid_to_times([0, -1], 0.1), "non-negative"),
        (lambda: grid_to_times(np.zeros((2, 2, 2)), 0.1), "dimension"),
        (lambda: poisson_train(-1.0, 0.1, duration=10.0), "rate"),
        (lambda: poisson_train(200.0, 0.1, duration=10.0, n=0), "n must"),
        (lambda: regular_train(0.0, 0.1, duration=10.0), "rate"),
        (lambda: regular_train(10.0, 0.1, duration=10.0, start=10.0), "start"),
        # durations in seconds mistaken for steps: ask before allocating petabytes
        (lambda: poisson_train(1.0, 0.1, duration=1e18), "GiB.*duration and dt"),
        (lambda: poisson_train(1.0, 1e-3, duration=1e6, n=10**6), "GiB.*and n"),
        (lambda: regular_train(1.0, 0.1, duration=1e18), "GiB.*duration"),
        (lambda: regular_train(1e18, 0.1, duration=1e6), "GiB.*rate"),
        (lambda: times_to_grid([0.5], 1e-12, duration=1e6), "GiB.*duration and dt"),
        (lambda: times_to_grid([[0.5], [0.5]], 1e-12, duration=1e6), "GiB.*duration and dt"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_bad_types():
    with pytest.raises(TypeError, match="n must"):
        poisson_train(200.0, 0.1, duration=10.0, n=2.5)
    with pytest.raises(TypeError, match="times"):
        times_to_grid(["x"], 0.1, duration=1.0)


# --- rounding of off-grid times (issue 15) -------------------------------------------

ROUNDING_NAMES = ("floor", "ceil", "nearest")


def _steps(times, dt, rounding, T=100_000):
    grid = times_to_grid(times, dt, duration=T * dt, rounding=rounding)
    return np.repeat(np.arange(grid.shape[0]), grid.astype(int))


def test_rounding_rules_by_hand():
    times = [0.3, 0.31, 0.35, 0.36, 0.39]  # 0.3/0.1 = 2.9999999999999996
    np.testing.assert_array_equal(_steps(times, 0.1, "floor", 10), [3, 3, 3, 3, 3])
    np.testing.assert_array_equal(_steps(times, 0.1, "ceil", 10), [3, 4, 4, 4, 4])
    # 0.35/0.1 = 3.4999999999999996: a half-way time, up to rounding, goes up
    np.testing.assert_array_equal(_steps(times, 0.1, "nearest", 10), [3, 3, 4, 4, 4])
    # the example: BrainPy's SpikeTimeGroup rule is "ceil"
    np.testing.assert_array_equal(
        _steps([6.4, 6.6, 10.25, 12.0], 0.5, "ceil", 40), [13, 14, 21, 24]
    )
    np.testing.assert_array_equal(
        _steps([6.4, 6.6, 10.25, 12.0], 0.5, "floor", 40), [12, 13, 20, 24]
    )
    np.testing.assert_array_equal(
        _steps([6.4, 6.6, 10.25, 12.0], 0.5, "nearest", 40), [13, 13, 21, 24]
    )


def test_rounding_up_to_duration_stays_on_the_last_step():
    np.testing.assert_array_equal(
        times_to_grid([0.95], 0.1, duration=1.0, rounding="ceil")[-1:], [1.0]
    )


@given(
    k=st.integers(min_value=0, max_value=99_999),
    dt=st.floats(min_value=1e-3, max_value=10.0, allow_nan=False, allow_infinity=False),
)
def test_exact_multiples_land_on_their_step_under_every_rule(k, dt):
    for rounding in ROUNDING_NAMES:
        assert list(_steps([k * dt], dt, rounding)) == [k], rounding


@given(
    times=st.lists(
        st.floats(min_value=0.0, max_value=99.0, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=20,
    ),
    dt=st.sampled_from([0.01, 0.025, 0.1, 0.3, 0.5, 1.0]),
)
def test_roundings_are_ordered_and_one_step_apart(times, dt):
    T = n_steps(100.0, dt)
    # the grid forgets which spike is which; rank k of the sorted times is step k
    floor, nearest, ceil = (_steps(times, dt, r, T) for r in ("floor", "nearest", "ceil"))
    order = np.sort(times)
    assert np.all(floor <= nearest) and np.all(nearest <= ceil)
    assert set(np.unique(ceil - floor)) <= {0, 1}
    # and each is the right integer against an independent exact-rational reference
    from fractions import Fraction

    for t, f, c in zip(order, floor, ceil, strict=True):
        ratio = Fraction(t) / Fraction(dt)
        if abs(ratio - round(ratio)) > Fraction(1, 10**9):
            assert f == int(ratio // 1) and c == f + 1


def test_bad_rounding():
    with pytest.raises(ValueError, match="rounding"):
        times_to_grid([0.1], 0.1, duration=1.0, rounding="round")
    with pytest.raises(TypeError, match="rounding"):
        times_to_grid([0.1], 0.1, duration=1.0, rounding=1)
