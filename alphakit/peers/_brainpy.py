"""BrainPy: ``bp.dyn.Alpha`` and ``bp.dyn.DualExpon`` (equal time constants), driven directly."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .. import _validation as v
from .._optional import require
from .._timing import brainpy_steps
from ..brainpy import BRAINPY_METHODS
from ._common import PeerResponse, check_grid

BRAINPY_MODELS: tuple[str, ...] = ("Alpha", "DualExpon")


def run_brainpy(
    spike_times: ArrayLike,
    *,
    weight: float = 1.0,
    tau: float = 5.0,
    dt: float = 0.1,
    duration: float = 50.0,
    model: str = "Alpha",
    method: str = "exp_auto",
) -> PeerResponse:
    """Drive a BrainPy synapse-dynamics object with spikes and record ``g``.

    The synapse (``bp.dyn.Alpha(1, tau_decay=tau)`` or
    ``bp.dyn.DualExpon(1, tau_decay=tau, tau_rise=tau)``) is stepped with
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
        ``weight / e``); ``DualExpon`` adds ``a * weight`` with ``a = e / tau`` for
        equal time constants (norm ``"peak"``: peak ``weight``).
    tau : float
        ``tau_decay`` (and ``tau_rise`` for DualExpon) (ms).
    dt : float
        Step (ms).
    duration : float
        Length of the recording (ms).
    model : {"Alpha", "DualExpon"}
    method : str
        BrainPy's integrator, one of :data:`alphakit.brainpy.BRAINPY_METHODS`.
        None is exact for this coupled system. ``exp_auto``, ``euler``,
        ``rk2`` and ``rk4`` equal :func:`alphakit.simulate` with the same
        method (``exp_auto`` is ``"exp_euler"`` there), whose error against
        the kernel is known; BrainPy's other explicit methods of the same
        orders give the same steps on this linear system.

    Returns
    -------
    PeerResponse
        ``lag = 0``; ``norm`` as above.

    Notes
    -----
    Timing: ``update(x)`` first integrates over the step, then adds ``x`` to
    ``h``; a spike fed at step ``m`` reaches ``g`` at step ``m + 1``: lag 0,
    exactly the step order of :func:`alphakit.simulate`. Inside a network a
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
    """
    grid = check_grid(
        spike_times, dt, duration, lambda t, step: brainpy_steps(t, step, x64=True)
    )
    weight = v.finite_scalar("weight", weight)
    tau = v.positive_scalar("tau", tau)
    model = v.choice("model", model, BRAINPY_MODELS)
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
        else:
            syn = bp.dyn.DualExpon(1, tau_decay=tau, tau_rise=tau, method=method)

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
        convention="brainpy_alpha" if model == "Alpha" else "brainpy_dualexpon_equal",
        lag=0.0,
        method=method,
        timing=(
            "update(x): integrate, then h += x; input at step m reaches g at m + 1 (lag 0); "
            "a projection from a neuron group adds one step"
        ),
        weight=weight,
        tau=tau,
        dt=grid.dt,
        spike_times=grid.index * grid.dt,
        tau_rise=tau,
    )
