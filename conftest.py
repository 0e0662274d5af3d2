"""Doctests of the whole package: ``pytest --doctest-modules alphakit`` (README test command).

Every module's Examples run, except in the parts below whose optional dependency is missing:
those are not even imported (several import their dependency at module level). The rule is
registered as a plugin rather than as ``collect_ignore`` so that it also holds for an installed
alphakit collected with ``--pyargs alphakit`` (CI's Python 3.11 stage), which lies outside this
directory and so outside the reach of this conftest's own hooks.

``--import-mode=importlib`` (pyproject.toml) keeps pytest from putting this directory on
``sys.path`` because of this file: the Python 3.11 stage must test the installed wheel, not the
checkout.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

# Path inside the alphakit package -> the top-level modules it needs beyond numpy, scipy and
# matplotlib. Paths that do not exist (yet, or any more) are harmless.
NEEDS = {
    "brainpy": ("brainpy",),
    "network.py": ("brainpy",),
    "peers/_brainpy.py": ("brainpy",),
    "peers/_brian2.py": ("brian2",),
    "peers/_elephant.py": ("elephant",),
    "peers/_nest.py": ("nest",),
    "peers/_neuron.py": ("neuron",),
    "widgets.py": ("ipywidgets",),
    "_engine/_numba.py": ("numba",),
}


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


SKIPPED = {part for part, modules in NEEDS.items() if not all(map(_installed, modules))}


def _part(path: Path) -> str | None:
    """``path`` relative to the innermost ``alphakit`` package holding it, or None."""
    parts = path.parts
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] == "alphakit" and (Path(*parts[: i + 1]) / "__init__.py").is_file():
            return "/".join(parts[i + 1 :])
    return None


class _MissingExtras:
    @staticmethod
    def pytest_ignore_collect(collection_path: Path) -> bool | None:
        part = _part(collection_path)
        return True if part in SKIPPED else None


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_MissingExtras(), "alphakit-missing-extras")
