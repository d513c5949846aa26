"""The store operations beyond a single append, measured on SQLite files, with their targets.

    python benchmarks/store_ops.py [--events N] [--small N] [--dir DIR] [--repeat N]

(a) a read of the global log filtered by event type, 100 matches, in a log of N events
    (default 1,000,000) against the same read in a log of `--small` events (10,000): target
    within 2x (the read follows the (type, position) index: its cost is the matches');
(b) a multi-stream append of 2 streams x 1 event against a single-stream append of 2 events,
    both durable (WAL, synchronous=FULL): target >= 0.8x the single append's rate;
(c) the ideas process manager's restart on both logs: a new manager that finds its position
    recorded and handles the 10 requests made since. Target: the long log's restart within
    2x of the short one's (start-up cost independent of the log's length). The first run of
    a manager over the whole log is shown for scale.
How long generating each log took (batched appends of 10,000 events) is shown too.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domain.backends import open_store
from domain.bootstrap import DELETED_TYPES
from domain.core.protocol import EventStore
from domain.core.records import NO_STREAM, NewEvent
from domain.ideas import IdeaCommandHandler, PlainCodec, idea_registry
from domain.ideas.process_manager import CreationProcessManager

MATCHES = 100
BATCH = 10_000
REQUESTS = 10


def generate(path: Path, events: int) -> tuple[EventStore, float]:
    """A store of `events` events in streams of 10,000, `MATCHES` of them of type "Rare",
    spread evenly over the log; returns it and the seconds it took."""
    store = open_store(f"sqlite:///{path}", deleted_types=DELETED_TYPES)
    every = events // MATCHES
    start = time.perf_counter()
    written = 0
    while written < events:
        count = min(BATCH, events - written)
        batch = [
            NewEvent("Rare" if (written + i) % every == every // 2 else "Noted", {"n": written + i})
            for i in range(count)
        ]
        store.append(f"bulk-{written // BATCH}", batch, NO_STREAM)
        written += count
    return store, time.perf_counter() - start


def median_time(action: Callable[[], object], runs: int) -> float:
    """The median seconds of `runs` calls (after one untimed call)."""
    action()
    took = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        took.append(time.perf_counter() - start)
    return statistics.median(took)


def appends(store: EventStore, repeat: int, rounds: int = 50) -> tuple[float, float]:
    """Seconds per call of a 2-stream x 1-event `append_many` and of a 2-event `append`,
    taking turns in chunks so a slow spell of the disk falls on both."""
    many: list[float] = []
    single: list[float] = []
    versions = {"m-a": 0, "m-b": 0, "s-a": 0}
    clock = time.perf_counter
    for _ in range(repeat):
        start = clock()
        for _ in range(rounds):
            store.append_many(
                [
                    ("m-a", [NewEvent("Noted", {})], versions["m-a"]),
                    ("m-b", [NewEvent("Noted", {})], versions["m-b"]),
                ]
            )
            versions["m-a"] += 1
            versions["m-b"] += 1
        many.append((clock() - start) / rounds)
        start = clock()
        for _ in range(rounds):
            store.append("s-a", [NewEvent("Noted", {}), NewEvent("Noted", {})], versions["s-a"])
            versions["s-a"] += 2
        single.append((clock() - start) / rounds)
    return statistics.median(many), statistics.median(single)


def restart(store: EventStore) -> tuple[float, float]:
    """The first run of the ideas manager over the whole log, then (REQUESTS requests made
    meanwhile) a new manager's start: seconds of each."""
    handler = IdeaCommandHandler(store, PlainCodec(idea_registry()))
    first = CreationProcessManager(handler)
    start = time.perf_counter()
    first.catch_up()
    first.stop()  # records its position
    first_run = time.perf_counter() - start
    for n in range(REQUESTS):
        handler.publish("t", f"d{n}")
    again = CreationProcessManager(handler)
    start = time.perf_counter()
    again.catch_up()
    took = time.perf_counter() - start
    assert again.reactions == REQUESTS
    again.stop()
    return first_run, took


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as where:
        small, small_gen = generate(Path(where) / "small.db", args.small)
        big, big_gen = generate(Path(where) / "big.db", args.events)
        rate = args.events / big_gen
        print(f"generated {args.small:,} events in {small_gen:.1f} s, "
              f"{args.events:,} in {big_gen:.1f} s ({rate:,.0f} events/s)")  # fmt: skip
        try:
            read = lambda s: lambda: s.read_all(types=["Rare"])  # noqa: E731
            assert len(big.read_all(types=["Rare"])) == MATCHES
            t_small = median_time(read(small), args.repeat * 3)
            t_big = median_time(read(big), args.repeat * 3)
            ok_a = t_big <= 2 * t_small
            print(f"(a) type-filtered read, {MATCHES} matches: {t_small * 1e3:.2f} ms in "
                  f"{args.small:,} events, {t_big * 1e3:.2f} ms in {args.events:,} events: "
                  f"{t_big / t_small:.2f}x (target <= 2x) {mark(ok_a)}")  # fmt: skip
            t_many, t_single = appends(small, args.repeat)
            ratio = t_single / t_many
            ok_b = ratio >= 0.8
            print(f"(b) 2 streams x 1 event: {t_many * 1e3:.2f} ms per call; one stream x 2 "
                  f"events: {t_single * 1e3:.2f} ms: {ratio:.2f}x the single append's rate "
                  f"(target >= 0.8x) {mark(ok_b)}")  # fmt: skip
            first_small, r_small = restart(small)
            first_big, r_big = restart(big)
            ok_c = r_big <= 2 * r_small
            print(f"(c) manager restart ({REQUESTS} new requests): {r_small * 1e3:.1f} ms on "
                  f"{args.small:,} events, {r_big * 1e3:.1f} ms on {args.events:,}: "
                  f"{r_big / r_small:.2f}x (target <= 2x) {mark(ok_c)}; its first run over "
                  f"the whole log took {first_small:.2f} s and {first_big:.2f} s")  # fmt: skip
        finally:
            small.close()
            big.close()
    sys.exit(0 if ok_a and ok_b and ok_c else 1)


if __name__ == "__main__":
    main()
