"""The workload on es-tui, wired as `bootstrap()` wires it: the shredding codec seals every
event's private fields (title, description) with the stream's AES-256-GCM key, and loads go
through `domain.core.aggregate.load` with the real `IdeaFold`."""

from __future__ import annotations

import gc
import itertools
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import _workload as work
from _report import WORKLOAD_STORE
from _timing import Figure, once, per_call

from domain.bootstrap import System, bootstrap
from domain.core.aggregate import Loaded, load, take_snapshot
from domain.core.records import COMMAND, CORRELATION_ID, NO_STREAM, NewEvent, Snapshot
from domain.core.shredding.keys import KeyStore, MemoryKeyStore
from domain.ideas.codec import IdeaFold, stream_id_of
from domain.ideas.events import (
    IdeaCreationAccepted,
    IdeaCreationRequested,
    IdeaEvent,
    IdeaUpdated,
)
from domain.ideas.handler import IdeaCommandHandler
from domain.ideas.state import IdeaState

BATCH = 2_000
"""Events per append while building a long history."""


def open_system(sqlite_path: str | None = None, keys: KeyStore | None = None) -> System:
    """The wired system on a memory store or an SQLite file, without its consumers (the view
    and the process manager): the write side alone, as the library's Application is."""
    url = "memory:" if sqlite_path is None else f"sqlite:///{sqlite_path}"
    return bootstrap(url, start=False, keys=keys)


def idea_events(idea_id: str, events: int) -> Iterator[tuple[str, IdeaEvent]]:
    """The workload's events for one idea, with the command that would have produced each.

    They are built without validation (`model_construct`): validating millions of texts
    would double the setup, and `check_workload` shows that the workload's texts are valid."""
    yield (
        "PublishIdea",
        IdeaCreationRequested.model_construct(
            idea_id=idea_id, title=work.TITLE, description=work.DESCRIPTION
        ),
    )
    if events > 1:
        yield "AcceptIdeaCreation", IdeaCreationAccepted.model_construct(idea_id=idea_id)
    for title, description in work.history(events):
        yield (
            "EditIdea",
            IdeaUpdated.model_construct(idea_id=idea_id, title=title, description=description),
        )


def check_workload(events: int = 1_000) -> None:
    """Validate the first `events` events of the workload as the domain would: each must
    come out unchanged."""
    for _, built in idea_events("check", events):
        if type(built).model_validate(built.model_dump()) != built:
            raise AssertionError(f"the workload's {built!r} is not valid as it stands")


def encode(
    system: System, stream_id: str, version: int, command: str, event: IdeaEvent
) -> NewEvent:
    """An event as the command handler encodes it (sealed, with correlation metadata)."""
    metadata = {CORRELATION_ID: str(uuid.uuid4()), COMMAND: command}
    return system.codec.encode(
        stream_id, event, metadata=metadata, event_id=uuid.uuid4(), version=version
    )


def build(system: System, idea_id: str, events: int) -> str:
    """Append an idea with `events` events, `BATCH` per append; returns its stream id."""
    stream_id = stream_id_of(idea_id)
    batch: list[NewEvent] = []
    stored = 0
    for version, (command, event) in enumerate(idea_events(idea_id, events), start=1):
        batch.append(encode(system, stream_id, version, command, event))
        if len(batch) == BATCH:
            system.store.append(stream_id, batch, stored or NO_STREAM)
            stored += len(batch)
            batch = []
    if batch:
        system.store.append(stream_id, batch, stored or NO_STREAM)
    return stream_id


def snapshot_at(system: System, stream_id: str, version: int) -> Snapshot:
    """Take (and store) a snapshot of the stream as of `version`."""
    return take_snapshot(
        system.store, system.fold, load(system.store, stream_id, system.fold, to_version=version)
    )


def rehydrate(system: System, stream_id: str) -> Loaded[IdeaState]:
    """Load the idea the way every command does: latest snapshot (if any) plus the rest."""
    return load(system.store, stream_id, system.fold)


def expected_state(events: int) -> tuple[str, str, int]:
    """Title, description and edit count the workload leaves an idea of `events` events in."""
    title, description = work.TITLE, work.DESCRIPTION
    for new_title, new_description in work.history(events):
        title = new_title or title
        description = new_description or description
    return title, description, max(events - 2, 0)


def check(loaded: Loaded[IdeaState], events: int) -> None:
    """Fail loudly unless the load gave the state the workload must leave."""
    state = loaded.state
    got = (state.title, state.description, state.edit_count)
    if loaded.version != events or got != expected_state(events):
        raise AssertionError(f"es-tui loaded v{loaded.version} {got}, expected v{events}")


