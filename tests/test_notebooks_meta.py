"""Structure of the tutorial notebooks, checked without running them.

nbval (``pytest --nbval notebooks/``) re-runs the notebooks and compares their
outputs; this file checks what nbval does not: that each lesson has the parts the
series promises (objectives, an exercise with a runnable check and a collapsed
solution, take-aways), that the stored outputs come from one clean top-to-bottom
run, and that nothing in them went to stderr.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
LESSONS = [
    "00_index",
    "01_impulse_response",
    "02_convolution",
    "03_the_bug",
    "04_the_fix",
    "05_integration",
    "06_network",
    "07_porting",
    "08_family_of_bugs",
    "09_timing",
]
# Outputs that must never be stored: progress bars, warnings, tracebacks.
FORBIDDEN = re.compile(r"it/s\]|\d+%\|[#█ ]|Warning:|Traceback \(most recent call last\)")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def texts(output: dict) -> str:
    if output.get("output_type") == "stream":
        return "".join(output.get("text", ""))
    parts = []
    for mime, value in output.get("data", {}).items():
        if mime.startswith("text/"):
            parts.append("".join(value) if isinstance(value, list) else value)
    return "\n".join(parts)


def ids(paths):
    return [p.stem for p in paths]


def test_every_lesson_exists():
    present = {p.stem for p in NOTEBOOKS}
    missing = [name for name in LESSONS if name not in present]
    assert not missing, f"missing notebooks: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_kernelspec_is_python3(path):
    nb = load(path)
    assert nb["nbformat"] == 4
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_opens_with_objectives_and_closes_with_take_aways(path):
    md = [source(c) for c in load(path)["cells"] if c["cell_type"] == "markdown"]
    assert md, "no markdown cells"
    assert md[0].lstrip().startswith("# "), "the first cell must be the title"
    assert any("objectives" in m.lower() for m in md[:2]), "no learning objectives at the top"
    assert re.search(r"key take-?aways", md[-1], re.IGNORECASE), "last markdown cell: take-aways"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_has_an_exercise_with_a_check_and_a_collapsed_solution(path):
    cells = load(path)["cells"]
    starts = [
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "markdown" and re.search(r"^#+ .*exercise", source(c), re.I | re.M)
    ]
    assert starts, "no exercise heading"
    hidden = [
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "code"
        and c.get("metadata", {}).get("jupyter", {}).get("source_hidden") is True
    ]
    assert any(i > starts[0] for i in hidden), "no collapsed solution cell after the exercise"
    first_solution = min(i for i in hidden if i > starts[0])
    between = [c for c in cells[starts[0] + 1 : first_solution] if c["cell_type"] == "code"]
    # the reader gets a cell to answer in and a check to run before the solution
    assert len(between) >= 2, "the exercise needs an answer cell and a check cell"
    assert any("correct" in texts(o).lower() for o in cells[first_solution].get("outputs", [])), (
        "the solution should run the check and show its verdict"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_outputs_come_from_one_clean_run(path):
    code = [c for c in load(path)["cells"] if c["cell_type"] == "code" and source(c).strip()]
    assert code, "no code cells"
    counts = [c.get("execution_count") for c in code]
    assert None not in counts, "a code cell was not executed"
    assert counts == list(range(1, len(code) + 1)), "not executed once, top to bottom"
    assert any(c.get("outputs") for c in code), "no stored outputs"
    for i, cell in enumerate(code):
        for out in cell.get("outputs", []):
            where = f"code cell {i + 1}"
            assert out["output_type"] != "error", f"{where} stored an error"
            assert not (out["output_type"] == "stream" and out.get("name") == "stderr"), (
                f"{where} wrote to stderr: {texts(out)[:200]!r}"
            )
            assert not FORBIDDEN.search(texts(out)), f"{where}: {texts(out)[:200]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_figures_have_unit_labels(path):
    # every explicit axis label in the sources carries a unit in parentheses, or is a count
    for cell in load(path)["cells"]:
        if cell["cell_type"] != "code":
            continue
        for label in re.findall(r"set_[xy]label\(\s*f?\"([^\"]*)\"", source(cell)):
            assert re.search(r"\(.+\)|/|count|number", label), f"label without unit: {label!r}"


def test_index_links_every_lesson_and_only_existing_files():
    index = NOTEBOOKS_DIR / "00_index.ipynb"
    text = "\n".join(source(c) for c in load(index)["cells"] if c["cell_type"] == "markdown")
    targets = set(re.findall(r"\]\(([^)#]+\.ipynb)\)", text))
    for name in LESSONS[1:]:
        assert f"{name}.ipynb" in targets, f"index does not link {name}"
    missing = sorted(t for t in targets if not (NOTEBOOKS_DIR / t).exists())
    assert not missing, f"index links missing notebooks: {missing}"
