"""Tests for alphakit.network.sweep: grids, order, errors, executors.

Most tests replace the simulation (``network._run``) by a fake that makes
Poisson spikes from the run's parameters, so they check the sweep's plumbing
(order, columns, statistics, errors, grouping) without BrainPy. The tests that
distribute real networks to worker processes (which cannot see a monkeypatch)
compare them row for row with the serial sweep; they are marked slow.
"""

from __future__ import annotations

import itertools
import multiprocessing
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

from alphakit import _sweep
from alphakit import network as nw

pd = pytest.importorskip("pandas")


def fake_result(cfg: dict) -> nw.NetworkResult:
    """Poisson spikes whose rate and seed come from the parameters: distinct per grid point."""
    rng = np.random.default_rng([cfg["seed"], int(cfg["weight_E"] * 1000)])
    n = cfg["n_exc"] + cfg["n_inh"]
    rate = 20.0 + 10.0 * cfg["weight_E"] + (3.0 if cfg["synapse"] == "legacy" else 0.0)
    idx = np.repeat(np.arange(n), rng.poisson(rate * cfg["duration"] / 1000.0, size=n))
    t = np.sort(rng.uniform(0.0, cfg["duration"], size=idx.size))
    g = np.column_stack([np.full(10, cfg["weight_E"]), np.full(10, cfg["weight_I"])])
    return nw.NetworkResult(
        t, rng.permutation(idx), cfg["n_exc"], cfg["n_inh"], cfg["duration"], cfg["dt"], cfg, g
    )


@pytest.fixture
def fake(monkeypatch):
    """Replace the simulation by :func:`fake_result`; returns the list of configs run, in order."""
    calls = []

    def run(cfg, progress):
        calls.append(cfg)
        if cfg["input_current"] < 0:
            raise FloatingPointError(f"blew up at input {cfg['input_current']}")
        return fake_result(cfg)

    monkeypatch.setattr(nw, "_run", run)
    return calls


SMALL = {"scale": 0.05, "duration": 500.0, "progress": False}


def test_rows_follow_the_grid_and_hold_each_runs_statistics(fake):
    grid = {"seed": [3, 1], "synapse": ["legacy", "fixed"], "weight_E": [0.3, 0.6, 0.9]}
    table = nw.sweep(grid, input_current=15.0, **SMALL)
    expected = list(itertools.product(*grid.values()))
    assert list(zip(table["seed"], table["synapse"], table["weight_E"], strict=True)) == expected
    assert list(table.columns[:9]) == [
        *grid, "scale", "duration", "dt", "weight_I", "input_current", "neuron"
    ]
    assert (table["input_current"] == 15.0).all() and (table["weight_I"] == 6.7).all()
    assert (table["scale"] == 0.05).all() and (table["neuron"] == "LifRefLTC").all()
    for row in table.itertuples(index=False):
        cfg = nw.prepare(
            row.synapse, "LifRefLTC", 0.05, 500.0, 0.1, row.seed, row.weight_E, 6.7, 15.0
        )
        ref = fake_result(cfg)
        assert row.rate_E == ref.rate("E") and row.rate_I == ref.rate("I")
        assert row.cv_isi_I == ref.cv_isi("I") and row.fano_factor_E == ref.fano_factor("E")
        assert row.synchrony_I == ref.synchrony("I")
        assert row.g_mean_E == pytest.approx(row.weight_E) and row.g_mean_I == pytest.approx(6.7)
        assert not np.isnan([row.cv_isi_E, row.cv_isi_I, row.fano_factor_I]).any()
        assert row.wall_time_s >= 0.0
    assert "error" not in table


def test_runs_are_grouped_by_compiled_structure(fake):
    # Grid order alternates fixed/legacy; the runs go structure by structure, so a
    # process holds one compiled model at a time however large the grid.
    table = nw.sweep({"seed": [0, 1, 2], "synapse": ["fixed", "legacy"]}, **SMALL)
    assert [c["synapse"] for c in fake] == ["fixed"] * 3 + ["legacy"] * 3
    assert table["synapse"].tolist() == ["fixed", "legacy"] * 3


