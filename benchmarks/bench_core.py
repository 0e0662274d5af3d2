"""Speed of alphakit's numerical core, each goal measured against its yardstick in one run.

    python benchmarks/bench_core.py [--repeat 5]

Goals:
1. ``convolve_spikes(method="exact")`` on 10^6 steps: >= 30x faster than
   ``scipy.signal.fftconvolve`` with the kernel sampled over the whole grid,
   and within 3x of ``numpy.cumsum`` over the same array (issue 2; best of
   ``--repeat`` runs each).
2. ``simulate`` for 1000 synapses x 10^5 steps in float32 (BrainPy's precision),
   against BrainPy's own ``bp.dyn.Alpha`` stepped with ``brainpy.math.for_loop``
   on the same spikes (issue 19): g alone with ``out=`` at least 1.5x faster
   than BrainPy returning g alone; g and h with ``out=`` at least 2x faster than
   BrainPy returning g and h; with fresh outputs within 1.15x of the memory
   floor, the same output bytes allocated and written by numpy (one weight for
   all synapses, as BrainPy's synapse models take their input; g alone with one
   weight per synapse is printed for information). Every variant is the median
   of at least 5 rounds in which all variants take turns, with the machine's
   load average printed before and after.
3. The same for the other kinds (issue 16, same goals as 2): ``kind="exp"``
   against ``bp.dyn.Expon`` and ``kind="dual_exp"`` against ``bp.dyn.DualExpon``,
   g alone with ``out=`` (>= 1.5x) and with fresh output (within 1.15x of the
   floor); for the dual exponential also g and h with ``out=`` (>= 2x).
   Same engine path as the alpha synapse, so the same speed.

alphakit runs on the engine it would pick for a user (``ALPHAKIT_ENGINE``, numba
when installed; compiled, or loaded from its cache, before timing); BrainPy's
functions are compiled before timing too. Prints both sides and their ratio;
exits 0 either way (a benchmark reports, it does not judge a noisy shared
machine).
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


def median_of_alternating(variants: dict[str, Callable[[], object]], rounds: int) -> dict:
    """Median wall time of each variant over ``rounds`` rounds, the variants taking turns.

    Taking turns spreads a burst of load on the shared machine over all variants
    instead of one; the median ignores the odd round it spoils. Within a round
    each variant runs twice in a row and the second call is timed: a call that
    allocates fresh outputs otherwise pays for how its predecessor left the
    memory (the kernel hands out huge pages for large arrays, and after another
    variant freed a different amount it may first have to compact memory), which
    made the same numpy floor take 70 ms or 500 ms by its place in the round.
    """
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, fn in variants.items():
            fn()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}


def bench_simulate(rounds: int, kind: str = "alpha") -> None:
    dt, tau, T, n = 0.1, 8.6, 10**5, 1000
    tau_rise = 1.0 if kind == "dual_exp" else None
    f32 = np.float32
    spikes = ak.poisson_train(20.0, dt, duration=T * dt, n=n, seed=0).astype(f32)
    g_buf, h_buf = np.empty_like(spikes), np.empty_like(spikes)
    kw = dict(method="exp_euler", dtype=f32, kind=kind, tau_rise=tau_rise)
    mb = spikes.nbytes / 2**20
    print(
        f"simulate(kind={kind!r}), {n} synapses x {T:.0e} steps, exp_euler (BrainPy's "
        f"exp_auto), float32 (BrainPy's precision); input {mb:.0f} MiB, each output {mb:.0f} MiB"
    )

    def floor(count: int) -> Callable[[], object]:
        # the memory floor: the outputs' bytes allocated fresh and written once from the input
        def run() -> object:
            outs = [np.empty_like(spikes) for _ in range(count)]
            for o in outs:
                np.copyto(o, spikes)
            return outs

        return run

    variants: dict[str, Callable[[], object]] = {}
    if kind != "exp":  # the exponential synapse has no h
        variants["floor, 2 fresh outputs"] = floor(2)
        variants["alphakit g,h fresh"] = lambda: ak.simulate(spikes, dt, tau, **kw)
        variants["alphakit g,h out="] = lambda: ak.simulate(
            spikes, dt, tau, out=(g_buf, h_buf), **kw
        )
    variants["floor, 1 fresh output"] = floor(1)
    variants["alphakit g fresh"] = lambda: ak.simulate(spikes, dt, tau, outputs="g", **kw)
    variants["alphakit g out="] = lambda: ak.simulate(
        spikes, dt, tau, outputs="g", out=g_buf, **kw
    )
    # one weight per synapse: a third array of state in the loop (see alphakit._engine._numba)
    per_synapse = np.linspace(0.5, 2.0, n)
    variants["alphakit g fresh, w/syn"] = lambda: ak.simulate(
        spikes, dt, tau, outputs="g", weight=per_synapse, **kw
    )
    ak.simulate(spikes[:2000], dt, tau, **kw)  # numba compiles or loads its cache
    try:
        if kind != "exp":
            variants["BrainPy g,h"] = _brainpy_for_loop(spikes, dt, tau, True, kind, tau_rise)
        variants["BrainPy g"] = _brainpy_for_loop(spikes, dt, tau, False, kind, tau_rise)
    except ImportError:
        print("  BrainPy not installed: pip install 'alphakit[brainpy]' for that comparison")
    print(f"  load average before: {_load()}")
    t = median_of_alternating(variants, rounds)
    print(f"  load average after:  {_load()}")
    print(f"  median of {rounds} alternating rounds:")
    for name, value in t.items():
        print(f"    {name:<26s} {value * 1e3:9.1f} ms")

    def ratio(slow: str, fast: str, goal: str) -> None:
        if slow in t and fast in t:
            print(f"  {slow} / {fast}: {t[slow] / t[fast]:6.2f}   (goal: {goal})")

    ratio("BrainPy g", "alphakit g out=", ">= 1.5")
    ratio("BrainPy g,h", "alphakit g,h out=", ">= 2")
    ratio("alphakit g,h fresh", "floor, 2 fresh outputs", "<= 1.15")
    ratio("alphakit g fresh", "floor, 1 fresh output", "<= 1.15")
    ratio("alphakit g fresh, w/syn", "floor, 1 fresh output", "info")
    ratio("BrainPy g", "alphakit g fresh", "info")
    ratio("BrainPy g,h", "alphakit g,h fresh", "info")


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"
    except OSError:
        return "not available"


def _brainpy_for_loop(
    spikes: np.ndarray,
    dt: float,
    tau: float,
    record_h: bool,
    kind: str = "alpha",
    tau_rise: float | None = None,
) -> Callable[[], object]:
    """BrainPy's bp.dyn.Alpha (Expon, DualExpon) stepped by bm.for_loop, compiled."""
    import brainpy as bp
    import brainpy.math as bm

    bm.set_dt(dt)
    n = spikes.shape[1]
    if kind == "exp":
        syn = bp.dyn.Expon(n, tau=tau, method="exp_auto")
    elif kind == "dual_exp":
        syn = bp.dyn.DualExpon(n, tau_decay=tau, tau_rise=tau_rise, method="exp_auto")
    else:
        syn = bp.dyn.Alpha(n, tau_decay=tau, method="exp_auto")
    inputs = bm.asarray(spikes)

    def step(x):
        g = syn.update(x)
        return (g, syn.h.value) if record_h else g

    def run() -> object:
        syn.reset_state()
        out = bm.for_loop(step, inputs, progress_bar=False)
        # wait for the device and bring the traces back as numpy arrays, as simulate returns
        return [np.asarray(x) for x in (out if record_h else [out])]

    run()  # compile
    print(
        f"  (BrainPy {bp.__version__} {type(syn).__name__}, float32, compiled before timing; "
        f"g,h={record_h})"
    )
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--kinds",
        default="alpha,exp,dual_exp",
        help="comma-separated kinds for the simulate comparison (default: all three)",
    )
    args = parser.parse_args()
    print(f"alphakit engine: {describe_engine()}\n")
    bench_convolution(args.repeat)
    for kind in args.kinds.split(","):
        print()
        bench_simulate(max(5, args.repeat), kind.strip())


if __name__ == "__main__":
    main()
