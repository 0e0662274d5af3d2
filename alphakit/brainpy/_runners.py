"""Run BrainPy's Alpha synapse: the issue-577 scenario, and driven by given spikes."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike

from .. import _validation as v
from .._timing import brainpy_steps
from .._types import Form
from ..ode import FORMS
from ..spikes import n_steps, times_to_grid
from ._env import check_method, quiet, require_brainpy
from ._results import Issue577Result, SynapseRun

__all__ = ["run_issue_577", "run_synapse"]


def synapse_class(form: str) -> type:
    """``bp.synapses.Alpha`` (form "fixed") or its legacy drop-in."""
    require_brainpy()
    with quiet():
        import brainpy as bp

        from ._models import LegacyAlphaSynapse
    return bp.synapses.Alpha if form == "fixed" else LegacyAlphaSynapse


def run_issue_577(
    *,
    tau: float = 8.6,
    weight: float = 1.0,
    dt: float = 0.1,
    duration: float = 200.0,
    input_current: float = 25.0,
    method: str = "rk4",
    form: Form = "fixed",
    progress_bar: bool = False,
) -> Issue577Result:
    """Run the reproducer of BrainPy issue 577 on the installed BrainPy.

    As its reporter wrote it: a LIF neuron (``bp.neurons.LIF``, rk4) driven by
    a constant input current -> ``bp.synapses.Alpha`` (All2All, CUBA output)
    -> a second LIF neuron, run by ``bp.DSRunner``. With ``form="legacy"`` the
    synapse is :class:`~alphakit.brainpy.LegacyAlphaSynapse`, the pre-fix
    dynamics of BrainPy <= 2.4.6, which reproduces that version's recorded
    traces.

    Parameters
    ----------
    tau : float
        Synaptic time constant ``tau_decay`` (ms), > 0.
    weight : float
        Synaptic weight (finite), the projection's ``g_max``.
    dt : float
        Time step (ms), > 0.
    duration : float
        Length of the run (ms), > 0.
    input_current : float
        Constant current into the presynaptic neuron (25 fires it every 18 ms).
    method : str
        The synapse's BrainPy integrator, one of
        :data:`~alphakit.brainpy.BRAINPY_METHODS` (the issue used ``"rk4"``).
    form : {"fixed", "legacy"}
        BrainPy's own Alpha (``tau dg/dt = -g + h``) or the pre-fix one
        (``dg/dt = -g/tau + h``).
    progress_bar : bool
        Show BrainPy's progress bar (off by default, to keep notebook output clean).

    Returns
    -------
    Issue577Result
        Monitored ``t``, ``pre_spike``, ``g``, ``h``, ``pre_V``, ``post_V`` as
        float64 arrays of shape ``(T,)``, and the parameters.

    Notes
    -----
    ``g`` lags ``alphakit.simulate(pre_spike, dt, tau, form=form, method=method).g`` by one
    step; see the timing convention in :mod:`alphakit.ode`. Each call builds
    and compiles the network anew. The global ``dt`` of ``brainpy.math`` is
    left as it was.

    Examples
    --------
    >>> from alphakit.brainpy import run_issue_577
    >>> fixed = run_issue_577()
    >>> legacy = run_issue_577(form="legacy")
    >>> round(float(legacy.g.max() / fixed.g.max()), 3)
    8.6
    """
    tau = v.positive_scalar("tau", tau)
    weight = v.finite_scalar("weight", weight)
    dt = v.positive_scalar("dt", dt)
    duration = v.positive_scalar("duration", duration)
    input_current = v.finite_scalar("input_current", input_current)
    method = check_method(method)
    form = v.choice("form", form, FORMS)
    progress_bar = v.flag("progress_bar", progress_bar)
    T = n_steps(duration, dt)

    bp, bm = require_brainpy()
    synapse = synapse_class(form)
    with quiet(), bm.environment(dt=dt):
        pre = bp.neurons.LIF(1, method="rk4")
        post = bp.neurons.LIF(1, method="rk4")
        syn = synapse(
            pre,
            post,
            bp.connect.All2All(),
            g_max=weight,
            tau_decay=tau,
            output=bp.synouts.CUBA(),
            method=method,
        )
        net = bp.Network(pre=pre, syn=syn, post=post)
        runner = bp.DSRunner(
            net,
            inputs=[("pre.input", input_current)],
            monitors=["pre.V", "pre.spike", "post.V", "syn.g", "syn.h"],
            dt=dt,
            jit=True,
            progress_bar=progress_bar,
        )
        runner.run(T * dt)
        mon = runner.mon

        def col(key: str) -> np.ndarray:
            return np.asarray(mon[key], dtype=np.float64).reshape(T, -1)[:, 0].copy()

        result = Issue577Result(
            t=np.arange(T, dtype=np.float64) * dt,
            pre_spike=col("pre.spike"),
            g=col("syn.g"),
            h=col("syn.h"),
            pre_V=col("pre.V"),
            post_V=col("post.V"),
            tau=tau,
            weight=weight,
            dt=dt,
            duration=duration,
            input_current=input_current,
            method=method,
            form=form,
            brainpy_version=bp.__version__,
        )
    return result


# Compiled networks for run_synapse, keyed by everything that is baked into
# the compiled code; a widget moving a slider back and forth hits this cache.
_CACHE_SIZE = 32


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _compiled(
    n: int,
    synapse: type,
    tau: float,
    method: str,
    weight: float | tuple[float, ...],
    dt: float,
    progress_bar: bool,
) -> Any:
    _, bm = require_brainpy()
    with quiet(), bm.environment(dt=dt):
        from ._driven import compile_driven_synapses

        g_max = np.asarray(weight, dtype=np.float32) if isinstance(weight, tuple) else weight
        return compile_driven_synapses(n, synapse, tau, method, g_max, progress_bar)


def drive(
    spikes: np.ndarray,
    dt: float,
    tau: float,
    method: str,
    synapse: type,
    weight: float | np.ndarray,
    progress_bar: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Validated ``spikes`` (T, n) through ``synapse``; returns float64 (g, h), (T, n)."""
    _, bm = require_brainpy()
    key = tuple(float(w) for w in weight) if isinstance(weight, np.ndarray) else float(weight)
    run = _compiled(spikes.shape[1], synapse, tau, method, key, dt, progress_bar)
    with quiet(), bm.environment(dt=dt):
        received, _, h = run(spikes)
    # ``received`` is what BrainPy's comm delivered to the postsynaptic side,
    # i.e. g_max (the weight) times the synapse's g; h is not weighted by BrainPy, so we do it.
    g, h = received.astype(np.float64), h.astype(np.float64) * weight
    if not (np.isfinite(g.sum()) and np.isfinite(h.sum())):
        raise ValueError(
            f"BrainPy's {method!r} integrator overflowed at dt={dt} for tau={tau} (explicit "
            "methods are unstable when dt is comparable to tau); use a smaller dt or exp_auto"
        )
    return g, h


