"""Generate the parts of alphakit's documentation that come from the code and the notebooks.

Run by Sphinx at every build (``config-inited``), before autosummary writes its stub pages.
Everything goes to ``docs/_generated/`` (ignored by git) and a file is rewritten only when its
text changes, so an unchanged page is not re-read:

- ``api/``: one page per public module, found by walking the package (a module is public when
  no dotted component of its name starts with ``_``), with an autosummary entry for every
  function and class in its ``__all__``. A name listed by several modules (``alphakit`` re-exports
  the core) is documented once, in its home module, and linked from the others.
- ``notebooks/``: the tutorials, copied from ``notebooks/`` with their stored outputs (never
  executed here); an interactive widget's output becomes a link to the notebook on Binder.
- ``conventions_table.md``: the table of :data:`alphakit.conventions.CONVENTIONS`.
- ``commands.md``: the README's command blocks (``<!-- ci:NAME -->``), which CI runs.

Which tutorial uses which name is read from the notebooks' code cells (the identifiers in
them, parsed with :mod:`ast`); module and object pages link those tutorials.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import importlib.util
import inspect
import json
import pkgutil
import re
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PACKAGE = "alphakit"


# --------------------------------------------------------------------------------------------
# The package's public API
# --------------------------------------------------------------------------------------------


def is_public(module_name: str) -> bool:
    return not any(part.startswith("_") for part in module_name.split("."))


def public_modules(package: str = PACKAGE) -> list[types.ModuleType]:
    """The package and every public submodule, imported, in name order."""

    def fail(name: str) -> None:
        raise ImportError(f"cannot import {name} while walking {package}")

    root = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(root.__path__, f"{package}.", onerror=fail):
        if is_public(info.name):
            names.append(info.name)
    return [importlib.import_module(name) for name in sorted(names)]


def exported_names(module: types.ModuleType) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:  # no __all__: the public names the module defines itself
        names = [
            n
            for n, obj in vars(module).items()
            if not n.startswith("_") and getattr(obj, "__module__", None) == module.__name__
        ]
    return list(names)


def kind_of(obj: Any) -> str:
    if isinstance(obj, types.ModuleType):
        return "module"
    if inspect.isclass(obj):
        return "class"
    if callable(obj):
        return "function"
    return "data"


@dataclass
class Entry:
    name: str
    kind: str
    obj: Any
    home: str = ""  # the module whose page documents it


@dataclass
class ModuleDoc:
    module: types.ModuleType
    entries: list[Entry] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.module.__name__


def collect_api(package: str = PACKAGE) -> list[ModuleDoc]:
    docs = []
    listed: dict[int, list[str]] = {}  # id(obj) -> public modules listing it (same object)
    for module in public_modules(package):
        doc = ModuleDoc(module)
        for name in exported_names(module):
            obj = getattr(module, name)  # a lazy attribute is loaded here
            kind = kind_of(obj)
            if kind == "module":
                continue
            doc.entries.append(Entry(name, kind, obj))
            listed.setdefault(id(obj), []).append(module.__name__)
        docs.append(doc)
    for doc in docs:
        for entry in doc.entries:
            entry.home = home_module(entry, listed[id(entry.obj)])
    return docs


def home_module(entry: Entry, candidates: list[str]) -> str:
    """Where an object listed by several modules is documented: the module that defines it,
    else the public module closest to its definition, else the most specific one."""
    if entry.kind == "data" or len(candidates) == 1:
        # Plain values (tuples, dicts) carry no __module__; the deepest module that lists the
        # very same object is where it is defined or re-exported from.
        return max(candidates, key=lambda m: (m.count("."), m))
    defined_in = getattr(entry.obj, "__module__", "") or ""
    if defined_in in candidates:
        return defined_in
    prefixes = [m for m in candidates if defined_in.startswith(m + ".")]
    if prefixes:
        return max(prefixes, key=len)
    return max(candidates, key=lambda m: (m.count("."), m))


# --------------------------------------------------------------------------------------------
# Notebooks
# --------------------------------------------------------------------------------------------


@dataclass
class Notebook:
    path: Path
    title: str
    identifiers: set[str]

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def docname(self) -> str:
        return f"/_generated/notebooks/{self.stem}"


def _code_identifiers(source: str) -> set[str]:
    # IPython magics and shell escapes are not Python.
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return set(re.findall(r"[A-Za-z_]\w*", source))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.alias):
            found.update(node.name.split("."))
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.update(node.module.split("."))
    return found


def _title(nb: dict, fallback: str) -> str:
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return re.sub(r"[*_`$\\]", "", line[2:]).strip()
    return fallback


def read_notebooks(folder: Path) -> list[Notebook]:
    out = []
    for path in sorted(folder.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        ids: set[str] = set()
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                ids |= _code_identifiers("".join(cell["source"]))
        out.append(Notebook(path, _title(nb, path.stem), ids))
    return out


WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def binder_url(source_url: str, notebook: str) -> str:
    owner_repo = re.sub(r"^https://github\.com/", "", source_url).strip("/")
    return f"https://mybinder.org/v2/gh/{owner_repo}/HEAD?urlpath=lab/tree/notebooks/{notebook}"


def static_notebook(path: Path, source_url: str) -> str:
    """The notebook as the site shows it: stored outputs, widgets replaced by a Binder link."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    url = binder_url(source_url, path.name)
    note = (
        '<p class="alphakit-widget">This output is an interactive widget: '
        f'<a href="{url}">run this notebook on Binder</a> to use it.</p>'
    )
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            if WIDGET_MIME in output.get("data", {}):
                output["data"] = {"text/html": note}
    nb["metadata"].pop("widgets", None)
    nb["cells"].insert(
        0,
        {
            "cell_type": "markdown",
            "id": "alphakit-docs-binder-note",
            "metadata": {},
            "source": f"```{{note}}\nRendered with its stored outputs. "
            f"[Run this notebook on Binder]({url}) (nothing to install), or locally: "
            f"see [Getting started](/getting_started).\n```\n",
        },
    )
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------


