"""Check the built sdist and wheel: the licence, the metadata, and what the tests need.

Usage: ``python .ci/check_dist.py DIST_DIR`` (the folder ``python -m build`` wrote to).

- the wheel holds ``alphakit/py.typed`` (PEP 561: type checkers read alphakit's annotations);
- the wheel holds ``LICENSE`` (as ``*.dist-info/licenses/LICENSE``), identical to the repository's,
  and its metadata names the MIT licence and every ``[project.urls]`` entry of pyproject.toml;
- the sdist holds the licence and every file of ``tests/`` that git tracks (the tests and their
  data), so that the tests can run from the unpacked sdist.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tracked(folder: str) -> set[str]:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", folder],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return {line for line in out.splitlines() if line}
    except (OSError, subprocess.CalledProcessError):  # not a git checkout
        return {
            p.relative_to(ROOT).as_posix()
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }


def main(dist: Path) -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    licence = (ROOT / "LICENSE").read_bytes()
    errors: list[str] = []

    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        if "alphakit/py.typed" not in names:
            errors.append(f"{wheel.name}: no alphakit/py.typed")
        lic = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        if not lic:
            errors.append(f"{wheel.name}: no dist-info/licenses/LICENSE")
        elif zf.read(lic[0]) != licence:
            errors.append(f"{wheel.name}: {lic[0]} differs from LICENSE")
        (meta_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = Parser().parsestr(zf.read(meta_name).decode("utf-8"))
    if meta.get("License-Expression") != project["license"]:
        errors.append(f"License-Expression {meta.get('License-Expression')!r}")
    urls = set(meta.get_all("Project-URL") or [])
    for label, url in project["urls"].items():
        if f"{label}, {url}" not in urls:
            errors.append(f"Project-URL {label}, {url} missing from the wheel's metadata")

    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as tf:
        members = {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name}
    need = {"LICENSE", "pyproject.toml"} | tracked("tests")
    missing = sorted(need - members)
    if missing:
        errors.append(f"{sdist.name} lacks {len(missing)} files: {missing[:10]}")

    for error in errors:
        print(f"check_dist: {error}", file=sys.stderr)
    if not errors:
        print(f"check_dist: {wheel.name} and {sdist.name} ok ({len(need)} required files)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
