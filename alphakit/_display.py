"""How alphakit's result types show themselves: a short repr and a small HTML table.

Every result type (``Trace``, ``Diagnosis``, ``KernelProperties``, the BrainPy
and peer run records, ``NetworkResult``...) binds :func:`text_repr` as its
``__repr__`` and :func:`html_repr` as its ``_repr_html_``. Both read the
fields generically (dataclass fields or NamedTuple ``_fields``), so a renamed
or added field needs no change here. Arrays are summarised by shape and dtype,
never printed: a result holding a 100 000-step trace still shows in a few lines.

A class may set two plain class attributes:

``_display_note``
    Name of a str field or property holding an explanation in words; the HTML
    shows it in full as a paragraph above the table (the repr keeps it short).
``_display_extra``
    Names of cheap properties worth showing after the fields (e.g. ``n_spikes``).
"""

from __future__ import annotations

import dataclasses
import html
import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["html_repr", "summary", "text_repr"]

# Width of a repr line, and the longest a single value may print as in it.
_WIDTH = 88
_VALUE_CHARS = 48
# A repr never grows beyond this many lines (header and closing line included).
_MAX_LINES = 10


def _fields(obj: Any) -> list[tuple[str, Any]]:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        pairs = [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.repr]
    else:
        pairs = [(name, getattr(obj, name)) for name in getattr(obj, "_fields", ())]
    for name in getattr(obj, "_display_extra", ()):
        pairs.append((name, getattr(obj, name)))
    return pairs


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _number(x: Any) -> str:
    if isinstance(x, bool | np.bool_):
        return str(bool(x))
    if isinstance(x, numbers.Integral):
        return str(int(x))
    if isinstance(x, numbers.Complex) and not isinstance(x, numbers.Real):
        return f"{complex(x):.6g}"
    f = float(x)
    if math.isfinite(f) and f == round(f) and abs(f) < 1e15:
        return f"{f:.1f}"  # 5.0, not 5: the value stays recognisably a float
    return f"{f:.6g}"


def _array(a: np.ndarray) -> str:
    return f"<array {tuple(a.shape)} {a.dtype}>"


def summary(value: Any, limit: int = _VALUE_CHARS) -> str:
    """A one-line text for ``value``: numbers rounded, arrays as shape and dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from alphakit._display import summary
    >>> summary(np.zeros((1000, 3)))
    '<array (1000, 3) float64>'
    >>> summary(2.0 / 3.0), summary(8.6), summary(5.0), summary(None)
    ('0.666667', '8.6', '5.0', 'None')
    """
    if value is None or isinstance(value, bool | np.bool_):
        return str(None if value is None else bool(value))
    if isinstance(value, np.ndarray):
        return _array(value) if value.ndim else _number(value.item())
    if isinstance(value, numbers.Number):
        return _number(value)
    if isinstance(value, str):
        return repr(_shorten(value, max(limit - 2, 8)))
    if hasattr(value, "_repr_html_") and (
        dataclasses.is_dataclass(value) or hasattr(value, "_fields")
    ):
        return f"{type(value).__name__}(...)"  # a nested result, e.g. Diagnosis.refit
    if isinstance(value, Mapping):
        items = [f"{k}: {summary(v, 16)}" for k, v in value.items()]
        return _joined("{", items, "}", limit)
    if isinstance(value, tuple | list):
        items = [summary(v, 24) for v in value]
        open_, close = ("(", ")") if isinstance(value, tuple) else ("[", "]")
        if isinstance(value, tuple) and len(items) == 1:
            close = ",)"
        return _joined(open_, items, close, limit)
    return _shorten(repr(value), limit)


def _joined(open_: str, items: list[str], close: str, limit: int) -> str:
    full = open_ + ", ".join(items) + close
    if len(full) <= limit:
        return full
    shown: list[str] = []
    for i, item in enumerate(items):
        candidate = open_ + ", ".join([*shown, item]) + f", ... +{len(items) - i - 1}" + close
        if shown and len(candidate) > limit:
            break
        shown.append(item)
    if len(shown) == len(items):
        return _shorten(full, limit)
    return open_ + ", ".join(shown) + f", ... +{len(items) - len(shown)}" + close


def text_repr(obj: Any) -> str:
    """``Name(field=value, ...)`` wrapped at 88 characters, in at most 10 lines."""
    name = type(obj).__name__
    parts = [f"{k}={summary(v)}" for k, v in _fields(obj)]
    one_line = f"{name}({', '.join(parts)})"
    if len(one_line) <= _WIDTH:
        return one_line
    lines: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}, {part}" if current else part
        if current and len(candidate) + 4 > _WIDTH:
            lines.append(current + ",")
            current = part
        else:
            current = candidate
    lines.append(current)
    body_max = _MAX_LINES - 2
    if len(lines) > body_max:
        lines = [*lines[: body_max - 1], "..."]
    return "\n".join([f"{name}(", *("    " + line for line in lines), ")"])


def _html_value(value: Any) -> str:
    if isinstance(value, np.ndarray) and value.ndim:
        text = f"array, shape {tuple(value.shape)}, {value.dtype}"
        if value.size and np.issubdtype(value.dtype, np.number) and not np.iscomplexobj(value):
            finite = value[np.isfinite(value)]
            if finite.size:
                text += f", from {_number(finite.min())} to {_number(finite.max())}"
        return html.escape(text)
    if isinstance(value, str):
        return html.escape(_shorten(value, 200))
    return html.escape(summary(value, 120))


def html_repr(obj: Any) -> str:
    """A small table of the fields, preceded by the explanation in words (if any).

    Every text is HTML-escaped: names, values and the explanation.
    """
    name = type(obj).__name__
    note_field = getattr(obj, "_display_note", None)
    note = getattr(obj, note_field, None) if note_field else None
    rows = [
        f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
        f"<td style='text-align:left'>{_html_value(v)}</td></tr>"
        for k, v in _fields(obj)
        if k != note_field
    ]
    parts = ["<div>", f"<strong>{html.escape(name)}</strong>"]
    if isinstance(note, str) and note:
        parts.append(f"<p>{html.escape(note)}</p>")
    parts += ["<table>", *rows, "</table>", "</div>"]
    return "\n".join(parts)
