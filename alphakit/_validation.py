"""Checks made once, at the public boundary, so errors name the parameter.

Every public function of alphakit validates its arguments with these helpers
before any numerical work, so a user sees ``ValueError: tau must be ...`` rather
than a NaN or a traceback from deep inside numpy, scipy or JAX.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import math
import numbers
import os
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping
from types import FrameType
from typing import Any, TypeVar

import numpy as np


def positive_scalar(name: str, value: Any) -> float:
    """Return ``value`` as a float, or raise if it is not a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real | np.floating | np.integer):
        if isinstance(value, np.ndarray) and value.ndim == 0:
            return positive_scalar(name, value.item())
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def finite_scalar(name: str, value: Any) -> float:
    """Return ``value`` as a float, or raise if it is not a finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real | np.floating | np.integer):
        if isinstance(value, np.ndarray) and value.ndim == 0:
            return finite_scalar(name, value.item())
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


_S = TypeVar("_S", bound=str)


def choice(name: str, value: Any, options: Iterable[_S]) -> _S:
    """Return ``value`` if it is one of ``options``; the error lists them.

    Typed as the options' element type, so a value checked against a tuple of
    Literals keeps that Literal type.
    """
    options = tuple(options)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {options}, got {value!r}")
    if value not in options:
        raise ValueError(f"unknown {name} {value!r}; valid options are {options}")
    return value


def _numeric(
    name: str, value: Any, ndim: tuple[int, ...] | None, dtype: type = np.float64
) -> np.ndarray:
    """``value`` as a float array of the right ndim, not yet checked for NaN/inf."""
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be array-like of numbers: {exc}") from None
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
    if ndim is not None and arr.ndim not in ndim:
        dims = " or ".join(str(d) for d in ndim)
        raise ValueError(f"{name} must have {dims} dimension(s), got shape {arr.shape}")
    return arr.astype(dtype, copy=False)


def real_array(name: str, value: Any, *, ndim: tuple[int, ...] | None = None) -> np.ndarray:
    """Return ``value`` as a float64 array; reject non-numeric, NaN/inf, wrong ndim."""
    arr = _numeric(name, value, ndim)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (found NaN or inf)")
    return arr


def float_dtype(name: str, value: Any) -> type:
    """numpy.float64 or numpy.float32, given as a type, a dtype or its name."""
    try:
        dt = np.dtype(value)
    except TypeError:
        raise TypeError(f"{name} must be a numpy float dtype, got {value!r}") from None
    if dt not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValueError(f"{name} must be float64 or float32, got {dt}")
    return dt.type


def spike_array(
    name: str, value: Any, dtype: type = np.float64, *, values: bool = True
) -> np.ndarray:
    """Spike counts on a grid: shape (T,) or (T, n), finite, non-negative, T >= 1.

    ``values=False`` checks the shape and type only, for a caller that has the
    values screened in the pass that uses them (see :func:`spike_screen`).
    """
    arr = _numeric(name, value, ndim=(1, 2), dtype=dtype)
    if arr.shape[0] == 0:
        raise ValueError(
            f"{name} must have at least one time step (axis 0), got shape {arr.shape}"
        )
    if arr.size == 0:
        raise ValueError(f"{name} must hold at least one train (axis 1), got shape {arr.shape}")
    if values:
        spike_values(name, arr)
    time_axis(name, arr)
    return arr


def spike_values(name: str, arr: np.ndarray) -> None:
    """Raise unless every count is finite and non-negative."""
    # min and max are two fast reductions; NaN propagates into both
    low, high = arr.min(), arr.max()
    if np.isnan(low) or np.isnan(high) or np.isinf(high):
        raise ValueError(f"{name} must contain only finite values (found NaN or inf)")
    if low < 0:
        raise ValueError(f"{name} must be non-negative spike counts")


@dataclasses.dataclass(frozen=True)
class SpikeScreen:
    """The full check of a spike grid's values, as one callable.

    The recurrence engine takes it as ``screen``. When ``whole``, its compiled
    loops flag a count that is negative, NaN or not a whole number while they
    read the input anyway (an infinite one shows in the final state) and call
    this only then, for the exact error: valid spike grids are read once instead
    of three times. Counts allowed to be fractional are screened by this first,
    and the scipy engine always calls it first.
    """

    name: str
    allow_fractional: bool

    @property
    def whole(self) -> bool:
        """Whether the counts must be whole numbers."""
        return not self.allow_fractional

    def __call__(self, arr: np.ndarray) -> None:
        spike_values(self.name, arr)
        if not self.allow_fractional:
            whole_counts(self.name, arr, "allow_fractional=True")


def spike_screen(name: str, allow_fractional: bool) -> SpikeScreen:
    """The :class:`SpikeScreen` of the spike grid passed as ``name``."""
    return SpikeScreen(name, allow_fractional)


def weight_array(name: str, value: Any, n_columns: int | None) -> float | np.ndarray:
    """A scalar weight, or one weight per column of a (T, n) spike array."""
    if np.ndim(value) == 0:
        return finite_scalar(name, value)
    arr = real_array(name, value, ndim=(1,))
    if n_columns is None or arr.shape[0] != n_columns:
        expected = "a scalar" if n_columns is None else f"a scalar or shape ({n_columns},)"
        raise ValueError(f"{name} must be {expected} to match the spikes, got shape {arr.shape}")
    return arr


def _physical_memory() -> float:
    """Bytes of RAM on this machine (inf where the OS does not say)."""
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return math.inf


def grid_fits(shape: tuple[int, ...], what: str, fix: str) -> None:
    """Raise before allocating a float64 array that cannot fit in this machine's memory.

    A mistyped duration or dt (seconds for ms, say) otherwise ends in numpy's
    MemoryError, which names neither the parameter nor the way out.
    """
    needed = 8.0 * math.prod(shape)
    available = _physical_memory()
    if needed > available:
        raise ValueError(
            f"{what} of shape {shape} would need {needed / 2**30:.3g} GiB, more than this "
            f"machine's {available / 2**30:.3g} GiB of memory: {fix}"
        )


def flag(name: str, value: Any) -> bool:
    """Return ``value`` if it is a bool (Python or numpy), else raise TypeError."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def positive_int(name: str, value: Any) -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def nonnegative_scalar(name: str, value: Any) -> float:
    """Return ``value`` as a float, or raise if it is not a finite number >= 0."""
    value = finite_scalar(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def random_seed(name: str, value: Any) -> int:
    """A non-negative integer seed; ``None`` draws one from the operating system's entropy."""
    if value is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative integer or None, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer or None, got {value}")
    return int(value)


def output_buffers(
    out: Any,
    names: tuple[str, ...],
    shape: tuple[int, ...],
    dtype: Any,
    inputs: Iterable[Any] = (),
) -> tuple[np.ndarray, ...] | None:
    """Check numpy-style ``out=`` buffers: one array per name in ``names``.

    One output may be given as a bare array. Each buffer must be a writeable,
    C- or F-contiguous ndarray of exactly ``shape`` and ``dtype`` (no casting,
    as numpy's ``out=`` with the same kind), and may overlap neither another
    buffer nor any of ``inputs``: results written in place must never change
    the data they are computed from.
    """
    if out is None:
        return None
    if isinstance(out, np.ndarray) and len(names) == 1:
        out = (out,)
    described = names[0] if len(names) == 1 else f"({', '.join(names)})"
    if not isinstance(out, tuple | list) or len(out) != len(names):
        kind = "an array" if len(names) == 1 else f"a tuple of {len(names)} arrays"
        raise TypeError(f"out must be {kind} {described}, got {type(out).__name__}")
    dtype = np.dtype(dtype)
    sources = [np.asarray(x) for x in inputs if isinstance(x, np.ndarray)]
    for i, (name, buf) in enumerate(zip(names, out, strict=True)):
        if not isinstance(buf, np.ndarray):
            raise TypeError(f"out's {name} buffer must be a numpy array, got {type(buf).__name__}")
        if buf.shape != tuple(shape):
            raise ValueError(
                f"out's {name} buffer must have shape {tuple(shape)}, got {buf.shape}"
            )
        if buf.dtype != dtype:
            raise TypeError(
                f"out's {name} buffer must have dtype {dtype.name} (the dtype argument), "
                f"got {buf.dtype.name}"
            )
        if not buf.flags.writeable:
            raise ValueError(f"out's {name} buffer is read-only")
        if not (buf.flags.c_contiguous or buf.flags.f_contiguous):
            raise ValueError(
                f"out's {name} buffer must be contiguous (C or Fortran order), not a strided view"
            )
        if any(np.may_share_memory(buf, src) for src in sources):
            raise ValueError(
                f"out's {name} buffer overlaps the input spikes; pass a separate array"
            )
        if any(np.may_share_memory(buf, other) for other in out[:i]):
            raise ValueError(f"out's buffers overlap: {names[i - 1]} and {name} must be separate")
    return tuple(out)


# ---------------------------------------------------------------- guards against silent mistakes
#
# The checks above reject values that are impossible. The guards below catch
# values that are possible but almost always a mistake (time on the wrong axis,
# seconds for ms, spike times for counts): they warn, or raise when the result
# would be meaningless. Private callers that legitimately explore such values
# (the tau search of diagnose) switch the warnings off with ``internal()``.


class AlphakitWarning(UserWarning):
    """A call that is valid but probably not what was meant (e.g. a unit mix-up)."""


_GUARDS: contextvars.ContextVar[bool] = contextvars.ContextVar("alphakit_guards", default=True)
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


@contextlib.contextmanager
def internal() -> Iterator[None]:
    """Silence the guards' warnings for calls made by alphakit itself."""
    token = _GUARDS.set(False)
    try:
        yield
    finally:
        _GUARDS.reset(token)


def _caller_stacklevel() -> int:
    """The stacklevel of the first frame outside alphakit, so the warning points at the user."""
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
        _PACKAGE_DIR + os.sep
    ):
        frame = frame.f_back
        level += 1
    return level


