"""The COBA E/I network with alpha synapses in Brian2 beside BrainPy: one run each, same machine.

    python benchmarks/bench_brian2_vs_brainpy.py [--duration 1000] [--scale 1.0]
                                                [--target cython|numpy|cpp_standalone]

The model (Brette et al. 2007 benchmark 1 with BrainPy's parameters, alpha synapses):
4000 LIF neurons, 80 % excitatory, each pair connected with probability 0.02;
V_rest = V_reset = -60 mV, V_th = -50 mV, tau_m = 20 ms, refractory 5 ms, constant
input 20 mV; conductances relative to the leak, E: reversal 0 mV, tau 5 ms,
weight 0.6; I: reversal -80 mV, tau 10 ms, weight 6.7 (the benchmark's g_E and g_I,
``weight_E`` and ``weight_I`` in alphakit); alpha synapse in the documented form
``tau dg/dt = h - g``, ``dh/dt = -h/tau``, ``h += weight`` per spike.

BrainPy side: ``alphakit.network.run_network("fixed")`` (``bp.dyn.LifRefLTC``, BrainPy's
``bp.dyn.Alpha`` with its default ``exp_auto``, event-driven CSR, float32, JIT).
Brian2 side: the same equations in one ``NeuronGroup`` integrated with
``exponential_euler`` (for the synapses that is BrainPy's ``exp_auto``; for V it
treats the conductances as part of the leak, as ``LifRefLTC`` does), float64, and
``Synapses`` with a delay of one step, because BrainPy's projection delivers the
previous step's spikes. The random connectivity and initial potentials are
drawn independently on each side (each with seed 0): same statistics, not the same graph,
so the firing rates, not the spikes, are compared.

Each side is timed once, from building the network to having the spikes in hand
(after importing the library, timed apart), so BrainPy's JIT compilation and Brian2's
code generation (and, for the cython target, compilation when its cache is cold) are
included: that is what a user waits for. The simulation loop alone is timed by a
second run of the same length reusing the compiled code (BrainPy: the cached model;
Brian2: running on). Brian2's cython target compiles each code object once and caches
it (``~/.cython/brian_extensions``): run the script twice to see both the cold (about
two minutes on a 2-core machine) and the warm "one run". Exits 0 either way (a benchmark
reports; a shared machine is noisy).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from alphakit import network
from alphakit.peers import versions

P = network.COBA_PARAMS


def run_brainpy(duration: float, scale: float, dt: float) -> dict:
    start = time.perf_counter()
    import brainpy  # noqa: F401

    imported = time.perf_counter()
    result = network.run_network("fixed", scale=scale, duration=duration, dt=dt, seed=0)
    end = time.perf_counter()
    # a second call reuses the compiled model: the simulation loop alone
    network.run_network("fixed", scale=scale, duration=duration, dt=dt, seed=0)
    loop_end = time.perf_counter()
    n = result.n_exc + result.n_inh
    return {
        "import": imported - start,
        "total": end - imported,
        "loop": loop_end - end,
        "rate": result.rate(),
        "n": n,
        "synapses": int(result.params["n_synapses"]),
    }


def run_brian2(duration: float, scale: float, dt: float, target: str) -> dict:
    start = time.perf_counter()
    import brian2 as b2
    from brian2 import ms, mV

    imported = time.perf_counter()
    if target == "cpp_standalone":
        b2.set_device("cpp_standalone", build_on_run=True, directory=None)
    else:
        b2.prefs.codegen.target = target
    b2.seed(0)
    b2.defaultclock.dt = dt * ms
    n_total = int(round(P["n_neurons"] * scale))
    n_exc = int(round(n_total * P["exc_fraction"]))
    p = P["p_connect"] / scale  # the same in-degree as alphakit.network at any scale
    eqs = """
    dv/dt = (V_rest - v + I_ext + I_syn) / tau_m : volt (unless refractory)
    I_syn = ge * (E_exc - v) + gi * (E_inh - v) : volt
    dge/dt = (he - ge) / tau_exc : 1
    dhe/dt = -he / tau_exc : 1
    dgi/dt = (hi - gi) / tau_inh : 1
    dhi/dt = -hi / tau_inh : 1
    """
    namespace = {
        "V_rest": P["V_rest"] * mV,
        "I_ext": P["input_current"] * mV,
        "E_exc": P["E_exc"] * mV,
        "E_inh": P["E_inh"] * mV,
        "tau_m": P["tau_m"] * ms,
        "tau_exc": P["tau_exc"] * ms,
        "tau_inh": P["tau_inh"] * ms,
    }
    group = b2.NeuronGroup(
        n_total,
        eqs,
        threshold=f"v > {P['V_th']}*mV",
        reset=f"v = {P['V_reset']}*mV",
        refractory=P["tau_ref"] * ms,
        method="exponential_euler",
        namespace=namespace,
    )
    rng = np.random.default_rng(0)
    group.v = rng.uniform(P["V_reset"], P["V_th"], size=n_total) * mV
    exc = b2.Synapses(group[:n_exc], group, on_pre=f"he += {P['weight_E']}", delay=dt * ms)
    inh = b2.Synapses(group[n_exc:], group, on_pre=f"hi += {P['weight_I']}", delay=dt * ms)
    exc.connect(p=p)
    inh.connect(p=p)
    monitor = b2.SpikeMonitor(group)
    net = b2.Network(group, exc, inh, monitor)
    net.run(duration * ms)
    end = time.perf_counter()
    spikes = int(monitor.num_spikes)
    # running on reuses the generated (and compiled) code: the simulation loop alone
    loop_start = time.perf_counter()
    if target != "cpp_standalone":  # standalone builds once, for one run
        net.run(duration * ms)
    loop_end = time.perf_counter()
    return {
        "import": imported - start,
        "total": end - imported,
        "loop": loop_end - loop_start if target != "cpp_standalone" else float("nan"),
        "rate": spikes / n_total / (duration / 1000.0),
        "n": n_total,
        "synapses": int(len(exc) + len(inh)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=1000.0, help="simulated ms")
    parser.add_argument("--scale", type=float, default=1.0, help="network size / 4000")
    parser.add_argument("--dt", type=float, default=0.1, help="time step (ms)")
    parser.add_argument(
        "--target",
        choices=("cython", "numpy", "cpp_standalone"),
        default="cython",
        help="Brian2 code generation target",
    )
    args = parser.parse_args()
    v = versions()
    print(
        f"COBA E/I network, alpha synapses: {int(round(4000 * args.scale))} neurons, "
        f"{args.duration:g} ms at dt = {args.dt:g} ms"
    )
    print(
        f"BrainPy {v['BrainPy']} vs Brian2 {v['Brian2']} ({args.target}); Python "
        f"{platform.python_version()}, {os.cpu_count()} cores"
    )
    bp = run_brainpy(args.duration, args.scale, args.dt)
    b2 = run_brian2(args.duration, args.scale, args.dt, args.target)
    for name, r in (("BrainPy", bp), ("Brian2", b2)):
        print(
            f"  {name:<8s} import {r['import']:5.2f} s   one run {r['total']:7.2f} s   "
            f"(loop alone {r['loop']:6.2f} s)   "
            f"{r['synapses']:>7d} synapses   mean rate {r['rate']:5.1f} Hz"
        )
    print(f"  ratio Brian2 / BrainPy, one run: {b2['total'] / bp['total']:.2f}")
    print(f"  ratio Brian2 / BrainPy, loop:    {b2['loop'] / bp['loop']:.2f}")


if __name__ == "__main__":
    main()
