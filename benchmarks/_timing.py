"""Timing shared by both sides of the benchmark (and by the library's run under -O).

A figure is a callable that does one timed run and returns seconds per unit (per load, per
command, per rebuild). Figures of the same group (the same measurement on each system) are
run in turns — es-tui, library, es-tui, library... — so that a busy spell of the machine
falls on both and their ratio holds. The garbage collector stays on, as in an application;
it is run once before each group, so no figure pays for the garbage of building.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable

Figure = Callable[[], float]
"""One timed run; returns seconds per unit."""
Timings = dict[str, list[float]]

BUDGET = 0.2
"""Seconds one run of a short action should last (it is repeated to fill them)."""


def once(action: Callable[[], object]) -> Figure:
    """A figure timing one call of `action`."""

    def run() -> float:
        start = time.perf_counter()
        action()
        return time.perf_counter() - start

    return run


def per_call(action: Callable[[], object]) -> Figure:
    """A figure timing a short `action`, called as often as fits in about `BUDGET` seconds
    (as measured on the first run)."""
    calls = 0

    def run() -> float:
        nonlocal calls
        if not calls:
            start = time.perf_counter()
            action()
            calls = max(3, math.ceil(BUDGET / max(time.perf_counter() - start, 1e-6)))
        start = time.perf_counter()
        for _ in range(calls):
            action()
        return (time.perf_counter() - start) / calls

    return run


def group_of(key: str) -> str:
    """The measurement a figure belongs to: `rehydrate-cipher/memory/10` and
    `rehydrate/memory/10` are one; so are all `commands/memory/...`."""
    kind, backend, *rest = key.split("/")
    kind = kind.split("-")[0]
    return f"{kind}/{backend}" if kind == "commands" else "/".join([kind, backend, *rest])


def measure(sides: list[dict[str, Figure]], repeat: int) -> list[Timings]:
    """Run every figure `repeat` times, the figures of a group in turns; one Timings per
    side."""
    out: list[Timings] = [{} for _ in sides]
    groups: dict[str, list[tuple[Timings, str, Figure]]] = {}
    for side, figures in zip(out, sides, strict=True):
        for key, figure in figures.items():
            groups.setdefault(group_of(key), []).append((side, key, figure))
    for members in groups.values():
        gc.collect()
        for _ in range(repeat):
            for side, key, figure in members:
                side.setdefault(key, []).append(figure())
    return out
