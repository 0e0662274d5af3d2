"""The Binder pins, the package's declared ranges and the README's commands agree.

Binder installs ``binder/requirements.txt`` and CI tests exactly that, so every dependency the
package declares (core and every extra) must be pinned there, and each pin must lie inside the
declared range, or users of ``pip install alphakit[...]`` would get versions nobody tested.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import sysconfig
import tomllib
from pathlib import Path

import pytest

packaging = pytest.importorskip("packaging", reason="the pin checks need 'packaging'")
from packaging.markers import default_environment  # noqa: E402
from packaging.requirements import Requirement  # noqa: E402
from packaging.utils import canonicalize_name  # noqa: E402
from packaging.version import Version  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = canonicalize_name(PYPROJECT["project"]["name"])
EXTRAS: dict[str, list[str]] = PYPROJECT["project"].get("optional-dependencies", {})
BINDER = ROOT / "binder"
# Markers are evaluated as on Binder: Linux, CPython 3.12.
BINDER_ENV = default_environment() | {
    "python_version": "3.12",
    "python_full_version": "3.12.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "os_name": "posix",
}


def _load_readme_block():
    spec = importlib.util.spec_from_file_location("readme_block", ROOT / ".ci/readme_block.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.read_block


read_block = _load_readme_block()
README = (ROOT / "README.md").read_text(encoding="utf-8")


def parse_pins(text: str) -> dict[str, Version]:
    """``name==version`` lines -> {canonical name: version}; anything looser is an error."""
    pins: dict[str, Version] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==" and "*" not in specs[0].version, (
            f"binder/requirements.txt line {number}: {raw!r} is not an exact '==' pin"
        )
        assert req.url is None and req.marker is None and not req.extras, (
            f"binder/requirements.txt line {number}: {raw!r}: plain name==version only"
        )
        name = canonicalize_name(req.name)
        assert name not in pins, f"binder/requirements.txt pins {name!r} twice"
        pins[name] = Version(specs[0].version)
    return pins


PINS = parse_pins((BINDER / "requirements.txt").read_text(encoding="utf-8"))


def declared_requirements() -> list[tuple[str, Requirement]]:
    """(where, requirement) for the core dependencies and every extra, with ``alphakit[...]``
    self-references resolved recursively to the extras they name."""
    found: list[tuple[str, Requirement]] = []
    seen_extras: set[str] = set()

    def add(where: str, specs: list[str]) -> None:
        for text in specs:
            req = Requirement(text)
            if canonicalize_name(req.name) == PROJECT:
                for extra in sorted(req.extras):
                    assert extra in EXTRAS, f"{where}: {text!r} names an undefined extra"
                    if extra not in seen_extras:
                        seen_extras.add(extra)
                        add(f"extra {extra!r}", EXTRAS[extra])
            else:
                found.append((where, req))

    add("dependencies", PYPROJECT["project"].get("dependencies", []))
    for extra in sorted(EXTRAS):
        if extra not in seen_extras:
            seen_extras.add(extra)
            add(f"extra {extra!r}", EXTRAS[extra])
    return found


DECLARED = declared_requirements()


def test_declarations_are_found():
    # Guards the parametrisation below against silently checking nothing.
    names = {canonicalize_name(req.name) for _, req in DECLARED}
    assert {"numpy", "scipy", "matplotlib", "brainpy", "pytest", "nbval"} <= names


@pytest.mark.parametrize(("where", "req"), DECLARED, ids=[f"{w}: {r}" for w, r in DECLARED])
def test_declared_dependency_is_pinned_inside_its_range(where, req):
    if req.marker is not None and not req.marker.evaluate(BINDER_ENV):
        pytest.skip(f"{req} does not apply on Binder's Python 3.12")
    name = canonicalize_name(req.name)
    assert name in PINS, f"{where} declares {req}, but binder/requirements.txt does not pin it"
    assert req.specifier.contains(PINS[name], prereleases=True), (
        f"{where} declares {req}, but binder/requirements.txt pins {name}=={PINS[name]}"
    )


def test_self_references_cover_every_extra():
    # The 'all' extra is what Binder holds: every other extra must be reachable from it.
    assert "all" in EXTRAS
    reached: set[str] = set()
    todo = ["all"]
    while todo:
        extra = todo.pop()
        reached.add(extra)
        for text in EXTRAS[extra]:
            req = Requirement(text)
            if canonicalize_name(req.name) == PROJECT:
                todo.extend(sorted(req.extras - reached))
    assert reached == set(EXTRAS), f"extras missing from 'all': {set(EXTRAS) - reached}"


def test_pins_exclude_the_project_and_include_packaging():
    assert PROJECT not in PINS, "alphakit is installed from the checkout by binder/postBuild"
    assert "packaging" in PINS, "tests/test_pins.py needs 'packaging' in the pinned environment"


def test_pins_hold_brainpy_29_and_numba():
    # BrainPy 2.9 is the release the notebooks are written for; its CPU event kernels need numba.
    assert PINS["brainpy"].release[:2] == (2, 9)
    assert "numba" in PINS and "jax" in PINS and "jaxlib" in PINS


def test_runtime_pins_python_312():
    assert (BINDER / "runtime.txt").read_text(encoding="utf-8").strip() == "python-3.12"


def _postbuild_commands() -> list[str]:
    lines = (BINDER / "postBuild").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_postbuild_starts_with_set_e_and_is_executable():
    path = BINDER / "postBuild"
    commands = _postbuild_commands()
    assert commands and commands[0].startswith("set -e"), "postBuild must start with 'set -e'"
    assert path.read_text(encoding="utf-8").startswith("#!"), "repo2docker executes it directly"
    assert os.access(path, os.X_OK), "repo2docker executes binder/postBuild: it needs +x"


def test_readme_install_line_is_what_binder_runs():
    test_block = read_block(README, "test")
    assert len(test_block) == 3, "ci:test block: venv line, install line, test command"
    install = [c for c in _postbuild_commands() if c.startswith("pip ")]
    assert test_block[0] == "python3.12 -m venv .venv && source .venv/bin/activate"
    assert test_block[1] == " && ".join(["pip install -r binder/requirements.txt", *install])
    notebooks_block = read_block(README, "notebooks")
    assert notebooks_block[:2] == test_block[:2], "both README commands set up the same way"
    assert notebooks_block[2].startswith("jupyter lab notebooks/")


def test_postbuild_precompiles_the_numba_kernels():
    # The warm-up must run after alphakit is installed, and the module it names must exist.
    commands = _postbuild_commands()
    warm = [i for i, c in enumerate(commands) if c == "python -m alphakit._engine._numba"]
    installs = [i for i, c in enumerate(commands) if c.startswith("pip install")]
    assert warm and installs and warm[0] > installs[-1]
    assert (ROOT / "alphakit" / "_engine" / "_numba.py").is_file()


def test_readme_test_command_is_strict_and_is_what_ci_runs():
    command = read_block(README, "test")[2]
    args = command.split()
    assert args[:3] == ["python", "-m", "pytest"]
    assert "--nbval" in args and "--nbval-lax" not in args, "notebooks are compared strictly"
    assert args[-3:] == ["alphakit", "tests", "notebooks"]
    assert "--doctest-modules" in args, "the docstrings' Examples run as doctests"
    sanitize = args[args.index("--nbval-sanitize-with") + 1]
    assert (ROOT / sanitize).is_file()
    browser = read_block(README, "browser")
    assert len(browser) == 1 and "-m browser" in browser[0]

    # .ci/run takes both commands from the README (no copy of its own) and runs them as read.
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert re.search(r"^TEST_BLOCK_TEXT=\$\(readme_block test\)$", ci, re.M)
    assert re.search(r"^TEST_CMD=\$\{TEST_BLOCK\[2\]\}$", ci, re.M)
    assert re.search(r"^BROWSER_CMD=\$\(readme_block browser\)$", ci, re.M)
    runs = re.findall(r"^run_pytest (\S+)", ci, re.M)
    assert runs[:2] == ['"$TEST_CMD"', '"$BROWSER_CMD"'], runs
    # The Python 3.11 stage runs the doctests of the installed wheel too.
    assert re.search(r"^run_pytest .*--doctest-modules --pyargs alphakit", ci, re.M)
    # ... and installs the Binder files as repo2docker does: the requirements, then postBuild.
    install = re.search(
        r"^pip install .*-r binder/requirements\.txt\n\./binder/postBuild$", ci, re.M
    )
    assert install, (
        ".ci/run must run 'pip install ... -r binder/requirements.txt; ./binder/postBuild'"
    )


def test_readme_binder_badge_opens_the_index_notebook():
    match = re.search(
        r"https://mybinder\.org/v2/gh/[\w.-]+/alphakit/HEAD\?urlpath=lab/tree/(\S+?)\)", README
    )
    assert match, "README needs a Binder badge opening JupyterLab (urlpath=lab/tree/...)"
    target = match.group(1)
    assert target == "notebooks/00_index.ipynb"
    if any((ROOT / "notebooks").glob("*.ipynb")):
        assert (ROOT / target).is_file(), f"the Binder badge opens {target}, which is missing"


def _installed() -> dict[str, str]:
    # Only the environment's own site-packages: once imported, setuptools puts its vendored
    # packages (with their own, older dist-info) on sys.path.
    paths = list(dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib")))
    return {
        canonicalize_name(dist.metadata["Name"]): dist.version
        for dist in importlib.metadata.distributions(path=paths)
        if dist.metadata["Name"]
    }


def test_pinned_environment_holds_nothing_unpinned():
    # Only meaningful inside the environment built from the pins (CI's, Binder's): there, an
    # unpinned distribution means the lock is incomplete and Binder could drift from CI.
    installed = _installed()
    mismatched = {n: v for n, v in PINS.items() if installed.get(n) != str(v)}
    if mismatched:
        shown = ", ".join(
            f"{n}=={installed.get(n)} (pin {v})" for n, v in sorted(mismatched.items())
        )
        pytest.skip(f"not the pinned environment: {shown[:300]}")
    extra = set(installed) - set(PINS) - {PROJECT, "pip"}
    assert not extra, f"installed but not pinned in binder/requirements.txt: {sorted(extra)}"
