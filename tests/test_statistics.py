"""alphakit.statistics against closed forms and against Elephant.

Two kinds of independent reference:

- processes whose statistics are known in closed form: Poisson and gamma renewal
  trains (CV = 1/sqrt(order), Fano factor 1 for Poisson and -> CV^2 in long
  windows), regular trains (CV 0, Fano factor 0 in aligned windows), identical
  trains (chi = 1), independent trains (chi ~ 1/sqrt(n)) and shared-input trains
  (chi^2 = (r_s + r_p/n) / (r_s + r_p));
- Elephant's own implementations (``elephant.statistics``: ``isi`` + ``cv``,
  ``fanofactor``, ``mean_firing_rate``, ``time_histogram``, and its
  ``BinnedSpikeTrain``) on the same trains, wherever the definitions coincide.
  Where they differ the test says how and checks the relation that holds. These
  tests are marked ``peers`` and skip without Elephant.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from alphakit import statistics as st
from alphakit.statistics import (
    SpikeRecord,
    cv_isi,
    fano_factor,
    mean_rate,
    population_rate,
    synchrony,
)

STATISTICS = (mean_rate, cv_isi, fano_factor, synchrony, population_rate)

# --------------------------------------------------------------------------------------
# Synthetic spike trains
# --------------------------------------------------------------------------------------


def renewal_trains(n, rate_hz, duration, order=1, seed=0):
    """Gamma renewal trains of the given order (1 = Poisson): CV = 1/sqrt(order)."""
    rng = np.random.default_rng(seed)
    mean_isi = 1000.0 / rate_hz
    n_draw = int(3 * duration / mean_isi) + 20
    isi = rng.gamma(order, mean_isi / order, size=(n, n_draw))
    # A random phase so that the trains are stationary from t = 0.
    t = np.cumsum(isi, axis=1) - rng.uniform(0, mean_isi * 3, size=(n, 1))
    idx = np.broadcast_to(np.arange(n)[:, None], t.shape)
    keep = (t >= 0) & (t < duration)
    return t[keep], idx[keep].copy()


def regular_trains(n, period, duration, offset=0.0):
    t = np.arange(offset, duration, period)
    return np.tile(t, n), np.repeat(np.arange(n), t.size)


def as_scalar(value):
    """A statistic's value as something comparable (population_rate returns arrays)."""
    if isinstance(value, tuple):
        return np.concatenate(value)
    return np.asarray(value)


# --------------------------------------------------------------------------------------
# Closed forms
# --------------------------------------------------------------------------------------


class TestRate:
    def test_counts_over_neurons_and_time(self):
        t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
        assert mean_rate(t, [0, 0, 1, 2, 2, 2], n_neurons=4, duration=500.0) == 3.0

    def test_population_rate_mean_is_mean_rate(self):
        t, idx = renewal_trains(50, 20.0, 2000.0, seed=1)
        centres, rate = population_rate(t, idx, 50, 2000.0, bin_width=5.0)
        assert centres.size == 400 and centres[0] == 2.5
        assert np.mean(rate) == pytest.approx(mean_rate(t, idx, 50, 2000.0), rel=1e-12)

    def test_population_rate_of_one_bin(self):
        _, rate = population_rate([0.1, 0.2, 0.3], [0, 1, 2], 3, 10.0, bin_width=10.0)
        assert rate.tolist() == [100.0]  # 3 spikes / 3 neurons / 10 ms

    def test_trailing_partial_bin_is_dropped(self):
        centres, rate = population_rate([1.0, 9.5], [0, 0], 1, 10.0, bin_width=4.0)
        assert centres.tolist() == [2.0, 6.0] and rate.tolist() == [250.0, 0.0]

    def test_grid_times_land_in_the_bin_they_name(self):
        # 0.3 / 0.1 = 2.9999999999999996: the spike at 3 dt is in bin 3, not 2
        _, rate = population_rate([0.1 * 3], [0], 1, 1.0, bin_width=0.1)
        assert np.argmax(rate) == 3


