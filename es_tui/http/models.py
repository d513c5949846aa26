"""Request and response bodies of the HTTP API.

Responses have the same shapes as the scripting CLI's JSON (`es_tui.commands.outcome_json`,
`stream_json`, `domain.core.transfer.record_to_dict`), so a script can switch between the two.
Request bodies use the domain's own field types, so the API refuses exactly what the domain
refuses, with the same messages.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from domain.ideas.fields import Description, Title

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


class CommandAccepted(BaseModel):
    """A command the system accepted: the events it appended and the idea's new status.

    `id` repeats `idea_id` because the origin's API answered `{"id": ...}`."""

    id: str
    command: str
    idea_id: str
    stream_id: str
    version: int
    status: str
    snapshot_taken: int | None = Field(
        description="the version of the snapshot this command triggered, if any"
    )
    events: list[EventOut]


class IdeaOut(BaseModel):
    """One idea as the read model (`IdeaView`) holds it."""

    idea_id: str
    title: str
    description: str
    status: str = Field(description="requested, accepted or rejected")
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class IdeaList(BaseModel):
    """A page of the ideas that are not deleted (the origin's `{"found": [...]}`), with the
    read model's checkpoint and lag: the read side may be a few events behind the write
    side."""

    found: list[IdeaOut]
    total: int = Field(description="ideas not deleted, all pages together")
    next_offset: int | None = Field(
        description="`offset` of the following page; null when this page is the last"
    )
    checkpoint: int = Field(description="position of the last event the read model applied")
    lag: int = Field(description="events committed but not yet applied by the read model")


class IdeaFound(BaseModel):
    """One idea (the origin's `{"found": {...}}`)."""

    found: IdeaOut


class AggregateOut(BaseModel):
    """The write side's state of an idea, and how it was computed."""

    id: str
    stream_id: str
    state: dict[str, Any] = Field(description="the aggregate state, as a snapshot stores it")
    version: int
    last_event_id: str | None
    how: str = Field(description='e.g. "snapshot v20 + 3 events" or "replayed 4 events from v1"')
    snapshot_version: int | None = Field(
        description="the version of the snapshot the load started from; null: replay from v1"
    )
    events_applied: int
    kept_snapshots: list[int] = Field(description="versions of the snapshots kept for the idea")


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


class EditBody(BaseModel):
    """Change an idea's title and/or description; a field left out (or null) stays.

    (`POST /ideas` takes the domain's own `PublishIdea` command as its body; an edit's idea
    id comes from the path, so its body is this model with the same field types.)"""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None


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
