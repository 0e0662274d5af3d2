"""Importing optional dependencies, with one install hint for all of them.

alphakit's core needs only numpy and scipy. matplotlib, BrainPy, ipywidgets and
the other simulators are pip extras (``pyproject.toml``); the modules that use
them import them on first use through :func:`require`, so that a missing
package is reported as the extra to install rather than as a bare
``ModuleNotFoundError`` from deep inside a call.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["install_hint", "require"]


def install_hint(extra: str) -> str:
    """The pip command that installs alphakit's optional ``extra``.

    Examples
    --------
    >>> from alphakit._optional import install_hint
    >>> install_hint("brainpy")
    'pip install "alphakit[brainpy]"'
    """
    return f'pip install "alphakit[{extra}]"'


def require(module: str, extra: str) -> ModuleType:
    """Import ``module``, or raise ImportError naming the extra that provides it.

    Parameters
    ----------
    module : str
        Import name, e.g. ``"brainpy.math"`` or ``"nest"``.
    extra : str
        The pip extra of alphakit that installs it (``"brainpy"``, ``"peers"``,
        ``"widgets"``, ...).

    Returns
    -------
    module
        The imported module.

    Raises
    ------
    ImportError
        If the import fails; the message holds :func:`install_hint` and the
        original error (a package can be installed but broken).

    Examples
    --------
    >>> from alphakit._optional import require
    >>> require("math", extra="none").sqrt(4.0)
    2.0
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"this part of alphakit needs {module!r}, which cannot be imported; "
            f"install it with {install_hint(extra)} (original error: {exc})"
        ) from exc
