"""The files that make alphakit publishable agree with each other and with pyproject.toml.

LICENSE is the MIT text the metadata declares; CITATION.cff is valid CFF 1.2 (checked against
the rules of the CFF 1.2.0 specification that apply to it) and names the same version, licence
and addresses; the README's Binder badge and documentation link, the docs' conf.py and the
Read the Docs configuration use pyproject's ``[project.urls]``; CHANGELOG.md follows Keep a
Changelog. The built sdist and wheel themselves are checked by CI (``.ci/check_dist.py``).
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
URLS = PROJECT.get("urls", {})
README = (ROOT / "README.md").read_text(encoding="utf-8")

yaml = pytest.importorskip("yaml", reason="reading CITATION.cff needs PyYAML")


def test_project_urls_are_declared_once_with_the_four_labels():
    assert set(URLS) == {"Homepage", "Documentation", "Source", "Issues"}
    for label, url in URLS.items():
        assert re.fullmatch(r"https://[\w.-]+(/[\w.-]+)*/?", url), f"{label}: {url!r}"
    assert URLS["Issues"] == URLS["Source"].rstrip("/") + "/issues"


def test_licence_is_the_mit_text_of_the_metadata():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert PROJECT["license"] == "MIT"
    assert PROJECT.get("license-files") == ["LICENSE"]
    assert text.startswith("MIT License\n")
    holder = PROJECT["authors"][0]["name"]
    assert re.search(rf"^Copyright \(c\) 2026 {re.escape(holder)}$", text, re.M)
    # The operative sentences of the MIT licence (opensource.org/license/mit), in order.
    flat = " ".join(text.split())
    sentences = [
        "Permission is hereby granted, free of charge, to any person obtaining a copy",
        "The above copyright notice and this permission notice shall be included in all "
        "copies or substantial portions of the Software.",
        'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND',
    ]
    positions = [flat.find(s) for s in sentences]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)


# --- CITATION.cff ----------------------------------------------------------------------------
# The keys CFF 1.2.0 allows at the top level, and the ones it requires.
CFF_KEYS = {
    "abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi",
    "identifiers", "keywords", "license", "license-url", "message", "preferred-citation",
    "references", "repository", "repository-artifact", "repository-code", "title", "type",
    "url", "version",
}  # fmt: skip
CFF_REQUIRED = {"cff-version", "message", "title", "authors"}
CFF_PERSON_KEYS = {
    "address", "affiliation", "alias", "city", "country", "email", "family-names", "fax",
    "given-names", "name-particle", "name-suffix", "orcid", "post-code", "region", "tel",
    "website",
}  # fmt: skip
CFF_ENTITY_KEYS = {
    "address", "alias", "city", "country", "date-end", "date-start", "email", "fax",
    "location", "name", "orcid", "post-code", "region", "tel", "website",
}  # fmt: skip


def _cff() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def cff_errors(cff: dict) -> list[str]:
    """Violations of the CFF 1.2.0 rules for the keys alphakit's file may use."""
    errors = []
    if not isinstance(cff, dict):
        return ["not a mapping"]
    errors += [f"missing required key {k!r}" for k in sorted(CFF_REQUIRED - set(cff))]
    errors += [f"unknown key {k!r}" for k in sorted(set(cff) - CFF_KEYS)]
    if cff.get("cff-version") != "1.2.0":
        errors.append("cff-version must be the string '1.2.0'")
    for key in ("message", "title", "abstract", "version", "license"):
        if key in cff and not (isinstance(cff[key], str) and cff[key].strip()):
            errors.append(f"{key!r} must be a non-empty string")
    if cff.get("type", "software") not in ("software", "dataset"):
        errors.append("type must be 'software' or 'dataset'")
    authors = cff.get("authors")
    if not isinstance(authors, list) or not authors:
        errors.append("authors must be a non-empty list")
    else:
        for i, author in enumerate(authors):
            if not isinstance(author, dict):
                errors.append(f"authors[{i}] is not a mapping")
            elif "name" in author:  # an entity
                unknown = set(author) - CFF_ENTITY_KEYS
                errors += [f"authors[{i}]: unknown key {k!r}" for k in sorted(unknown)]
            elif not ({"family-names", "given-names"} & set(author)):
                errors.append(f"authors[{i}] has neither a name nor family/given names")
            else:
                unknown = set(author) - CFF_PERSON_KEYS
                errors += [f"authors[{i}]: unknown key {k!r}" for k in sorted(unknown)]
    for key in ("url", "repository-code", "repository", "license-url"):
        if key in cff and not re.fullmatch(r"(https|http|ftp|sftp)://.+", str(cff[key])):
            errors.append(f"{key!r} must be a URL")
    if "keywords" in cff and not all(isinstance(k, str) for k in cff["keywords"]):
        errors.append("keywords must be strings")
    released = str(cff.get("date-released", "2000-01-01"))
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", released):
        errors.append("date-released must be YYYY-MM-DD")
    return errors


def test_citation_cff_is_valid_cff_1_2():
    assert cff_errors(_cff()) == []


