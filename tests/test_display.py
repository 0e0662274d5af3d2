"""Every result type shows itself briefly: a repr of a few lines and a small HTML table.

The instances are filled generically from the field annotations (so a renamed
field needs no change here), with arrays far too long to print, and strings
holding HTML markup that must come out escaped.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import alphakit as ak
from alphakit._display import html_repr, summary, text_repr
from alphakit.brainpy import InstalledConvention, Issue577Result, IssueScriptResult, SynapseRun
from alphakit.diagnosis import Classification, Diagnosis, diagnose
from alphakit.kernels import KernelProperties
from alphakit.network import NetworkResult
from alphakit.ode import Trace
from alphakit.peers import PeerMeasure, PeerResponse
from alphakit.statistics import SpikeRecord

T = 100_000
MARKUP = '<b class="x">bold & "quoted"</b> '
# a value no summary may print: arrays hold it, and must show as shape and dtype only
SENTINEL = 0.123456789


def _value(annotation: str) -> object:
    if "ndarray" in annotation or "NDArray" in annotation:
        return np.full(T, SENTINEL)
    if annotation.startswith("Diagnosis"):
        return None
    if annotation.startswith("str"):
        return MARKUP * 20
    if annotation == "bool":
        return True
    if annotation in ("int", "int | None"):
        return 7
    if annotation in ("float", "float | None"):
        return 1.0 / 3.0
    if annotation.startswith(("dict", "Mapping")):
        return {f"k{i}": i / 3 for i in range(20)}
    if annotation.startswith("tuple"):
        return tuple(f"row_{i}" for i in range(20))
    raise AssertionError(f"no test value for annotation {annotation!r}")


def _filled(cls: type) -> object:
    if dataclasses.is_dataclass(cls):
        names = [(f.name, str(f.type)) for f in dataclasses.fields(cls)]
    else:  # NamedTuple
        names = [(n, str(cls.__annotations__[n])) for n in cls._fields]
    return cls(**{name: _value(ann) for name, ann in names})


def _instances() -> list[object]:
    out = [
        _filled(cls)
        for cls in (
            Trace,
            Diagnosis,
            Classification,
            KernelProperties,
            Issue577Result,
            SynapseRun,
            InstalledConvention,
            IssueScriptResult,
            PeerResponse,
            PeerMeasure,
        )
    ]
    rng = np.random.default_rng(0)
    times = np.sort(rng.uniform(0.0, 1000.0, T))
    idx = rng.integers(0, 100, T)
    out.append(SpikeRecord(times, idx, 100, 1000.0))
    out.append(NetworkResult(times, idx, 80, 20, 1000.0, 0.1, {"note": MARKUP}, np.zeros((T, 2))))
    # and results as the library makes them
    s = np.zeros(2000)
    s[[10, 500]] = 1.0
    g = np.r_[0.0, 8.6 * ak.convolve_spikes(s, 0.1, 8.6)[:-1]]
    out.append(ak.simulate(s, 0.1, 8.6))
    out.append(ak.kernel_properties(8.6, norm="legacy"))
    out.append(diagnose(g, s, 0.1, 8.6))
    return out


INSTANCES = _instances()
IDS = [f"{type(x).__name__}-{i}" for i, x in enumerate(INSTANCES)]


@pytest.mark.parametrize("obj", INSTANCES, ids=IDS)
def test_repr_is_short_and_summarises_arrays(obj):
    text = repr(obj)
    lines = text.splitlines()
    assert text.startswith(type(obj).__name__ + "(")
    assert len(lines) <= 10, text
    assert max(len(line) for line in lines) <= 100, text
    assert len(text) <= 1000
    assert "123456" not in text and "array([" not in text
    for name, value in vars(obj).items() if hasattr(obj, "__dict__") else obj._asdict().items():
        if isinstance(value, np.ndarray) and value.ndim and f"{name}=" in text:
            assert f"{name}=<array {value.shape} {value.dtype}>" in text


@pytest.mark.parametrize("obj", INSTANCES, ids=IDS)
def test_html_is_a_well_formed_escaped_table(obj):
    markup = obj._repr_html_()
    root = ET.fromstring(markup)  # raises on anything not well-formed
    assert root.tag == "div"
    assert root.find("table") is not None
    # the markup inside string values is text, never elements
    assert root.find(".//b") is None
    rows = root.findall("./table/tr")
    assert rows and all(len(r) == 2 and r[0].tag == "th" and r[1].tag == "td" for r in rows)
    text = "".join(root.itertext())
    assert "123456" not in text
    assert type(obj).__name__ in text


@pytest.mark.parametrize(
    "obj", [x for x in INSTANCES if hasattr(x, "explanation")], ids=lambda x: type(x).__name__
)
def test_explanation_in_words_in_full_in_html_and_short_in_repr(obj):
    root = ET.fromstring(obj._repr_html_())
    assert root.find("p").text == obj.explanation
    assert obj.explanation not in repr(obj) or len(obj.explanation) < 40


def test_peer_response_shows_its_timing_in_words():
    r = _filled(PeerResponse)
    root = ET.fromstring(r._repr_html_())
    assert root.find("p").text == r.timing


def test_nested_result_is_named_not_expanded():
    inner = _filled(Diagnosis)
    outer = dataclasses.replace(inner, refit=inner)
    assert "refit=Diagnosis(...)" in repr(outer)
    assert len(repr(outer).splitlines()) <= 10


def test_summary_rounds_numbers_and_keeps_them_recognisable():
    assert summary(np.float64(2.0) / 3.0) == "0.666667"
    assert summary(np.float32(8.6)) == "8.6"
    assert summary(5.0) == "5.0"
    assert summary(np.int64(3)) == "3"
    assert summary(np.bool_(True)) == "True"
    assert summary(np.array(2.5)) == "2.5"  # a 0-d array is a number
    assert summary(float("nan")) == "nan"
    assert summary(1e-12) == "1e-12"
    assert summary(np.zeros((3, 4), dtype=np.int32)) == "<array (3, 4) int32>"


def test_summary_of_long_containers_says_how_many_are_left_out():
    s = summary(tuple(range(100)))
    assert s.startswith("(0, 1, ") and s.endswith(" ... +" + s.rsplit("+", 1)[1])
    shown = s[1:].split(", ...")[0].split(", ")
    assert int(s.rsplit("+", 1)[1].rstrip(")")) == 100 - len(shown)
    assert len(s) <= 48


def test_a_namedtuple_binding_works_through_the_module_functions():
    tr = Trace(np.zeros(3), np.ones(3))
    assert repr(tr) == text_repr(tr) == "Trace(g=<array (3,) float64>, h=<array (3,) float64>)"
    assert tr._repr_html_() == html_repr(tr)
    # still a tuple: unpacking and indexing are unchanged
    g, h = tr
    assert g is tr[0] and h is tr.h
