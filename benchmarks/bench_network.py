"""Speed of alphakit.network, each goal against its yardstick; optionally the results table.

    python benchmarks/bench_network.py [--table] [--sweep-duration 1000]

Goals (issue 6):
1. The full network (4000 neurons, 1 s of biological time, dt = 0.1 ms) in at
   most 5 s of wall time, compilation included: timed from the call of
   ``run_network`` to the spikes in hand, in a fresh process after ``import brainpy``
   (the import, several seconds by itself, is timed apart: a user pays it once
   per session, not per network).
2. A sweep of ten weight multipliers (E and I together) on 1000 neurons (1 s
   each) within 60 s, compilation included: ``network.sweep`` in this process.

Also printed: the simulation loop alone (a second call reusing the compiled
model; the difference to the first call is construction and compilation), the
legacy network's first call (another compilation: other dynamics), and the
machine's load average, because the machine is shared and the timings scale
with it. Then the yardstick of the spike routing, the part of a step that was
slow: the full network's loop with alphakit's JAX routing against the same
network routed by BrainPy's event-driven CSR operator (``bm.event.csrmv``),
after checking that both give the same spikes. With ``--table`` the script
prints the Markdown table of rates, CV and synchrony of benchmarks/README.md, adding the
runs with BrainPy's ``LifRef`` neuron. Exits 0 either way (a benchmark
reports, it does not judge a noisy shared machine).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

GOAL_FULL = 5.0  # s, 4000 neurons x 1 s, compilation included
GOAL_SWEEP = 60.0  # s, ten multipliers, 1000 neurons x 1 s


def line(label: str, measured: float, goal: float) -> str:
    verdict = "meets" if measured <= goal else "MISSES"
    return (
        f"{label:<44s} {measured:7.2f} s   goal {goal:5.1f} s   ratio {measured / goal:5.2f}  "
        f"({verdict} the goal)"
    )


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def routing_yardstick(res) -> tuple[float, float]:
    """Loop alone of the network ``res`` came from, with alphakit's and BrainPy's spike routing.

    The BrainPy side swaps the network's routing for ``bm.event.csrmv`` on the
    same connectivity (a CSR copy of the target table), rebuilds and compiles
    the model, and checks that the spikes are the same before timing.
    """
    import brainpy.math as bm
    import jax.numpy as jnp

    from alphakit import network
    from alphakit.brainpy import _coba

    p = res.params
    n = res.n_neurons
    table = _coba.wiring(p["n_exc"], p["n_inh"], p["p_used"], p["seed"])
    rows = np.repeat(np.arange(n + 1), table.shape[1])
    keep = table.ravel() < 2 * n
    indices = jnp.asarray(table.ravel()[keep])
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows[keep], minlength=n))])
    indptr = jnp.asarray(indptr.astype(np.int32))
    one = jnp.ones((), jnp.float32)

    def csrmv_counts(spikes, _table, _dtype):
        return bm.event.csrmv(one, indices, indptr, spikes, shape=(n, 2 * n), transpose=True)

    def loop_alone():
        network.run_network("fixed", seed=p["seed"])  # compiles if needed
        again, seconds = timed(network.run_network, "fixed", seed=p["seed"])
        if not (
            np.array_equal(again.spike_times, res.spike_times)
            and np.array_equal(again.spike_indices, res.spike_indices)
        ):
            raise AssertionError("the two spike routings gave different spikes")
        return seconds

    ours = loop_alone()
    jax_routing = _coba.spike_counts
    _coba.spike_counts = csrmv_counts
    _coba.compiled_network.cache_clear()
    try:
        theirs = loop_alone()
    finally:
        _coba.spike_counts = jax_routing
        _coba.compiled_network.cache_clear()
    return ours, theirs


def row(name: str, res) -> str:
    g = res.g_mean.mean(axis=0)
    cells = [
        name,
        f"{res.rate_exc:.1f}",
        f"{res.rate_inh:.1f}",
        f"{res.cv_isi('E'):.2f}",
        f"{res.synchrony('E'):.3f}",
        f"{res.fano_factor('E'):.2f}",
        f"{g[0]:.1f}",
        f"{g[1]:.1f}",
    ]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", action="store_true", help="print the results table")
    parser.add_argument("--sweep-duration", type=float, default=1000.0)
    args = parser.parse_args()

    start = time.perf_counter()
    import brainpy

    t_import = time.perf_counter() - start
    from alphakit import network

    print(
        f"BrainPy {brainpy.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average before: {os.getloadavg()[0]:.1f}"
    )
    print(f"import brainpy: {t_import:.2f} s (not counted in the goals)")

    full = {}
    full["fixed"], t_fixed = timed(network.run_network, "fixed")
    print(line("1. fixed, 4000 neurons, 1 s (first call)", t_fixed, GOAL_FULL))
    _, t_loop = timed(network.run_network, "fixed")
    print(
        f"   loop alone (second call): {t_loop:.2f} s, so construction and compilation "
        f"~{t_fixed - t_loop:.2f} s; {full['fixed'].n_spikes} spikes, "
        f"{full['fixed'].rate():.1f} Hz"
    )
    full["legacy"], t_legacy = timed(network.run_network, "legacy")
    print(line("   legacy, 4000 neurons, 1 s (first call)", t_legacy, GOAL_FULL))
    full["charge-matched"], t_cm = timed(network.run_network, "charge-matched")
    print(f"   charge-matched (reuses legacy's model): {t_cm:.2f} s")

    multipliers = np.linspace(0.5, 2.0, 10)
    p = network.COBA_PARAMS
    weights = [(m * p["weight_E"], m * p["weight_I"]) for m in multipliers]
    table, t_sweep = timed(
        network.sweep,
        {("weight_E", "weight_I"): weights},
        scale=0.25,
        duration=args.sweep_duration,
        progress=False,
    )
    print(
        line(
            f"2. sweep, 10 multipliers, 1000 neurons x {args.sweep_duration:g} ms",
            t_sweep,
            GOAL_SWEEP,
        )
    )
    print(
        "   rates E (Hz): "
        + ", ".join(
            f"{m:.2f}: {rate:.1f}" for m, rate in zip(multipliers, table["rate_E"], strict=True)
        )
    )
    ours, theirs = routing_yardstick(full["fixed"])
    print(
        f"3. loop alone, fixed, 4000 neurons, 1 s: {ours:.2f} s with alphakit's spike routing, "
        f"{theirs:.2f} s with bm.event.csrmv (same spikes), ratio {ours / theirs:.2f}"
    )
    print(f"load average after: {os.getloadavg()[0]:.1f}")

    if args.table:
        lifref = {s: network.run_network(s, neuron="LifRef") for s in ("fixed", "legacy")}
        print()
        print(
            "| synapse (neuron) | rate E (Hz) | rate I (Hz) | CV ISI (E) | chi (E, 2 ms) "
            "| Fano (E, 50 ms) | mean g_E | mean g_I |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for name in ("fixed", "legacy", "charge-matched"):
            print(row(f"{name} (LifRefLTC)", full[name]))
        for name, res in lifref.items():
            print(row(f"{name} (LifRef)", res))


if __name__ == "__main__":
    main()
