"""Check a pytest JUnit XML report for skips that CI must not accept.

Usage: ``python .ci/junit_check.py REPORT.xml [--fail-on-skip] [--fail-on-broken-import]
[--min-tests N]``

``--fail-on-broken-import``: fail on a skip from ``pytest.importorskip`` whose module is
installed (its import raised): in the pinned environment every optional dependency is there,
so such a skip hides a broken package. Skips for modules that are not installed are listed.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import xml.etree.ElementTree as ET


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("report")
    parser.add_argument("--fail-on-skip", action="store_true")
    parser.add_argument("--fail-on-broken-import", action="store_true")
    parser.add_argument("--min-tests", type=int, default=0)
    args = parser.parse_args()

    cases = ET.parse(args.report).getroot().iter("testcase")
    n_tests, problems, notes = 0, [], []
    for case in cases:
        n_tests += 1
        skip = case.find("skipped")
        if skip is None:
            continue
        name = f"{case.get('classname')}::{case.get('name')}"
        message = skip.get("message", "")
        if args.fail_on_skip:
            problems.append(f"skipped: {name}: {message}")
            continue
        match = re.search(r"could not import '([\w.]+)'", message)
        if match and args.fail_on_broken_import:
            module = match.group(1)
            try:
                installed = importlib.util.find_spec(module.split(".")[0]) is not None
            except (ImportError, ValueError):
                installed = False
            if installed:
                problems.append(f"installed module {module!r} failed to import: {name}: {message}")
                continue
        notes.append(f"skipped: {name}: {message}")
    print(f"junit_check: {n_tests} tests in {args.report}")
    for note in notes:
        print(f"  note: {note}")
    if n_tests < args.min_tests:
        problems.append(f"only {n_tests} tests ran, expected at least {args.min_tests}")
    for problem in problems:
        print(f"  FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
