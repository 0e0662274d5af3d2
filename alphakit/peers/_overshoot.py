"""BrainPy's ``DualExpon`` with its default integrator, against its own unit-peak norm."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import _validation as v
from .._display import html_repr, text_repr
from ..kernels import kernel_properties
from ..ode import simulate, step_matrix
from ._brainpy import run_brainpy


@dataclass(frozen=True)
class DualExponOvershoot:
    """The peak of BrainPy's ``DualExpon`` (``exp_auto``) above 1, one value per step.

    Attributes
    ----------
    dt : numpy.ndarray
        The steps (ms).
    measured : numpy.ndarray
        Live BrainPy: largest sample of ``g`` after one spike of weight 1, minus 1.
    simulated : numpy.ndarray
        The same from :func:`alphakit.simulate` with ``kind="dual_exp",
        form="legacy", method="exp_euler"`` (BrainPy's equations and
        integrator) and the jump ``a`` of BrainPy's normaliser.
    step_ratio : numpy.ndarray
        ``M[0, 1] / E[0, 1] - 1``, with ``M`` the exp_euler and ``E`` the exact
        :func:`alphakit.step_matrix` of those equations: how much each step's
        transfer from ``h`` to ``g`` exceeds the exact one. The two matrices
        share their diagonal, so exp_euler's ``g`` is exactly ``1 +
        step_ratio`` times the exact, sampled kernel: ``measured <=
        step_ratio``, with equality when a sample falls on the peak.
    first_order : numpy.ndarray
        ``dt / (2 tau_rise)``, the leading term of ``step_ratio``.
    tau_rise, tau_decay : float
        The time constants (ms).
    version : str
        BrainPy's version.
    """

    dt: NDArray[np.float64]
    measured: NDArray[np.float64]
    simulated: NDArray[np.float64]
    step_ratio: NDArray[np.float64]
    first_order: NDArray[np.float64]
    tau_rise: float
    tau_decay: float
    version: str

    __repr__ = text_repr
    _repr_html_ = html_repr


def dualexpon_overshoot(
    dt_values: ArrayLike, *, tau_rise: float, tau_decay: float
) -> DualExponOvershoot:
    """Measure how far BrainPy's ``DualExpon`` with ``exp_auto`` overshoots its unit peak.

    BrainPy 2.9's ``bp.dyn.DualExpon`` integrates ``dg/dt = -g/tau_decay + h``,
    ``dh/dt = -h/tau_rise`` and adds ``a = 1 / (peak of g for h <- 1)`` to
    ``h`` per unit of input, so that the exact response to a spike of weight 1
    peaks at 1. Its default integrator, ``exp_auto``, is the exponential Euler
    method: each variable's own decay is exact, but ``h`` is held at its value
    from the start of the step while it feeds ``g``. Since ``h`` decays within
    the step, every step hands ``g`` too much, by the factor ``1 +
    step_ratio`` with ``step_ratio = dt/(2 tau_rise) + O((dt/tau_rise)^2)``;
    the whole trace is that factor times the exact kernel, and the peak
    overshoots 1 by about ``dt / (2 tau_rise)``.

    For each ``dt`` one spike of weight 1 is run live through
    :func:`run_brainpy` (``kind="dual_exp"``, ``method="exp_auto"``) and
    through :func:`alphakit.simulate` with the same equations and integrator.

    Parameters
    ----------
    dt_values : array_like
        Steps (ms), each > 0.
    tau_rise, tau_decay : float
        ``DualExpon``'s time constants (ms), > 0.

    Returns
    -------
    DualExponOvershoot

    Raises
    ------
    ImportError
        Without BrainPy (``pip install "alphakit[brainpy]"``).

    Examples
    --------
    >>> o = dualexpon_overshoot([0.05, 0.1], tau_rise=0.5, tau_decay=5.0)  # doctest: +SKIP
    >>> o.first_order  # doctest: +SKIP
    array([0.05, 0.1 ])
    >>> bool(((o.measured > 0) & (o.measured <= o.step_ratio)).all())  # doctest: +SKIP
    True
    """
    dts = v.real_array("dt_values", dt_values, ndim=(0, 1)).ravel()
    if dts.size == 0 or np.any(dts <= 0):
        raise ValueError(f"dt_values must hold steps > 0 (ms), got {dts.tolist()!r}")
    tau_rise = v.positive_scalar("tau_rise", tau_rise)
    tau_decay = v.positive_scalar("tau_decay", tau_decay)
    props = kernel_properties(tau_decay, kind="dual_exp", tau_rise=tau_rise, norm="legacy")
    jump = 1.0 / props.peak  # BrainPy's a, from alphakit's closed form
    measured, simulated, ratio = [], [], []
    version = ""
    for dt in dts:
        # past the peak by a few steps and a rise time: the maximum is in the run
        duration = props.peak_time + 4 * tau_rise + 5 * dt
        run = run_brainpy(
            [0.0], weight=1.0, tau=tau_decay, tau_rise=tau_rise, dt=dt, duration=duration
        )
        version = run.version
        measured.append(float(np.max(run.response)) - 1.0)
        spikes = np.zeros(run.t.size)
        spikes[0] = 1.0
        g = simulate(
            spikes, dt, tau_decay, kind="dual_exp", tau_rise=tau_rise, form="legacy",
            method="exp_euler", weight=jump,
        ).g  # fmt: skip
        simulated.append(float(np.max(g)) - 1.0)
        m, e = (
            step_matrix(
                dt, tau_decay, kind="dual_exp", tau_rise=tau_rise, form="legacy", method=how
            )
            for how in ("exp_euler", "exact")
        )
        ratio.append(m[0, 1] / e[0, 1] - 1.0)
    return DualExponOvershoot(
        dt=dts,
        measured=np.array(measured),
        simulated=np.array(simulated),
        step_ratio=np.array(ratio),
        first_order=dts / (2 * tau_rise),
        tau_rise=tau_rise,
        tau_decay=tau_decay,
        version=version,
    )
