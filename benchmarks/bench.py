"""es-tui against the `eventsourcing` library on the same workload — an idea published,
accepted, then edited again and again — and the figures es-tui must reach.

    python benchmarks/bench.py [--quick] [--repeat N]        (or: make bench)

Measured, each as the median of several runs:

- rehydration of one idea of 10,000 and 100,000 events, no snapshot, in memory and on SQLite;
- a load from a snapshot 5 events before the end of an idea of 1,000 / 100,000 / 1,000,000
  events (snapshot + 5 events), in memory and on SQLite;
- single-event commands per second: es-tui's `handler.edit` (load, decide, seal, append, a
  snapshot every 10 events) against the library's aggregate method + `save` (and, for
  reference, its full get + method + save);
- IdeaView rebuilt from zero over an in-memory store of 1,000,000 idea events.

es-tui runs as `bootstrap()` wires it, so its figures include encryption: every event's
title and description are sealed with AES-256-GCM when written, and a load opens the
envelopes it needs. The library runs with its defaults (no cipher). The library's part runs
twice: in this process, and in a subprocess under `python -O`, which drops the runtime
`assert`s of its read path. SQLite files are temporary. The machine may be small and busy:
compare ratios, and run it again.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# Measure the tree this script belongs to, whatever copy of it is installed.
sys.path.insert(1, str(HERE.parent))

import _es_tui as es  # noqa: E402
import _library as lib  # noqa: E402
import _projection as proj  # noqa: E402
from _report import WORKLOAD_STORE, Report  # noqa: E402
from _timing import per_call, times  # noqa: E402

from domain.shredding.keystore import MemoryKeyStore  # noqa: E402

FULL: dict[str, Any] = {
    "repeat": 5,
    "rehydrate": [10_000, 100_000],
    "snapshots": [1_000, 100_000, 1_000_000],
    "commands": {"memory": 3_000, "sqlite": 150},
    "projection": {"ideas": 10_000, "layouts": {"runs of 10": 1_000_000, "interleaved": 200_000}},
}
QUICK: dict[str, Any] = {
    "repeat": 3,
    "rehydrate": [10_000, 30_000],
    "snapshots": [1_000, 10_000, 50_000],
    "commands": {"memory": 1_000, "sqlite": 40},
    "projection": {"ideas": 1_000, "layouts": {"runs of 10": 50_000, "interleaved": 10_000}},
}

Timings = dict[str, list[float]]


@contextmanager
def paused_collector() -> Iterator[None]:
    """No garbage collection while a big store is built (setup only, never timed)."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def es_tui_part(spec: dict[str, Any], tmp: Path, setup: list[str]) -> Timings:
    """es-tui's figures: every stream is built once in memory, then imported into SQLite."""
    out: Timings = {}
    repeat = spec["repeat"]
    es.check_workload()
    keys = MemoryKeyStore()  # one key store, so the SQLite copy of each stream opens too
    memory = es.open_system(keys=keys)
    started = time.perf_counter()
    streams: dict[str, tuple[str, int]] = {}
    snapshots = []
    with paused_collector():
        for n in spec["rehydrate"]:
            streams[f"rehydrate/{n}"] = (es.build(memory, f"rehydrate-{n}", n), n)
        for n in spec["snapshots"]:
            stream_id = es.build(memory, f"snapshot-{n}", n)
            snapshots.append(es.snapshot_at(memory, stream_id, n - lib.TAIL))
            streams[f"snapshot/{n}"] = (stream_id, n)
    head = memory.store.head_position()
    setup.append(f"es-tui memory store, {head:,} events: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    sqlite = es.open_system(str(tmp / "es-tui.db"), keys=keys)
    with paused_collector():
        sqlite.store.import_records(memory.store.read_all())
        for snap in snapshots:
            sqlite.store.save_snapshot(snap)
    setup.append(f"es-tui SQLite copy (import_records): {time.perf_counter() - started:.1f} s")

    for backend, system in (("memory", memory), ("sqlite", sqlite)):
        for name, (stream_id, n) in streams.items():
            loaded = es.rehydrate(system, stream_id)
            es.check(loaded, n)
            if name.startswith("rehydrate"):
                assert loaded.snapshot is None
                action = partial(es.rehydrate, system, stream_id)
                out[f"rehydrate/{backend}/{n}"] = times(action, repeat)
            else:
                assert loaded.events_applied == lib.TAIL
                action = partial(es.rehydrate, system, stream_id)
                out[f"snapshot/{backend}/{n}"] = per_call(action, repeat)
    sqlite.close()
    # The view over this store: a few long ideas, the workload's own shape.
    view = memory.view
    key = f"projection/{WORKLOAD_STORE}/{head}/{len(streams)}"
    out[key] = times(view.rebuild, max(repeat - 2, 2))
    if len(view.list()) != len(streams):
        raise AssertionError("the view does not list the workload's ideas")
    memory.close()

    for backend in ("memory", "sqlite"):
        count = spec["commands"][backend]
        runs = []
        for i in range(repeat):
            path = None if backend == "memory" else str(tmp / f"commands-{i}.db")
            runs.append(es.commands(es.open_system(path), count) / count)
        out[f"commands/{backend}/edit"] = runs
    return out


def projection_part(spec: dict[str, Any], setup: list[str]) -> Timings:
    """IdeaView rebuilt from zero over in-memory stores of many ideas."""
    out: Timings = {}
    ideas = spec["projection"]["ideas"]
    for layout, events in spec["projection"]["layouts"].items():
        started = time.perf_counter()
        system = es.open_system()
        with paused_collector():
            proj.build(system, events, ideas, layout)
        took = time.perf_counter() - started
        setup.append(f"view store, {ideas:,} ideas, {events:,} events ({layout}): {took:.1f} s")
        action = partial(proj.rebuild, system.view, events, ideas)
        out[f"projection/{layout}/{events}/{ideas}"] = times(action, max(spec["repeat"] - 2, 2))
        system.close()
    return out


def library_optimized(spec: dict[str, Any]) -> Timings:
    """The library's part run again in a subprocess under `python -O`."""
    done = subprocess.run(
        [sys.executable, "-O", str(HERE / "_library.py"), json.dumps(spec)],
        check=True,
        capture_output=True,
        text=True,
        cwd=HERE,
    )
    result = json.loads(done.stdout)
    if not result["optimized"]:
        raise RuntimeError("the library subprocess did not run under -O")
    timings: Timings = result["timings"]
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--repeat", type=int, help="runs per figure (median taken)")
    args = parser.parse_args()
    spec = dict(QUICK if args.quick else FULL)
    if args.repeat:
        spec["repeat"] = max(args.repeat, 1)
    print(
        f"es-tui vs eventsourcing {version('eventsourcing')} — Python {platform.python_version()}"
        f", {os.cpu_count()} CPUs, medians of {spec['repeat']} runs"
        + (" (quick)" if args.quick else "")
    )
    begun = time.perf_counter()
    setup: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        # The library first, each side then times with only its own objects alive.
        step("library")
        theirs = lib.run(spec)
        gc.collect()
        step("library under -O")
        theirs_o = library_optimized(spec)
        step("es-tui")
        ours = es_tui_part(spec, Path(tmp), setup)
        step("es-tui read model")
        ours |= projection_part(spec, setup)
    report = Report(spec, ours, theirs, theirs_o)
    report.print()
    print("\nSetup (not measured):")
    for line in setup:
        print(f"  {line}")
    for key in theirs:
        if key.startswith("build/"):
            print(f"  library {key[6:]}: {theirs[key][0]:.1f} s (-O: {theirs_o[key][0]:.1f} s)")
    print(f"\nWhole run: {time.perf_counter() - begun:.0f} s")


def step(name: str) -> None:
    print(f"  … {name}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
