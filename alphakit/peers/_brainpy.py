"""BrainPy: ``bp.dyn.Alpha``, ``bp.dyn.Expon`` and ``bp.dyn.DualExpon``, driven directly."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .. import _validation as v
from .._optional import require
from .._timing import brainpy_steps
from .._types import Kind
from ..brainpy import BRAINPY_METHODS
from ._common import PeerResponse, check_grid, recorded_rise, resolve_kind

BRAINPY_MODELS: tuple[str, ...] = ("Alpha", "Expon", "DualExpon")

# model: the kinds it runs, its default first; DualExpon without tau_rise is the
# alpha synapse (its equal-time-constant limit, as before issue 16)
_KINDS: dict[str, tuple[Kind, ...]] = {
    "Alpha": ("alpha",),
    "Expon": ("exp",),
    "DualExpon": ("alpha", "dual_exp"),
}


def run_brainpy(
    spike_times: ArrayLike,
    *,
    weight: float = 1.0,
    tau: float = 5.0,
    dt: float = 0.1,
    duration: float = 50.0,
    model: str | None = None,
    kind: Kind | None = None,
    tau_rise: float | None = None,
    method: str = "exp_auto",
) -> PeerResponse:
    """Drive a BrainPy synapse-dynamics object with spikes and record ``g``.

    The synapse (``bp.dyn.Alpha(1, tau_decay=tau)``, ``bp.dyn.Expon(1,
    tau=tau)`` or ``bp.dyn.DualExpon(1, tau_decay=tau, tau_rise=tau_rise)``,
    ``tau_rise = tau`` when it is not given) is stepped with
    ``bm.for_loop`` (no progress bar) and fed ``weight`` times the spikes that
    a ``bp.neurons.SpikeTimeGroup`` (one neuron per spike time) emits at each
    step, in 64-bit floats (``bm.environment(x64=True)``, restored afterwards)
    so that it can be compared with :func:`alphakit.simulate` to rounding error.

    Parameters
    ----------
    spike_times : array_like
        Spike times (ms) in ``[0, duration)``; off-grid times are placed by
        ``SpikeTimeGroup`` (see Notes).
    weight : float
        The input per spike. ``Alpha`` adds it to ``h`` (norm ``"plain"``: peak
        ``weight / e``); ``Expon`` adds it to ``g`` (norm ``"peak"``: a jump of
        ``weight``); ``DualExpon`` adds ``a * weight`` to ``h``, with ``a =
        (tau_rise/tau)^(tau_rise/(tau_rise - tau)) / tau_rise`` (``e / tau`` for
        equal time constants) the inverse peak of its equations' response
        (norm ``"peak"``: peak ``weight``, for the exact solution).
    tau : float
        ``tau_decay`` (Alpha, DualExpon) or ``tau`` (Expon) (ms).
    dt : float
        Step (ms).
    duration : float
        Length of the recording (ms).
    model : {"Alpha", "Expon", "DualExpon"}, optional
        Default: the kind's model (``Alpha``, ``Expon``, ``DualExpon``).
    kind : {"alpha", "exp", "dual_exp"}, optional
        Default: the model's kind (``"alpha"`` for ``DualExpon`` without
        ``tau_rise``: its equal-time-constant limit; ``"dual_exp"`` when
        ``tau_rise`` is given).
    tau_rise : float, optional
        DualExpon's ``tau_rise`` (ms), > 0; required for ``kind="dual_exp"``,
        refused for the other kinds.
    method : str
        BrainPy's integrator, one of :data:`alphakit.brainpy.BRAINPY_METHODS`.
        None is exact for the coupled systems (Alpha, DualExpon);
        ``exp_auto`` is exact for Expon's one equation. ``exp_auto``, ``euler``,
        ``rk2`` and ``rk4`` equal :func:`alphakit.simulate` with the same
        method (``exp_auto`` is ``"exp_euler"`` there), whose error against
        the kernel is known; BrainPy's other explicit methods of the same
        orders give the same steps on these linear systems. DualExpon's
        equations are alphakit's ``form="legacy"`` with the jump ``a * weight``
        (see :func:`dualexpon_overshoot` for what ``exp_auto`` does to its peak).

    Returns
    -------
    PeerResponse
        ``lag = 0``; ``norm`` as above.

    Notes
    -----
    Timing: ``update(x)`` first integrates over the step, then adds ``x`` to
    ``h`` (``g`` for Expon); a spike fed at step ``m`` reaches ``g`` at step
    ``m + 1`` (Expon: ``g`` is ``weight`` at step ``m``): lag 0, exactly the
    step order of :func:`alphakit.simulate`. Sources: brainpy
    ``brainpy/dyn/synapses/abstract_models.py`` (``Expon.update``,
    ``DualExpon.update`` and ``_dual_exp_a``, BrainPy 2.9). Inside a network a
    projection adds one step; see the timing convention in :mod:`alphakit.ode`.

    Off-grid times: ``SpikeTimeGroup`` fires, at the step with time ``t = i *
    dt``, every pending spike with ``t >= t_s`` (brainpy
    ``brainpy/dyn/others/input.py``, ``SpikeTimeGroup._cond_fun``): the first
    step at or after the spike time, compared here in float64 (x64 is on;
    float32 otherwise, as in :func:`alphakit.brainpy.run_synapse`). 10.25 ms at
    ``dt = 0.1`` fires at step 103. ``spike_times`` of the result are the
    placed times; the rule is ``OFFGRID_RULES["BrainPy"]``.

    Examples
    --------
    >>> r = run_brainpy([1.0], tau=2.0, duration=10.0)  # doctest: +SKIP
    >>> r.lag, r.norm  # doctest: +SKIP
    (0.0, 'plain')
    >>> d = run_brainpy([1.0], tau=5.0, tau_rise=1.0, duration=20.0)  # doctest: +SKIP
    >>> d.model, d.kind, d.norm  # doctest: +SKIP
    ('bp.dyn.DualExpon', 'dual_exp', 'peak')
    """
    grid = check_grid(
        spike_times, dt, duration, lambda t, step: brainpy_steps(t, step, x64=True)
    )
    weight = v.finite_scalar("weight", weight)
    tau = v.positive_scalar("tau", tau)
    kind, model, rise = resolve_kind(kind, tau_rise, model, _KINDS, limit=("DualExpon",))
    method = v.choice("method", method, BRAINPY_METHODS)

    bp = require("brainpy", "brainpy")
    bm = bp.math
    n_spikes = grid.times.size
    with bm.environment(x64=True, dt=grid.dt):
        source = bp.neurons.SpikeTimeGroup(
            n_spikes, indices=np.arange(n_spikes), times=grid.times
        )
        if model == "Alpha":
            syn = bp.dyn.Alpha(1, tau_decay=tau, method=method)
        elif model == "Expon":
            syn = bp.dyn.Expon(1, tau=tau, method=method)
        else:
            rise_used = tau if rise is None else rise
            syn = bp.dyn.DualExpon(1, tau_decay=tau, tau_rise=rise_used, method=method)

        def step(i: Any) -> Any:
            # as DSRunner does: t = t0 + i * dt (brainpy/runners.py)
            bp.share.save(i=i, t=0.0 + i * grid.dt, dt=grid.dt)
            spikes = source.update()
            return syn.update(weight * bm.sum(bm.asarray(spikes, dtype=bm.float64))[None]), spikes

        out, fired = bm.for_loop(step, bm.arange(grid.n), progress_bar=False)
        response = np.asarray(out, dtype=np.float64)[:, 0]
        emitted = np.nonzero(np.asarray(fired))[0]
    if not np.array_equal(np.sort(emitted), np.sort(grid.index)):  # pragma: no cover
        raise RuntimeError("SpikeTimeGroup fired at other steps than its rule says")
    return PeerResponse(
        t=grid.t,
        response=response,
        simulator="BrainPy",
        model=f"bp.dyn.{model}",
        version=str(bp.__version__),
        quantity="g",
        unit="1",
        norm="plain" if model == "Alpha" else "peak",
        convention=_CONVENTIONS[model, kind],
        lag=0.0,
        method=method,
        timing=(
            "update(x): integrate, then h += x; input at step m reaches g at m + 1 (lag 0); "
            "a projection from a neuron group adds one step"
            if model != "Expon"
            else "update(x): integrate, then g += x; g is x at step m (lag 0); "
            "a projection from a neuron group adds one step"
        ),
        weight=weight,
        tau=tau,
        dt=grid.dt,
        spike_times=grid.index * grid.dt,
        tau_rise=recorded_rise(kind, tau, rise),
        kind=kind,
    )


_CONVENTIONS = {
    ("Alpha", "alpha"): "brainpy_alpha",
    ("Expon", "exp"): "brainpy_expon",
    ("DualExpon", "alpha"): "brainpy_dualexpon_equal",
    ("DualExpon", "dual_exp"): "brainpy_dualexpon",
}
