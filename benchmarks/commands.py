"""The commands figures of `bench.py` alone: es-tui's `handler.edit` against the library.

    python benchmarks/commands.py [--memory N] [--sqlite N] [--repeat N] [--dir DIR]

The same runs `bench.py` times (its `_es_tui.commands` and `_library.commands`): on a fresh
system each run, one idea published, accepted, then edited N times, a snapshot every 10
events on both sides. es-tui warm: `handler.edit` on the state its previous command left
(appended at that state's version, so the store's version check refuses it if the stream
moved); cold: on a state loaded from the store (latest snapshot + tail) each time. Every
title and description is sealed with AES-256-GCM. The library, without a cipher: its
aggregate method + `save` on the aggregate it keeps, or get + method + save. The four take
turns, run after run, so a busy spell of the machine falls on all of them; each figure is
the median of the runs (the spread: lowest and highest), each ratio the median of the runs'
ratios. With `--dir /dev/shm` the SQLite files live in memory: a sync costs nothing, and the
figures show the code's own cost.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parent))

import _es_tui as es  # noqa: E402
import _library as lib  # noqa: E402

Run = Callable[[str | None, int], float]
"""Seconds for N commands on a fresh system (an SQLite path, or None for memory)."""


def ours(cached: bool) -> Run:
    return lambda path, count: es.commands(es.open_system(path), count, cached)


def theirs(reload: bool) -> Run:
    return lambda path, count: lib.commands(lib.open_app(lib.EveryTenIdeas, path), count, reload)


SIDES: dict[str, tuple[str, Run]] = {
    "warm": ("es-tui handler.edit, cached state (warm)", ours(True)),
    "method+save": ("library method + save", theirs(False)),
    "cold": ("es-tui handler.edit, loaded each time (cold)", ours(False)),
    "get+method+save": ("library get + method + save", theirs(True)),
}
RATIOS: tuple[tuple[str, str, dict[str, float]], ...] = (
    ("warm", "method+save", {"memory": 1.5, "sqlite": 1.5}),
    ("warm", "get+method+save", {"memory": 3.0}),
    ("cold", "get+method+save", {}),
)
"""Ratios shown, with their targets by backend."""


def measure(backend: str, count: int, repeat: int, root: Path) -> dict[str, list[float]]:
    """Commands per second of each side, run after run."""
    rates: dict[str, list[float]] = {name: [] for name in SIDES}
    files = iter(range(1_000_000))
    for _ in range(repeat):
        for name, (_, run) in SIDES.items():
            path = None if backend == "memory" else str(root / f"{name}-{next(files)}.db")
            gc.collect()
            rates[name].append(count / run(path, count))
    return rates


def report(backend: str, count: int, rates: dict[str, list[float]]) -> None:
    print(f"\n{backend}, {count:,} edits a run, {len(rates['warm'])} runs")
    for name, (label, _) in SIDES.items():
        values = rates[name]
        low, mid, high = min(values), statistics.median(values), max(values)
        print(f"  {label:46} {mid:9,.0f}/s   ({low:,.0f}–{high:,.0f})")
    for ours, theirs, targets in RATIOS:
        target = targets.get(backend)
        ratios = [a / b for a, b in zip(rates[ours], rates[theirs], strict=True)]
        mid = statistics.median(ratios)
        verdict = "" if target is None else f"target >= {target}x {'✓' if mid >= target else '✗'}"
        spread = f"({min(ratios):.2f}–{max(ratios):.2f})"
        print(f"  {ours} / {theirs:16} {mid:5.2f}x {spread:13} {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory", type=int, default=3_000, help="edits a run in memory")
    parser.add_argument("--sqlite", type=int, default=150, help="edits a run on SQLite (0: none)")
    parser.add_argument("--repeat", type=int, default=7, help="runs (medians taken)")
    parser.add_argument("--dir", type=Path, help="where the SQLite files go")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-commands-", dir=args.dir) as tmp:
        for backend, count in (("memory", args.memory), ("sqlite", args.sqlite)):
            if count > 0:
                report(backend, count, measure(backend, count, args.repeat, Path(tmp)))


if __name__ == "__main__":
    main()
