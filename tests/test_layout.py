"""The package's layout rules, read from the source with ``ast`` (nothing is imported).

1. No import cycle between alphakit's modules. Every ``import`` statement counts,
   also those inside functions (a lazy import still ties two modules together),
   with relative imports resolved. A package's ``__init__`` does run before any of
   its submodules, but that implicit import is not an edge: a package importing
   its own submodules to re-export them is the normal direction.
2. No module imports an underscored name from a *public* module (one with no
   component of its dotted path starting with ``_``). Shared private helpers live
   in a private module that both users import; private modules may hand their
   underscored names to anyone. Importing a private *module* is fine.
3. No module over ``MAX_LINES`` lines.

The checker is tested on small synthetic packages, so that each rule provably fails.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 600


@dataclass
class Layout:
    """What the checker read: files, import edges and private-name imports."""

    files: dict[str, Path] = field(default_factory=dict)  # dotted name -> file
    edges: dict[str, set[str]] = field(default_factory=dict)  # importer -> imported modules
    private_imports: list[str] = field(default_factory=list)  # "importer: base._name (line n)"


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_public(module: str) -> bool:
    return not any(part.startswith("_") for part in module.split("."))


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _resolve_base(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module a ``from ... import`` statement names."""
    if node.level == 0:
        return node.module or ""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    up = node.level - 1
    if up > len(parts):
        raise ValueError(f"{module}: relative import beyond the top-level package")
    parts = parts[: len(parts) - up]
    return ".".join(parts + ([node.module] if node.module else []))


def read_layout(root: Path, package: str) -> Layout:
    """Parse every module of ``package`` (a directory under ``root``)."""
    layout = Layout()
    for path in sorted((root / package).rglob("*.py")):
        layout.files[_module_name(path, root)] = path
    known = set(layout.files)

    def owner(name: str) -> str | None:
        """The longest known module that ``name`` is or lies in (None: not ours)."""
        parts = name.split(".")
        for k in range(len(parts), 0, -1):
            candidate = ".".join(parts[:k])
            if candidate in known:
                return candidate
        return None

    for module, path in layout.files.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    target = owner(alias.name)
                    if target is not None:
                        targets.add(target)
            elif isinstance(node, ast.ImportFrom):
                base = _resolve_base(node, module, is_package)
                base_module = owner(base) if base else None
                if base_module is None:
                    continue  # another package
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    if submodule in known:  # "from pkg import module": the module itself
                        targets.add(submodule)
                        continue
                    targets.add(base_module)
                    name = alias.name
                    if (
                        name.startswith("_")
                        and not _is_dunder(name)
                        and _is_public(base_module)
                    ):
                        layout.private_imports.append(
                            f"{module}: {base_module}.{name} (line {node.lineno})"
                        )
        targets.discard(module)
        layout.edges[module] = targets
    return layout


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle ``[a, b, ..., a]`` for each strongly connected group of modules.

    Tarjan's algorithm finds the groups; a depth-first search inside each group
    then walks from its first module back to it.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(v: str) -> None:  # recursion depth is at most the number of modules
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            connect(v)

    return sorted(_cycle_in(group, edges) for group in groups)


def _cycle_in(group: list[str], edges: dict[str, set[str]]) -> list[str]:
    """A path from the group's first module back to it, through the group only."""
    members, start = set(group), group[0]
    path, seen = [start], {start}

    def walk(v: str) -> bool:
        for w in sorted(edges.get(v, ())):
            if w == start:
                path.append(w)
                return True
            if w in members and w not in seen:
                seen.add(w)
                path.append(w)
                if walk(w):
                    return True
                path.pop()
        return False

    walk(start)
    return path


def long_modules(layout: Layout, limit: int = MAX_LINES) -> list[str]:
    """``"module: n lines"`` for every module longer than ``limit`` lines."""
    out = []
    for module, path in layout.files.items():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > limit:
            out.append(f"{module}: {n} lines")
    return out