def test_chunks_keep_groups_together_and_feed_every_worker():
    keys = ["a"] * 16
    assert _sweep.chunks(keys, None) == [list(range(16))]
    assert _sweep.chunks(keys, 2) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]]
    many = ["a", "b", "c", "d", "a", "b", "c", "d"]
    assert _sweep.chunks(many, 2) == [[0, 4], [1, 5], [2, 6], [3, 7]]
    for n_workers in (1, 2, 3, 7):
        parts = _sweep.chunks(["x"] * 5 + ["y"] * 2, n_workers)
        assert sorted(itertools.chain(*parts)) == list(range(7))
        assert all(len({("x" if i < 5 else "y") for i in c}) == 1 for c in parts)


def test_tuple_keys_vary_together_and_seed_none_is_recorded(fake):
    grid = {("weight_E", "weight_I"): [(0.3, 3.0), (0.6, 6.0)], "seed": [None]}
    table = nw.sweep(grid, **SMALL)
    assert table[["weight_E", "weight_I"]].values.tolist() == [[0.3, 3.0], [0.6, 6.0]]
    seeds = table["seed"].tolist()
    assert all(isinstance(s, int) and s >= 0 for s in seeds) and seeds[0] != seeds[1]


def test_keep_spikes_returns_the_results_in_row_order(fake):
    table, results = nw.sweep({"seed": [5, 6]}, keep_spikes=True, **SMALL)
    assert [r.params["seed"] for r in results] == [5, 6]
    assert table["rate_E"].tolist() == [r.rate("E") for r in results]


def test_an_invalid_grid_point_is_named_before_anything_runs(fake):
    with pytest.raises(ValueError, match=r"grid point 2 \(seed=-1, synapse='fixed'\): seed"):
        nw.sweep({"seed": [0, -1], "synapse": ["fixed", "legacy"]}, **SMALL)
    assert fake == []


def test_a_failing_run_is_named(fake):
    grid = {"input_current": [20.0, -1.0, 20.0], "seed": [0, 1]}
    with pytest.raises(RuntimeError, match=r"grid point 2 \(input_current=-1.0, seed=0\)") as info:
        nw.sweep(grid, **SMALL)
    assert isinstance(info.value.__cause__, FloatingPointError)


def test_errors_keep_loses_no_finished_row(fake):
    grid = {"input_current": [20.0, -1.0, 18.0], "seed": [0, -2]}
    table = nw.sweep(grid, errors="keep", **SMALL)
    assert len(table) == 6 and table["seed"].tolist() == [0, -2] * 3
    ok = table["error"].isna()
    assert ok.tolist() == [True, False, False, False, True, False]
    assert table["error"][2] == "FloatingPointError: blew up at input -1.0"
    assert table["error"][1].startswith("ValueError: seed must be a non-negative integer")
    assert table["rate_E"][ok].notna().all() and table["rate_E"][~ok].isna().all()
    reference = nw.sweep({"input_current": [20.0, 18.0]}, seed=0, **SMALL)
    cols = [c for c in reference.columns if c != "wall_time_s"]
    kept = table[ok].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept[cols], reference[cols])


