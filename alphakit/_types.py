"""The string choices of alphakit's public functions, as Literal types.

Defined once so that signatures, the option tuples (``NORMS``, ``FORMS``, ...)
and internal helpers agree, and a value checked by ``_validation.choice`` keeps
its Literal type for the type checker.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

#: Kernel normalisation (``alphakit.kernels.KERNEL_NORMS`` lists each kind's).
Norm: TypeAlias = Literal["plain", "peak", "area", "legacy", "difference"]
#: Kernel shape (``alphakit.kernels.KINDS``).
Kind: TypeAlias = Literal["alpha", "exp", "dual_exp"]
#: ODE form (``alphakit.ode.FORMS``).
Form: TypeAlias = Literal["fixed", "legacy"]
#: Integrators of ``alphakit.ode`` (``alphakit.ode.METHODS``).
Method: TypeAlias = Literal["euler", "rk2", "rk4", "exp_euler", "exact"]
#: What ``simulate``/``step_matrix`` accept: ``Method`` plus BrainPy's alias ``exp_auto``.
MethodOrAlias: TypeAlias = Literal["euler", "rk2", "rk4", "exp_euler", "exp_auto", "exact"]
#: What ``simulate`` stores (``alphakit.ode.OUTPUTS``).
Outputs: TypeAlias = Literal["both", "g"]
#: ``convolve_spikes`` methods (``alphakit.convolution.CONVOLUTION_METHODS``).
ConvolutionMethod: TypeAlias = Literal["exact", "fft", "direct"]
#: ``convolve_spike_times`` methods (no grid, so no FFT).
SpikeTimesMethod: TypeAlias = Literal["exact", "direct"]
#: What ``convert_weight`` keeps equal (``alphakit.conventions.MATCHES``).
Match: TypeAlias = Literal["charge", "peak", "psp"]
#: How ``times_to_grid`` places a time between two grid points (``alphakit.spikes.ROUNDINGS``).
Rounding: TypeAlias = Literal["floor", "ceil", "nearest"]
