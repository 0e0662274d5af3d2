"""What the BrainPy runners return: plain numpy arrays in small frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .._display import html_repr, text_repr

__all__ = ["IssueScriptResult", "InstalledConvention", "Issue577Result", "SynapseRun"]


@dataclass(frozen=True, eq=False)
class Issue577Result:
    """The issue-577 reproducer as run by :func:`~alphakit.brainpy.run_issue_577`.

    Attributes
    ----------
    t : numpy.ndarray
        Times (ms), ``t[n] = n dt``, shape ``(T,)``.
    pre_spike : numpy.ndarray
        Presynaptic spikes (0/1) per step, shape ``(T,)``.
    g, h : numpy.ndarray
        The synapse's state as BrainPy's monitors recorded it, shape ``(T,)``.
        ``g`` lags ``alphakit.convolve_spikes(pre_spike, dt, tau)`` by one step.
    pre_V, post_V : numpy.ndarray
        Membrane potentials (mV) of the two LIF neurons, shape ``(T,)``.
    tau, weight, dt, duration, input_current : float
        The parameters of the run (``weight`` is the projection's ``g_max``).
    method, form : str
        Synapse integrator and ODE form (``"fixed"`` or ``"legacy"``).
    brainpy_version : str
        ``brainpy.__version__`` of the run.
    """

    t: NDArray[np.float64]
    pre_spike: NDArray[np.float64]
    g: NDArray[np.float64]
    h: NDArray[np.float64]
    pre_V: NDArray[np.float64]
    post_V: NDArray[np.float64]
    tau: float
    weight: float
    dt: float
    duration: float
    input_current: float
    method: str
    form: str
    brainpy_version: str

    __repr__ = text_repr
    _repr_html_ = html_repr


@dataclass(frozen=True, eq=False)
class SynapseRun:
    """Alpha synapses driven by given spikes (:func:`~alphakit.brainpy.run_synapse`).

    Attributes
    ----------
    t : numpy.ndarray
        Times (ms), ``t[n] = n dt``, shape ``(T,)``.
    spikes : numpy.ndarray
        The presynaptic spike counts that drove the synapses, ``(T,)`` or ``(T, n)``.
    g : numpy.ndarray
        Conductance each synapse delivered to its postsynaptic neuron
        (``weight`` times BrainPy's state ``g``), shape of ``spikes``. It lags
        ``simulate(spikes, dt, tau, form=form, method=method).g`` by one step.
    h : numpy.ndarray
        ``weight`` times BrainPy's auxiliary state ``h``, shape of ``spikes``.
    dt, tau : float
        Step and time constant (ms).
    weight : float or numpy.ndarray
        Scalar, or one weight per synapse (the projection's ``g_max``).
    method, form : str
        BrainPy integrator and ODE form.
    brainpy_version : str
        ``brainpy.__version__`` of the run.
    """

    t: NDArray[np.float64]
    spikes: NDArray[np.float64]
    g: NDArray[np.float64]
    h: NDArray[np.float64]
    dt: float
    tau: float
    weight: float | np.ndarray
    method: str
    form: str
    brainpy_version: str

    __repr__ = text_repr
    _repr_html_ = html_repr


@dataclass(frozen=True, eq=False)
class InstalledConvention:
    """One spike through a BrainPy Alpha synapse, measured and classified.

    Attributes
    ----------
    brainpy_version : str
        ``brainpy.__version__``.
    synapse : str
        Qualified name of the synapse class that was measured.
    convention : str
        The norm of :data:`alphakit.NORMS` whose peak and charge match the
        measurement (``"plain"`` for BrainPy >= 2.5, ``"legacy"`` for <= 2.4.6),
        or ``"unknown"`` if none does within ``rtol``.
    peak, peak_time, charge : float
        Measured maximum of ``g``, its time after the spike (ms, the one-step
        delay of BrainPy's synapse removed) and ``sum(g) dt``.
    factor : float
        ``charge / tau``: the measured response in units of the plain kernel
        (1 for "plain", ``tau`` for "legacy").
    rel_errors : dict
        For each norm, the larger of the relative errors of peak and charge
        against :func:`alphakit.kernel_properties`.
    tau, dt : float
        Time constant and step of the measurement (ms).
    method : str
        Integrator used.
    t, g : numpy.ndarray
        The measured trace (spike at ``t = 0``).
    """

    brainpy_version: str
    synapse: str
    convention: str
    peak: float
    peak_time: float
    charge: float
    factor: float
    rel_errors: dict[str, float]
    tau: float
    dt: float
    method: str
    t: NDArray[np.float64]
    g: NDArray[np.float64]

    __repr__ = text_repr
    _repr_html_ = html_repr


@dataclass(frozen=True, eq=False)
class IssueScriptResult:
    """The issue-577 script, run by :func:`~alphakit.brainpy.run_issue_script`.

    Attributes
    ----------
    ratio : float
        ``max(g) / max(convolution)``: about ``tau`` (8.6) with the legacy
        synapse, 1 with today's.
    t, pre_spike, g, convolution : numpy.ndarray
        The script's arrays (``convolution`` is the plain alpha kernel
        convolved with ``pre_spike``), shape ``(T,)``.
    legacy : bool
        Whether :func:`~alphakit.brainpy.use_legacy_alpha` was in force.
    stdout : str
        What the script printed.
    brainpy_version : str
        ``brainpy.__version__``.
    """

    ratio: float
    t: NDArray[np.float64]
    pre_spike: NDArray[np.float64]
    g: NDArray[np.float64]
    convolution: NDArray[np.float64]
    legacy: bool
    stdout: str
    brainpy_version: str

    __repr__ = text_repr
    _repr_html_ = html_repr