@pytest.mark.parametrize(
    ("grid", "kwargs", "exc", "match"),
    [
        ([0, 1], {}, TypeError, "grid must be a mapping"),
        ({"g_E": [0.6]}, {}, ValueError, "'g_E' is not one of the parameters"),
        ({"progress_bar": [True]}, {}, ValueError, "progress_bar"),
        ({"seed": 3}, {}, TypeError, r"grid\['seed'\] must be a list"),
        ({"synapse": "fixed"}, {}, TypeError, r"grid\['synapse'\] must be a list"),
        ({"seed": []}, {}, ValueError, "empty"),
        ({("weight_E", "weight_I"): [0.6]}, {}, ValueError, "tuples of 2 values"),
        ({("seed", "seed"): [(1, 2)]}, {}, ValueError, "twice"),
        ({"seed": [0]}, {"seed": 1}, ValueError, "both in grid"),
        ({"seed": [0]}, {"g_I": 1.0}, TypeError, "unexpected keyword argument 'g_I'"),
        ({"seed": [0]}, {"errors": "ignore"}, ValueError, "errors"),
        ({"seed": [0]}, {"progress": "yes"}, TypeError, "progress"),
        ({"seed": [0]}, {"keep_spikes": 1}, TypeError, "keep_spikes"),
        ({"seed": [0]}, {"executor": "dask"}, TypeError, "executor must be"),
    ],
)
def test_sweep_rejects_bad_input(fake, grid, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        nw.sweep(grid, **kwargs)
    assert fake == []


def test_without_pandas_the_extra_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas -> ImportError
    with pytest.raises(ImportError, match=r'pip install "alphakit\[sweep\]"'):
        nw.sweep({"seed": [0]}, progress=False)


def test_failure_travels_as_text():
    try:
        raise FloatingPointError("overflow in step 12")
    except FloatingPointError as exc:
        failure = _sweep.Failure(exc, keep=True)
    back = pickle.loads(pickle.dumps(failure))
    assert str(back) == "FloatingPointError: overflow in step 12" and back.exception is None
    assert "raise FloatingPointError" in back.traceback


def test_thread_pool_runs_one_at_a_time_in_grid_order(fake):
    # Threads share BrainPy's global state: the lock serialises them; rows stay in order.
    with ThreadPoolExecutor(max_workers=3) as pool:
        table = nw.sweep({"seed": [0, 1, 2, 3], "weight_E": [0.3, 0.6]}, executor=pool, **SMALL)
    serial = nw.sweep({"seed": [0, 1, 2, 3], "weight_E": [0.3, 0.6]}, **SMALL)
    cols = [c for c in serial.columns if c != "wall_time_s"]
    pd.testing.assert_frame_equal(table[cols], serial[cols])


# --------------------------------------------------------------------------------------
# Real networks in worker processes (BrainPy, spawned processes: slow)
# --------------------------------------------------------------------------------------

GRID = {"seed": [0, 1, 2], "synapse": ["fixed", "legacy"]}
NET = {"scale": 0.05, "duration": 100.0, "progress": False}


def cache_info():
    from alphakit.brainpy import _coba

    return _coba.compiled_network.cache_info()


def without_wall_time(table):
    return table.drop(columns="wall_time_s")


@pytest.fixture(scope="module")
def serial():
    pytest.importorskip("brainpy")
    return nw.sweep(GRID, **NET)


@pytest.mark.brainpy
@pytest.mark.slow
def test_dask_cluster_equals_serial_row_for_row(serial):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        table = nw.sweep(GRID, executor=client, **NET)
        caches = client.run(cache_info)
        kept = nw.sweep(
            {"seed": [0, -1, 2], "synapse": ["legacy"]}, errors="keep", executor=client, **NET
        )
    pd.testing.assert_frame_equal(without_wall_time(table), without_wall_time(serial))
    # Each worker built each structure it ran once (two structures in the grid).
    assert sum(c.hits + c.misses for c in caches.values()) == 6
    assert all(c.misses <= 2 for c in caches.values())
    legacy = without_wall_time(serial[serial["synapse"] == "legacy"]).reset_index(drop=True)
    good = without_wall_time(kept.drop(index=1).drop(columns="error")).reset_index(drop=True)
    pd.testing.assert_frame_equal(good, legacy.drop(index=1).reset_index(drop=True))
    assert kept["error"][1].startswith("ValueError: seed")


@pytest.mark.brainpy
@pytest.mark.slow
def test_spawned_process_pool_equals_serial(serial):
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    with pool:
        table, results = nw.sweep({"seed": [1, 2]}, synapse="legacy", keep_spikes=True,
                                  executor=pool, **NET)  # fmt: skip
    rows = serial[(serial["synapse"] == "legacy") & serial["seed"].isin([1, 2])]
    pd.testing.assert_frame_equal(
        without_wall_time(table), without_wall_time(rows).reset_index(drop=True)
    )
    assert [r.params["seed"] for r in results] == [1, 2] and results[0].n_spikes > 0