class TestCV:
    @pytest.mark.parametrize("order", [1, 4, 16])
    def test_gamma_renewal(self, order):
        t, idx = renewal_trains(100, 20.0, 10_000.0, order=order, seed=order)
        assert cv_isi(t, idx, 100, 10_000.0) == pytest.approx(1 / math.sqrt(order), rel=0.05)

    def test_regular_is_zero(self):
        t, idx = regular_trains(5, 12.5, 1000.0)
        assert cv_isi(t, idx, 5, 1000.0) == pytest.approx(0.0, abs=1e-9)

    def test_neurons_below_min_spikes_left_out(self):
        # Neuron 0 is regular (CV 0); neuron 1 has 3 spikes with CV 1/3.
        t0, i0 = regular_trains(1, 10.0, 1000.0)
        t = np.concatenate([t0, [0.0, 10.0, 30.0]])
        idx = np.concatenate([i0, [1, 1, 1]])
        assert cv_isi(t, idx, 2, 1000.0, min_spikes=5) == pytest.approx(0.0, abs=1e-12)
        assert cv_isi(t, idx, 2, 1000.0, min_spikes=3) == pytest.approx((0 + 1 / 3) / 2)

    def test_silent_is_nan(self):
        assert math.isnan(cv_isi([], np.array([], dtype=int), 10, 100.0))


class TestFano:
    def test_poisson_is_one(self):
        t, idx = renewal_trains(200, 20.0, 10_000.0, seed=5)
        assert fano_factor(t, idx, 200, 10_000.0, bin_width=50.0) == pytest.approx(1.0, abs=0.05)

    def test_gamma_long_windows_tend_to_cv_squared(self):
        # Renewal theory: FF(T) -> CV^2 for windows much longer than the ISI.
        t, idx = renewal_trains(200, 20.0, 20_000.0, order=4, seed=6)
        ff = fano_factor(t, idx, 200, 20_000.0, bin_width=1000.0)
        assert ff == pytest.approx(0.25, abs=0.05)

    def test_regular_aligned_is_zero(self):
        t, idx = regular_trains(3, 10.0, 1000.0, offset=5.0)
        assert fano_factor(t, idx, 3, 1000.0, bin_width=50.0) == 0.0

    def test_silent_neurons_do_not_count(self):
        t, idx = renewal_trains(20, 20.0, 5000.0, seed=7)
        assert fano_factor(t, idx, 50, 5000.0) == fano_factor(t, idx, 20, 5000.0)

    def test_needs_two_bins(self):
        with pytest.raises(ValueError, match="two bins"):
            fano_factor([1.0], [0], 1, 100.0, bin_width=60.0)


class TestSynchrony:
    def test_identical_trains_is_one(self):
        t, _ = renewal_trains(1, 40.0, 2000.0, seed=7)
        n = 30
        chi = synchrony(np.tile(t, n), np.repeat(np.arange(n), t.size), n, 2000.0)
        assert chi == pytest.approx(1.0, abs=1e-12)

    def test_independent_is_one_over_sqrt_n(self):
        n = 400
        t, idx = renewal_trains(n, 20.0, 5000.0, seed=8)
        assert synchrony(t, idx, n, 5000.0, bin_width=2.0) == pytest.approx(
            1 / math.sqrt(n), rel=0.2
        )

    def test_shared_input_closed_form(self):
        # x_i = shared + private Poisson counts: chi^2 = (r_s + r_p / n) / (r_s + r_p).
        n, r_s, r_p, dur = 100, 5.0, 15.0, 20_000.0
        ts, _ = renewal_trains(1, r_s, dur, seed=9)
        tp, ip = renewal_trains(n, r_p, dur, seed=10)
        t = np.concatenate([np.tile(ts, n), tp])
        idx = np.concatenate([np.repeat(np.arange(n), ts.size), ip])
        expected = math.sqrt((r_s + r_p / n) / (r_s + r_p))
        assert synchrony(t, idx, n, dur, bin_width=5.0) == pytest.approx(expected, abs=0.03)

    def test_silent_is_nan(self):
        assert math.isnan(synchrony([], np.array([], dtype=int), 4, 100.0))


