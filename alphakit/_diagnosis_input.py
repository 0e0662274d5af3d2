"""Input checks of :func:`alphakit.diagnose`: the recording, its spikes, the columns, the lags."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _validation as v
from ._types import Kind, Norm
from .kernels import KERNEL_NORMS, KINDS


def recording(recorded: Any) -> np.ndarray:
    y = v.real_array("recorded", recorded, ndim=(1, 2))
    if y.shape[0] < 2:
        raise ValueError(f"recorded must have at least 2 time steps (axis 0), got {y.shape}")
    return y


def spike_input(
    spikes: Any, T: int, times: bool, allow_fractional: bool
) -> np.ndarray | list[np.ndarray]:
    """Dense counts (T,) / (T, n), or a list of spike-time arrays when ``times``."""
    if times:
        single = isinstance(spikes, np.ndarray) and spikes.ndim <= 1
        if not single and not isinstance(spikes, np.ndarray):
            seq = list(spikes) if isinstance(spikes, list | tuple) else [spikes]
            single = all(np.ndim(x) == 0 for x in seq)
        trains = [spikes] if single else list(spikes)
        out = [v.real_array(f"spikes[{j}]", t, ndim=(0, 1)).ravel() for j, t in enumerate(trains)]
        if not any(t.size for t in out):
            raise ValueError("spikes holds no spike times: there is nothing to diagnose")
        return out
    if hasattr(spikes, "toarray") and hasattr(spikes, "nnz"):  # scipy.sparse, without importing it
        spikes = spikes.toarray()
    s = v.spike_array("spikes", spikes)
    if not allow_fractional:
        v.whole_counts(
            "spikes", s, "allow_fractional=True", "pass them with times=True, exactly off the grid"
        )
    if s.shape[0] != T:
        raise ValueError(
            f"recorded and spikes must have the same number of time steps (axis 0): "
            f"{T} != {s.shape[0]}"
        )
    if not np.any(s):
        raise ValueError("spikes contains no spikes at all: there is nothing to diagnose")
    return s


def columns(y: np.ndarray, n_spike_cols: int | None) -> tuple[np.ndarray, str]:
    """y as (T, n) and how the convolution maps to it: 'pair', 'broadcast' or 'sum'."""
    y2 = y.reshape(y.shape[0], -1)
    n_y = y2.shape[1]
    if n_spike_cols is None:
        n_spike_cols = 1
    if n_spike_cols == n_y:
        return y2, "pair"
    if n_spike_cols == 1:
        return y2, "broadcast"
    if n_y == 1:
        return y2, "sum"
    raise ValueError(
        f"recorded has {n_y} columns but spikes has {n_spike_cols}: give one train per "
        "recorded column, one train for all columns, or one recorded column for all trains"
    )


def max_lag(max_lag: Any, T: int, dt: float, tau: float | None) -> int:
    if max_lag is None:
        if tau is None:
            return int(min(T - 1, max(50, T // 4)))
        return int(min(T - 1, max(50, math.ceil(4.0 * tau / dt))))
    if isinstance(max_lag, bool) or not isinstance(max_lag, int | np.integer):
        raise TypeError(f"max_lag must be an int or None, got {type(max_lag).__name__}")
    if not 0 <= max_lag < T:
        raise ValueError(f"max_lag must satisfy 0 <= max_lag < T = {T}, got {max_lag}")
    return int(max_lag)


def check_kind(kind: Any, tau_rise: Any, norm: Any) -> tuple[Kind | None, float | None, Norm]:
    if kind is None:
        common = tuple(n for n in KERNEL_NORMS["alpha"]
            if all(n in KERNEL_NORMS[k] for k in KINDS))
        if isinstance(norm, str) and norm not in common and norm in KERNEL_NORMS["dual_exp"]:
            raise ValueError(
                f"norm {norm!r} does not exist for every kind; with kind=None give one of "
                f"{common}, or give the kind"
            )
        norm = v.choice("norm", norm, common)
        rise = None if tau_rise is None else v.positive_scalar("tau_rise", tau_rise)
        return None, rise, norm
    kind = v.choice("kind", kind, KINDS)
    if kind != "dual_exp" and tau_rise is not None:
        v.kernel_kind(kind, tau_rise, KERNEL_NORMS)  # raises, naming tau_rise
    rise = None if tau_rise is None else v.positive_scalar("tau_rise", tau_rise)
    return kind, rise, v.kernel_norm(norm, kind, KERNEL_NORMS[kind])


def tolerances(rtol: Any, shape_rtol: Any) -> tuple[float, float]:
    rtol = v.positive_scalar("rtol", rtol)
    shape_rtol = v.positive_scalar("shape_rtol", shape_rtol)
    for name, value in (("rtol", rtol), ("shape_rtol", shape_rtol)):
        if value >= 1:
            raise ValueError(f"{name} must be a relative tolerance below 1, got {value}")
    return rtol, shape_rtol
