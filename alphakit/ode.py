"""The synapses as linear ODEs, in every form, with every integrator.

Three kinds (``kind=``): the alpha synapse (two states, one time constant), the
exponential synapse (one state) and the dual-exponential synapse (two states,
``tau_rise`` and ``tau`` the decay time constant). For the two-state kinds the
state is ``x = (g, h)``; a spike of weight ``w`` at step ``n`` adds ``w`` to ``h``.

The alpha synapse:

* ``form="fixed"`` (BrainPy >= 2.5, Brian2's docs): ``tau dg/dt = -g + h``,
  ``dh/dt = -h/tau``. One spike gives ``g(t) = w t/tau e^(-t/tau)`` (norm "plain").
* ``form="legacy"`` (BrainPy <= 2.4.6): ``dg/dt = -g/tau + h``,
  ``dh/dt = -h/tau``. One spike gives ``w t e^(-t/tau)``: ``tau`` times larger.

Both are ``dx/dt = A x`` with ``A = -I/tau + N``, ``N = [[0, c], [0, 0]]``,
``c = 1/tau`` (fixed) or ``1`` (legacy). Every integrator applied to a linear
system is a fixed 2x2 matrix ``M`` per step (:func:`step_matrix`), and since
``N^2 = 0`` any function of ``A`` is ``f(-1/tau) I + f'(-1/tau) N``. So one
linear-recurrence engine runs all methods: ``x[n] = M x[n-1] + (0, w s[n])``,
which is a pair of IIR filters along time (:func:`scipy.signal.lfilter`), with
no Python loop over steps.

The exponential synapse (``kind="exp"``, NEST ``iaf_psc_exp``, NEURON ``ExpSyn``,
BrainPy ``Expon``): ``dg/dt = -g/tau``, a spike adds ``w`` to ``g``, so
``g(t) = w e^(-t/tau)`` (:func:`alphakit.exp_kernel`, norm "plain"). It is the
alpha synapse's ``h`` equation alone, and runs as that row of the same engine:
``g[n] = a g[n-1] + w s[n]`` with ``a = e^(-dt/tau)`` ("exact" and "exp_euler",
which is exact for one linear equation) or its Taylor polynomial (euler, rk2,
rk4). It has one form only.

The dual-exponential synapse (``kind="dual_exp"``): ``dg/dt = -g/tau + c h``,
``dh/dt = -h/tau_rise``, with ``c = 1/tau_rise`` (``form="fixed"``: one spike
gives ``g = w D/tau_rise``, norm "plain" of :func:`alphakit.dual_exp_kernel`) or
``c = 1`` (``form="legacy"``: BrainPy's ``DualExpon`` equations, ``g = w D``,
norm "legacy"; BrainPy scales the jump by its peak normaliser). ``A`` is
upper triangular with two eigenvalues, ``-1/tau`` (g) and ``-1/tau_rise`` (h), so
``f(dt A)`` has diagonal ``f(-dt/tau)``, ``f(-dt/tau_rise)`` and off-diagonal
``c dt`` times the divided difference ``(f(x) - f(y))/(x - y)`` of ``f`` at the two,
computed without cancellation (``expm1`` for "exact", the expanded polynomial for
euler/rk2/rk4). It tends to ``f'``, the alpha synapse's entry, as
``tau_rise -> tau``: every integrator is continuous through equal time constants
and equals the alpha synapse's there.

Timing convention
-----------------
Every lag in alphakit, in its docstrings, tables and diagnoses, is counted
from this one rule. Step ``n`` is time ``t_n = n dt``, and ``s[n]`` counts the
spikes of step ``n``.

* alphakit: a step first advances the state over ``dt``, then adds that
  step's spikes to ``h`` (BrainPy's order): ``x[n] = M x[n-1]``, then
  ``h[n] += w s[n]``. A spike at step ``m`` is in ``h[m]`` and first reaches
  ``g`` at step ``m + 1``, which is where the sampled kernel (0 at lag 0) puts
  it: ``simulate(s, dt, tau, form="fixed", method="exact").g`` equals
  ``convolve_spikes(s, dt, tau)`` (:mod:`alphakit.convolution`), **lag 0**.
* BrainPy, a synapse-dynamics object stepped directly with ``update(x)``
  (:func:`alphakit.peers.run_brainpy`): the same order, lag 0.
* BrainPy, a synapse between neurons (a projection, ``bp.synapses.Alpha``;
  every runner of :mod:`alphakit.brainpy` and the network of
  :mod:`alphakit.network`): the synapse reads the presynaptic spike one step
  late, so its ``g[n]`` is ``simulate(s, dt, tau, form=form, method=method).g[n - 1]`` (and
  ``convolve_spikes(s, dt, tau)[n - 1]`` up to the integrator's error): a
  spike at step ``m`` first shows in ``g`` at step ``m + 2``, **lag 1** when
  ``s`` is the presynaptic neuron's recorded spikes.
* NEST: a spike sent at ``t_s`` arrives after the connection's delay (at
  least ``dt``), and the response, sampled at the end of each step, is the
  kernel started at ``t_s + delay``: lag = delay. The multimeter's first
  sample is at ``t = dt``; :func:`alphakit.peers.run_nest` prepends the
  initial 0 at ``t = 0``.
* Brian2: a step records first (``StateMonitor`` in the ``start`` slot), then
  integrates, then delivers the step's spikes: lag = delay + ``dt``.

:func:`alphakit.diagnose` measures the lag of any recording.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from . import _validation as v
from ._display import html_repr, text_repr
from ._engine import RecurrenceOverflow, propagate, propagate_h
from ._kernel_math import KERNEL_NORMS, exp_step, kind_step
from ._types import Form, Kind, Method, MethodOrAlias, Outputs

__all__ = ["FORMS", "METHODS", "OUTPUTS", "Trace", "simulate", "step_matrix"]

FORMS: tuple[Form, ...] = ("fixed", "legacy")
METHODS: tuple[Method, ...] = ("euler", "rk2", "rk4", "exp_euler", "exact")
#: What :func:`simulate` stores: both state variables, or g alone.
OUTPUTS: tuple[Outputs, ...] = ("both", "g")
# BrainPy's name for its default integrator; for this model it is exp_euler.
_ALIASES: dict[str, Method] = {"exp_auto": "exp_euler"}


class Trace(NamedTuple):
    """Conductance ``g`` and auxiliary variable ``h`` of :func:`simulate`.

    ``h`` is None when :func:`simulate` was asked for ``outputs="g"``.
    """

    g: np.ndarray
    h: np.ndarray | None

    def __repr__(self) -> str:
        return text_repr(self)

    def _repr_html_(self) -> str:
        return html_repr(self)


def _method(method: str) -> Method:
    if isinstance(method, str) and method in _ALIASES:
        return _ALIASES[method]
    return v.choice("method", method, METHODS)


def _form(form: str, kind: str) -> Form:
    form = v.choice("form", form, FORMS)
    if kind == "exp" and form != "fixed":
        raise ValueError(
            f"form={form!r} does not exist for kind='exp' (the exponential synapse has one "
            "equation, dg/dt = -g/tau); forms are for kind='alpha' and kind='dual_exp'"
        )
    return form


def _kind(kind: str, tau_rise: float | None) -> tuple[Kind, float | None]:
    return v.kernel_kind(kind, tau_rise, KERNEL_NORMS)


def step_matrix(
    dt: float,
    tau: float,
    *,
    method: MethodOrAlias = "exact",
    form: Form = "fixed",
    kind: Kind = "alpha",
    tau_rise: float | None = None,
) -> np.ndarray:
    """The matrix that advances the synapse's state by one step of ``dt``.

    Parameters
    ----------
    dt, tau : float
        Step and time constant (ms), finite and > 0 (the decay time constant
        for ``kind="dual_exp"``).
    method : {"euler", "rk2", "rk4", "exp_euler", "exact"}
        Integrator. ``"exp_euler"`` is BrainPy's ``exp_auto`` (each variable by
        the exponential-Euler formula, the other held at its start-of-step
        value); ``"exp_auto"`` is accepted as an alias. ``"exact"`` is the
        matrix exponential ``expm(dt A)``.
    form : {"fixed", "legacy"}
        Alpha: ``tau dg/dt = -g + h`` or ``dg/dt = -g/tau + h`` (BrainPy <= 2.4.6).
        Dual exponential: ``dg/dt = -g/tau + h/tau_rise`` or ``dg/dt = -g/tau + h``
        (BrainPy's ``DualExpon``). The exponential synapse has only ``"fixed"``.
    kind : {"alpha", "exp", "dual_exp"}
        Synapse (see :mod:`alphakit.ode`).
    tau_rise : float, optional
        Rise time constant (ms), > 0; required for ``kind="dual_exp"`` only.

    Returns
    -------
    numpy.ndarray
        ``M`` with ``(g, h)[n] = M @ (g, h)[n-1]`` between spikes: 2x2 upper
        triangular; 1x1 (``[[a]]``, ``g[n] = a g[n-1]``) for ``kind="exp"``.

    Examples
    --------
    >>> step_matrix(0.1, 1.0, method="euler")
    array([[0.9, 0.1],
           [0. , 0.9]])
    >>> step_matrix(0.1, 1.0, method="euler", kind="exp")
    array([[0.9]])
    >>> M = step_matrix(0.1, 2.0, kind="dual_exp", tau_rise=2.0)
    >>> bool(np.allclose(M, step_matrix(0.1, 2.0)))
    True
    """
    method = _method(method)
    kind, tau_rise = _kind(kind, tau_rise)
    form = _form(form, kind)
    dt = v.positive_scalar("dt", dt)
    tau = v.positive_scalar("tau", tau)
    if kind == "exp":
        return np.array([[exp_step(method, dt, tau)]])
    return kind_step(kind, method, form, dt, tau, tau_rise)


def simulate(
    spikes: ArrayLike,
    dt: float,
    tau: float,
    *,
    kind: Kind = "alpha",
    tau_rise: float | None = None,
    form: Form = "fixed",
    method: MethodOrAlias = "exact",
    weight: ArrayLike = 1.0,
    dtype: DTypeLike = np.float64,
    allow_fractional: bool = False,
    outputs: Outputs = "both",
    out: np.ndarray | tuple[np.ndarray, ...] | None = None,
) -> Trace:
    """Integrate a synapse driven by spike counts on a grid.

    ``x[n] = M x[n-1]`` then ``h[n] += weight * spikes[n]``, from ``x[-1] = 0``,
    with ``M = step_matrix(dt, tau, method=method, form=form, kind=kind,
    tau_rise=tau_rise)``, for all synapses in one pass over the data (see Notes
    for the engine). For ``kind="exp"`` the spikes go into ``g`` itself:
    ``g[n] = a g[n-1] + weight * spikes[n]``.

    Parameters
    ----------
    spikes : array_like
        Non-negative spike counts, shape ``(T,)`` or ``(T, n)`` (time on axis 0).
    dt, tau : float
        Step and time constant (ms), finite and > 0; ``tau`` is the decay time
        constant for ``kind="dual_exp"``.
    kind : {"alpha", "exp", "dual_exp"}
        Synapse (see :mod:`alphakit.ode`).
    tau_rise : float, optional
        Rise time constant (ms), > 0: required for ``kind="dual_exp"``, refused
        for the others. Equal to ``tau`` it gives the alpha synapse.
    form : {"fixed", "legacy"}
        ODE form (see :mod:`alphakit.ode`); ``kind="exp"`` has ``"fixed"`` only.
    method : {"euler", "rk2", "rk4", "exp_euler", "exact"}
        Integrator (see :func:`step_matrix`).
    weight : float or array_like
        Scalar, or one weight per synapse for 2-D ``spikes``.
    dtype : {numpy.float64, numpy.float32}
        Precision of the input and of ``g`` and ``h``. float32 (BrainPy's
        default precision) halves the memory, and with it the memory traffic
        that paces large arrays, at ~1e-6 relative accuracy.
    allow_fractional : bool
        Accept counts that are not whole numbers (a grid of weighted spikes);
        by default they raise ValueError (see :func:`alphakit.convolve_spikes`).
    outputs : {"both", "g"}
        ``"g"`` stores only g: h is carried through the steps but not kept,
        which saves its memory and the traffic of writing it. g is the same,
        bit for bit, either way. ``kind="exp"`` has no h: it always stores g
        alone (``out`` is then the g array), whatever ``outputs`` says.
    out : ndarray or tuple of ndarray, optional
        Preallocated outputs, as in numpy: ``(g, h)`` for ``outputs="both"``,
        the g array (or ``(g,)``) for ``outputs="g"``. Each must have the shape
        of ``spikes`` and exactly ``dtype``, be C- or F-contiguous and writeable,
        and share no memory with ``spikes`` or the other buffer. They are
        filled in place and returned in the Trace; reusing them across calls
        spares allocating (and the system zeroing) fresh memory each time. If
        the call raises, their contents are unspecified.

    Returns
    -------
    Trace
        ``(g, h)``, each of ``dtype`` with the shape of ``spikes`` (``h`` is
        None with ``outputs="g"`` or ``kind="exp"``). With ``form="fixed",
        method="exact"``, ``g`` equals ``convolve_spikes(spikes, dt, tau,
        weight=weight, kind=kind, tau_rise=tau_rise)`` (lag 0).

    Warns
    -----
    AlphakitWarning
        When ``spikes`` is 2-D with fewer steps than trains (time is axis 0;
        pass ``spikes.T``), or ``tau < dt / 10`` (tau in seconds?).

    Notes
    -----
    The recurrence runs on numba-compiled loops when numba is installed
    (``pip install "alphakit[fast]"``; the ``brainpy`` extra and Binder have it),
    otherwise on scipy's ``lfilter`` and numpy matrix products. Set the
    environment variable ``ALPHAKIT_ENGINE=scipy`` (or ``numba``, ``auto``) to
    choose; both engines agree to rounding (~1e-15 of the peak in float64). On
    the compiled engine a synapse's trace has the same bits in any memory
    layout (C or F order, or the train alone), and one scalar ``weight`` for
    all synapses runs faster than an array of them (``benchmarks/README.md``).
    An array of weights is rounded to ``dtype``, a scalar is used as given:
    the two give the same bits for weights exact in ``dtype``.

    The state is carried in float64 whatever ``dtype`` is; a value that does not
    fit ``dtype`` raises ValueError when it would be stored. With
    ``outputs="g"``, h is not stored and may exceed float32's range on its way.

    Explicit methods are unstable for ``dt > 2 tau`` (Euler; ``tau_rise`` too
    for the dual exponential) and similar limits; they are run anyway, since
    showing that is part of the lesson.

    Examples
    --------
    >>> import numpy as np
    >>> s = np.zeros(100); s[0] = 1
    >>> fixed = simulate(s, dt=0.1, tau=8.6).g
    >>> legacy = simulate(s, dt=0.1, tau=8.6, form="legacy").g
    >>> round(float(legacy[50] / fixed[50]), 10)
    8.6

    Reusing buffers and keeping g only:

    >>> g = np.empty(100)
    >>> trace = simulate(s, dt=0.1, tau=8.6, outputs="g", out=g)
    >>> trace.g is g, trace.h is None, bool(np.array_equal(g, fixed))
    (True, True, True)

    The other kinds:

    >>> from alphakit import dual_exp_kernel, exp_kernel
    >>> t = np.arange(100) * 0.1
    >>> bool(np.allclose(simulate(s, 0.1, 5.0, kind="exp").g, exp_kernel(t, 5.0)))
    True
    >>> dual = simulate(s, 0.1, 5.0, kind="dual_exp", tau_rise=1.0).g
    >>> bool(np.allclose(dual, dual_exp_kernel(t, 1.0, 5.0)))
    True
    """
    dtype = v.float_dtype("dtype", dtype)
    # the values are screened by the engine, in its pass over them (see _engine.propagate)
    s = v.spike_array("spikes", spikes, dtype, values=False)
    dt = v.positive_scalar("dt", dt)
    tau = v.positive_scalar("tau", tau)
    kind, tau_rise = _kind(kind, tau_rise)
    form = _form(form, kind)
    method = _method(method)
    w = v.weight_array("weight", weight, s.shape[1] if s.ndim == 2 else None)
    screen = v.spike_screen("spikes", v.flag("allow_fractional", allow_fractional))
    v.tau_vs_dt(dt, tau)
    if isinstance(w, np.ndarray):
        w = w.astype(dtype)
    want_h = v.choice("outputs", outputs, OUTPUTS) == "both" and kind != "exp"
    names = ("g", "h") if want_h else ("g",)
    checked = v.output_buffers(out, names, s.shape, dtype, inputs=(s, spikes))
    buffers = None if checked is None else (checked[0], checked[1] if want_h else None)
    M = kind_step(kind, method, form, dt, tau, tau_rise)
    try:
        if kind == "exp":
            g_out = None if buffers is None else buffers[0]
            g = propagate_h(s, float(M[1, 1]), w, out=g_out, screen=screen)
            h = None
        else:
            g, h = propagate(s, M, weight=w, want_h=want_h, out=buffers, screen=screen)
    except RecurrenceOverflow:
        a = max(abs(float(M[0, 0])), abs(float(M[1, 1])))
        if a > 1.0:
            taus = f"tau={tau}" if tau_rise is None else f"tau={tau}, tau_rise={tau_rise}"
            raise ValueError(
                f"method {method!r} is unstable at dt={dt} for {taus} (|a|={a:.3g} "
                "per step) and overflowed; use a smaller dt or method='exact'"
            ) from None
        raise ValueError(
            f"g or h overflowed {np.dtype(dtype).name}: the weights or spike counts are too large"
        ) from None
    return Trace(g=g, h=h)
