"""What a Binder reader sees: the notebooks run in JupyterLab in a real (headless) Chromium.

For the index notebook and lessons 1 and 5, the test opens the notebook in JupyterLab, runs all
cells from the menu (Run > Run All Cells) and checks, in the page the reader would see:

- every code cell ran, and no cell shows an error or anything on stderr;
- every widget the kernel displayed is rendered as a widget by the front-end (a missing or
  mismatched ``jupyterlab_widgets`` shows the widget's text repr, "Error displaying widget" or
  a "Loading widget..." that never goes away instead);
- in each of them, moving a slider with the keyboard changes the figure next to it
  (screenshots of the figure before and after differ), without an error;
- the page requested nothing beyond localhost and saved nothing (autosave is off; no write
  request to the contents API is made).

Fixtures and the server/browser setup are in ``conftest.py``; run with the README's browser
command, ``python -m pytest -m browser tests``. On failure, screenshots of the page and of the
failing cells, the browser console and the server log are in ``test-artifacts/``.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser

# Notebook file-name prefix, and whether the notebook must have a slider that drives a figure.
NOTEBOOKS = [
    pytest.param("00", True, id="00_index"),
    pytest.param("01", True, id="01_impulse_response"),
    pytest.param("05", True, id="05_integration"),
]

KERNEL_READY_TIMEOUT = 90.0  # s, kernel start (a cold start imports numpy/matplotlib)
RUN_TIMEOUT = 150.0  # s, "Run All Cells" on one notebook
WIDGET_TIMEOUT = 20.0  # s, for every displayed widget to render after the run
FIGURE_TIMEOUT = 45.0  # s, for the figure to be redrawn after the slider moved
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
STDERR_MIME = "application/vnd.jupyter.stderr"
WIDGET_PLACEHOLDERS = ("Error displaying widget", "Loading widget...")
MIN_FIGURE_SIZE = (120, 80)  # px; smaller images are icons, not figures

# State of the notebook opened at `path`, read from JupyterLab's own model (window.jupyterapp,
# exposed by the server fixture) and from the rendered DOM of each cell.
JS_STATE = """
(args) => {
  const [path, stderrMime, placeholders, minW, minH] = args;
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  const panel = Array.from(app.shell.widgets('main')).find(
    (w) => w.context && w.context.path === path);
  if (!panel || !panel.content || !panel.content.model || !panel.sessionContext) return null;
  const session = panel.sessionContext.session;
  const kernel = session ? session.kernel : null;
  const cells = panel.content.widgets.map((cell, index) => {
    const model = cell.model;
    const info = {index, type: model.type, empty: model.sharedModel.getSource().trim() === ''};
    if (model.type !== 'code') return info;
    const prompt = cell.node.querySelector('.jp-InputPrompt');
    info.prompt = prompt ? prompt.textContent.trim() : '';
    info.executionCount = model.executionCount;
    info.outputs = [];
    for (let i = 0; i < model.outputs.length; i++) {
      const o = model.outputs.get(i).toJSON();
      const text = o.text ? [].concat(o.text).join('') : '';
      info.outputs.push({
        type: o.output_type, name: o.name || null, mimes: Object.keys(o.data || {}),
        ename: o.ename || null, evalue: o.evalue || null, text: text.slice(0, 1500)});
    }
    const area = cell.node.querySelector('.jp-Cell-outputArea');
    const q = (sel) => area ? Array.from(area.querySelectorAll(sel)) : [];
    // One child per model output, in order; the widget renderer sets no data-mime-type.
    info.views = q(':scope > .jp-OutputArea-child').map((child) => {
      const out = child.querySelector(':scope > .jp-OutputArea-output');
      if (!out) return null;
      return {
        mime: out.dataset.mimeType || null,
        text: out.textContent.slice(0, 300),
        widget: out.classList.contains('jupyter-widgets')
          || !!out.querySelector(':scope > .jupyter-widgets'),
        placeholder: placeholders.some((p) => out.textContent.includes(p)),
        errorWidget: !!out.querySelector('.jupyter-widgets-error-widget'),
      };
    });
    // stderr and errors shown inside widgets (Output widgets), not in the cell's own outputs.
    info.widgetStderr = q(`.jp-OutputArea-output[data-mime-type="${stderrMime}"]`)
      .filter((n) => n.closest('.jupyter-widgets'))
      .map((n) => n.textContent.slice(0, 1500));
    info.placeholders = placeholders.filter((p) => area && area.textContent.includes(p));
    info.sliders = q('.widget-slider').length;
    info.dropdowns = q('.widget-dropdown').length;
    info.figures = q('img, canvas, svg').filter((n) => {
      const r = n.getBoundingClientRect();
      return r.width >= minW && r.height >= minH;
    }).length;
    return info;
  });
  return {
    ready: panel.sessionContext.isReady,
    kernelStatus: kernel ? kernel.status : null,
    kernelName: kernel ? kernel.name : null,
    cells,
  };
}
"""


def _notebook(prefix: str) -> str:
    """Repository-relative path of the notebook whose name starts with ``prefix``."""
    matches = sorted((REPO / "notebooks").glob(f"{prefix}_*.ipynb"))
    assert len(matches) == 1, f"expected one notebooks/{prefix}_*.ipynb, found {matches}"
    return matches[0].relative_to(REPO).as_posix()


def _state(page, path: str) -> dict | None:
    return page.evaluate(
        JS_STATE, [path, STDERR_MIME, list(WIDGET_PLACEHOLDERS), *MIN_FIGURE_SIZE]
    )


def _wait_for(page, path: str, condition, timeout: float, poll: float = 0.5) -> dict | None:
    """Poll the notebook state until ``condition(state)`` holds; return the last state."""
    deadline = time.monotonic() + timeout
    while True:
        state = _state(page, path)
        if state is not None and condition(state):
            return state
        if time.monotonic() > deadline:
            return state
        page.wait_for_timeout(poll * 1000)


def _code_cells(state: dict) -> list[dict]:
    return [c for c in state["cells"] if c["type"] == "code"]


def _errors(state: dict) -> list[str]:
    """Every error or stderr output, in the cell model or rendered (e.g. in an Output widget)."""
    found = []
    for cell in _code_cells(state):
        for out in cell["outputs"]:
            if out["type"] == "error":
                found.append(f"cell {cell['index']}: {out['ename']}: {out['evalue']}")
            elif out["type"] == "stream" and out["name"] == "stderr":
                found.append(f"cell {cell['index']} stderr: {out['text']!r}")
        for text in cell["widgetStderr"]:
            found.append(f"cell {cell['index']} (in a widget) stderr/error: {text!r}")
    return found


def _idle(state: dict) -> bool:
    return state["kernelStatus"] == "idle" and not any(
        "*" in c["prompt"] for c in _code_cells(state)
    )


def _run_finished(state: dict) -> bool:
    # After an error JupyterLab drops the queued cells, so those never get a count.
    if not _idle(state):
        return False
    ran = all(c["executionCount"] is not None for c in _code_cells(state) if not c["empty"])
    return ran or any(o["type"] == "error" for c in _code_cells(state) for o in c["outputs"])


def _widget_problems(state: dict) -> list[str]:
    """Widget outputs of the kernel that the page does not show as working widgets."""
    found = []
    for cell in _code_cells(state):
        where = f"cell {cell['index']}"
        for i, out in enumerate(cell["outputs"]):
            if WIDGET_MIME not in out["mimes"]:
                continue
            view = cell["views"][i] if i < len(cell["views"]) else None
            if view is None or not view["widget"] or view["mime"] == "text/plain":
                shown = view["text"] if view else "nothing"
                found.append(f"{where}: widget shown as {shown!r} (no widget front-end?)")
            elif view["placeholder"] or view["errorWidget"]:
                found.append(f"{where}: widget failed to render: {view['text']!r}")
        for text in cell["placeholders"]:
            found.append(f"{where}: {text!r} on the page")
    return found


def _check(page, artifacts: Path, title: str, problems: list[str]) -> None:
    """Fail with ``problems`` (each "cell <n>: ..."), saving a screenshot of each such cell."""
    if not problems:
        return
    for index in sorted({int(m.group(1)) for p in problems if (m := re.match(r"cell (\d+)", p))}):
        try:
            page.locator(".jp-Notebook .jp-Cell").nth(index).screenshot(
                path=str(artifacts / f"cell{index}.png"), timeout=5000
            )
        except Exception:  # noqa: BLE001 - a diagnostic must not hide the failure
            pass
    pytest.fail(f"{title}:\n" + "\n".join(problems), pytrace=False)


def _n_widgets(state: dict) -> int:
    return sum(WIDGET_MIME in o["mimes"] for c in _code_cells(state) for o in c["outputs"])


def _figure(page, cell_index: int):
    """Locator of the largest image/canvas/svg in the outputs of cell ``cell_index``."""
    cell = page.locator(".jp-Notebook .jp-Cell").nth(cell_index)
    best, best_area = None, 0.0
    candidates = cell.locator(".jp-Cell-outputArea").locator("img, canvas, svg")
    for i in range(candidates.count()):
        box = candidates.nth(i).bounding_box()
        if box and box["width"] >= MIN_FIGURE_SIZE[0] and box["height"] >= MIN_FIGURE_SIZE[1]:
            if box["width"] * box["height"] > best_area:
                best, best_area = candidates.nth(i), box["width"] * box["height"]
    return best


def _shot(page, cell_index: int) -> bytes | None:
    figure = _figure(page, cell_index)
    if figure is None:
        return None
    try:
        return figure.screenshot(animations="disabled", timeout=5000)
    except Exception:  # noqa: BLE001 - the figure may be replaced while it is redrawn
        return None


def _pixels(png: bytes):
    from matplotlib.image import imread

    return imread(io.BytesIO(png), format="png")


def _move_slider_changes_figure(page, path: str, cell: dict, artifacts: Path) -> list[str]:
    """Move the cell's first slider with the keyboard; return what went wrong (empty: fine)."""
    index = cell["index"]
    slider = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".widget-slider").first
    readout = slider.locator(".widget-readout")
    handle = slider.locator(".noUi-handle").first
    problems = []

    before = _shot(page, index)
    if before is None:
        return [f"cell {index}: no figure (img/canvas/svg) found next to the slider"]
    (artifacts / f"cell{index}-before.png").write_bytes(before)
    pixels = _pixels(before)
    if float(pixels[..., :3].std()) == 0.0:
        problems.append(f"cell {index}: the figure is blank before the slider moves")

    value_before = readout.inner_text() if readout.count() else None
    handle.focus()
    # PageUp moves by several steps; at the top of the range, move down instead.
    for key in ("PageUp", "PageDown"):
        handle.press(key)
        page.wait_for_timeout(300)
        if readout.count() == 0 or readout.inner_text() != value_before:
            break
    value_after = readout.inner_text() if readout.count() else None
    if value_after == value_before:
        return [*problems, f"cell {index}: the slider did not move (readout {value_before!r})"]

    after = before
    deadline = time.monotonic() + FIGURE_TIMEOUT
    while time.monotonic() < deadline:
        page.wait_for_timeout(500)
        state = _state(page, path)
        if state is None or not _idle(state):
            continue
        shot = _shot(page, index)
        if shot is not None:
            after = shot
            if after != before:
                break
    (artifacts / f"cell{index}-after.png").write_bytes(after)
    changed = "?"
    if after != before and _pixels(after).shape == pixels.shape:
        changed = f"{(_pixels(after) != pixels).any(axis=-1).mean():.1%}"
    print(f"cell {index}: slider {value_before!r} -> {value_after!r}, figure changed: {changed}")
    if after == before:
        problems.append(
            f"cell {index}: the figure did not change within {FIGURE_TIMEOUT:.0f} s after the "
            f"slider moved from {value_before!r} to {value_after!r}"
        )
    return problems


