"""Figures for the notebooks: kernels, traces, convergence, network rasters and rates.

matplotlib is a core dependency; every function draws into ``ax`` when given one
and labels its axes with units (time in ms, rates in Hz).
"""

from __future__ import annotations

# -- kernels, traces and convergence (notebooks 01-05; implemented in _plot_kernels.py) --
from ._plot_kernels import (
    NORM_COLORS,
    plot_convergence,
    plot_kernel,
    plot_norms,
    plot_spikes,
    plot_trace,
)

__all__ = [
    "NORM_COLORS",
    "plot_convergence",
    "plot_kernel",
    "plot_norms",
    "plot_spikes",
    "plot_trace",
]
