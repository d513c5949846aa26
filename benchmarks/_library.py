"""The same workload on the `eventsourcing` library: an `Idea` aggregate whose methods are
event-decorated, in an `Application` on the library's in-memory (POPO) or SQLite persistence.

Run as a script (`python -O benchmarks/_library.py SPEC`) it measures the library's part of
the benchmark and prints the timings as JSON, so `bench.py` can run it under `-O` too."""

from __future__ import annotations

import json
import sys
import tempfile
import time
import uuid
from functools import partial
from pathlib import Path
from typing import Any

import _workload as work
from _timing import per_call, times
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

SAVE_EVERY = 5_000
"""Pending events saved per `save` call while building a long history."""
TAIL = 5
"""Events after the snapshot in a snapshot load."""

Timings = dict[str, list[float]]


class Idea(Aggregate):
    """An idea: published, accepted, then edited."""

    @event("Requested")
    def __init__(self, title: str, description: str) -> None:
        self.title = title
        self.description = description
        self.status = "requested"
        self.edit_count = 0

    @event("Accepted")
    def accept(self) -> None:
        self.status = "accepted"

    @event("Updated")
    def update(self, title: str | None = None, description: str | None = None) -> None:
        if title is not None:
            self.title = title
        if description is not None:
            self.description = description
        self.edit_count += 1


class Ideas(Application[uuid.UUID]):
    """Ideas without snapshots: every load replays from the first event."""


class SnapshottedIdeas(Application[uuid.UUID]):
    """Ideas with a snapshot store (snapshots are taken explicitly)."""

    is_snapshotting_enabled = True


class EveryTenIdeas(Application[uuid.UUID]):
    """Ideas snapshotted every 10 events, as es-tui's default policy does."""

    snapshotting_intervals = {Idea: 10}


def open_app(kind: type[Application[Any]], sqlite_path: str | None) -> Application[Any]:
    """An application on POPO (in memory) or on an SQLite file."""
    if sqlite_path is None:
        return kind(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    return kind(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": sqlite_path})


def build(app: Application[Any], events: int, snapshot_at: int | None = None) -> uuid.UUID:
    """Record an idea with `events` events; snapshot it at version `snapshot_at` if given
    (the library's own `Snapshot.take`, on the aggregate being built)."""
    idea = Idea(work.TITLE, work.DESCRIPTION)
    if events > 1:
        idea.accept()
    for title, description in work.history(events):
        idea.update(title, description)
        if idea.version == snapshot_at:
            app.save(idea)
            assert app.snapshots is not None
            app.snapshots.put([Idea.Snapshot.take(idea)])
        elif idea.version % SAVE_EVERY == 0:
            app.save(idea)
    app.save(idea)
    return idea.id


def rehydrate(app: Application[Any], idea_id: uuid.UUID) -> Idea:
    """Reconstruct the idea from the store (its snapshot and later events, if it has one)."""
    idea = app.repository.get(idea_id)
    if not isinstance(idea, Idea):
        raise TypeError(f"{idea_id} is not an idea")
    return idea


def check(idea: Idea, events: int) -> None:
    """Fail loudly unless the idea is in the state the workload must leave."""
    title, description = work.TITLE, work.DESCRIPTION
    for new_title, new_description in work.history(events):
        title = new_title or title
        description = new_description or description
    got = (idea.version, idea.title, idea.description, idea.edit_count)
    if got != (events, title, description, max(events - 2, 0)):
        raise AssertionError(f"the library loaded {got[0]}, {got[1:]}; expected v{events}")


def commands(app: Application[Any], count: int, reload: bool) -> float:
    """Seconds for `count` edits, each one event saved on its own; `reload` gets the idea
    from the repository before each edit (a full command), otherwise the same aggregate
    object is edited and saved again and again."""
    idea = Idea(work.TITLE, work.DESCRIPTION)
    idea.accept()
    app.save(idea)
    start = time.perf_counter()
    for title, description in work.edits(0, count):
        if reload:
            idea = rehydrate(app, idea.id)
        idea.update(title, description)
        app.save(idea)
    return time.perf_counter() - start


def run(spec: dict[str, Any]) -> Timings:
    """The library's whole part of the benchmark, as described by `spec` (see bench.py)."""
    out: Timings = {}
    repeat: int = spec["repeat"]
    with tempfile.TemporaryDirectory(prefix="bench-lib-") as tmp:
        for backend in ("memory", "sqlite"):

            def path(name: str, backend: str = backend) -> str | None:
                return None if backend == "memory" else str(Path(tmp) / f"{name}.db")

            for n in spec["rehydrate"]:
                app = open_app(Ideas, path(f"rehydrate-{n}"))
                started = time.perf_counter()
                idea_id = build(app, n)
                out[f"build/{backend}, idea of {n:,} events"] = [time.perf_counter() - started]
                check(rehydrate(app, idea_id), n)
                out[f"rehydrate/{backend}/{n}"] = times(partial(rehydrate, app, idea_id), repeat)
            for n in spec["snapshots"]:
                app = open_app(SnapshottedIdeas, path(f"snapshot-{n}"))
                started = time.perf_counter()
                idea_id = build(app, n, snapshot_at=n - TAIL)
                out[f"build/{backend}, snapshotted idea of {n:,} events"] = [
                    time.perf_counter() - started
                ]
                check(rehydrate(app, idea_id), n)
                out[f"snapshot/{backend}/{n}"] = per_call(partial(rehydrate, app, idea_id), repeat)
            del app
            count = spec["commands"][backend]
            for reload in (False, True):
                name = "get+method+save" if reload else "method+save"
                out[f"commands/{backend}/{name}"] = [
                    commands(open_app(EveryTenIdeas, path(f"{name}-{i}")), count, reload) / count
                    for i in range(repeat)
                ]
    return out


def main() -> None:
    spec = json.loads(sys.argv[1])
    json.dump({"optimized": sys.flags.optimize, "timings": run(spec)}, sys.stdout)


if __name__ == "__main__":
    main()