@pytest.fixture(scope="module")
def trains():
    return renewal_trains(30, 25.0, 3000.0, order=2, seed=13)


class TestInvariances:
    @pytest.mark.parametrize("stat", STATISTICS, ids=lambda f: f.__name__)
    def test_order_of_spikes_does_not_matter(self, trains, stat):
        t, idx = trains
        perm = np.random.default_rng(0).permutation(t.size)
        a, b = stat(t, idx, 30, 3000.0), stat(t[perm], idx[perm], 30, 3000.0)
        assert np.allclose(as_scalar(a), as_scalar(b), rtol=1e-12, atol=0)

    @pytest.mark.parametrize("stat", STATISTICS, ids=lambda f: f.__name__)
    def test_relabelling_neurons_does_not_matter(self, trains, stat):
        t, idx = trains
        labels = np.random.default_rng(1).permutation(30)
        a, b = stat(t, idx, 30, 3000.0), stat(t, labels[idx], 30, 3000.0)
        assert np.allclose(as_scalar(a), as_scalar(b), rtol=1e-12, atol=0)

    def test_silent_neurons_dilute_the_rate_only(self, trains):
        t, idx = trains
        assert mean_rate(t, idx, 60, 3000.0) == pytest.approx(mean_rate(t, idx, 30, 3000.0) / 2)
        assert cv_isi(t, idx, 60, 3000.0) == cv_isi(t, idx, 30, 3000.0)


# --------------------------------------------------------------------------------------
# SpikeRecord and validation
# --------------------------------------------------------------------------------------


class TestSpikeRecord:
    def test_methods_are_the_functions(self):
        t, idx = renewal_trains(10, 30.0, 1000.0, seed=14)
        rec = SpikeRecord(list(t), list(idx), 10, 1000)
        assert rec.spike_times.dtype == np.float64 and rec.spike_indices.dtype == np.int64
        assert rec.duration == 1000.0 and isinstance(rec.duration, float)
        assert rec.n_spikes == t.size
        args = (t, idx, 10, 1000.0)
        assert rec.mean_rate() == mean_rate(*args)
        assert rec.cv_isi(min_spikes=3) == cv_isi(*args, min_spikes=3)
        assert rec.fano_factor(bin_width=100.0) == fano_factor(*args, bin_width=100.0)
        assert rec.synchrony(bin_width=4.0) == synchrony(*args, bin_width=4.0)
        assert np.array_equal(
            as_scalar(rec.population_rate(bin_width=8.0)),
            as_scalar(population_rate(*args, bin_width=8.0)),
        )

    def test_is_frozen_and_validated(self):
        import dataclasses

        rec = SpikeRecord(np.array([1.0]), np.array([0]), 1, 10.0)
        with pytest.raises(dataclasses.FrozenInstanceError):
            rec.n_neurons = 2  # type: ignore[misc]
        with pytest.raises(ValueError, match="n_neurons"):
            SpikeRecord(np.array([1.0]), np.array([1]), 1, 10.0)

    def test_options_are_keyword_only(self):
        with pytest.raises(TypeError):
            cv_isi([1.0], [0], 1, 10.0, 5)  # type: ignore[misc]
        with pytest.raises(TypeError):
            SpikeRecord(np.array([1.0]), np.array([0]), 1, 10.0).synchrony(2.0)  # type: ignore


