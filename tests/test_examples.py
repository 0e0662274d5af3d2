"""Every public module documents itself with Examples.

The examples themselves run as doctests (``--doctest-modules alphakit`` in the README's test
command, skipping modules whose optional dependency is missing: see the root ``conftest.py``).
A module without any example would pass that run silently; this test does not let it.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

import alphakit

PUBLIC = sorted(
    info.name
    for info in pkgutil.iter_modules(alphakit.__path__, "alphakit.")
    if not info.name.rsplit(".", 1)[1].startswith("_")
)


def _examples(module: ModuleType) -> int:
    """Number of ``>>>`` examples in the module and, for a package, in all its submodules.

    The examples of a public package usually sit in its private submodules, next to the code
    they show, so they count for the package.
    """
    finder = doctest.DocTestFinder()
    count = sum(len(test.examples) for test in finder.find(module))
    for info in pkgutil.walk_packages(getattr(module, "__path__", []), module.__name__ + "."):
        try:
            sub = importlib.import_module(info.name)
        except ImportError:  # imports its optional dependency at module level, not installed
            continue
        count += sum(len(test.examples) for test in finder.find(sub))
    return count


def test_the_public_modules_are_found():
    assert {"alphakit.kernels", "alphakit.convolution", "alphakit.brainpy"} <= set(PUBLIC)


@pytest.mark.parametrize("name", PUBLIC)
def test_public_module_has_examples(name):
    module = importlib.import_module(name)
    assert _examples(module) > 0, f"{name} has no Examples in any docstring"
