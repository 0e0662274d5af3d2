"""Sphinx configuration of alphakit's documentation site.

Build (offline, warnings are errors), from the repository root:

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Nothing that the build generates is committed: ``docs/_ext/alphakit_docs.py`` writes, under
``docs/_generated/`` at every build, the API pages (from the package's public modules and
their ``__all__``), the tutorials (the notebooks with their stored outputs) and the
conventions table (from ``alphakit.conventions``).
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# The checkout's alphakit, also when another copy is installed (e.g. editable elsewhere).
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "_ext"))

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
URLS: dict[str, str] = PYPROJECT["urls"]

project = "alphakit"
author = PYPROJECT["authors"][0]["name"]
copyright = f"2026, {author}"
release = version = PYPROJECT["version"]

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
    "alphakit_docs",
]

exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
templates_path = ["_templates"]
suppress_warnings: list[str] = []

# -- API reference -----------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": False}
autodoc_typehints = "signature"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Docstring cross-references that numpydoc cannot resolve stay plain text instead of warning.
numpydoc_xref_param_type = False

# -- Notebooks: rendered with their stored outputs, never executed here (strict nbval in CI
# already runs them against exactly these outputs) -----------------------------------------------
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
# Widgets cannot run on a static page; alphakit_docs replaces their outputs with a Binder link,
# so no widget JavaScript is loaded from a CDN.
nb_ipywidgets_js: dict = {}

# -- HTML ---------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"alphakit {version}"
html_static_path = ["_static"]
html_css_files = ["alphakit.css"]
html_theme_options = {
    "github_url": URLS["Source"],
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    # Nothing fetched from the network at build time or for rendering the pages.
    "use_edit_page_button": False,
}
html_context = {"default_mode": "light"}
html_show_sourcelink = False

# Used by alphakit_docs for the Binder links of the tutorials.
alphakit_urls = URLS