def _spike_time_group_grid(
    spike_times: ArrayLike | Sequence[ArrayLike], dt: float, duration: float
) -> np.ndarray:
    """Spike counts per step as ``bp.neurons.SpikeTimeGroup`` emits ``spike_times``."""
    import jax

    # times_to_grid checks the times and the shape (one train or n); only the steps differ
    checked = times_to_grid(spike_times, dt, duration=duration, rounding="ceil")
    trains = [spike_times] if checked.ndim == 1 else list(cast(Iterable[ArrayLike], spike_times))
    x64 = bool(jax.config.read("jax_enable_x64"))
    out = np.zeros((checked.shape[0], len(trains)))
    for j, train in enumerate(trains):
        steps = brainpy_steps(np.ravel(np.asarray(train, dtype=np.float64)), dt, x64=x64)
        # SpikeTimeGroup's spike is a bool: two times in one step are one spike
        out[:, j] = np.bincount(steps, minlength=checked.shape[0])[: checked.shape[0]] > 0
    return out[:, 0] if checked.ndim == 1 else out


def run_synapse(
    spikes: ArrayLike | None = None,
    *,
    spike_times: ArrayLike | Sequence[ArrayLike] | None = None,
    dt: float,
    tau: float,
    duration: float | None = None,
    method: str = "exp_auto",
    form: Form = "fixed",
    weight: ArrayLike = 1.0,
    progress_bar: bool = False,
) -> SynapseRun:
    """Drive BrainPy's Alpha synapse (or the pre-fix one) with given spikes.

    Each column of ``spikes`` is one presynaptic neuron with its own synapse
    (``bp.synapses.Alpha``, One2One, CUBA output, or
    :class:`~alphakit.brainpy.LegacyAlphaSynapse` for ``form="legacy"``).

    Parameters
    ----------
    spikes : array_like, optional
        Presynaptic spike counts per step, shape ``(T,)`` or ``(T, n)``.
    spike_times : array_like or sequence of array_like, optional
        Spike times (ms) in ``[0, duration)`` of one train, or of ``n`` trains,
        instead of ``spikes`` (needs ``duration``). They are placed on the grid
        exactly as BrainPy's ``bp.neurons.SpikeTimeGroup`` emits them: at the
        first step whose time ``n * dt`` is at or after the spike time (a
        ceiling, like ``times_to_grid(..., rounding="ceil")``), compared in
        BrainPy's float precision (float32 unless JAX's x64 mode is on); a spike
        that would fire at or after ``duration`` is not emitted. See Notes.
    dt : float
        Time step (ms), > 0.
    tau : float
        Synaptic time constant (ms), > 0.
    duration : float, optional
        Length (ms); required with ``spike_times``. With ``spikes`` it may be
        given but must match ``T`` steps.
    method : str
        BrainPy integrator, one of :data:`~alphakit.brainpy.BRAINPY_METHODS`.
    form : {"fixed", "legacy"}
        ``tau dg/dt = -g + h`` (BrainPy >= 2.5) or ``dg/dt = -g/tau + h`` (<= 2.4.6).
    weight : float or array_like
        Weight (the projection's ``g_max``): a scalar, or one per synapse for ``n`` columns.
    progress_bar : bool
        Show BrainPy's progress bar.

    Returns
    -------
    SynapseRun
        ``t``, ``spikes``, and float64 ``g`` and ``h`` of the shape of the spikes.

    Notes
    -----
    ``g[n] == weight * simulate(spikes, dt, tau, form=form, method=method).g[n - 1]``
    (``method="exp_auto"`` is alphakit's ``"exp_euler"``): the spikes drive
    the synapse through a projection, as a neuron's would; see the timing
    convention in :mod:`alphakit.ode`.

    ``spike_times`` give the same spikes as a ``SpikeTimeGroup`` with those
    times feeding the same synapse: SpikeTimeGroup fires, at the step with time
    ``t = i * dt`` (``DSRunner``: ``share.save(t=self.t0 + i * self.dt)`` in
    ``brainpy/runners.py``), every pending spike with ``t >= time``
    (``SpikeTimeGroup._cond_fun`` in ``brainpy/dyn/others/input.py``). So
    ``[6.4, 6.6, 10.25, 12.0]`` at ``dt = 0.5`` fire at steps 13, 14, 21, 24.
    In float32 a grid time can fire one step late (at ``dt = 0.01``, 0.05 ms
    fires at step 6, since ``f32(5) * f32(0.01) < f32(0.05)``); ``run_synapse``
    does the same. SpikeTimeGroup's spike is a bool, so two times of one train
    that fire in the same step are one spike, here too (``spikes`` counts them).
    ``run.spikes`` holds the placed spikes.

    The first call with a given ``(n, tau, dt, method, form, weight)`` builds
    and compiles a network; later calls with the same settings reuse it (the
    last 32 are kept). A new number of steps recompiles the same network once.

    Examples
    --------
    >>> import numpy as np
    >>> from alphakit.brainpy import run_synapse
    >>> run = run_synapse(spike_times=[10.0], dt=0.1, tau=8.6, duration=50.0, method="rk4")
    >>> int(np.argmax(run.g)), round(float(run.g.max()), 4)  # tau after the spike, plus 1 step
    (187, 0.3679)
    """
    dt = v.positive_scalar("dt", dt)
    tau = v.positive_scalar("tau", tau)
    method = check_method(method)
    form = v.choice("form", form, FORMS)
    progress_bar = v.flag("progress_bar", progress_bar)
    if (spikes is None) == (spike_times is None):
        raise TypeError("give exactly one of spikes or spike_times")
    if spikes is None:
        if duration is None:
            raise TypeError("spike_times needs duration (ms)")
        grid = _spike_time_group_grid(spike_times, dt, duration)
    else:
        grid = v.spike_array("spikes", spikes)
        if duration is not None and n_steps(duration, dt) != grid.shape[0]:
            raise ValueError(
                f"duration={duration!r} at dt={dt!r} is {n_steps(duration, dt)} steps, "
                f"but spikes has {grid.shape[0]}"
            )
    one = grid.ndim == 1
    grid2 = grid[:, None] if one else grid
    w = v.weight_array("weight", weight, None if one else grid2.shape[1])
    bp, _ = require_brainpy()
    g, h = drive(grid2, dt, tau, method, synapse_class(form), w, progress_bar)
    if one:
        g, h = g[:, 0], h[:, 0]
    return SynapseRun(
        t=np.arange(grid.shape[0], dtype=np.float64) * dt,
        spikes=grid.copy(),
        g=g,
        h=h,
        dt=dt,
        tau=tau,
        weight=w.copy() if isinstance(w, np.ndarray) else w,
        method=method,
        form=form,
        brainpy_version=bp.__version__,
    )
