"""Speed of alphakit's numerical core, each goal measured against its yardstick in one run.

    python benchmarks/bench_core.py [--repeat 5]

Goals (issue 2):
1. ``convolve_spikes(method="exact")`` on 10^6 steps: >= 30x faster than
   ``scipy.signal.fftconvolve`` with the kernel sampled over the whole grid,
   and within 3x of ``numpy.cumsum`` over the same array.
2. ``simulate`` for 1000 synapses x 10^5 steps: no slower than BrainPy's own
   ``bp.dyn.Alpha`` stepped with ``brainpy.math.for_loop`` on the same spikes
   (both returning g and h, both in BrainPy's float32), and within 2x of
   ``numpy.cumsum(spikes, axis=0)``.

Each timing is the best of ``--repeat`` runs (BrainPy's after one warm-up run
that compiles; alphakit's numba engine, when installed, also compiles, or loads
its cache, in a warm-up call). alphakit runs on the engine it would pick for a
user (``ALPHAKIT_ENGINE``, numba when installed); the scipy reference engine is
timed alongside for information. Prints both sides and their ratio; exits 0 either way (a
benchmark reports, it does not judge a noisy shared machine).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import numpy as np

import alphakit as ak


def best_of(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def report(name: str, ours: float, other_name: str, other: float, goal: str) -> None:
    print(f"  {name:<34s} {ours * 1e3:10.2f} ms")
    print(f"  {other_name:<34s} {other * 1e3:10.2f} ms")
    print(f"  ratio {other_name} / {name}: {other / ours:8.2f}   (goal: {goal})")


def on_engine(name: str, fn: Callable[[], object]) -> Callable[[], object]:
    """fn run with ALPHAKIT_ENGINE=name (read by alphakit at every call)."""

    def run() -> object:
        before = os.environ.get("ALPHAKIT_ENGINE")
        os.environ["ALPHAKIT_ENGINE"] = name
        try:
            return fn()
        finally:
            if before is None:
                del os.environ["ALPHAKIT_ENGINE"]
            else:
                os.environ["ALPHAKIT_ENGINE"] = before

    return run


def describe_engine() -> str:
    from alphakit._engine import engine

    name = engine()
    if name == "numba":
        import numba

        return f"numba {numba.__version__}"
    return "scipy (numba not installed or ALPHAKIT_ENGINE=scipy)"


def bench_convolution(repeat: int) -> None:
    from scipy.signal import fftconvolve

    dt, tau, T = 0.1, 8.6, 10**6
    spikes = ak.poisson_train(20.0, dt, duration=T * dt, seed=0)
    kernel = ak.alpha_kernel(np.arange(T) * dt, tau)

    def exact_run() -> object:
        return ak.convolve_spikes(spikes, dt, tau, method="exact")

    exact_run()  # warm-up: numba compiles or loads its cache
    exact = best_of(exact_run, repeat)
    fft = best_of(lambda: fftconvolve(spikes, kernel)[:T], max(1, repeat // 2))
    cumsum = best_of(lambda: np.cumsum(spikes), repeat)
    reference = best_of(on_engine("scipy", exact_run), repeat)
    print(f"convolve_spikes, {T:.0e} steps, 20 Hz Poisson, tau={tau} ms, dt={dt} ms")
    report("exact (alphakit)", exact, "fftconvolve", fft, ">= 30")
    report("exact (alphakit)", exact, "numpy.cumsum", cumsum, ">= 1/3")
    print(
        f"  (scipy reference engine: {reference * 1e3:.2f} ms, fftconvolve / it "
        f"{fft / reference:.2f})"
    )


def bench_simulate(repeat: int) -> None:
    dt, tau, T, n = 0.1, 8.6, 10**5, 1000
    spikes = ak.poisson_train(20.0, dt, duration=T * dt, n=n, seed=0)
    print(f"simulate, {n} synapses x {T:.0e} steps, exp_euler (BrainPy's exp_auto)")

    def sim64() -> object:
        return ak.simulate(spikes, dt, tau, method="exp_euler")

    ak.simulate(spikes[:10], dt, tau, method="exp_euler")  # warm-up: compile or load the cache
    ours = best_of(sim64, repeat)
    cumsum = best_of(lambda: np.cumsum(spikes, axis=0), repeat)
    reference = best_of(on_engine("scipy", sim64), repeat)
    report("simulate (alphakit)", ours, "numpy.cumsum(axis=0)", cumsum, ">= 1/2")
    print(
        f"  (scipy reference engine: {reference * 1e3:.2f} ms, cumsum / it "
        f"{cumsum / reference:.2f})"
    )
    try:
        both = _brainpy_for_loop(spikes, dt, tau, repeat, record_h=True)
        g_only = _brainpy_for_loop(spikes, dt, tau, repeat, record_h=False)
    except ImportError:
        print("  BrainPy not installed: pip install 'alphakit[brainpy]' for that comparison")
        return
    # simulate returns g and h; the like-for-like BrainPy run returns both too, and BrainPy
    # computes in float32, so alphakit is timed in float32 as well (float64 shown alongside).
    spikes32 = spikes.astype(np.float32)
    ak.simulate(spikes32[:10], dt, tau, method="exp_euler", dtype=np.float32)  # warm-up
    ours32 = best_of(
        lambda: ak.simulate(spikes32, dt, tau, method="exp_euler", dtype=np.float32), repeat
    )
    report("simulate (alphakit, float32)", ours32, "BrainPy for_loop, g and h", both, ">= 1")
    report("simulate (alphakit, float64)", ours, "BrainPy for_loop, g and h", both, "(info)")
    g_alone = f"{g_only * 1e3:.2f} ms, ratio {g_only / ours:.2f}"
    print(f"  (BrainPy for_loop returning g alone: {g_alone})")


def _brainpy_for_loop(
    spikes: np.ndarray, dt: float, tau: float, repeat: int, record_h: bool
) -> float:
    import brainpy as bp
    import brainpy.math as bm

    bm.set_dt(dt)
    syn = bp.dyn.Alpha(spikes.shape[1], tau_decay=tau, method="exp_auto")
    inputs = bm.asarray(spikes.astype(np.float32))

    def step(x):
        g = syn.update(x)
        return (g, syn.h.value) if record_h else g

    def run():
        syn.reset_state()
        out = bm.for_loop(step, inputs, progress_bar=False)
        # wait for the device and bring the traces back as numpy arrays, as simulate does
        [np.asarray(x) for x in (out if record_h else [out])]

    run()  # compile
    print(f"  (BrainPy {bp.__version__}, float32, compiled once before timing)")
    return best_of(run, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"alphakit engine: {describe_engine()}\n")
    bench_convolution(args.repeat)
    print()
    bench_simulate(max(2, args.repeat // 2))  # at least two: one sample is at the mercy of load


if __name__ == "__main__":
    main()
