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


def aggregate_at(store: EventsourcingStore, stream_id: str, version: int | None = None) -> Any:
    """The aggregate object of `stream_id` as of `version` (default: its last)."""
    application, persistence = _library()
    transcoder = persistence.JSONTranscoder()
    for transcoding in (
        persistence.UUIDAsHex(),
        persistence.DecimalAsStr(),
        persistence.DatetimeAsISO(),
    ):
        transcoder.register(transcoding)
    mapper = persistence.Mapper(transcoder=transcoder)
    rows = store.stored_rows(stream_id, version)
    if not rows:
        raise ReplayError(stream_id, "no such stream (or no event up to that version)")
    events = []
    for originator_id, number, topic, blob in rows:
        opened = open_bytes(blob, store.cipher_key)
        if opened.json is None:
            raise ReplayError(stream_id, f"v{number} is encrypted and no key opens it")
        stored = persistence.StoredEvent(
            originator_id=originator_id,
            originator_version=number,
            topic=topic,
            state=opened.json,
        )
        try:
            events.append(mapper.to_domain_event(stored))
        except Exception as exc:  # an unresolvable topic, a failed upcast: the library's reason
            raise ReplayError(stream_id, f"v{number} ({topic}): {exc}") from None
    return application.project_aggregate(None, events)


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
