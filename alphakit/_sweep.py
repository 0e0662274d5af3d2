"""Running many independent simulations, serially or on an executor, in a fixed order.

The machinery behind :func:`alphakit.network.sweep`, free of any model: a
``task`` maps one payload to one outcome; :func:`run_all` runs a list of
payloads and returns their outcomes in the list's order, whoever computed them.

Why it is built as it is:

* A model is compiled once per process and structure (size, dynamics, step
  count) and cached there, so the payloads are grouped by a structure key and a
  group is sent as few chunks as load balancing allows: many small groups go
  whole, one large group is cut into about two chunks per worker. A worker
  then compiles a structure once, and only the structures it is given.
* Within one process, runs take a lock: BrainPy keeps global state (the time
  step, shared variables), so two threads of one worker must not run models at
  the same time. Parallelism comes from processes.
* Every run catches its own exception, so one failure does not lose the
  chunk's other results; what travels back is the error's type, message and
  traceback as text (an exception object need not survive pickling).
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import math
import os
import sys
import threading
import traceback
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any

from ._optional import require
from ._validation import choice, flag

__all__ = ["Failure", "expand", "is_dask_client", "label", "run_all", "run_chunk", "run_grid"]

_LOCK = threading.Lock()


class Failure:
    """A run that raised: ``kind`` (exception type name), ``message`` and ``traceback``."""

    __slots__ = ("exception", "kind", "message", "traceback")

    def __init__(self, exc: BaseException, keep: bool = False):
        self.kind = type(exc).__name__
        self.message = str(exc)
        self.traceback = "".join(traceback.format_exception(exc))
        self.exception = exc if keep else None  # only in the calling process

    def __getstate__(self):
        return (self.kind, self.message, self.traceback)

    def __setstate__(self, state):
        self.kind, self.message, self.traceback = state
        self.exception = None

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


def run_chunk(task: Callable[[Any], Any], payloads: Sequence[Any], keep: bool = False) -> list:
    """``task(p)`` for each payload, in order; a raising run gives a :class:`Failure`."""
    out: list = []
    with _LOCK:
        for payload in payloads:
            try:
                out.append(task(payload))
            except Exception as exc:
                out.append(Failure(exc, keep))
    return out


def is_dask_client(executor: Any) -> bool:
    """Whether ``executor`` is a ``dask.distributed.Client`` (without importing dask)."""
    distributed = sys.modules.get("distributed")
    return distributed is not None and isinstance(executor, distributed.Client)


def _n_workers(executor: Any) -> int:
    if is_dask_client(executor):
        return max(1, len(executor.scheduler_info().get("workers", {})))
    return max(1, int(getattr(executor, "_max_workers", 0) or os.cpu_count() or 1))


def chunks(keys: Sequence[Hashable], n_workers: int | None) -> list[list[int]]:
    """Indices grouped by key (groups in order of first appearance), cut for ``n_workers``.

    ``None`` (serial): one chunk per group. Otherwise chunks hold at most
    ``ceil(n / (2 n_workers))`` indices, and a group is cut into equal parts.
    """
    groups: dict[Hashable, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    if n_workers is None:
        return list(groups.values())
    target = max(1, math.ceil(len(keys) / (2 * n_workers)))
    out: list[Any] = []
    for members in groups.values():
        parts = math.ceil(len(members) / target)
        size = math.ceil(len(members) / parts)
        out.extend(members[j : j + size] for j in range(0, len(members), size))
    return out


def run_all(
    task: Callable[[Any], Any],
    payloads: Sequence[Any],
    keys: Sequence[Hashable],
    *,
    executor: Any = None,
    on_done: Callable[[int, Any], None],
) -> None:
    """Run ``task`` on every payload; call ``on_done(index, outcome)`` as results arrive.

    ``outcome`` is the task's return value or a :class:`Failure`. ``on_done`` may
    raise to stop the sweep: pending chunks are then cancelled.
    """
    if executor is None:
        for chunk in chunks(keys, None):
            for i in chunk:
                on_done(i, run_chunk(task, [payloads[i]], keep=True)[0])
        return
    parts = chunks(keys, _n_workers(executor))
    if is_dask_client(executor):
        from distributed import as_completed

        futures = {
            executor.submit(run_chunk, task, [payloads[i] for i in c], pure=False): c
            for c in parts
        }
        done_iter: Any = as_completed(list(futures))
    else:
        futures = {executor.submit(run_chunk, task, [payloads[i] for i in c]): c for c in parts}
        done_iter = cf.as_completed(futures)
    try:
        for future in done_iter:
            chunk = futures[future]
            try:
                outcomes = future.result()
            except Exception as exc:  # the worker or the transport failed, not a run
                outcomes = [Failure(exc)] * len(chunk)
            for i, outcome in zip(chunk, outcomes, strict=True):
                on_done(i, outcome)
    finally:
        for future in futures:
            future.cancel()


def expand(grid: Any, allowed: Sequence[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """The parameter names of ``grid`` (in order) and its points, first key slowest."""
    if not isinstance(grid, Mapping):
        raise TypeError(f"grid must be a mapping of parameter -> list of values, got {grid!r}")
    names: list[str] = []
    axes = []
    for key, values in grid.items():
        keys = key if isinstance(key, tuple) else (key,)
        for k in keys:
            if k not in allowed:
                raise ValueError(f"grid: {k!r} is not one of the parameters {', '.join(allowed)}")
            if k in names:
                raise ValueError(f"grid: {k!r} appears twice")
            names.append(k)
        if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
            raise TypeError(f"grid[{key!r}] must be a list of values, got {values!r}")
        values = list(values)
        if not values:
            raise ValueError(f"grid[{key!r}] is empty")
        if len(keys) > 1:
            for v in values:
                if isinstance(v, str) or not isinstance(v, Iterable) or len(list(v)) != len(keys):
                    raise ValueError(
                        f"grid[{key!r}] must hold tuples of {len(keys)} values, got {v!r}"
                    )
        axes.append([dict(zip(keys, v, strict=True)) if len(keys) > 1 else {key: v}
                     for v in values])  # fmt: skip
    combos = itertools.product(*axes)
    points = [{k: v for part in combo for k, v in part.items()} for combo in combos]
    return names, points


def label(point: Mapping[str, Any]) -> str:
    """``seed=1, synapse='legacy'``: a grid point as its parameters read."""
    return ", ".join(f"{k}={v!r}" for k, v in point.items()) or "no grid parameters"


def run_grid(
    grid: Any,
    fixed: Mapping[str, Any],
    defaults: Mapping[str, Any],
    *,
    prepare: Callable[..., dict],
    task: Callable[[Any], tuple[dict, Any]],
    structure: Callable[[dict], Hashable],
    stat_columns: Sequence[str],
    executor: Any,
    progress: Any,
    errors: Any,
    keep_spikes: Any,
) -> tuple[Any, list]:
    """A sweep's table and kept results; see :func:`alphakit.network.sweep`.

    ``prepare(**parameters)`` validates one point (``ValueError``/``TypeError``)
    into a config holding every parameter; ``task((config, keep_spikes))``
    returns ``(statistics, result or None)``; ``structure(config)`` is the key
    of the compiled model.
    """
    pd = require("pandas", "sweep")
    progress = flag("progress", progress)
    keep_spikes = flag("keep_spikes", keep_spikes)
    errors = choice("errors", errors, ("raise", "keep"))
    usable = isinstance(executor, cf.Executor) or is_dask_client(executor)
    if executor is not None and not usable:
        raise TypeError(
            "executor must be None, a concurrent.futures.Executor or a dask.distributed.Client, "
            f"got {type(executor).__name__}"
        )
    for key in fixed:
        if key not in defaults:
            raise TypeError(
                f"sweep() got an unexpected keyword argument {key!r}; the parameters are "
                f"{', '.join(defaults)}"
            )
    names, points = expand(grid, tuple(defaults))
    for key in names:
        if key in fixed:
            raise ValueError(f"{key!r} is both in grid and passed as a keyword")

    n = len(points)
    args = [{**defaults, **fixed, **point} for point in points]
    cfgs: list[dict | None] = [None] * n
    outcomes: list[Any] = [None] * n
    for i, point in enumerate(points):
        try:
            cfgs[i] = prepare(**args[i])
        except (TypeError, ValueError) as exc:
            if errors == "raise":
                raise type(exc)(f"grid point {i} ({label(point)}): {exc}") from exc
            outcomes[i] = Failure(exc)
    todo = [i for i in range(n) if cfgs[i] is not None]
    bar = require("tqdm.auto", "sweep").tqdm(total=n, desc="sweep") if progress else None

    def on_done(j: int, outcome: Any) -> None:
        i = todo[j]
        if isinstance(outcome, Failure) and errors == "raise":
            err = RuntimeError(f"the run at grid point {i} ({label(points[i])}) failed: {outcome}")
            if outcome.exception is None:  # raised in another process: keep its traceback
                err.add_note(outcome.traceback)
            raise err from outcome.exception
        outcomes[i] = outcome
        if bar is not None:
            bar.update(1)

    try:
        if bar is not None:
            bar.update(n - len(todo))
        payloads = [(cfgs[i], keep_spikes) for i in todo]
        keys = [structure(cfgs[i]) for i in todo]  # type: ignore[arg-type]
        run_all(task, payloads, keys, executor=executor, on_done=on_done)
    finally:
        if bar is not None:
            bar.close()

    columns = names + [k for k in defaults if k not in names]
    rows: list[Any] = []
    results: list[Any] = []
    for i in range(n):
        source = cfgs[i] if cfgs[i] is not None else args[i]
        row = {k: source[k] for k in columns}  # type: ignore[index]
        if isinstance(outcomes[i], Failure):
            row["error"] = str(outcomes[i])
            results.append(None)
        else:
            row.update(outcomes[i][0])
            results.append(outcomes[i][1])
        rows.append(row)
    columns += [*stat_columns, "wall_time_s"] + (["error"] if errors == "keep" else [])
    return pd.DataFrame(rows, columns=columns), results