class TestValidation:
    @pytest.mark.parametrize(
        ("args", "exc", "match"),
        [
            (([1.0, 2.0], [0], 2, 100.0), ValueError, "same length"),
            (([1.0], [0.5], 2, 100.0), TypeError, "integers"),
            (([1.0], [2], 2, 100.0), ValueError, r"\[0, n_neurons=2\)"),
            (([1.0], [-1], 2, 100.0), ValueError, r"\[0, n_neurons=2\)"),
            (([np.nan], [0], 2, 100.0), ValueError, "finite"),
            (([1.0], [0], 0, 100.0), ValueError, "n_neurons"),
            (([1.0], [0], 2.5, 100.0), TypeError, "n_neurons"),
            (([1.0], [0], 2, -1.0), ValueError, "duration"),
            (([[1.0]], [0], 2, 100.0), ValueError, "spike_times"),
            (([-1.0], [0], 2, 100.0), ValueError, r"spike_times must lie in \[0, duration"),
            (([100.5], [0], 2, 100.0), ValueError, r"spike_times must lie in \[0, duration"),
        ],
    )
    @pytest.mark.parametrize("stat", STATISTICS, ids=lambda f: f.__name__)
    def test_bad_spikes(self, stat, args, exc, match):
        with pytest.raises(exc, match=match):
            stat(*args)

    def test_bin_wider_than_duration(self):
        with pytest.raises(ValueError, match="bin_width"):
            population_rate([1.0], [0], 1, 10.0, bin_width=20.0)

    def test_min_spikes(self):
        with pytest.raises(ValueError, match="min_spikes"):
            cv_isi([1.0, 2.0], [0, 0], 1, 10.0, min_spikes=2)

    def test_one_signature(self):
        import inspect

        for stat in STATISTICS:
            params = list(inspect.signature(stat).parameters.values())
            names = [p.name for p in params[:4]]
            assert names == ["spike_times", "spike_indices", "n_neurons", "duration"], stat
            assert all(p.kind is p.KEYWORD_ONLY for p in params[4:]), stat
        assert sorted(st.__all__) == sorted(["SpikeRecord", *(f.__name__ for f in STATISTICS)])


# --------------------------------------------------------------------------------------
# Elephant
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def elephant():
    """(elephant.statistics, neo, quantities, BinnedSpikeTrain), or skip."""
    es = pytest.importorskip("elephant.statistics")
    conversion = pytest.importorskip("elephant.conversion")
    neo = pytest.importorskip("neo")
    pq = pytest.importorskip("quantities")
    return es, neo, pq, conversion.BinnedSpikeTrain


def neo_trains(neo, pq, t, idx, n, duration, t_start=0.0):
    """One neo.SpikeTrain per neuron (silent ones included), in ms."""
    return [
        neo.SpikeTrain(np.sort(t[idx == i]), t_start=t_start, t_stop=duration, units="ms")
        for i in range(n)
    ]


# Continuous (Poisson) times, and grid times k * 0.1 ms some of which sit exactly on
# bin edges, where the two binnings must agree on which bin a spike belongs to.
def grid_trains(n, rate_hz, duration, seed):
    rng = np.random.default_rng(seed)
    steps = int(round(duration / 0.1))
    spikes = rng.random((steps, n)) < rate_hz * 1e-4
    step, idx = np.nonzero(spikes)
    return step * 0.1, idx


TRAINS = {
    "poisson": lambda: renewal_trains(40, 30.0, 2000.0, seed=20),
    "gamma4": lambda: renewal_trains(40, 30.0, 2000.0, order=4, seed=21),
    "grid": lambda: grid_trains(40, 30.0, 2000.0, seed=22),
}