def warn(message: str) -> None:
    """Warn with :class:`AlphakitWarning` at the user's call, unless inside ``internal()``."""
    if _GUARDS.get():
        warnings.warn(message, AlphakitWarning, stacklevel=_caller_stacklevel())


def time_axis(name: str, arr: np.ndarray) -> None:
    """Warn when a (T, n) grid looks transposed: fewer time steps than trains."""
    if arr.ndim == 2 and arr.shape[0] < arr.shape[1]:
        warn(
            f"{name} has shape {arr.shape}: {arr.shape[0]} time steps but {arr.shape[1]} "
            f"trains. Time is axis 0 in alphakit, shape (T, n); if {name} is "
            f"(n_trains, T), pass {name}.T"
        )


def whole_counts(name: str, arr: np.ndarray, allowed: str, times_fix: str | None = None) -> None:
    """Raise when spike counts on a grid are not whole numbers (spike times, most likely).

    ``allowed`` names the option with which the caller accepts a weighted grid;
    ``times_fix`` replaces the advice for spike times.
    """
    if times_fix is None:
        times_fix = (
            "bin them with alphakit.times_to_grid(times, dt, duration=...), or convolve "
            "them exactly with alphakit.convolve_spike_times"
        )
    # Spike grids are mostly zeros: test only the non-zero entries, in chunks that
    # keep the temporaries small (one extra read of the data, no full-size copy).
    flat = arr.reshape(-1)
    chunk = 1 << 20
    for start in range(0, flat.size, chunk):
        part = flat[start : start + chunk]
        part = part[part != 0]
        bad = np.flatnonzero(part != np.floor(part))
        if bad.size:
            value = float(part[bad[0]])
            raise ValueError(
                f"{name} must hold whole spike counts per time step, found {value!r}. "
                f"Spike times (ms) are not a grid: {times_fix}. For a grid of "
                f"weighted spikes, pass {allowed}"
            )


