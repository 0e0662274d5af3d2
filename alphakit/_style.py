"""The look shared by every figure of the series: :mod:`.plotting` and :mod:`.widgets`."""

from __future__ import annotations

from types import ModuleType

from ._optional import require

# One colour per convention, shared by every figure of the series
# (public as alphakit.plotting.NORM_COLORS).
NORM_COLORS: dict[str, str] = {
    "plain": "tab:blue",
    "peak": "tab:orange",
    "area": "tab:green",
    "legacy": "tab:red",
}

# The y label of every conductance axis.
G_LABEL = "g (weight units, e.g. nS)"


def pyplot() -> ModuleType:
    """``matplotlib.pyplot``, or ImportError naming the ``plot`` extra.

    Every public drawing function calls this first, also when given axes, so
    that a missing matplotlib is reported the same way whatever the arguments.
    """
    return require("matplotlib.pyplot", "plot")
