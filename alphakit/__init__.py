"""alphakit: the alpha synapse, exactly.

The numerical core (:mod:`alphakit.kernels`, :mod:`alphakit.spikes`,
:mod:`alphakit.convolution`, :mod:`alphakit.ode`) needs only numpy and scipy and
is re-exported here, with the three functions that explain a recorded trace
(:func:`diagnose`, :func:`classify`, :func:`convert_weight`, numpy and scipy
only). Everything that needs BrainPy, Jupyter widgets or another
simulator lives in its own submodule and is imported only when first touched,
so ``import alphakit`` stays fast and never imports jax or brainpy.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._validation import AlphakitWarning
from .conventions import convert_weight
from .convolution import convolve_spike_times, convolve_spikes
from .diagnosis import classify, diagnose
from .kernels import (
    KERNEL_NORMS,
    KINDS,
    NORMS,
    KernelProperties,
    alpha_kernel,
    dual_exp_kernel,
    exp_kernel,
    kernel_properties,
)
from .ode import FORMS, METHODS, Trace, simulate, step_matrix
from .spikes import ROUNDINGS, grid_to_times, n_steps, poisson_train, regular_train, times_to_grid

__version__ = "0.1.0"

# Submodules loaded on first attribute access (PEP 562); they may pull in heavy
# optional dependencies (brainpy/jax, ipywidgets, other simulators).
_LAZY_SUBMODULES = (
    "brainpy",
    "conventions",
    "diagnosis",
    "network",
    "peers",
    "plotting",
    "statistics",
    "widgets",
)

__all__ = [
    "FORMS",
    "KERNEL_NORMS",
    "KINDS",
    "METHODS",
    "NORMS",
    "ROUNDINGS",
    "AlphakitWarning",
    "KernelProperties",
    "Trace",
    "alpha_kernel",
    "classify",
    "convert_weight",
    "convolve_spike_times",
    "convolve_spikes",
    "diagnose",
    "dual_exp_kernel",
    "exp_kernel",
    "grid_to_times",
    "kernel_properties",
    "n_steps",
    "poisson_train",
    "regular_train",
    "simulate",
    "step_matrix",
    "times_to_grid",
    *_LAZY_SUBMODULES,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'alphakit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
