"""Read the commands that the README shows in a fenced block marked ``<!-- ci:NAME -->``.

The README is the one source of truth for how to install alphakit and run its tests:
``.ci/run`` executes what this prints and ``tests/test_pins.py`` checks it against
``binder/postBuild``. Blank lines and ``#`` comments inside the block are dropped.

Usage: ``python .ci/readme_block.py README.md NAME`` prints one command per line.
"""

from __future__ import annotations

import sys
from pathlib import Path


def read_block(text: str, name: str) -> list[str]:
    """Return the command lines of the fenced block that follows ``<!-- ci:name -->``."""
    marker = f"<!-- ci:{name} -->"
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == marker]
    if len(starts) != 1:
        raise ValueError(f"README must contain {marker!r} exactly once, found {len(starts)}")
    i = starts[0] + 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines) or not lines[i].lstrip().startswith("```"):
        raise ValueError(f"{marker!r} must be followed by a fenced code block")
    commands = []
    for line in lines[i + 1 :]:
        if line.lstrip().startswith("```"):
            return commands
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            commands.append(stripped)
    raise ValueError(f"the code block after {marker!r} is not closed")


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    for command in read_block(Path(argv[1]).read_text(encoding="utf-8"), argv[2]):
        print(command)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
