"""The bodies of the ideas' own routes: an accepted command in the origin's shape, the read
model's ideas, the write side's aggregate, and the body of an edit.

Responses have the same shapes as the scripting CLI's JSON (`outcome_json`), so a script can
switch between the two. Request bodies use the domain's own field types, so the API refuses
exactly what the domain refuses, with the same messages.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.ideas.fields import Description, Title
from es_tui.http.models import EventOut, Timestamp


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


class EditBody(BaseModel):
    """Change an idea's title and/or description; a field left out (or null) stays.

    (`POST /ideas` takes the domain's own `PublishIdea` command as its body; an edit's idea
    id comes from the path, so its body is this model with the same field types.)"""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None
