"""es-tui against the `eventsourcing` library on the same workload — an idea published,
accepted, then edited again and again — and the figures es-tui must reach.

    python benchmarks/bench.py [--quick] [--repeat N]        (or: make bench)

Measured, each as the median of several runs:

- rehydration of one idea of 10,000 and 100,000 events, no snapshot, in memory and on SQLite;
- a load from a snapshot 5 events before the end of an idea of 1,000 / 100,000 / 1,000,000
  events (snapshot + 5 events), in memory and on SQLite;
- single-event commands per second: es-tui's `handler.edit` (validate, decide, seal, append
  at the expected version, a snapshot every 10 events — on SQLite in the append's own
  commit) on the state its previous command left (warm) or on a state loaded each time
  (cold), against the library's aggregate method + `save` on the aggregate it keeps (and its
  full get + method + save), both snapshotting every 10 events (the library in a commit of
  its own);
- IdeaView rebuilt from zero: over the store of the long ideas above (1,211,000 events), and
  over stores of 10,000 ideas whose events mix in the log.

es-tui runs as `bootstrap()` wires it, so its figures include encryption: every event's
title and description are sealed with AES-256-GCM when written, and a load opens the
envelopes it needs. The library runs with its defaults (no cipher) and, for rehydration,
with its AES-GCM cipher too. Both systems are measured in this process, in turns, so a busy
spell of the machine falls on both; the library is then measured again in a subprocess
under `python -O`, which drops the runtime `assert`s of its read path. SQLite files are
temporary. The machine may be small and busy: compare ratios, and run it again.
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
from _report import Report  # noqa: E402
from _timing import Figure, Timings, measure, once  # noqa: E402

FULL: dict[str, Any] = {
    "repeat": 5,
    "rehydrate": [10_000, 100_000],
    "snapshots": [1_000, 100_000, 1_000_000],
    "commands": {"memory": 3_000, "sqlite": 150},
    "projection": {"ideas": 10_000, "layouts": {"runs of 10": 500_000, "interleaved": 100_000}},
}
QUICK: dict[str, Any] = {
    "repeat": 3,
    "rehydrate": [10_000, 30_000],
    "snapshots": [1_000, 10_000, 50_000],
    "commands": {"memory": 1_000, "sqlite": 40},
    "projection": {"ideas": 1_000, "layouts": {"runs of 10": 50_000, "interleaved": 10_000}},
}


def projection_part(spec: dict[str, Any], setup: list[str]) -> Timings:
    """IdeaView rebuilt from zero over in-memory stores of many ideas."""
    figures: dict[str, Figure] = {}
    ideas = spec["projection"]["ideas"]
    systems = []
    for layout, events in spec["projection"]["layouts"].items():
        started = time.perf_counter()
        system = es.open_system()
        with es.paused_collector():
            proj.build(system, events, ideas, layout)
        took = time.perf_counter() - started
        setup.append(f"view store, {ideas:,} ideas, {events:,} events ({layout}): {took:.1f} s")
        figures[f"projection/{layout}/{events}/{ideas}"] = once(
            partial(proj.rebuild, system.view, events, ideas)
        )
        systems.append(system)
    (timings,) = measure([figures], max(spec["repeat"] - 2, 2))
    for system in systems:
        system.close()
    return timings


def library_optimized(spec: dict[str, Any]) -> tuple[Timings, dict[str, float]]:
    """The library's figures measured again in a subprocess under `python -O`."""
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
    return result["timings"], result["built"]


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
    print(
        "es-tui as bootstrap() wires it: title and description sealed with AES-256-GCM (a key\n"
        "per stream) when written, opened when a reader needs them. The library with its\n"
        "defaults (no cipher); for rehydration also with its AES-GCM cipher. Garbage\n"
        "collector on. Speeds: higher is faster."
    )
    begun = time.perf_counter()
    setup: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        print(sqlite_settings(Path(tmp)))
        step("building es-tui's stores")
        ours_fixtures = es.Fixtures(spec, Path(tmp), setup)
        step("building the library's stores")
        theirs_fixtures = lib.Fixtures(spec, Path(tmp))
        step("measuring both, in turns")
        ours, theirs = measure([ours_fixtures.figures, theirs_fixtures.figures], spec["repeat"])
        built, stored = theirs_fixtures.built, theirs_fixtures.stored
        ours_fixtures.close()
        del ours_fixtures, theirs_fixtures
        gc.collect()
        step("measuring the library under -O")
        theirs_o, built_o = library_optimized(spec | {"reuse": stored})
        step("measuring es-tui's read model over many ideas")
        ours |= projection_part(spec, setup)
    Report(spec, ours, theirs, theirs_o).print()
    print("\nSetup (not measured):")
    for line in setup:
        print(f"  {line}")
    for key, took in built.items():
        again = f"{built_o[key]:.1f} s" if key in built_o else "its SQLite file read again"
        print(f"  library, idea for {key}: {took:.1f} s (-O: {again})")
    print(f"\nWhole run: {time.perf_counter() - begun:.0f} s")


def sqlite_settings(tmp: Path) -> str:
    """Each side's journal mode and synchronous level, as read on its own connection."""
    system = es.open_system(str(tmp / "settings-es-tui.db"))
    ours = system.store.settings()  # type: ignore[attr-defined]
    system.close()
    theirs = lib.sqlite_settings(str(tmp / "settings-library.db"))
    levels = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    ours_sync = levels.get(int(ours["synchronous"]), str(ours["synchronous"]))
    return (
        f"SQLite, read on each side's connection: es-tui journal_mode={ours['journal_mode']},"
        f" synchronous={ours_sync}; library journal_mode={theirs['journal_mode']},"
        f" synchronous={theirs['synchronous']}"
    )


def step(name: str) -> None:
    print(f"  … {name}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