@pytest.mark.peers
@pytest.mark.parametrize("kind", TRAINS)
class TestAgainstElephant:
    def test_cv_is_elephants_cv_of_isi_averaged(self, elephant, kind):
        # Same definition per neuron (scipy.stats.variation: ddof = 0); Elephant has
        # no population CV, so the neurons with >= min_spikes spikes are averaged here.
        es, neo, pq, _ = elephant
        t, idx = TRAINS[kind]()
        trains = neo_trains(neo, pq, t, idx, 40, 2000.0)
        for min_spikes in (3, 60):
            used = [train for train in trains if len(train) >= min_spikes]
            per_neuron = [float(es.cv(es.isi(train).magnitude)) for train in used]
            ours = cv_isi(t, idx, 40, 2000.0, min_spikes=min_spikes)
            assert len(per_neuron) > 0
            assert ours == pytest.approx(np.mean(per_neuron), rel=1e-12)

    def test_mean_rate_is_elephants_mean_firing_rate_averaged(self, elephant, kind):
        # mean_firing_rate is per train; silent neurons (rate 0) count in the mean.
        es, neo, pq, _ = elephant
        t, idx = TRAINS[kind]()
        trains = neo_trains(neo, pq, t, idx, 45, 2000.0)  # 5 silent neurons
        rates = [es.mean_firing_rate(train).rescale("Hz").magnitude for train in trains]
        assert mean_rate(t, idx, 45, 2000.0) == pytest.approx(np.mean(rates), rel=1e-12)

    @pytest.mark.parametrize("bin_width", [1.0, 2.5, 10.0])
    def test_population_rate_is_elephants_time_histogram(self, elephant, kind, bin_width):
        # time_histogram(output="rate") = counts / (n_trains * bin_size): the same
        # quantity, with the same bins [k w, (k + 1) w).
        es, neo, pq, _ = elephant
        t, idx = TRAINS[kind]()
        trains = neo_trains(neo, pq, t, idx, 40, 2000.0)
        hist = es.time_histogram(trains, bin_width * pq.ms, output="rate")
        centres, rate = population_rate(t, idx, 40, 2000.0, bin_width=bin_width)
        theirs = hist.rescale("Hz").magnitude[:, 0]
        assert np.allclose(rate, theirs, rtol=1e-12, atol=1e-9)
        edges = hist.times.rescale("ms").magnitude
        assert np.allclose(centres, edges + bin_width / 2, rtol=0, atol=1e-9)

    def test_fano_factor_is_elephants_fanofactor_of_windows(self, elephant, kind):
        # Elephant's fanofactor is var/mean (ddof = 0) of the total counts of a list
        # of trains (usually trials). Ours is, per neuron, that of the neuron's train
        # cut into windows, averaged over active neurons: applying Elephant's to the
        # windows of each neuron gives ours. Applied across neurons instead (one
        # count per neuron), it measures rate heterogeneity, a different quantity.
        es, neo, pq, _ = elephant
        t, idx = TRAINS[kind]()
        w = 100.0
        per_neuron = []
        for i in range(40):
            ti = np.sort(t[idx == i])
            windows = [
                neo.SpikeTrain(
                    ti[(ti >= k * w) & (ti < (k + 1) * w)],
                    t_start=k * w,
                    t_stop=(k + 1) * w,
                    units="ms",
                )
                for k in range(20)
            ]
            if ti.size:
                per_neuron.append(es.fanofactor(windows))
        ours = fano_factor(t, idx, 40, 2000.0, bin_width=w)
        assert ours == pytest.approx(np.mean(per_neuron), rel=1e-12)

    def test_synchrony_from_elephants_binning(self, elephant, kind):
        # Elephant has no Golomb chi; chi^2 = Var_t(X) / mean_i Var_t(x_i) computed from
        # Elephant's binned counts (BinnedSpikeTrain) and its population-mean histogram.
        es, neo, pq, binned = elephant
        t, idx = TRAINS[kind]()
        trains = neo_trains(neo, pq, t, idx, 40, 2000.0)
        counts = binned(trains, bin_size=2.0 * pq.ms).to_array()  # (neurons, bins)
        mean_hist = es.time_histogram(trains, 2.0 * pq.ms, output="mean").magnitude[:, 0]
        assert np.allclose(mean_hist, counts.mean(axis=0))
        chi = math.sqrt(mean_hist.var() / counts.var(axis=1).mean())
        assert synchrony(t, idx, 40, 2000.0, bin_width=2.0) == pytest.approx(chi, rel=1e-12)