def _underline(text: str, char: str = "=") -> str:
    return f"{text}\n{char * len(text)}\n"


def tutorials_of(names: set[str], notebooks: list[Notebook]) -> list[Notebook]:
    return [nb for nb in notebooks if names & nb.identifiers]


def _tutorial_links(notebooks: list[Notebook], source_url: str) -> str:
    if not notebooks:
        return ""
    lines = [".. rubric:: Tutorials using it", ""]
    for nb in notebooks:
        url = binder_url(source_url, nb.path.name)
        lines.append(f"* :doc:`{nb.title} <{nb.docname}>` (`run on Binder <{url}>`__)")
    return "\n".join(lines) + "\n\n"


def _short_repr(obj: Any, limit: int = 70) -> str | None:
    text = repr(obj)
    return text if len(text) <= limit and "\n" not in text else None


def module_page(doc: ModuleDoc, notebooks: list[Notebook], source_url: str) -> str:
    name = doc.name
    own = [e for e in doc.entries if e.home == name]
    elsewhere = [e for e in doc.entries if e.home != name]
    used_names = {e.name for e in doc.entries} | {name.rsplit(".", 1)[-1]}
    parts = [_underline(name), f".. automodule:: {name}\n   :no-members:\n\n"]
    parts.append(_tutorial_links(tutorials_of(used_names, notebooks), source_url))
    for kind, heading in (("function", "Functions"), ("class", "Classes")):
        items = [e for e in own if e.kind == kind]
        if items:
            parts.append(_underline(heading, "-"))
            parts.append(".. autosummary::\n   :toctree: generated/\n\n")
            parts.append("".join(f"   {e.name}\n" for e in items) + "\n")
    data = [e for e in own if e.kind == "data"]
    if data:
        parts.append(_underline("Constants", "-"))
        for e in data:
            parts.append(f".. py:data:: {e.name}\n   :type: {type(e.obj).__name__}\n")
            value = _short_repr(e.obj)
            if value is not None:
                parts.append(f"   :value: {value}\n")
            parts.append("\n")
    if elsewhere:
        parts.append(_underline("Also available here", "-"))
        parts.append(f"``{name}`` also exports these, documented in their home module:\n\n")
        for e in elsewhere:
            role = {"function": "func", "class": "class", "data": "data"}[e.kind]
            parts.append(f"* :py:{role}:`{e.home}.{e.name}`\n")
        parts.append("\n")
    return "".join(parts)


def api_index(docs: list[ModuleDoc]) -> str:
    lines = [
        _underline("API reference"),
        "Every public module of alphakit, generated from the code at each build: each module's",
        "``__all__`` lists what it exports. ``import alphakit`` gives the numerical core;",
        "the other modules load their optional dependencies when first used.",
        "",
        ".. toctree::",
        "   :maxdepth: 1",
        "",
    ]
    lines += [f"   {doc.name}" for doc in docs]
    return "\n".join(lines) + "\n"


