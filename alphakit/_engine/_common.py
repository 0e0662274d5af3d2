"""What both back-ends of the recurrence engine share: the error they raise."""

from __future__ import annotations


class RecurrenceOverflow(ArithmeticError):
    """A value of g or h does not fit the output's dtype (it would be inf or NaN).

    Raised by :func:`alphakit._engine.propagate`; the public functions turn it into
    a ValueError that says which of their arguments is to blame.
    """
