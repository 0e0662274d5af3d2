"""The COBA network's parameters, checked into one run's configuration (numpy only).

:mod:`alphakit.network` runs what this module describes; the BrainPy model is in
``alphakit/brainpy/_coba.py``. Kept apart so that both, and the sweep machinery,
agree on what a run is without importing one another.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ._validation import (
    choice,
    finite_scalar,
    nonnegative_scalar,
    positive_scalar,
    random_seed,
)

SYNAPSES = ("fixed", "legacy", "charge-matched")
NEURONS = ("LifRefLTC", "LifRef")
POPULATIONS = ("E", "I", "all")

#: Parameters of BrainPy's COBA example (ms, mV; conductances relative to the leak).
COBA_PARAMS: Mapping[str, float] = MappingProxyType(
    {
        "n_neurons": 4000,
        "exc_fraction": 0.8,
        "p_connect": 0.02,
        "V_rest": -60.0,
        "V_th": -50.0,
        "V_reset": -60.0,
        "tau_m": 20.0,
        "tau_ref": 5.0,
        "E_exc": 0.0,
        "E_inh": -80.0,
        "tau_exc": 5.0,
        "tau_inh": 10.0,
        "weight_E": 0.6,
        "weight_I": 6.7,
        "input_current": 20.0,
    }
)


def _sizes(scale: Any) -> tuple[float, int, int]:
    scale = positive_scalar("scale", scale)
    p, n_total = COBA_PARAMS["p_connect"], COBA_PARAMS["n_neurons"]
    if scale < p:
        raise ValueError(
            f"scale must be >= {p} (each neuron keeps {p * n_total:.0f} inputs), got {scale}"
        )
    n_exc = int(round(n_total * COBA_PARAMS["exc_fraction"] * scale))
    n_inh = int(round(n_total * scale)) - n_exc
    return scale, n_exc, n_inh


def prepare(
    synapse: Any,
    neuron: Any,
    scale: Any,
    duration: Any,
    dt: Any,
    seed: Any,
    weight_E: Any,
    weight_I: Any,
    input_current: Any,
) -> dict[str, Any]:
    """One run's configuration from :func:`alphakit.network.run_network`'s arguments, checked."""
    synapse = choice("synapse", synapse, SYNAPSES)
    neuron = choice("neuron", neuron, NEURONS)
    scale, n_exc, n_inh = _sizes(scale)
    duration = positive_scalar("duration", duration)
    dt = positive_scalar("dt", dt)
    k = duration / dt
    n_steps = int(round(k))
    if n_steps < 1 or abs(n_steps - k) > 1e-6 * max(1.0, k):
        raise ValueError(f"duration ({duration} ms) must be a positive multiple of dt ({dt} ms)")
    return dict(
        synapse=synapse, neuron=neuron, scale=scale, n_exc=n_exc, n_inh=n_inh,
        duration=duration, dt=dt, n_steps=n_steps, seed=random_seed("seed", seed),
        weight_E=nonnegative_scalar("weight_E", weight_E),
        weight_I=nonnegative_scalar("weight_I", weight_I),
        input_current=finite_scalar("input_current", input_current),
    )


STAT_COLUMNS = [f"{s}_{p}" for s in ("rate", "cv_isi", "fano_factor", "synchrony", "g_mean")
                    for p in ("E", "I")]  # fmt: skip


def structure(cfg: dict) -> tuple:
    """What decides the compiled model (legacy and charge-matched share one)."""
    return (cfg["n_exc"], cfg["n_inh"], cfg["synapse"] == "fixed", cfg["neuron"], cfg["dt"],
            cfg["n_steps"])  # fmt: skip
