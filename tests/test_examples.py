"""Every public module documents itself with Examples; the README's example prints what it says.

The examples themselves run as doctests (``--doctest-modules alphakit`` in the README's test
command, skipping modules whose optional dependency is missing: see the root ``conftest.py``).
A module without any example would pass that run silently; this test does not let it.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
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


def test_readme_example_prints_what_it_says(tmp_path):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", readme, re.M | re.S)
    assert len(blocks) == 1, "the README shows one Python example"
    code = blocks[0]
    # its last line prints, and its comment starts with the output, up to a colon
    claimed = re.search(r"#\s*([^:]+):", code.strip().splitlines()[-1])
    assert claimed, "the example's last line must say what it prints"
    # a fresh interpreter outside the checkout: the installed alphakit, as a reader runs it
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == claimed.group(1).strip()
