"""What both back-ends of the recurrence engine share: the error they raise, the screen."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class RecurrenceOverflow(ArithmeticError):
    """A value of g or h does not fit the output's dtype (it would be inf or NaN).

    Raised by :func:`alphakit._engine.propagate`; the public functions turn it into
    a ValueError that says which of their arguments is to blame.
    """


class Screen(Protocol):
    """The caller's full check of the input's values; it raises the caller's error."""

    @property
    def whole(self) -> bool:
        """Whether the values must be whole numbers (the compiled loops check that too)."""
        ...

    def __call__(self, u: np.ndarray, /) -> None: ...
