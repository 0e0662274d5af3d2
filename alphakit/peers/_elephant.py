"""Elephant: ``AlphaKernel`` and ``ExponentialKernel`` through ``instantaneous_rate``."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from .. import _validation as v
from .._optional import require
from .._timing import BOUNDARY_RTOL, grid_steps
from .._types import Kind
from ._common import PeerResponse, check_grid, resolve_kind

# Elephant's kernel for each kind, and its standard deviation sigma over tau
_KINDS: dict[str, tuple[Kind, ...]] = {"AlphaKernel": ("alpha",), "ExponentialKernel": ("exp",)}
_SIGMA_PER_TAU = {"alpha": math.sqrt(2.0), "exp": 1.0}


def run_elephant(
    spike_times: ArrayLike,
    *,
    weight: float = 1.0,
    tau: float = 5.0,
    dt: float = 0.1,
    duration: float = 50.0,
    kind: Kind = "alpha",
    cutoff_tau: float = 40.0,
) -> PeerResponse:
    """Convolve spikes with an Elephant kernel as ``instantaneous_rate`` does.

    The kernels are parametrised by their standard deviation: ``tau = sigma /
    sqrt(2)`` for ``AlphaKernel(sigma)``, ``tau = sigma`` for
    ``ExponentialKernel(sigma)`` (``exp(-t/tau)/tau``, evaluated as
    ``scipy.stats.expon.pdf``, so ``1/tau`` at ``t = 0``); ``sigma`` is passed
    accordingly. Both have unit
    area (norm ``"area"``): the rate is in Hz, returned here in 1/ms times
    ``weight``. Two settings make the output the causal kernel on the grid:

    * ``center_kernel=False``; Elephant's default shifts the kernel by its
      median (about ``1.68 tau`` for the alpha, ``ln 2 tau`` for the
      exponential) so the estimate is acausal;
    * ``cutoff`` chosen so that the kernel's half width is a whole number of
      samples and reaches ``cutoff_tau * tau``. Elephant samples the kernel
      on ``linspace(-cutoff sigma, cutoff sigma, 2 K + 1)`` with ``K =
      ceil(cutoff sigma / dt)``; with its default (5 sigma) the spacing is not
      ``dt``, which stretches the kernel by up to ``dt / (5 sigma)`` and truncates it
      at about 7 tau (alpha) or 5 tau (exponential).

    Spike times are passed in units of ``dt`` (whole numbers), because
    Elephant bins them with ``numpy.histogram`` (a floor): in ms, a grid
    time such as 3.3 ms at ``dt = 0.1`` (3.3/0.1 = 32.999...) would land one bin early.

    Parameters
    ----------
    spike_times : array_like
        Spike times (ms) in ``[0, duration)``; Elephant bins off-grid times (see Notes).
    weight : float
        Multiplies the rate; the response to one spike integrates to ``weight``.
    tau : float
        Time constant (ms).
    dt : float
        ``sampling_period`` (ms).
    duration : float
        ``t_stop`` of the spike train (ms).
    kind : {"alpha", "exp"}
        ``AlphaKernel`` or ``ExponentialKernel`` (Elephant has no dual exponential).
    cutoff_tau : float
        Kernel support, in units of ``tau`` (truncation error ``e^-c (1 + c)``
        of the charge for the alpha, ``e^-c`` for the exponential).

    Returns
    -------
    PeerResponse
        ``norm="area"``, ``lag=0``, ``unit="1/ms"``.

    Notes
    -----
    Timing: a spike at ``t_s`` counts in the bin starting at ``t_s`` and the
    sample at ``t`` is ``kernel(t - t_s)`` (lag 0; the exponential's ``1/tau``
    at ``t_s`` itself), up to FFT rounding (about 1e-15 of the peak). Sources:
    elephant ``elephant/kernels.py`` (``AlphaKernel``, ``ExponentialKernel``).

    Off-grid times: ``instantaneous_rate`` bins the train with
    ``numpy.histogram`` on ``n`` equal bins from ``t_start`` (elephant
    ``elephant/statistics.py``, ``instantaneous_rate``), i.e. into
    ``[n dt, (n+1) dt)``: a floor, then the kernel on the grid. 10.25 ms at
    ``dt = 0.1`` counts at 10.2 ms. Times within rounding of a grid point are
    passed as that whole number of steps (above). ``spike_times`` of the
    result are the placed times; the rule is ``OFFGRID_RULES["Elephant"]``.

    Examples
    --------
    >>> r = run_elephant([1.0], tau=2.0, duration=30.0)  # doctest: +SKIP
    >>> round(r.response.sum() * r.dt, 3)  # doctest: +SKIP
    1.0
    >>> e = run_elephant([1.0], tau=2.0, duration=30.0, kind="exp")  # doctest: +SKIP
    >>> e.model, round(e.response.max(), 6)  # doctest: +SKIP
    ('ExponentialKernel', 0.5)
    """
    grid = check_grid(spike_times, dt, duration, lambda t, step: grid_steps(t, step, "floor"))
    weight = v.finite_scalar("weight", weight)
    tau = v.positive_scalar("tau", tau)
    kind, model, _ = resolve_kind(kind, None, None, _KINDS)
    cutoff_tau = v.positive_scalar("cutoff_tau", cutoff_tau)

    elephant = require("elephant", "peers")
    pq = require("quantities", "peers")
    neo = require("neo", "peers")
    from elephant.kernels import AlphaKernel, ExponentialKernel
    from elephant.statistics import instantaneous_rate

    step = pq.CompoundUnit(f"{grid.dt!r}*ms")
    sigma_steps = _SIGMA_PER_TAU[kind] * tau / grid.dt
    half_width = math.ceil(cutoff_tau * tau / grid.dt)  # samples
    ratio = grid.times / grid.dt
    whole = np.abs(ratio - np.rint(ratio)) <= BOUNDARY_RTOL * np.maximum(1.0, np.rint(ratio))
    train = neo.SpikeTrain(
        np.where(whole, np.rint(ratio), ratio) * step, t_start=0 * step, t_stop=grid.n * step
    )
    rate = instantaneous_rate(
        train,
        sampling_period=1 * step,
        kernel=(AlphaKernel if kind == "alpha" else ExponentialKernel)(sigma=sigma_steps * step),
        cutoff=half_width / sigma_steps,
        center_kernel=False,
    )
    per_ms = np.asarray(rate.rescale(1 / pq.ms), dtype=np.float64).ravel()
    return PeerResponse(
        t=grid.t,
        response=weight * per_ms,
        simulator="Elephant",
        model=model,
        version=str(elephant.__version__),
        quantity="instantaneous_rate x weight",
        unit="1/ms",
        norm="area",
        convention="elephant_alpha_kernel" if kind == "alpha" else "elephant_exponential_kernel",
        lag=0.0,
        method="exact",
        timing=(
            "center_kernel=False, spike counted in the bin it starts: kernel(t - t_s) (lag 0); "
            + ("sigma = sqrt(2) tau" if kind == "alpha" else "sigma = tau")
            + "; unit area"
        ),
        weight=weight,
        tau=tau,
        dt=grid.dt,
        spike_times=grid.index * grid.dt,
        tau_rise=tau if kind == "alpha" else 0.0,
        cutoff=half_width * grid.dt,
        kind=kind,
    )