def tau_vs_dt(dt: float, tau: float, name: str = "tau") -> None:
    """Warn when tau is so much smaller than dt that the sampled kernel is nearly zero."""
    if tau * 10.0 < dt:
        warn(
            f"{name}={tau!r} ms is far below dt={dt!r} ms: the kernel decays within one "
            "step, so the sampled response is nearly zero. Times are in ms throughout "
            f"alphakit: was {name} given in seconds (5 ms is {name}=5.0)?"
        )


def kernel_kind(
    kind: Any, tau_rise: Any, norms_by_kind: Mapping[_S, tuple[str, ...]]
) -> tuple[_S, float | None]:
    """Check ``kind`` against ``norms_by_kind``'s keys and ``tau_rise`` against it.

    ``"dual_exp"`` needs ``tau_rise`` (> 0); every other kind has one time
    constant and refuses one. Returns ``(kind, tau_rise)``.
    """
    kind = choice("kind", kind, norms_by_kind)
    if kind == "dual_exp":
        if tau_rise is None:
            raise ValueError(
                "tau_rise is required for kind='dual_exp' (its rise time constant, in ms; "
                "tau is the decay time constant)"
            )
        return kind, positive_scalar("tau_rise", tau_rise)
    if tau_rise is not None:
        raise ValueError(
            f"tau_rise={tau_rise!r} was given, but kind={kind!r} has a single time constant "
            "(tau); tau_rise is only for kind='dual_exp'"
        )
    return kind, None


def kernel_norm(norm: Any, kind: str, norms: tuple[_S, ...]) -> _S:
    """Check that ``norm`` is one of ``kind``'s ``norms``; the error names the kind."""
    if isinstance(norm, str) and norm not in norms:
        raise ValueError(
            f"norm {norm!r} does not exist for kind={kind!r}; its norms are {norms}"
        )
    return choice("norm", norm, norms)
