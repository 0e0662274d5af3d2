"""The documentation site, as a reader's browser shows it.

The site is the one the README's ``ci:docs`` command builds into ``docs/_build/html``; the
session fixture builds it with that very command when it is missing or older than any of its
sources (the docs, the notebooks, the package, the included Markdown files), then serves it
from 127.0.0.1. The browser can reach nothing else. Checked:

- the index renders with its navigation to the tutorials and the API reference;
- a tutorial page shows its stored figures (every image loaded, ``naturalWidth > 0``);
- the API page of ``simulate`` shows its signature, with every parameter that
  :func:`inspect.signature` finds on the function, and links the tutorials that use it;
- the search page finds ``convolve_spikes`` and links its API page;
- with JavaScript off, pages still render text, figures and navigation (search needs it).
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import inspect
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


# The same Chromium flags and notion of "local" as the JupyterLab browser tests.
_browser_conftest = _load("alphakit_browser_conftest", Path(__file__).with_name("conftest.py"))
CHROMIUM_ARGS = _browser_conftest.CHROMIUM_ARGS
LOCAL_HOSTS = _browser_conftest.LOCAL_HOSTS
HTML = REPO / "docs" / "_build" / "html"
# Sphinx rewrites its search index at every build, also an incremental one: its time is the
# time of the last build.
STAMP = HTML / "searchindex.js"
BUILD_TIMEOUT = 600.0  # s; a full build takes well under this
# MathJax renders the formulas from its CDN when the reader is online; offline (and here, where
# every request beyond localhost is aborted) the TeX source stays readable in the page.
ALLOWED_OUTSIDE = ("https://cdn.jsdelivr.net/npm/mathjax@",)

pytestmark = pytest.mark.browser


def _sources() -> Iterator[Path]:
    for folder, pattern in (
        ("docs", "**/*"),
        ("notebooks", "*.ipynb"),
        ("alphakit", "**/*.py"),
    ):
        for path in (REPO / folder).glob(pattern):
            if path.is_file() and not {"_build", "_generated", "__pycache__"} & set(path.parts):
                yield path
    for name in ("README.md", "CHANGELOG.md", "CONTRIBUTING.md", "benchmarks/README.md"):
        if (REPO / name).is_file():
            yield REPO / name
    yield REPO / "pyproject.toml"


def _docs_command() -> list[str]:
    module = _load("readme_block", REPO / ".ci/readme_block.py")
    (command,) = module.read_block((REPO / "README.md").read_text(encoding="utf-8"), "docs")
    args = command.split()
    assert args[0] == "python", command
    return [sys.executable, *args[1:]]


@pytest.fixture(scope="session")
def docs_site(chromium_path: str) -> Iterator[str]:
    """Base URL of the built site, served from 127.0.0.1 (built first if missing or stale)."""
    newest = max(p.stat().st_mtime for p in _sources())
    if not STAMP.is_file() or STAMP.stat().st_mtime < newest:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        result = subprocess.run(
            _docs_command(), cwd=REPO, env=env, capture_output=True, text=True,
            timeout=BUILD_TIMEOUT,
        )  # fmt: skip
        log = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        assert result.returncode == 0, f"docs build failed:\n{log}"
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@dataclass
class SitePage:
    page: object  # playwright.sync_api.Page
    console: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


def _open_context(playwright_driver, chromium_path, javascript: bool):
    browser = playwright_driver.chromium.launch(
        executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
    )
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": 1300, "height": 900}
    )
    state = SitePage(page=None)

    def only_localhost(route) -> None:
        parts = urllib.parse.urlsplit(route.request.url)
        if parts.scheme in ("data", "blob") or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            state.outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_localhost)
    page = context.new_page()
    page.on("console", lambda msg: state.console.append(f"[{msg.type}] {msg.text}"))
    page.on("pageerror", lambda exc: state.console.append(f"[pageerror] {exc}"))
    state.page = page
    return browser, state


@pytest.fixture
def site_page(playwright_driver, chromium_path, docs_site, artifacts):
    browser, state = _open_context(playwright_driver, chromium_path, javascript=True)
    try:
        yield state
        unexpected = [u for u in state.outside if not u.startswith(ALLOWED_OUTSIDE)]
        assert not unexpected, f"the page requested outside resources: {unexpected}"
        errors = [line for line in state.console if line.startswith("[pageerror]")]
        assert not errors, errors
    finally:
        try:
            if state.page is not None:
                state.page.screenshot(path=str(artifacts / "page.png"), full_page=True)
                (artifacts / "console.log").write_text("\n".join(state.console) + "\n")
        except Exception:  # noqa: BLE001 - diagnostics only
            pass
        browser.close()


@pytest.fixture
def nojs_page(playwright_driver, chromium_path, docs_site):
    browser, state = _open_context(playwright_driver, chromium_path, javascript=False)
    try:
        yield state
    finally:
        browser.close()


def _images_loaded(page) -> list[dict]:
    page.wait_for_load_state("load")
    return page.eval_on_selector_all(
        "article img",
        "imgs => imgs.map(i => ({src: i.getAttribute('src'), complete: i.complete,"
        " w: i.naturalWidth, h: i.naturalHeight}))",
    )


def test_index_page(site_page, docs_site):
    page = site_page.page
    page.goto(f"{docs_site}/index.html")
    assert "alphakit" in page.title()
    article = page.locator("article").inner_text()
    assert "BrainPy issue 577" in article
    for name in ("Getting started", "Tutorials", "User guide", "API reference"):
        assert page.locator("nav a", has_text=name).count() >= 1, f"no navigation link {name!r}"


def test_tutorial_figures_load(site_page, docs_site):
    page = site_page.page
    page.goto(f"{docs_site}/_generated/notebooks/01_impulse_response.html")
    assert "impulse response" in page.locator("article h1").first.inner_text().lower()
    images = _images_loaded(page)
    # the notebook stores three figures (its outputs, not re-run)
    assert len(images) >= 3, images
    broken = [i for i in images if not (i["complete"] and i["w"] > 0 and i["h"] > 0)]
    assert not broken, broken
    # the widget's output is a link to Binder, not a dead widget
    assert page.locator("p.alphakit-widget a[href*='mybinder.org']").count() >= 1


def test_simulate_api_page_shows_its_signature(site_page, docs_site):
    from alphakit.ode import simulate

    page = site_page.page
    page.goto(f"{docs_site}/_generated/api/generated/alphakit.ode.simulate.html")
    signature = page.locator("dl.py.function > dt.sig").first.inner_text()
    assert "simulate" in signature
    for name in inspect.signature(simulate).parameters:
        assert name in signature, f"parameter {name!r} missing from {signature!r}"
    body = page.locator("article").inner_text()
    assert "Parameters" in body and "Returns" in body
    # notebook 5 calls simulate for every integrator
    tutorials = page.locator("a[href*='notebooks/05_integration.html']")
    assert tutorials.count() >= 1, "the API page links the tutorials that use simulate"


def test_search_finds_convolve_spikes(site_page, docs_site):
    page = site_page.page
    page.goto(f"{docs_site}/search.html?q=convolve_spikes")
    link = page.locator(
        "#search-results a[href*='alphakit.convolution.convolve_spikes.html']"
    ).first
    link.wait_for(timeout=30_000)
    assert "convolve_spikes" in link.inner_text()


def test_pages_work_without_javascript(nojs_page, docs_site):
    page = nojs_page.page
    page.goto(f"{docs_site}/_generated/notebooks/02_convolution.html")
    time.sleep(0.5)  # nothing asynchronous to wait for without scripts
    assert page.locator("article h1").count() >= 1
    assert page.locator("article img").count() >= 2
    assert page.locator("nav a", has_text="API reference").count() >= 1
    assert not nojs_page.outside or all(u.startswith(ALLOWED_OUTSIDE) for u in nojs_page.outside)
    page.goto(f"{docs_site}/_generated/api/index.html")
    modules = {a.inner_text().strip() for a in page.locator("article a").all()}
    assert {"alphakit", "alphakit.ode", "alphakit.convolution"} <= modules, modules
