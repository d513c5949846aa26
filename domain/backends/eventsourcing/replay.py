"""An aggregate of an `eventsourcing` store as of any version, rebuilt by the library itself:
its mapper turns the stored rows back into the application's event objects (the classes are
found from their topics, so the application's modules must be importable) and each event's
own `mutate` applies it, as the library's repository does.

Needs the `eventsourcing` package (imported only here, only when called)."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from domain.backends.eventsourcing.codec import open_bytes, plain_json
from domain.backends.eventsourcing.store import EventsourcingStore
from domain.core.records import JsonObject


class ReplayError(ValueError):
    """An aggregate could not be rebuilt; `reason` says why."""

    def __init__(self, stream_id: str, reason: str) -> None:
        self.stream_id = stream_id
        self.reason = reason
        super().__init__(f"cannot rebuild {stream_id}: {reason}")


def import_modules(names: Iterable[str], where: Path | None = None) -> None:
    """Import the application's modules (so their topics resolve and any topics they
    register are known); `where` (default: the working directory) is searched first."""
    root = str(where or Path.cwd())
    if root not in sys.path:
        sys.path.insert(0, root)
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise ReplayError("-", f"cannot import {name!r}: {exc}") from None


def _library() -> Any:
    try:
        from eventsourcing import application, persistence
    except ImportError:
        raise ReplayError("-", "the eventsourcing package is not installed") from None
    return application, persistence


class UnresolvedTopicError(ReplayError):
    """A stored topic names a class that cannot be imported here: the application's
    modules were not imported (`--import package.module`) or have changed."""

    def __init__(self, stream_id: str, topic: str, detail: str) -> None:
        self.topic = topic
        super().__init__(
            stream_id,
            f"the class of {topic} cannot be imported ({detail}); import the application's "
            "module (--import package.module) so the library can rebuild it",
        )


StoredRow = tuple[str, int, str, bytes]
"""(originator id, originator version, topic, state bytes) as the library stored them."""


class LibraryObjects:
    """Stored rows turned back into the application's own event and snapshot objects by
    the library's mapper, with the transcodings a default application registers."""

    def __init__(self, store: EventsourcingStore, stream_id: str) -> None:
        _, persistence = _library()
        transcoder = persistence.JSONTranscoder()
        for transcoding in (
            persistence.UUIDAsHex(),
            persistence.DecimalAsStr(),
            persistence.DatetimeAsISO(),
        ):
            transcoder.register(transcoding)
        self._persistence = persistence
        self._mapper = persistence.Mapper(transcoder=transcoder)
        self._key = store.cipher_key
        self.stream_id = stream_id

    def domain_object(self, row: StoredRow, what: str = "") -> Any:
        """The library's object (an event, or a Snapshot) stored in `row`."""
        originator_id, number, topic, blob = row
        opened = open_bytes(blob, self._key)
        if opened.json is None:
            raise ReplayError(self.stream_id, f"{what}v{number} is encrypted and no key opens it")
        stored = self._persistence.StoredEvent(
            originator_id=originator_id,
            originator_version=number,
            topic=topic,
            state=opened.json,
        )
        try:
            return self._mapper.to_domain_event(stored)
        except Exception as exc:  # an unresolvable topic, a failed upcast: the library's reason
            raise self.failure(exc, topic, f"{what}v{number}") from None

    def failure(self, exc: Exception, topic: str, where: str) -> ReplayError:
        """The library's exception `exc` at `where`, as a ReplayError."""
        from eventsourcing.utils import TopicError

        if isinstance(exc, TopicError):
            return UnresolvedTopicError(self.stream_id, topic, str(exc))
        return ReplayError(self.stream_id, f"{where} ({topic}): {exc}")

    def project(self, aggregate: Any, objects: Iterable[tuple[StoredRow, Any]]) -> Any:
        """`aggregate` (None: nothing yet) with each object's own `mutate` applied in turn,
        as the library's `project_aggregate` does (one at a time, to name a failing one)."""
        for row, obj in objects:
            try:
                aggregate = obj.mutate(aggregate)
            except Exception as exc:  # the application's own code refused the event
                raise self.failure(exc, row[2], f"v{row[1]}") from None
        return aggregate


def aggregate_at(store: EventsourcingStore, stream_id: str, version: int | None = None) -> Any:
    """The aggregate object of `stream_id` as of `version` (default: its last)."""
    rows = store.stored_rows(stream_id, version)
    if not rows:
        raise ReplayError(stream_id, "no such stream (or no event up to that version)")
    objects = LibraryObjects(store, stream_id)
    return objects.project(None, [(row, objects.domain_object(row)) for row in rows])


def state_json(aggregate: Any) -> JsonObject:
    """An aggregate's attributes as plain JSON values (as its snapshots show them)."""
    _, persistence = _library()
    transcoder = persistence.JSONTranscoder()
    for transcoding in (
        persistence.UUIDAsHex(),
        persistence.DecimalAsStr(),
        persistence.DatetimeAsISO(),
    ):
        transcoder.register(transcoding)
    attrs = {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}
    value = plain_json(json.loads(transcoder.encode(attrs)))
    return value if isinstance(value, dict) else {"value": value}
