"""A network sweep run serially and on a two-worker Dask cluster, in one process: the speed-up.

    python benchmarks/bench_sweep.py [--workers 2] [--seeds 8] [--scale 0.25] [--duration 1000]

Goal (issue 18): a 16-run sweep (8 seeds x the fixed and legacy synapses, 1000
neurons, 1 s each) at least 1.6 times faster on a two-worker ``LocalCluster``
than serially, on two cores.

How it is measured, so that the two sides are compared fairly:

* Both sides run the same ``alphakit.network.sweep`` call; only ``executor``
  differs. The script checks that the two tables are equal row for row (all
  columns but the wall time) before printing the ratio.
* JAX (XLA) uses several threads per process by default. Here every process,
  this one and the workers, runs XLA single-threaded (``XLA_FLAGS`` is set
  before JAX is imported, and the spawned workers inherit it), so that the
  serial side is not secretly using both cores and the workers do not fight
  over them. On this network XLA's threads bring the serial sweep little; the
  script prints the serial time with XLA's default threading as well
  (``--no-single-thread`` runs everything with the defaults).
* Warm-up is excluded from both timings and reported apart: this process and
  every worker first import BrainPy and compile the two network structures
  (one run of each), as a long sweep amortises them.
* The machine may be shared: serial and cluster sweeps alternate (``--repeat``
  pairs, the best of each counts) and the load average before and after is
  printed.

Pointing the same sweep at a cluster: only the client changes. On a SLURM
cluster, with ``pip install dask-jobqueue`` and alphakit installed on the
nodes::

    from dask.distributed import Client
    from dask_jobqueue import SLURMCluster

    flags = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    cluster = SLURMCluster(cores=1, processes=1, memory="4GB", walltime="01:00:00",
                           job_script_prologue=[f"export XLA_FLAGS='{flags}'"])
    cluster.scale(jobs=32)          # 32 single-core workers
    client = Client(cluster)
    table = network.sweep(grid, executor=client, scale=0.25)

or, with a scheduler already running (``dask scheduler`` on one machine,
``dask worker tcp://scheduler:8786 --nworkers 8 --nthreads 1`` on the others)::

    client = Client("tcp://scheduler:8786")
    table = network.sweep(grid, executor=client)

One thread per worker process: runs within one process take turns (BrainPy has
global state), so extra threads add nothing; parallelism comes from processes.
"""

from __future__ import annotations

import argparse
import os

SINGLE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=8, help="runs = 2 synapses x seeds")
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--repeat", type=int, default=3, help="timed pairs; the best counts")
    parser.add_argument(
        "--no-single-thread", action="store_true", help="leave XLA's threading at its default"
    )
    parser.add_argument(
        "--no-pin", action="store_true", help="do not pin each process to a core of its own"
    )
    args = parser.parse_args()
    if not args.no_single_thread:
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " " + SINGLE_THREAD).strip()
    # One core per process, set before JAX starts in it: XLA's CPU runtime sizes its
    # thread pool by the cores a process may use, and those threads spin while they
    # wait. Unpinned, one serial sweep keeps both cores busy (measured: 1.8 s of CPU
    # time per second) and is slower than pinned to one, and two workers then have
    # no second core to win. Pinned, each side uses exactly its cores: the serial
    # sweep one, the cluster one per worker.
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    pin = not args.no_pin and len(cores) >= args.workers
    if pin:
        os.sched_setaffinity(0, {cores[0]})

    import subprocess
    import sys
    import time

    import pandas as pd
    from dask.distributed import Client, LocalCluster

    from alphakit import network

    grid = {"seed": list(range(args.seeds)), "synapse": ["fixed", "legacy"]}
    common = {"scale": args.scale, "duration": args.duration, "progress": False}
    warm_grid = {"synapse": ["fixed", "legacy"]}
    n_runs = 2 * args.seeds
    n_neurons = int(round(4000 * args.scale))

    def warm_up() -> None:
        network.sweep(warm_grid, **common)

    print(
        f"{n_runs}-run sweep (seeds 0..{args.seeds - 1} x fixed, legacy), {n_neurons} neurons, "
        f"{args.duration:g} ms each; {os.cpu_count()} CPUs, load average before: "
        f"{os.getloadavg()[0]:.1f}"
    )
    print(f"XLA_FLAGS={os.environ.get('XLA_FLAGS', '')!r} in this process and the workers")
    if pin:
        print(f"pinned: this process (serial) to core {cores[0]}, worker i to core i "
              f"(of {cores})")  # fmt: skip

    start = time.perf_counter()
    warm_up()
    print(f"warm-up, this process (import BrainPy, compile both structures): "
          f"{time.perf_counter() - start:.1f} s, not timed")  # fmt: skip
    def timed(**kwargs):
        start = time.perf_counter()
        table = network.sweep(grid, **common, **kwargs)
        return table, time.perf_counter() - start

    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        if pin:
            addresses = sorted(client.scheduler_info()["workers"])
            for i, address in enumerate(addresses):
                core = cores[i % len(cores)]
                client.run(os.sched_setaffinity, 0, {core}, workers=[address])
        client.run(warm_up)
        print(f"warm-up, {args.workers} workers (start, import BrainPy, compile both "
              f"structures in each): {time.perf_counter() - start:.1f} s, not timed")  # fmt: skip
        t_serial, t_dist = [], []
        for _ in range(args.repeat):  # alternating, so both sides see the same load
            serial, seconds = timed()
            t_serial.append(seconds)
            dist, seconds = timed(executor=client)
            t_dist.append(seconds)
    print(f"times of {args.repeat} alternating pairs (s): serial "
          f"{', '.join(f'{t:.2f}' for t in t_serial)}; cluster "
          f"{', '.join(f'{t:.2f}' for t in t_dist)}; the best of each counts")  # fmt: skip
    t_serial, t_dist = min(t_serial), min(t_dist)

    pd.testing.assert_frame_equal(
        serial.drop(columns="wall_time_s"), dist.drop(columns="wall_time_s")
    )
    print("tables equal row for row (all columns but wall_time_s)")
    print(f"serial, this process:          {t_serial:6.2f} s  ({t_serial / n_runs:.2f} s per run)")
    print(f"LocalCluster, {args.workers} workers:      {t_dist:6.2f} s")
    ratio = t_serial / t_dist
    verdict = "meets" if ratio >= 1.6 else "MISSES"
    print(f"speed-up: {ratio:.2f}x (goal >= 1.6x on two cores: {verdict} the goal)")

    if not args.no_single_thread:
        # The serial sweep with XLA's default threads, in a fresh process (the flag is read
        # once, when JAX starts), warmed up the same way.
        env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
        code = (
            "import time; from alphakit import network; "
            f"c = dict(scale={args.scale}, duration={args.duration}, progress=False); "
            "network.sweep({'synapse': ['fixed', 'legacy']}, **c); t = time.perf_counter(); "
            f"network.sweep({grid!r}, **c); print(f'{{time.perf_counter() - t:.2f}}')"
        )
        if pin:  # unpinned too: XLA's defaults, all cores
            code = f"import os; os.sched_setaffinity(0, {set(cores)!r}); " + code
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        t_default = float(out.stdout.split()[-1])
        print(f"serial, XLA's default threads, unpinned: {t_default:6.2f} s "
              f"(speed-up against it: {t_default / t_dist:.2f}x)")  # fmt: skip
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
