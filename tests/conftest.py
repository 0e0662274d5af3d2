"""Shared fixtures."""

from __future__ import annotations

import importlib.util

import pytest


@pytest.fixture(params=["scipy", "numba"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test once on each recurrence engine (numba's skipped when it is absent)."""
    if request.param == "numba" and importlib.util.find_spec("numba") is None:
        pytest.skip("numba not installed")
    monkeypatch.setenv("ALPHAKIT_ENGINE", request.param)
    return request.param
