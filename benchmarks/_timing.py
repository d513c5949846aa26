"""Timing helpers shared by both sides of the benchmark (and by the library's -O run)."""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

BUDGET = 0.2
"""Seconds one timed run of a short action should last (it is repeated to fill them)."""


@contextmanager
def settled() -> Iterator[None]:
    """Time from a clean start: collect the garbage left by building, then run with the
    garbage collector on, as an application runs (both systems are timed this way)."""
    gc.collect()
    yield


def times(action: Callable[[], object], repeat: int) -> list[float]:
    """Wall times of `repeat` runs of `action()`."""
    with settled():
        out = []
        for _ in range(repeat):
            start = time.perf_counter()
            action()
            out.append(time.perf_counter() - start)
        return out


def per_call(action: Callable[[], object], repeat: int) -> list[float]:
    """Seconds per call of a short `action`, `repeat` times: each run calls it as often as
    fits in about `BUDGET` seconds (measured on a first call)."""
    with settled():
        start = time.perf_counter()
        action()
        calls = max(3, math.ceil(BUDGET / max(time.perf_counter() - start, 1e-6)))
        out = []
        for _ in range(repeat):
            start = time.perf_counter()
            for _ in range(calls):
                action()
            out.append((time.perf_counter() - start) / calls)
        return out
