"""What every route needs: the wired system, the listener that hears each command (such as
the explorer's log), the shape of a stored event, and the `If-Match` precondition."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Protocol, TypeVar, runtime_checkable

from fastapi import Depends, Header, Request

from domain.bootstrap import System
from domain.core.errors import ConcurrencyError
from domain.core.handler import Outcome
from domain.core.records import JsonObject, RecordedEvent
from domain.core.transfer import record_to_dict

CommandListener = Callable[[str, str, Outcome[Any] | Exception], None]
"""Called with (command, stream id, outcome or error) after each command, from the thread
that ran it."""


def get_system(request: Request) -> System:
    """The system the app was created for (`create_api(system)`)."""
    system: System = request.app.state.system
    return system


SystemDep = Annotated[System, Depends(get_system)]


def command_listener(request: Request) -> CommandListener | None:
    """The listener the app was created with (`create_api(on_command=...)`), if any."""
    listener: CommandListener | None = request.app.state.on_command
    return listener


CONFLICT_RETRIES = 5
"""How many more times a command without a precondition is decided again after another
writer (a process manager, another client) moved the aggregate between its load and append."""


T = TypeVar("T")


def with_conflict_retries(call: Callable[[], T], retry: bool) -> T:
    """`call()`; with `retry` (no precondition: the client asked for the change on whatever
    the aggregate is now), a ConcurrencyError decides again on the state the other writer
    left, up to CONFLICT_RETRIES more times."""
    for _ in range(CONFLICT_RETRIES if retry else 0):
        try:
            return call()
        except ConcurrencyError:
            continue
    return call()


IfMatch = Annotated[
    str,
    Header(
        pattern=r'^(\*|"[0-9]{1,15}"|[0-9]{1,15})$',
        description='the version the command expects, e.g. "7" (the ETag); 409 if the idea '
        "has moved on; `*` (the default): no check, a concurrent change is retried on the "
        "new state",
    ),
]
"""The `If-Match` header of a command: its text is part of the OpenAPI document."""


def expected_version(if_match: str) -> int | None:
    """The version an `If-Match` value names; None for no check."""
    if if_match == "*":
        return None
    return int(if_match.strip('"'))


def etag(version: int) -> str:
    """The entity tag of an aggregate at `version` (send it back in `If-Match`)."""
    return f'"{version}"'


@runtime_checkable
class Opener(Protocol):
    """A codec that can show a stored record's data with its private fields opened."""

    def open(self, record: RecordedEvent) -> JsonObject: ...


def opener_of(system: System) -> object | None:
    """What opens the private fields of the system's events: its domain's codec (none in
    raw mode: events are shown as stored)."""
    if system.codec is not None:
        return system.codec
    return system.handler.codec if system.handler is not None else None


def event_json(codec: object, record: RecordedEvent) -> dict[str, Any]:
    """A stored event in the export shape, its private fields (sealed at rest) opened: in
    clear while the stream's key lives, a redaction marker once the aggregate was
    forgotten."""
    data = record_to_dict(record)
    if isinstance(codec, Opener):
        data["data"] = codec.open(record)
    return data