@pytest.mark.parametrize(
    "broken",
    [
        {"cff-version": "1.2.0", "message": "m", "title": "t"},
        {"cff-version": 1.2, "message": "m", "title": "t", "authors": [{"name": "x"}]},
        {"cff-version": "1.2.0", "message": "m", "title": "t", "authors": [{"orcid": "x"}]},
        {"cff-version": "1.2.0", "message": "m", "title": "t", "authors": [{"name": "x"}],
         "homepage": "https://x.org"},
        {"cff-version": "1.2.0", "message": "m", "title": "t", "authors": [{"name": "x"}],
         "repository-code": "github.com/x"},
    ],
)  # fmt: skip
def test_the_cff_check_rejects_invalid_files(broken):
    assert cff_errors(broken)


def test_citation_matches_the_metadata():
    cff = _cff()
    assert cff["version"] == PROJECT["version"]
    assert cff["license"] == PROJECT["license"]
    assert cff["repository-code"] == URLS["Source"]
    assert cff["url"] == URLS["Documentation"]
    assert [a["name"] for a in cff["authors"]] == [a["name"] for a in PROJECT["authors"]]


# --- README, docs and Read the Docs use the same addresses ------------------------------------


def _github_path(url: str) -> str:
    match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+)/?", url)
    assert match, f"Source must be a GitHub repository URL: {url!r}"
    return match.group(1)


def test_readme_badge_and_links_use_the_project_urls():
    repo = _github_path(URLS["Source"])
    badges = re.findall(r"https://mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/", README)
    assert badges and set(badges) == {repo}, f"Binder badges point at {set(badges)}, not {repo}"
    assert URLS["Documentation"] in README, "the README links the documentation site"
    # Every link into the project's own GitHub organisation or docs host is one of its URLs.
    owner = repo.split("/")[0]
    own = re.findall(rf"https://github\.com/{re.escape(owner)}/[^\s)>\]]*", README)
    for url in own:
        assert url.startswith(URLS["Source"].rstrip("/")), url


def test_docs_conf_reads_the_urls_from_pyproject():
    spec = importlib.util.spec_from_file_location("alphakit_docs_conf", ROOT / "docs/conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert conf.URLS == URLS
    assert conf.html_theme_options["github_url"] == URLS["Source"]
    assert conf.release == PROJECT["version"]
    # Offline build: no inventories fetched from the network.
    assert not getattr(conf, "intersphinx_mapping", None)
    assert "sphinx.ext.intersphinx" not in conf.extensions
    assert conf.nb_execution_mode == "off"


def test_readthedocs_builds_the_same_site_from_the_pins():
    rtd = yaml.safe_load((ROOT / ".readthedocs.yaml").read_text(encoding="utf-8"))
    assert rtd["version"] == 2
    assert rtd["build"]["tools"]["python"] == "3.12"
    assert (ROOT / "binder/runtime.txt").read_text().strip() == "python-3.12"
    assert rtd["python"]["install"] == [{"requirements": "binder/requirements.txt"}]
    assert "python -m pip install --no-deps ." in rtd["build"]["jobs"]["post_install"]
    assert rtd["sphinx"] == {"configuration": "docs/conf.py", "fail_on_warning": True}


def test_readme_docs_command_builds_into_docs_build_html_with_warnings_as_errors():
    spec = importlib.util.spec_from_file_location("readme_block", ROOT / ".ci/readme_block.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (command,) = module.read_block(README, "docs")
    args = command.split()
    assert args[:3] == ["python", "-m", "sphinx"] and "-W" in args
    assert args[-2:] == ["docs", "docs/_build/html"]
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert re.search(r"^DOCS_CMD=\$\(readme_block docs\)$", ci, re.M)


# --- CHANGELOG.md ----------------------------------------------------------------------------


def test_changelog_keeps_a_changelog_from_0_1_0():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## \[([^\]]+)\]", text, re.M)
    assert versions[0] == "Unreleased" and "0.1.0" in versions
    assert PROJECT["version"] in versions
    for version in versions:  # each heading's link reference is defined at the bottom
        assert re.search(rf"^\[{re.escape(version)}\]: https://", text, re.M), version
    sections = set(re.findall(r"^### (\w+)", text, re.M))
    assert sections <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def _extra_names(extra: str) -> set[str]:
    """Distribution names an extra brings, its alphakit[...] self-references followed."""
    from packaging.requirements import Requirement

    names: set[str] = set()
    for text in PROJECT["optional-dependencies"][extra]:
        req = Requirement(text)
        if req.name == "alphakit":
            for sub in req.extras:
                names |= _extra_names(sub)
        else:
            names.add(req.name.lower())
    return names


def test_the_core_needs_numpy_and_scipy_only_and_matplotlib_is_the_plot_extra():
    from packaging.requirements import Requirement

    assert {Requirement(r).name.lower() for r in PROJECT["dependencies"]} == {"numpy", "scipy"}
    assert _extra_names("plot") == {"matplotlib"}
    for extra in ("widgets", "notebooks", "all"):
        assert "matplotlib" in _extra_names(extra), extra


def test_py_typed_ships_in_the_package():
    # PEP 561: the marker file, and the package data that puts it in the wheel
    # (.ci/check_dist.py checks the built wheel).
    assert (ROOT / "alphakit" / "py.typed").is_file()
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"]["alphakit"]


def test_mypy_is_in_the_lint_extra_and_runs_in_ci_right_after_ruff():
    assert "mypy" in _extra_names("lint")
    assert PYPROJECT["tool"]["mypy"]["files"] == ["alphakit"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    stages = re.findall(r"^begin (\w+)", ci, flags=re.MULTILINE)
    assert stages[stages.index("ruff") + 1] == "mypy"
    assert re.search(r"^mypy$", ci, flags=re.MULTILINE)
