"""SQLite rehydration alone: es-tui's load of one idea against the `eventsourcing` library's,
on the same workload as `bench.py`, in rounds taken in turns, wall and CPU time.

    python benchmarks/rehydrate_sqlite.py [--rounds 5] [--sizes 10000 100000]
                                          [--tree PATH ...]

The stores are built once in a temporary directory. Each round runs, for each `--tree` in
turn (default: this checkout), a new process that times 7 loads on each side, one after the
other, and prints their medians: the ratio of the medians of wall time, and of the loading
thread's CPU time, which a busy machine disturbs less. `--tree` names another checkout
whose es-tui code (its `domain` package) is measured with these helpers instead, e.g. the
code before a change: `--tree ../before --tree .` interleaves the two.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
LOADS = 7


def build(files: Path, sizes: list[int]) -> None:
    """One idea of each size in an es-tui SQLite store and in the library's."""
    import _es_tui as es
    import _library as lib

    for n in sizes:
        system = es.open_system(str(files / f"es-{n}.db"))
        with es.paused_collector():
            stream_id = es.build(system, f"rehydrate-{n}", n)
        es.check(es.rehydrate(system, stream_id), n)
        system.close()
        app = lib.open_app(lib.Ideas, str(files / f"lib-{n}.db"))
        (files / f"lib-{n}.id").write_text(str(lib.build(app, n)))
        app.close()


def measure(files: Path, sizes: list[int]) -> dict[str, Any]:
    """Medians of LOADS loads on each side, per size (seconds per event)."""
    import _es_tui as es
    import _library as lib

    out: dict[str, Any] = {}
    for n in sizes:
        system = es.open_system(str(files / f"es-{n}.db"))
        stream_id = f"idea-rehydrate-{n}"
        es.check(es.rehydrate(system, stream_id), n)
        app = lib.open_app(lib.Ideas, str(files / f"lib-{n}.db"))
        idea_id = uuid.UUID((files / f"lib-{n}.id").read_text())
        lib.check(lib.rehydrate(app, idea_id), n)
        runs: dict[str, list[float]] = {"ours": [], "theirs": [], "ours_cpu": [], "theirs_cpu": []}
        gc.collect()
        for _ in range(LOADS):
            for side, load in (
                ("ours", partial(es.rehydrate, system, stream_id)),
                ("theirs", partial(lib.rehydrate, app, idea_id)),
            ):
                wall, cpu = time.perf_counter(), time.thread_time()
                load()
                runs[f"{side}_cpu"].append((time.thread_time() - cpu) / n)
                runs[side].append((time.perf_counter() - wall) / n)
        out[str(n)] = {key: statistics.median(values) for key, values in runs.items()}
        system.close()
        app.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--tree", type=Path, action="append", help="a checkout to measure")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # one round's process
    parser.add_argument("--files", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        sys.path.insert(1, str(args.measure))
        json.dump(measure(args.files, args.sizes), sys.stdout)
        return
    trees = [t.resolve() for t in args.tree or [HERE.parent]]
    sys.path.insert(1, str(HERE.parent))
    results: dict[tuple[str, int], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="rehydrate-") as tmp:
        build(Path(tmp), args.sizes)
        for _ in range(args.rounds):
            for tree in trees:
                done = subprocess.run(
                    [sys.executable, __file__, "--measure", str(tree), "--files", tmp,
                     "--sizes", *map(str, args.sizes)],
                    check=True, capture_output=True, text=True, cwd=HERE,
                )  # fmt: skip
                for n, figures in json.loads(done.stdout).items():
                    results.setdefault((str(tree), int(n)), []).append(figures)
    print(f"{args.rounds} rounds of {LOADS} loads a side; medians of the rounds (their range)")
    for (tree, n), rounds in results.items():
        wall = [r["theirs"] / r["ours"] for r in rounds]
        cpu = [r["theirs_cpu"] / r["ours_cpu"] for r in rounds]
        ours = statistics.median(1 / r["ours"] for r in rounds)
        theirs = statistics.median(1 / r["theirs"] for r in rounds)
        print(
            f"{tree}: {n:,} events: es-tui {ours / 1e3:.0f}k ev/s, library {theirs / 1e3:.1f}k"
            f" ev/s, {statistics.median(wall):.2f}x ({min(wall):.2f}-{max(wall):.2f});"
            f" CPU time {statistics.median(cpu):.2f}x ({min(cpu):.2f}-{max(cpu):.2f}),"
            f" es-tui {statistics.median(r['ours_cpu'] for r in rounds) * 1e6:.2f} µs an event"
        )


if __name__ == "__main__":
    main()
