"""Response bodies every API has: stored events, streams, pages of the log, refusals.

They have the same shapes as the scripting CLI's JSON (`es_tui.output.stream_json`,
`domain.core.transfer.record_to_dict`), so a script can switch between the two.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

MAX_POSITION = 2**53 - 1
"""Largest version or position accepted in a query (the largest integer JSON keeps exact)."""

Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class EventOut(BaseModel):
    """One stored event, as `es-tui log` and `es-tui export` print it."""

    position: int
    stream_id: str
    version: int
    event_id: str
    type: str
    schema_version: int
    recorded_at: Timestamp
    data: dict[str, Any]
    metadata: dict[str, Any]


class StreamOut(BaseModel):
    """One stream, as `es-tui streams` prints it."""

    stream_id: str
    version: int
    event_count: int
    status: str = Field(description="active, deleted or forgotten")
    last_position: int
    updated_at: Timestamp


class StreamList(BaseModel):
    """A page of the streams ever written, in order of creation."""

    streams: list[StreamOut]
    total: int = Field(description="streams ever written, all pages together")
    next_offset: int | None = Field(
        description="`offset` of the following page; null when this page is the last"
    )
    head_position: int = Field(description="position of the last committed event")


class StreamEvents(BaseModel):
    """A page of one stream's events."""

    stream: StreamOut
    events: list[EventOut]
    next_from_version: int | None = Field(
        description="from_version of the following page; null when this page ends the stream"
    )


class LogPage(BaseModel):
    """A page of the global log (every stream, in commit order)."""

    events: list[EventOut]
    next: int | None = Field(
        description="`from` of the following page; null when this page reached the head"
    )
    head_position: int


class ErrorOut(BaseModel):
    """A refusal: `error` names the kind (not_found, forgotten, refused, ...)."""

    error: str
    message: str
    idea_id: str | None = None


class ConflictOut(BaseModel):
    """An optimistic-concurrency conflict: the idea moved since the expected version and
    nothing was written. Reload (GET /ideas/{id} or /aggregate/{id}) and retry."""

    error: str
    message: str
    stream_id: str
    expected: int | str
    actual: int
    last_event_id: str | None