@pytest.mark.parametrize(("prefix", "interactive"), NOTEBOOKS)
def test_notebook_runs_and_widgets_work(
    prefix: str, interactive: bool, lab_server, lab_page, artifacts: Path
) -> None:
    path = _notebook(prefix)
    page = lab_page.page
    t0 = time.monotonic()

    def phase(name: str) -> None:
        # Shown with -s, or under the failure: where the time goes.
        print(f"{path}: {name} at {time.monotonic() - t0:.1f} s")

    page.goto(lab_server.lab_url(path), wait_until="domcontentloaded")
    state = _wait_for(
        page, path, lambda s: s["ready"] and s["kernelStatus"] == "idle", KERNEL_READY_TIMEOUT
    )
    assert state is not None, f"JupyterLab did not open {path}"
    assert state["ready"] and state["kernelStatus"] == "idle", (
        f"kernel not idle after {KERNEL_READY_TIMEOUT:.0f} s: {state['kernelStatus']!r}"
    )
    phase("notebook open, kernel idle")

    # Start from no outputs (the stored ones, with widgets whose models do not exist yet,
    # would otherwise be on the page), then run everything from the menu, as a reader would.
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.locator("#jp-MainMenu .lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu .lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    state = _wait_for(page, path, _run_finished, RUN_TIMEOUT)
    assert _run_finished(state), f"'Run All Cells' did not finish within {RUN_TIMEOUT:.0f} s"
    phase("Run All Cells finished")
    state = _wait_for(page, path, lambda s: not _widget_problems(s), WIDGET_TIMEOUT)
    phase(f"{_n_widgets(state)} widget outputs checked")

    _check(page, artifacts, "cells with error/stderr output", _errors(state))
    not_run = [
        c["index"] for c in _code_cells(state) if not c["empty"] and c["executionCount"] is None
    ]
    assert not not_run, f"code cells that did not run: {not_run}"

    # Every widget the kernel displayed must be rendered as a widget, not as its text repr.
    _check(page, artifacts, "widgets not rendered", _widget_problems(state))

    if interactive:
        assert _n_widgets(state) >= 1, f"{path} displayed no widget"
        with_slider = [c for c in _code_cells(state) if c["sliders"] and c["figures"]]
        assert with_slider, f"{path}: no cell shows both a slider and a figure"
        problems = []
        for cell in with_slider:
            problems += _move_slider_changes_figure(page, path, cell, artifacts)
        state = _wait_for(page, path, _idle, RUN_TIMEOUT)
        problems += _errors(state)
        phase(f"slider moved in {len(with_slider)} cells")
        _check(page, artifacts, "moving a slider", problems)

    assert not lab_page.blocked, f"the page tried to reach beyond localhost: {lab_page.blocked}"
    assert not lab_page.writes, f"the page wrote to the repository: {lab_page.writes}"
