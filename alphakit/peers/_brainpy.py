"""BrainPy: ``bp.dyn.Alpha`` and ``bp.dyn.DualExpon`` (equal time constants), driven directly."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .. import _validation as v
from .._optional import require
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
    ``bm.for_loop`` (no progress bar) and fed ``weight * spikes[n]`` at step
    ``n``, in 64-bit floats (``bm.environment(x64=True)``, restored afterwards)
    so that it can be compared with :func:`alphakit.simulate` to rounding error.

    Parameters
    ----------
    spike_times : array_like
        Spike times (ms) on the grid ``k * dt`` in ``[0, duration)``.
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

    Examples
    --------
    >>> r = run_brainpy([1.0], tau=2.0, duration=10.0)  # doctest: +SKIP
    >>> r.lag, r.norm  # doctest: +SKIP
    (0.0, 'plain')
    """
    grid = check_grid(spike_times, dt, duration)
    weight = v.finite_scalar("weight", weight)
    tau = v.positive_scalar("tau", tau)
    model = v.choice("model", model, BRAINPY_MODELS)
    method = v.choice("method", method, BRAINPY_METHODS)

    bp = require("brainpy", "brainpy")
    bm = bp.math
    drive = np.bincount(grid.index, minlength=grid.n).astype(np.float64) * weight
    with bm.environment(x64=True, dt=grid.dt):
        if model == "Alpha":
            syn = bp.dyn.Alpha(1, tau_decay=tau, method=method)
        else:
            syn = bp.dyn.DualExpon(1, tau_decay=tau, tau_rise=tau, method=method)

        def step(i: Any, x: Any) -> Any:
            bp.share.save(i=i, t=i * grid.dt, dt=grid.dt)
            return syn.update(x)

        out = bm.for_loop(
            step, (bm.arange(grid.n), bm.asarray(drive[:, None])), progress_bar=False
        )
        response = np.asarray(out, dtype=np.float64)[:, 0]
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
        spike_times=grid.times,
        tau_rise=tau,
    )
