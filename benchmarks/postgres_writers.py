"""Appended events per second on PostgreSQL with 1, 2, 4 and 8 writer processes, one event or
100 events per append, for es-tui's store and, on the same server in the same run, for the
`eventsourcing` library's PostgreSQL persistence (its application recorder).

    ES_TUI_BENCH_POSTGRES_URL=postgresql://u:p@host:port/db python benchmarks/postgres_writers.py
    python benchmarks/postgres_writers.py --url postgresql://... [--seconds 2] [--trials 3]

Both sides do the same work per append: a batch of JSON payloads (about 100 bytes each) for
one stream/aggregate, checked against its expected version (a unique (stream, version)
constraint), and a position in the global, commit-ordered log; both serialize writers while
they assign it (es-tui: a counter row; eventsourcing: LOCK TABLE ... IN EXCLUSIVE MODE).
Each writer appends to a stream of its own, so every append succeeds. The two systems take
turns trial by trial, each in a fresh schema dropped at the end; the table shows medians.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
import traceback
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import psycopg
from psycopg.conninfo import conninfo_to_dict

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domain.backends.postgres.store import PostgresEventStore
from domain.core.records import NewEvent

SYSTEMS = ("es-tui", "eventsourcing")
WRITERS = (1, 2, 4, 8)
BATCHES = (1, 100)
CTX = multiprocessing.get_context("spawn")


def payload(n: int) -> dict[str, Any]:
    return {"title": f"Idea number {n}", "description": "Dark mode that follows the OS.", "n": n}


class Writer(Protocol):
    def append(self, count: int) -> None: ...

    def close(self) -> None: ...


class EsTuiWriter:
    """Appends batches to one stream of an es-tui PostgreSQL store."""

    def __init__(self, url: str, schema: str) -> None:
        self.store = PostgresEventStore.open(f"{url}?schema={schema}", poll_interval=None)
        self.stream = f"bench-{uuid.uuid4().hex[:12]}"
        self.version = 0

    def append(self, count: int) -> None:
        events = [NewEvent("Noted", payload(self.version + i)) for i in range(count)]
        self.store.append(self.stream, events, self.version)
        self.version += count

    def close(self) -> None:
        self.store.close()


def eventsourcing_env(url: str, schema: str, *, create: bool) -> dict[str, str]:
    """The eventsourcing library's settings for the server `url` names."""
    params = conninfo_to_dict(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(params.get("dbname", "")),
        "POSTGRES_HOST": str(params.get("host", "127.0.0.1")),
        "POSTGRES_PORT": str(params.get("port", "5432")),
        "POSTGRES_USER": str(params.get("user", "")),
        "POSTGRES_PASSWORD": str(params.get("password", "")),
        "POSTGRES_SCHEMA": schema,
        "CREATE_TABLE": "yes" if create else "no",  # made once, before the writers start
    }


class EventsourcingWriter:
    """Inserts batches of stored events for one aggregate with eventsourcing's recorder."""

    def __init__(self, url: str, schema: str, *, create: bool = False) -> None:
        from eventsourcing.persistence import InfrastructureFactory, StoredEvent

        self.stored_event = StoredEvent
        env = eventsourcing_env(url, schema, create=create)
        self.factory = InfrastructureFactory.construct(env)
        self.recorder = self.factory.application_recorder()
        self.originator = uuid.uuid4()
        self.version = 0

    def append(self, count: int) -> None:
        events = [
            self.stored_event(
                originator_id=self.originator,
                originator_version=self.version + i + 1,
                topic="bench:Noted",
                state=json.dumps(payload(self.version + i)).encode(),
            )
            for i in range(count)
        ]
        self.recorder.insert_events(events)
        self.version += count

    def close(self) -> None:
        self.factory.close()


def make_writer(system: str, url: str, schema: str, *, create: bool = False) -> Writer:
    if system == "es-tui":
        return EsTuiWriter(url, schema)
    return EventsourcingWriter(url, schema, create=create)


