"""Given/when/then fixtures from a stream: the events before a command, the command, and the
events it wrote — as a JSON file a test can load, and back into a store for a replay.

A fixture holds payloads as read (the newest schema version, private fields in clear): it is
made to be read by a test, not to be imported as a backup.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.core.protocol import EventStore
from domain.core.records import NO_STREAM, NewEvent, RecordedEvent
from es_tui.causation import command_of, correlation_of

FORMAT = "es-tui given/when/then fixture"
VERSION = 1

Read = Callable[[RecordedEvent], tuple[int, dict[str, Any]]]
"""An event's payload as read, with the schema version it is read at."""


class FixtureError(ValueError):
    """A fixture file that cannot be written or read, with the file and the reason."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True, slots=True)
class FixtureEvent:
    """One event of a fixture."""

    type: str
    schema_version: int
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Fixture:
    """`given` events, then the command `when`, which wrote the events `then`."""

    stream_id: str
    given: tuple[FixtureEvent, ...]
    when: str
    then: tuple[FixtureEvent, ...]

    def to_json(self) -> dict[str, Any]:
        def events(items: tuple[FixtureEvent, ...]) -> list[dict[str, Any]]:
            return [
                {"type": e.type, "schema_version": e.schema_version, "data": e.data} for e in items
            ]

        return {
            "format": FORMAT,
            "version": VERSION,
            "stream_id": self.stream_id,
            "given": events(self.given),
            "when": {"command": self.when},
            "then": events(self.then),
        }


def fixture_of(
    store: EventStore, read: Read, stream_id: str, first: int = 1, last: int | None = None
) -> Fixture:
    """The fixture of `stream_id`'s versions `first..last` (default: to its end): the last
    command in that range is `when`, the events it wrote `then`, the ones before `given`."""
    events = store.read_stream(stream_id, first, last)
    if not events:
        raise ValueError(f"{stream_id} has no events in v{first}..v{last or 'end'}")
    tail = events[-1]
    split = len(events) - 1
    while (
        split > 0
        and command_of(events[split - 1]) == command_of(tail)
        and correlation_of(events[split - 1]) == correlation_of(tail)
    ):
        split -= 1

    def as_read(record: RecordedEvent) -> FixtureEvent:
        version, data = read(record)
        return FixtureEvent(record.type, version, data)

    return Fixture(
        stream_id,
        tuple(as_read(r) for r in events[:split]),
        command_of(tail),
        tuple(as_read(r) for r in events[split:]),
    )


def write_fixture(fixture: Fixture, path: Path) -> None:
    """Write `fixture` to `path` (whole or not at all: a temporary file is renamed)."""
    text = json.dumps(fixture.to_json(), indent=2, ensure_ascii=False) + "\n"
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise FixtureError(path, error.strerror or str(error)) from error


def _events(path: Path, value: object, where: str) -> tuple[FixtureEvent, ...]:
    if not isinstance(value, list):
        raise FixtureError(path, f"'{where}' must be a list of events")
    out: list[FixtureEvent] = []
    for index, item in enumerate(value):
        if not (
            isinstance(item, dict)
            and isinstance(item.get("type"), str)
            and type(item.get("schema_version")) is int
            and isinstance(item.get("data"), dict)
        ):
            raise FixtureError(
                path, f"'{where}'[{index}] needs a string type, an int schema_version, data"
            )
        out.append(FixtureEvent(item["type"], item["schema_version"], item["data"]))
    return tuple(out)


def read_fixture(path: Path) -> Fixture:
    """The fixture in `path`; FixtureError says what is wrong with the file."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise FixtureError(path, error.strerror or str(error)) from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise FixtureError(path, f"not JSON: {error}") from error
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise FixtureError(path, f"not a fixture (its 'format' must be {FORMAT!r})")
    stream_id, when = raw.get("stream_id"), raw.get("when")
    if not isinstance(stream_id, str) or not stream_id:
        raise FixtureError(path, "'stream_id' must be a non-empty string")
    if not isinstance(when, dict) or not isinstance(when.get("command"), str):
        raise FixtureError(path, "'when' must name a command")
    return Fixture(
        stream_id,
        _events(path, raw.get("given"), "given"),
        when["command"],
        _events(path, raw.get("then"), "then"),
    )


def load_fixture(store: EventStore, fixture: Fixture) -> list[RecordedEvent]:
    """Append the fixture's given and then events to a new stream of `store`."""
    events = [NewEvent(e.type, e.data, e.schema_version) for e in fixture.given]
    events += [
        NewEvent(e.type, e.data, e.schema_version, {"command": fixture.when}) for e in fixture.then
    ]
    return store.append(fixture.stream_id, events, NO_STREAM)