def commands(system: System, count: int, cached: bool = True) -> float:
    """Seconds for `count` edits of one idea through the command handler, each a full
    command: validate, decide, seal, append at the expected version, and a snapshot every 10
    events, on the state the previous command left (appended at that state's version, so the
    store's version check refuses it if the stream moved) or, with `cached` False, on a state
    loaded from the store (latest snapshot + tail) each time."""
    handler = system.ideas
    if not cached:
        handler = IdeaCommandHandler(system.store, system.codec, cache_size=0)
    idea_id = handler.publish(work.TITLE, work.DESCRIPTION).idea_id
    handler.accept(idea_id)
    start = time.perf_counter()
    for title, description in work.edits(0, count):
        handler.edit(idea_id, title=title, description=description)
    took = time.perf_counter() - start
    check(handler.load(idea_id), count + 2)
    system.close()
    return took


class Fixtures:
    """Every idea es-tui's figures need: built once in memory (sealed, as the handler would
    write them), then copied into an SQLite file in `tmp` with `import_records`. Both
    systems share one key store, so the copy opens too."""

    def __init__(self, spec: dict[str, Any], tmp: Path, setup: list[str]) -> None:
        self.spec = spec
        self.tmp = tmp
        self.systems = itertools.count(1)
        check_workload()
        keys = MemoryKeyStore()
        memory = open_system(keys=keys)
        started = time.perf_counter()
        streams: dict[str, tuple[str, int]] = {}
        snapshots = []
        with paused_collector():
            for n in spec["rehydrate"]:
                streams[f"rehydrate/{n}"] = (build(memory, f"rehydrate-{n}", n), n)
            for n in spec["snapshots"]:
                stream_id = build(memory, f"snapshot-{n}", n)
                snapshots.append(snapshot_at(memory, stream_id, n - work.TAIL))
                streams[f"snapshot/{n}"] = (stream_id, n)
        head = memory.store.head_position()
        took = time.perf_counter() - started
        setup.append(f"es-tui memory store, {head:,} events: {took:.1f} s")
        started = time.perf_counter()
        sqlite = open_system(str(tmp / "es-tui.db"), keys=keys)
        with paused_collector():
            sqlite.store.import_records(memory.store.read_all())
            for snap in snapshots:
                sqlite.store.save_snapshot(snap)
        took = time.perf_counter() - started
        setup.append(f"es-tui SQLite copy of it (import_records): {took:.1f} s")
        self.opened = [memory, sqlite]
        self.figures: dict[str, Figure] = {}
        for backend, system in (("memory", memory), ("sqlite", sqlite)):
            for name, (stream_id, n) in streams.items():
                loaded = rehydrate(system, stream_id)
                check(loaded, n)
                action = partial(rehydrate, system, stream_id)
                if name.startswith("rehydrate"):
                    assert loaded.snapshot is None
                    self.figures[f"rehydrate/{backend}/{n}"] = once(action)
                else:
                    assert loaded.events_applied == work.TAIL
                    self.figures[f"snapshot/{backend}/{n}"] = per_call(action)
            self.figures[f"commands/{backend}/edit"] = partial(self.commands, backend, True)
            self.figures[f"commands/{backend}/edit-cold"] = partial(self.commands, backend, False)
            # The reference fold, one `evolve` per event, over the smallest replay.
            n = spec["rehydrate"][0]
            stream_id = streams[f"rehydrate/{n}"][0]
            check(load(system.store, stream_id, PerEventFold(system.fold)), n)
            action = partial(load, system.store, stream_id, PerEventFold(system.fold))
            self.figures[f"rehydrate-evolve/{backend}/{n}"] = once(action)
        # The view over the memory store: a few long ideas, each's events together.
        key = f"projection/{WORKLOAD_STORE}/{head}/{len(streams)}"
        self.figures[key] = once(partial(rebuild_view, memory, len(streams)))

    def commands(self, backend: str, cached: bool) -> float:
        """Seconds per command on a fresh system."""
        count_: int = self.spec["commands"][backend]
        path = None if backend == "memory" else str(self.tmp / f"commands-{next(self.systems)}.db")
        return commands(open_system(path), count_, cached) / count_

    def close(self) -> None:
        for system in self.opened:
            system.close()


class PerEventFold:
    """The ideas fold without its batch path: every event decoded (its sealed fields opened)
    and applied by `evolve`, one by one."""

    def __init__(self, fold: IdeaFold) -> None:
        self.state_schema_version = fold.state_schema_version
        self.initial, self.evolve = fold.initial, fold.evolve
        self.dump, self.restore = fold.dump, fold.restore


def rebuild_view(system: System, ideas: int) -> None:
    """Rebuild the system's view from zero; it must list every idea."""
    system.view.rebuild()
    if len(system.view.list()) != ideas:
        raise AssertionError("the view does not list every idea")


@contextmanager
def paused_collector() -> Iterator[None]:
    """No garbage collection while a big store is built (setup only, never timed)."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
