"""Re-execute the tutorial notebooks in place, so their stored outputs match the library.

Run after any change to alphakit that alters what the notebooks print::

    python notebooks/execute_all.py              # every numbered notebook, in order
    python notebooks/execute_all.py 01 05        # only those whose name starts with 01 or 05

Each notebook runs top to bottom in a fresh ``python3`` kernel (the one nbval uses),
with its own directory as the working directory, and is written back with its
outputs and execution counts. Seeds are fixed in the notebooks, so re-running
gives the same text outputs (what ``pytest --nbval`` compares). The script
fails, and leaves the notebook untouched, if a cell raises or writes to stderr.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
TIMEOUT_S = 600


def notebooks(prefixes: list[str]) -> list[Path]:
    paths = sorted(HERE.glob("[0-9][0-9]_*.ipynb"))
    if prefixes:
        paths = [p for p in paths if any(p.name.startswith(x) for x in prefixes)]
    return paths


def stderr_outputs(nb: nbformat.NotebookNode) -> list[str]:
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                found.append(f"cell {i}: {out.get('text', '')[:200]!r}")
    return found


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    bad = stderr_outputs(nb)
    if bad:
        raise RuntimeError(f"{path.name} wrote to stderr:\n" + "\n".join(bad))
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    paths = notebooks(argv)
    if not paths:
        print(f"no notebooks match {argv}", file=sys.stderr)
        return 1
    total = 0.0
    for path in paths:
        elapsed = execute(path)
        total += elapsed
        print(f"{path.name}: {elapsed:.1f} s")
    print(f"total: {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
