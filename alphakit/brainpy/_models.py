"""The pre-fix (BrainPy <= 2.4.6) Alpha synapse, written for today's BrainPy.

This module imports BrainPy at import time; :mod:`alphakit.brainpy` loads it
only when :class:`LegacyAlpha` or :class:`LegacyAlphaSynapse` is first used.

Before the fix of BrainPy issue 577 the Alpha synapse integrated
``dg/dt = -g/tau + h``, ``dh/dt = -h/tau``, ``h <- h + spike``: its response to
one spike is ``t e^(-t/tau)``, ``tau`` times the alpha kernel
``t/tau e^(-t/tau)`` that BrainPy >= 2.5 (``tau dg/dt = -g + h``) produces.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import brainpy as bp
import brainpy.math as bm

__all__ = ["LegacyAlpha", "LegacyAlphaSynapse", "synapse_with_dynamics"]

# To read method/mode/tau_decay of a bp.synapses.Alpha(...) call however they were passed.
_SIGNATURE = inspect.signature(bp.synapses.Alpha.__init__)


class LegacyAlpha(bp.dyn.SynDyn):
    r"""Alpha synapse dynamics as BrainPy <= 2.4.6 integrated them.

    .. math::

        \frac{dg}{dt} = -\frac{g}{\tau} + h, \qquad
        \frac{dh}{dt} = -\frac{h}{\tau}, \qquad h \leftarrow h + x

    It has the constructor, state (``g``, ``h``), ``update(x)`` and
    ``return_info()`` of ``bp.dyn.Alpha``, so it goes wherever that does
    (``LegacyAlpha.desc(...)`` in ``bp.dyn.ProjAlignPreMg2``, for example).
    One spike gives ``g(t) = t e^(-t/tau)``: peak ``tau/e``, charge ``tau^2``,
    i.e. ``tau`` times the current ``bp.dyn.Alpha``.

    Parameters
    ----------
    size : int or sequence of int
        Number (shape) of synapses.
    keep_size, sharding, name, mode
        As for any BrainPy dynamical system.
    method : str
        BrainPy integrator name (``"exp_auto"`` by default, as ``bp.dyn.Alpha``).
    tau_decay : float, array or callable
        Time constant ``tau`` (ms).

    Examples
    --------
    >>> import brainpy as bp
    >>> from alphakit.brainpy import LegacyAlpha
    >>> syn = LegacyAlpha(1, tau_decay=8.6, method="rk4")
    >>> syn.g.shape
    (1,)
    """

    def __init__(
        self,
        size: int | Sequence[int],
        keep_size: bool = False,
        sharding: Sequence[str] | None = None,
        method: str = "exp_auto",
        name: str | None = None,
        mode: Any = None,
        tau_decay: Any = 10.0,
    ) -> None:
        super().__init__(size=size, keep_size=keep_size, sharding=sharding, name=name, mode=mode)
        self.tau_decay = self.init_param(tau_decay)
        # g and h are integrated jointly so that multi-stage methods (rk4, ...)
        # see h change within the step, as BrainPy's own Alpha does.
        self.integral = bp.odeint(bp.JointEq(self._dg, self._dh), method=method)
        self.reset_state(self.mode)

    def reset_state(self, batch_or_mode: Any = None, **kwargs: Any) -> None:
        self.g = self.init_variable(bm.zeros, batch_or_mode)
        self.h = self.init_variable(bm.zeros, batch_or_mode)

    def _dg(self, g: Any, t: Any, h: Any) -> Any:
        # The pre-fix right-hand side: h enters without the 1/tau of the fixed form.
        return -g / self.tau_decay + h

    def _dh(self, h: Any, t: Any) -> Any:
        return -h / self.tau_decay

    def update(self, x: Any = None) -> Any:
        # Advance over the step first, then add this step's input to h.
        g, h = self.integral(self.g.value, self.h.value, bp.share["t"], dt=bp.share["dt"])
        self.g.value = g
        self.h.value = h if x is None else h + x
        return self.g.value

    def return_info(self) -> Any:
        return self.g


class _AlphaWithDynamics(bp.synapses.Alpha):
    """``bp.synapses.Alpha`` with its synaptic dynamics replaced by ``self.dynamics``.

    ``dynamics`` is a class with ``bp.dyn.Alpha``'s constructor (``size``,
    ``keep_size``, ..., ``method``, ``tau_decay``) and state ``g``, ``h``.
    Everything else (connection, weights, delay, output) is BrainPy's own.
    """

    dynamics: type = bp.dyn.Alpha

    def __init__(self, pre: Any, post: Any, conn: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(pre, post, conn, *args, **kwargs)
        given = _SIGNATURE.bind(self, pre, post, conn, *args, **kwargs)
        given.apply_defaults()
        # bp.synapses.Alpha wires a bp.dyn.Alpha as ``self.syn`` and exposes its g
        # and h; put ours in its place. ``del`` first: BrainPy's __setattr__ would
        # otherwise copy the new Variable's value into the old one instead of
        # rebinding the name (and monitors of "syn.g" would record the old one).
        self.syn = self.dynamics(
            pre.size,
            pre.keep_size,
            mode=given.arguments["mode"],
            tau_decay=given.arguments["tau_decay"],
            method=given.arguments["method"],
        )
        del self.g, self.h
        self.g = self.syn.g
        self.h = self.syn.h


class LegacyAlphaSynapse(_AlphaWithDynamics):
    """Drop-in for ``bp.synapses.Alpha`` with the pre-fix dynamics (:class:`LegacyAlpha`).

    Same arguments as ``bp.synapses.Alpha``; the issue-577 script runs
    unchanged with this class in its place (see
    :func:`alphakit.brainpy.use_legacy_alpha`) and records ``tau`` times the
    conductance of today's BrainPy, as BrainPy <= 2.4.6 did.

    Examples
    --------
    >>> import brainpy as bp
    >>> from alphakit.brainpy import LegacyAlphaSynapse
    >>> pre, post = bp.neurons.LIF(1), bp.neurons.LIF(1)
    >>> syn = LegacyAlphaSynapse(pre, post, bp.connect.All2All(), tau_decay=8.6,
    ...                          output=bp.synouts.CUBA(), method="rk4")
    >>> type(syn.syn).__name__
    'LegacyAlpha'
    """

    dynamics = LegacyAlpha


# One synapses-style class per dynamics class, so that compiled networks keyed
# by the class are reused.
_SYNAPSES: dict[type, type] = {bp.dyn.Alpha: bp.synapses.Alpha, LegacyAlpha: LegacyAlphaSynapse}


def synapse_with_dynamics(dynamics: type) -> type:
    """A ``bp.synapses.Alpha`` subclass whose synaptic dynamics are ``dynamics``.

    ``bp.dyn.Alpha`` gives ``bp.synapses.Alpha`` itself and
    :class:`LegacyAlpha` gives :class:`LegacyAlphaSynapse`.
    """
    if dynamics not in _SYNAPSES:
        name = f"{dynamics.__name__}Synapse"
        _SYNAPSES[dynamics] = type(name, (_AlphaWithDynamics,), {"dynamics": dynamics})
    return _SYNAPSES[dynamics]
