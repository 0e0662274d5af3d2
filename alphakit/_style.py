"""The look shared by every figure of the series: :mod:`.plotting` and :mod:`.widgets`."""

from __future__ import annotations

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