def conventions_table() -> str:
    conventions = importlib.import_module(f"{PACKAGE}.conventions")
    rows = list(conventions.CONVENTIONS)
    columns = [
        ("name", "name"),
        ("simulator", "simulator"),
        ("model", "model"),
        ("kind", "kind"),
        ("response to weight w", "formula"),
        ("peak", "peak"),
        ("t_peak", "peak_time"),
        ("charge", "charge"),
        ("alphakit norm", "norm"),
        ("× plain", "factor"),
        ("w in", "units"),
    ]
    code = {"name", "kind", "formula", "peak", "peak_time", "charge", "norm", "factor"}

    def cell(row: Any, attr: str) -> str:
        text = str(getattr(row, attr, "")).replace("|", "\\|")
        return f"`{text}`" if attr in code and text else text or " "

    out = [
        "<!-- generated from alphakit.conventions.CONVENTIONS at build time -->",
        "",
        ":::{list-table}",
        ":header-rows: 1",
        ":class: alphakit-conventions",
        "",
    ]
    out.append("* - " + "\n  - ".join(h for h, _ in columns))
    for row in rows:
        out.append("* - " + "\n  - ".join(cell(row, attr) for _, attr in columns))
    out += [":::", "", "Sources, timing and notes, row by row:", ""]
    for i, row in enumerate(rows, 1):
        extra = [getattr(row, a, "") for a in ("timing", "notes") if getattr(row, a, "")]
        detail = "; ".join(str(x) for x in extra)
        out.append(f"{i}. `{row.name}`: {row.source}" + (f". {detail}" if detail else ""))
    fields = [f.name for f in dataclasses.fields(conventions.Convention)]
    out += ["", f"Each row is a `Convention` with the fields {', '.join(fields)}.", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Sphinx hook
# --------------------------------------------------------------------------------------------


README_BLOCKS = (
    ("notebooks", "Set up and open the notebooks"),
    ("test", "Set up and run the tests (unit tests, every notebook against its outputs)"),
    ("browser", "The browser tests (needs the operating system's Chromium)"),
    ("docs", "Build this site into docs/_build/html (warnings are errors)"),
)


def readme_commands(root: Path) -> str:
    """The README's ``<!-- ci:NAME -->`` command blocks (what CI runs), as MyST."""
    spec = importlib.util.spec_from_file_location("readme_block", root / ".ci" / "readme_block.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    readme = (root / "README.md").read_text(encoding="utf-8")
    out = []
    for name, caption in README_BLOCKS:
        try:
            commands = module.read_block(readme, name)
        except ValueError:
            continue
        out += [f"**{caption}**", "", "```bash", *commands, "```", ""]
    return "\n".join(out)


def _write(path: Path, text: str, written: set[Path]) -> None:
    written.add(path)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _remove_stale(folder: Path, keep: set[Path], pattern: str) -> None:
    for path in folder.glob(pattern):
        if path.is_file() and path not in keep:
            path.unlink()


def generate(srcdir: Path, source_url: str) -> dict[str, list[tuple[str, str]]]:
    """Write everything under ``srcdir/_generated``; return {full name: [(doc, title)]} of the
    tutorials using each documented function and class."""
    out = srcdir / "_generated"
    notebooks = read_notebooks(srcdir.parent / "notebooks")
    written: set[Path] = set()

    for nb in notebooks:
        _write(out / "notebooks" / nb.path.name, static_notebook(nb.path, source_url), written)
    _remove_stale(out / "notebooks", written, "*.ipynb")

    docs = collect_api()
    _write(out / "api" / "index.rst", api_index(docs), written)
    for doc in docs:
        _write(out / "api" / f"{doc.name}.rst", module_page(doc, notebooks, source_url), written)
    _remove_stale(out / "api", written, "*.rst")
    # autosummary's own stubs of names that are gone
    stubs = {
        out / "api" / "generated" / f"{e.home}.{e.name}.rst"
        for doc in docs
        for e in doc.entries
        if e.home == doc.name and e.kind != "data"
    }
    _remove_stale(out / "api" / "generated", stubs, "*.rst")

    _write(out / "conventions_table.md", conventions_table(), written)
    _write(out / "commands.md", readme_commands(srcdir.parent), written)

    uses: dict[str, list[tuple[str, str]]] = {}
    for doc in docs:
        for e in doc.entries:
            if e.home == doc.name and e.kind != "data":
                uses[f"{doc.name}.{e.name}"] = [
                    (nb.docname, nb.title) for nb in tutorials_of({e.name}, notebooks)
                ]
    return uses


def _config_inited(app: Any, config: Any) -> None:
    source_url = config.alphakit_urls["Source"]
    uses = generate(Path(app.srcdir), source_url)
    binder = {
        nb: binder_url(source_url, nb.rsplit("/", 1)[-1] + ".ipynb")
        for links in uses.values()
        for nb, _ in links
    }
    config.autosummary_context = {
        **config.autosummary_context,
        "alphakit_tutorials": uses,
        "alphakit_binder": binder,
    }


def setup(app: Any) -> dict[str, Any]:
    app.add_config_value("alphakit_urls", {}, "env")
    app.connect("config-inited", _config_inited)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