def child(
    system: str, url: str, schema: str, plan: Sequence[int], seconds: float, go: Any, out: Any
) -> None:
    """One writer process: for each batch size in `plan`, wait for the go (given to all
    writers of this system at once) and append for `seconds`; report (trial, events,
    elapsed)."""
    try:
        writer = make_writer(system, url, schema)
        writer.append(1)  # warm up: connection, prepared statements
        out.put(("ready", 0, 0.0))
        for trial, size in enumerate(plan):
            go.get(timeout=3600)
            events, start = 0, time.perf_counter()
            while time.perf_counter() - start < seconds:
                writer.append(size)
                events += size
            out.put((trial, events, time.perf_counter() - start))
        writer.close()
    except BaseException:
        out.put(("error", traceback.format_exc(), 0.0))
        raise


def prepare(system: str, url: str, schema: str) -> None:
    """A fresh schema with the system's tables, made once before the writers start."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')  # type: ignore[arg-type]
        conn.execute(f'CREATE SCHEMA "{schema}"')  # type: ignore[arg-type]
    make_writer(system, url, schema, create=True).close()


def drop(url: str, schema: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')  # type: ignore[arg-type]


def run_writers(
    url: str, writers: int, plan: Sequence[int], seconds: float
) -> dict[str, list[float]]:
    """Events per second of each trial of `plan`, per system, with `writers` processes. The
    systems take turns trial by trial (in alternating order), so a busy moment on the
    machine does not fall on one of them only."""
    schemas = {sys_: f"bench_{sys_.replace('-', '_')}_{uuid.uuid4().hex[:8]}" for sys_ in SYSTEMS}
    gates = {sys_: CTX.Queue() for sys_ in SYSTEMS}
    out = CTX.Queue()
    procs = []
    rates: dict[str, list[float]] = {sys_: [] for sys_ in SYSTEMS}
    try:
        for system in SYSTEMS:
            prepare(system, url, schemas[system])
            procs += [
                CTX.Process(
                    target=child,
                    args=(system, url, schemas[system], plan, seconds, gates[system], out),
                )
                for _ in range(writers)
            ]
        for p in procs:
            p.start()
        for _ in procs:  # every writer connected before the first trial
            got, detail, _ = out.get(timeout=600)
            if got == "error":
                raise RuntimeError(f"a writer failed to start:\n{detail}")
        for trial in range(len(plan)):
            order = SYSTEMS if trial % 2 == 0 else SYSTEMS[::-1]
            for system in order:
                for _ in range(writers):  # all its writers start now
                    gates[system].put(trial)
                total, longest = 0, 0.0
                for _ in range(writers):
                    got, events, elapsed = out.get(timeout=600)
                    if got == "error":
                        raise RuntimeError(f"a {system} writer failed:\n{events}")
                    total += events
                    longest = max(longest, elapsed)
                rates[system].append(total / longest)
        for p in procs:
            p.join(timeout=60)
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
        for schema in schemas.values():
            drop(url, schema)
    return rates


def server_version(url: str) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        fsync = conn.execute("SHOW fsync").fetchone()
    return f"PostgreSQL {row[0] if row else '?'} (fsync={fsync[0] if fsync else '?'})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("ES_TUI_BENCH_POSTGRES_URL"))
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one trial")
    parser.add_argument("--trials", type=int, default=3, help="trials per cell (median)")
    parser.add_argument("--writers", type=int, nargs="*", default=list(WRITERS))
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("give --url or set ES_TUI_BENCH_POSTGRES_URL")
    plan = [size for _ in range(args.trials) for size in BATCHES]  # interleaved trials
    print(
        f"{server_version(args.url)}, {os.cpu_count()} CPUs, {args.trials} trials x "
        f"{args.seconds:g} s, medians of appended events per second",
        flush=True,
    )
    results: dict[tuple[str, int, int], float] = {}
    for writers in args.writers:
        rates = run_writers(args.url, writers, plan, args.seconds)
        for system in SYSTEMS:
            for size in BATCHES:
                results[system, writers, size] = statistics.median(
                    r for r, s in zip(rates[system], plan, strict=True) if s == size
                )
    print(f"{'writers':>7} {'batch':>5} {'es-tui':>10} {'eventsourcing':>14} {'ratio':>6}")
    for writers in args.writers:
        for size in BATCHES:
            ours, theirs = results["es-tui", writers, size], results["eventsourcing", writers, size]
            print(f"{writers:>7} {size:>5} {ours:>10,.0f} {theirs:>14,.0f} {ours / theirs:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