# ------------------------------------------------------------------ the package itself


@pytest.fixture(scope="module")
def alphakit_layout() -> Layout:
    return read_layout(ROOT, "alphakit")


def test_no_import_cycle(alphakit_layout):
    cycles = find_cycles(alphakit_layout.edges)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_no_private_name_is_imported_from_a_public_module(alphakit_layout):
    found = alphakit_layout.private_imports
    assert not found, (
        "underscored names imported from public modules (move them to a private module "
        "both sides import):\n" + "\n".join(found)
    )


def test_no_module_is_too_long(alphakit_layout):
    found = long_modules(alphakit_layout)
    assert not found, f"modules over {MAX_LINES} lines:\n" + "\n".join(found)


def test_the_reader_sees_the_whole_package(alphakit_layout):
    # the checks above would pass vacuously on an empty or misread package
    files = alphakit_layout.files
    assert {"alphakit", "alphakit.ode", "alphakit._engine", "alphakit._engine._numba"} <= set(
        files
    )
    assert "alphakit._engine._numba" in alphakit_layout.edges["alphakit._engine"]
    assert "alphakit._engine" in alphakit_layout.edges["alphakit.ode"]


def test_engine_back_ends_do_not_import_the_dispatcher(alphakit_layout):
    for backend in ("alphakit._engine._scipy", "alphakit._engine._numba"):
        assert alphakit_layout.edges[backend] <= {"alphakit._engine._common"}, backend


# ------------------------------------------------------------------ the checker itself


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_checker_finds_a_cycle_through_a_function_level_relative_import(tmp_path):
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "from .a import f\n",
            "pkg/a.py": "from .sub import b\n\ndef f():\n    return b.g()\n",
            "pkg/sub/__init__.py": "",
            "pkg/sub/b.py": "def g():\n    from ..a import f\n    return f\n",
            "pkg/c.py": "import pkg.a\nimport numpy\n",  # into the cycle, not part of it
        },
    )
    layout = read_layout(tmp_path, "pkg")
    assert layout.edges["pkg.c"] == {"pkg.a"}
    assert find_cycles(layout.edges) == [["pkg.a", "pkg.sub.b", "pkg.a"]]


def test_checker_finds_every_cycle_and_none_in_a_tree(tmp_path):
    edges = {"x": {"y"}, "y": {"z"}, "z": {"x"}, "p": {"q"}, "q": {"p", "x"}, "r": {"p"}}
    assert find_cycles(edges) == [["p", "q", "p"], ["x", "y", "z", "x"]]
    assert find_cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_checker_flags_private_names_from_public_modules_only(tmp_path):
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "from .core import run\nfrom . import _shared\n",
            "pkg/core.py": "from ._shared import _helper\n\ndef run():\n    return _helper()\n",
            "pkg/_shared.py": "def _helper():\n    return 1\n",
            "pkg/plots.py": "def p():\n    from .core import _secret, run\n    return run\n",
            "pkg/extra/__init__.py": "from ..core import __doc__\n",
            "pkg/extra/_impl.py": "from pkg.extra import _private_thing\n",
        },
    )
    layout = read_layout(tmp_path, "pkg")
    assert layout.private_imports == [
        "pkg.extra._impl: pkg.extra._private_thing (line 1)",
        "pkg.plots: pkg.core._secret (line 2)",
    ]
    # importing the private module itself is an edge, not a violation
    assert layout.edges["pkg"] == {"pkg.core", "pkg._shared"}
    assert find_cycles(layout.edges) == []


def test_checker_counts_lines(tmp_path):
    files = {"pkg/__init__.py": "", "pkg/big.py": "x = 1\n" * 601, "pkg/ok.py": "\n" * 600}
    _write(tmp_path, files)
    assert long_modules(read_layout(tmp_path, "pkg")) == ["pkg.big: 601 lines"]
