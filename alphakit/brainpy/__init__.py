"""BrainPy runners: the issue-577 scenario, spike-driven synapses, the pre-fix synapse.

BrainPy is an optional dependency (``pip install "alphakit[brainpy]"``).
Importing this module does not import BrainPy or jax; the first call of a
runner does, and without BrainPy it raises ImportError naming that extra.
Results are numpy arrays in frozen dataclasses.

* :func:`run_issue_577`: the reproducer of BrainPy issue 577 (LIF ->
  ``bp.synapses.Alpha`` -> LIF, ``bp.DSRunner``), with today's synapse or the
  pre-fix one.
* :func:`run_synapse`: Alpha synapses driven by given spikes, any integrator,
  either form.
* :class:`LegacyAlpha` (for ``bp.dyn.Alpha``) and :class:`LegacyAlphaSynapse`
  (for ``bp.synapses.Alpha``): the dynamics of BrainPy <= 2.4.6,
  ``dg/dt = -g/tau + h``, on today's BrainPy; :func:`use_legacy_alpha` swaps
  them in for a whole script (:data:`ISSUE_577_SCRIPT`, :func:`run_issue_script`).
* :func:`installed_convention`: one spike through the installed synapse,
  measured and named (``"plain"`` since BrainPy 2.5, ``"legacy"`` before).

In every runner the synapse is driven through a projection, so its ``g``
lags ``alphakit.simulate(spikes, dt, tau, form=form, method=method).g`` by one step; see
the timing convention in :mod:`alphakit.ode`. :data:`BRAINPY_METHODS` lists
the integrators the runners (and :func:`alphakit.peers.run_brainpy`) accept:
BrainPy's fixed-step explicit ones.

The COBA network of :mod:`alphakit.network` is built here too
(``_coba.py``), as is the network that drives synapses with given spikes
(``_driven.py``).

Integrator error against the exact convolution: rk4 is within ~1e-8 of the
peak at dt = 0.1 ms, tau = 8.6 ms. BrainPy's default ``exp_auto`` advances g by
``(1 - e^-a) h`` where the exact flow has ``a e^-a h`` (``a = dt/tau``), so
every sample is the exact one times ``(e^a - 1)/a``: a bias of
``(e^a - 1)/a - 1 = dt/(2 tau) + O((dt/tau)^2)`` of the peak (0.58 % at
dt = 0.1, tau = 8.6), which alphakit models as ``method="exp_euler"``.

Supported: BrainPy 2.8.x (Python 3.11) and 2.9.x (Python >= 3.12).
"""

from __future__ import annotations

from typing import Any

from ._convention import installed_convention
from ._env import BRAINPY_METHODS, INSTALL_HINT, quiet, require_brainpy
from ._issue import ISSUE_577_SCRIPT, run_issue_script, use_legacy_alpha
from ._results import InstalledConvention, Issue577Result, IssueScriptResult, SynapseRun
from ._runners import run_issue_577, run_synapse

__all__ = [
    "BRAINPY_METHODS",
    "INSTALL_HINT",
    "ISSUE_577_SCRIPT",
    "InstalledConvention",
    "Issue577Result",
    "IssueScriptResult",
    "LegacyAlpha",
    "LegacyAlphaSynapse",
    "SynapseRun",
    "installed_convention",
    "run_issue_577",
    "run_issue_script",
    "run_synapse",
    "use_legacy_alpha",
]

# Classes that subclass BrainPy's own, so they exist only once BrainPy is imported.
_LAZY_CLASSES = ("LegacyAlpha", "LegacyAlphaSynapse")


def __getattr__(name: str) -> Any:
    if name in _LAZY_CLASSES:
        require_brainpy()
        with quiet():
            from . import _models
        value = getattr(_models, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
