"""The guards against silent mistakes (issue 14): each fires on the mistake it names,
says what to do, and stays quiet on the correct call next to it.

The pytest configuration turns AlphakitWarning into an error everywhere else, so
every other test and docstring example also checks that no guard fires on it.
"""

import inspect
import warnings

import numpy as np
import pytest

import alphakit as ak
from alphakit import AlphakitWarning


def _quiet(call):
    """Run ``call`` and fail if any AlphakitWarning is emitted."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", AlphakitWarning)
        return call()


# --- one signature style: a call that can be read two ways is a TypeError ---------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: ak.poisson_train(20.0, 0.1, 1000.0),  # duration and dt: which is which?
        lambda: ak.regular_train(20.0, 0.1, 1000.0),
        lambda: ak.times_to_grid([1.0], 0.1, 10.0),
        lambda: ak.simulate(np.ones(5), 0.1, 5.0, "rk4"),
        lambda: ak.convolve_spikes(np.ones(5), 0.1, 5.0, "peak"),
        lambda: ak.convolve_spike_times([1.0], 0.1, 10.0, 5.0),
        lambda: ak.step_matrix("euler", "fixed", 0.1, 1.0),
        lambda: ak.alpha_kernel([1.0], 5.0, "peak"),
        lambda: ak.kernel_properties(5.0, "peak"),
        lambda: ak.convert_weight(1.0, "plain", "peak", 5.0),
        lambda: ak.diagnose(np.ones(5), np.ones(5), 0.1, 5.0, "peak"),
    ],
)
def test_ambiguous_positional_calls_raise_type_error(call):
    with pytest.raises(TypeError, match="positional"):
        call()


def test_weight_is_called_weight_everywhere():
    """Every public function with a synaptic weight calls it ``weight``, never g_max or w."""
    import alphakit.brainpy as abp
    import alphakit.peers as peers

    functions = [
        ak.convolve_spikes,
        ak.convolve_spike_times,
        ak.simulate,
        ak.convert_weight,
        abp.run_synapse,
        abp.run_issue_577,
        peers.run_all,
        peers.run_nest,
        peers.run_neuron,
        peers.run_brian2,
        peers.run_brainpy,
        peers.run_elephant,
    ]
    for f in functions:
        params = inspect.signature(f).parameters
        assert "weight" in params, f.__name__
        assert not {"g_max", "w", "g_E", "g_I"} & set(params), f.__name__
    assert next(iter(inspect.signature(ak.convert_weight).parameters)) == "weight"


def test_top_level_names_are_the_functions():
    assert callable(ak.diagnose) and ak.diagnose.__module__ == "alphakit.diagnosis"
    assert callable(ak.classify) and callable(ak.convert_weight)
    s = np.zeros(300)
    s[20] = 1
    g = np.zeros(300)
    g[1:] = 8.6 * ak.convolve_spikes(s, 0.1, 8.6)[:-1]
    assert ak.diagnose(g, s, 0.1, 8.6).factor == "tau"


# --- time on axis 0 --------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda s: ak.convolve_spikes(s, 0.1, 5.0),
        lambda s: ak.simulate(s, 0.1, 5.0),
        lambda s: ak.grid_to_times(s, 0.1),
    ],
)
def test_transposed_grid_warns_and_names_dot_t(call):
    trains = ak.poisson_train(40.0, 0.1, duration=100.0, n=3, seed=1)  # (1000, 3)
    with pytest.warns(AlphakitWarning, match=r"time is axis 0|Time is axis 0") as record:
        call(trains.T)
    assert "spikes.T" in str(record[0].message) and "(3, 1000)" in str(record[0].message)
    _quiet(lambda: call(trains))


# --- spike times where counts are expected ---------------------------------------------


@pytest.mark.parametrize("call", [ak.convolve_spikes, ak.simulate])
def test_spike_times_as_counts_raise_and_name_the_fix(call):
    times = np.array([6.4, 10.0, 55.5])
    with pytest.raises(ValueError, match="times_to_grid") as info:
        call(times, 0.1, 5.0)
    assert "convolve_spike_times" in str(info.value)
    assert "allow_fractional=True" in str(info.value)
    # the fixes it names give the response to these spikes
    grid = ak.times_to_grid(times, 0.1, duration=100.0)
    np.testing.assert_array_equal(np.flatnonzero(grid), [64, 100, 555])


def test_weighted_grid_is_possible_when_asked_for():
    s = np.zeros(400)
    s[[10, 200]] = [0.5, 1.5]
    g = ak.convolve_spikes(s, 0.1, 5.0, allow_fractional=True)
    # the same as unit spikes with those weights, by linearity (an independent route)
    unit = np.zeros((400, 2))
    unit[10, 0] = unit[200, 1] = 1.0
    ref = ak.convolve_spikes(unit, 0.1, 5.0, weight=[0.5, 1.5]).sum(axis=1)
    np.testing.assert_allclose(g, ref, rtol=1e-13, atol=0)
    np.testing.assert_allclose(
        ak.simulate(s, 0.1, 5.0, allow_fractional=True).g, ref, rtol=1e-12, atol=1e-15
    )


def test_diagnose_points_spike_times_to_times_true():
    g = np.ones(1000)
    with pytest.raises(ValueError, match="times=True"):
        ak.diagnose(g, np.r_[np.array([6.4, 10.0, 55.5]), np.zeros(997)], 0.1, 5.0)


# --- seconds for milliseconds ----------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda tau: ak.convolve_spikes(np.r_[1.0, np.zeros(99)], 0.1, tau),
        lambda tau: ak.simulate(np.r_[1.0, np.zeros(99)], 0.1, tau),
        lambda tau: ak.convolve_spike_times([1.0], 0.1, tau, duration=10.0),
    ],
)
def test_tau_in_seconds_warns(call):
    with pytest.warns(AlphakitWarning, match=r"tau=0\.005 ms is far below dt=0\.1 ms.*seconds"):
        g = call(0.005)
    # what the warning is about: the response is nearly zero on this grid
    assert np.max(np.abs(g if isinstance(g, np.ndarray) else g.g)) < 1e-6
    _quiet(lambda: call(5.0))


@pytest.mark.parametrize("make", [ak.poisson_train, ak.regular_train])
def test_train_expecting_less_than_one_spike_warns(make):
    with pytest.warns(AlphakitWarning, match=r"expects 0\.02 spikes.*seconds"):
        make(20.0, 1e-4, duration=1.0)  # duration meant as 1 s
    _quiet(lambda: make(20.0, 0.1, duration=1000.0))
    _quiet(lambda: ak.poisson_train(0.0, 0.1, duration=10.0))  # a silent train is no mistake


def test_warning_points_at_the_callers_line():
    with pytest.warns(AlphakitWarning) as record:
        ak.poisson_train(20.0, 0.1, duration=1.0)
    assert record[0].filename == __file__


# --- method="direct" on a long train ---------------------------------------------------


def test_direct_refuses_work_of_minutes():
    # six minutes at 0.1 ms, 20 000 spikes: ~3.6e10 kernel samples for the direct sum
    T = 3_600_000
    s = np.zeros(T)
    s[:: T // 20_000] = 1.0
    with pytest.raises(ValueError, match=r"method='direct' would sum .*method='exact'"):
        ak.convolve_spikes(s, 0.1, 5.0, method="direct")
    # a check-sized problem still runs, and agrees with the recurrence
    short = s[:20_000]
    np.testing.assert_allclose(
        ak.convolve_spikes(short, 0.1, 5.0, method="direct"),
        ak.convolve_spikes(short, 0.1, 5.0),
        rtol=0,
        atol=1e-12,
    )


def test_direct_off_grid_refuses_the_same_work(monkeypatch):
    # The (steps x spikes) table of convolve_spike_times usually outgrows the memory
    # first; with a small limit the work guard is seen on its own.
    import alphakit.convolution as conv

    monkeypatch.setattr(conv, "_DIRECT_MAX_SAMPLES", 1e5)
    with pytest.raises(ValueError, match=r"1e\+06 kernel samples \(10000 steps x 100 spikes\)"):
        ak.convolve_spike_times(np.arange(100) * 10.0, 0.1, 5.0, duration=1000.0, method="direct")
