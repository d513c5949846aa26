"""The same workload on the `eventsourcing` library: an `Idea` aggregate whose methods are
event-decorated, in an `Application` on the library's in-memory (POPO) or SQLite persistence.

Run as a script (`python -O benchmarks/_library.py SPEC`) it measures the library's figures
alone and prints the timings as JSON, so `bench.py` can run them under `-O` too."""

from __future__ import annotations

import itertools
import json
import sys
import tempfile
import time
import uuid
from functools import partial
from pathlib import Path
from typing import Any

import _workload as work
from _timing import Figure, measure, once, per_call
from eventsourcing.application import Application
from eventsourcing.cryptography import AESCipher
from eventsourcing.domain import Aggregate, event

SAVE_EVERY = 5_000
"""Pending events saved per `save` call while building a long history."""


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


def open_app(
    kind: type[Application[Any]], sqlite_path: str | None, cipher_key: str | None = None
) -> Application[Any]:
    """An application on POPO (in memory) or on an SQLite file; with `cipher_key`, the
    library's AES-GCM cipher is on (every stored event encrypted whole, with that key)."""
    env = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if sqlite_path is not None:
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": sqlite_path}
    if cipher_key is not None:
        env["CIPHER_TOPIC"] = "eventsourcing.cryptography:AESCipher"
        env["CIPHER_KEY"] = cipher_key
    return kind(env=env)


def sqlite_settings(sqlite_path: str) -> dict[str, str]:
    """The journal mode and synchronous level on the library's own SQLite connection (it
    sets WAL; synchronous is whatever the SQLite build defaults to)."""
    app = open_app(Ideas, sqlite_path)
    datastore = app.recorder.datastore  # type: ignore[attr-defined]
    levels = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    with datastore.transaction(commit=False) as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal = str(cursor.fetchone()[0]).upper()
        cursor.execute("PRAGMA synchronous")
        level = int(cursor.fetchone()[0])
    app.close()
    return {"journal_mode": journal, "synchronous": levels.get(level, str(level))}


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


class Fixtures:
    """Every idea the library's figures need, built in its stores (SQLite files in `tmp`).

    `reuse` names SQLite stores already built (figure key -> path, idea id, cipher key), as
    `stored` lists them: the run under -O reads the files the first run wrote."""

    def __init__(
        self, spec: dict[str, Any], tmp: Path, reuse: dict[str, list[str]] | None = None
    ) -> None:
        self.spec = spec
        self.tmp = tmp
        self.reuse = reuse or {}
        self.apps = itertools.count(1)
        self.built: dict[str, float] = {}
        """Seconds each build took (setup, not measured)."""
        self.stored: dict[str, list[str]] = {}
        self.figures: dict[str, Figure] = {}
        for backend in ("memory", "sqlite"):
            for n in spec["rehydrate"]:
                for kind in ("rehydrate", "rehydrate-cipher"):
                    key = f"{kind}/{backend}/{n}"
                    cipher = AESCipher.create_key(32) if "-" in kind else None
                    action = self.fixture(key, Ideas, backend, n, None, cipher)
                    self.figures[key] = once(action)
            for n in spec["snapshots"]:
                key = f"snapshot/{backend}/{n}"
                action = self.fixture(key, SnapshottedIdeas, backend, n, n - work.TAIL, None)
                self.figures[key] = per_call(action)
            for name in ("method+save", "get+method+save"):
                self.figures[f"commands/{backend}/{name}"] = partial(self.commands, backend, name)

    def fixture(
        self,
        key: str,
        kind: type[Application[Any]],
        backend: str,
        n: int,
        snapshot_at: int | None,
        cipher: str | None,
    ) -> partial[Idea]:
        """A load of an idea of `n` events (snapshotted at `snapshot_at`), built now unless
        it can be reused."""
        if key in self.reuse:
            path, idea, cipher = self.reuse[key]
            app = open_app(kind, path, cipher or None)
            idea_id = uuid.UUID(idea)
        else:
            path = None if backend == "memory" else str(self.tmp / f"{key.replace('/', '-')}.db")
            app = open_app(kind, path, cipher)
            started = time.perf_counter()
            idea_id = build(app, n, snapshot_at)
            self.built[key] = time.perf_counter() - started
            if path is not None:
                self.stored[key] = [path, str(idea_id), cipher or ""]
        check(rehydrate(app, idea_id), n)
        return partial(rehydrate, app, idea_id)

    def commands(self, backend: str, name: str) -> float:
        """Seconds per command on a fresh application."""
        count: int = self.spec["commands"][backend]
        path = None if backend == "memory" else str(self.tmp / f"{name}-{next(self.apps)}.db")
        return commands(open_app(EveryTenIdeas, path), count, reload=name.startswith("get")) / count


def main() -> None:
    spec = json.loads(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="bench-lib-") as tmp:
        fixtures = Fixtures(spec, Path(tmp), spec.get("reuse"))
        (timings,) = measure([fixtures.figures], spec["repeat"])
    result = {"optimized": sys.flags.optimize, "timings": timings, "built": fixtures.built}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    # Through the module, not this __main__ copy of it: stored events name their classes
    # `_library.Idea`, as the first run wrote them.
    import _library

    _library.main()
