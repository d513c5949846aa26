"""An idea's state and `evolve`, the pure function that folds one event into it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from domain.ideas.events import (
    IdeaCreationAccepted,
    IdeaCreationRejected,
    IdeaCreationRequested,
    IdeaDeleted,
    IdeaEvent,
    IdeaForgotten,
    IdeaUpdated,
)


class IdeaStatus(enum.StrEnum):
    """Where an idea is in its life."""

    NONE = "none"
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DELETED = "deleted"
    FORGOTTEN = "forgotten"


class IdeaState(BaseModel):
    """The write side's view of one idea (its aggregate state)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    SCHEMA_VERSION: ClassVar[int] = 1  # snapshot state schema; bump on incompatible change

    idea_id: str
    status: IdeaStatus = IdeaStatus.NONE
    title: str | None = None
    description: str | None = None
    rejection_reason: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    edit_count: int = 0


def evolve(state: IdeaState, event: IdeaEvent, at: datetime) -> IdeaState:
    """The state after `event`, recorded at `at`. Pure: no I/O, no clock."""
    match event:
        case IdeaCreationRequested(title=title, description=description):
            return state.model_copy(
                update={
                    "status": IdeaStatus.REQUESTED,
                    "title": title,
                    "description": description,
                    "created_at": at,
                    "updated_at": at,
                }
            )
        case IdeaCreationAccepted():
            return state.model_copy(update={"status": IdeaStatus.ACCEPTED, "updated_at": at})
        case IdeaCreationRejected(reason=reason):
            return state.model_copy(
                update={"status": IdeaStatus.REJECTED, "rejection_reason": reason, "updated_at": at}
            )
        case IdeaUpdated(title=title, description=description):
            update: dict[str, object] = {"updated_at": at, "edit_count": state.edit_count + 1}
            if title is not None:
                update["title"] = title
            if description is not None:
                update["description"] = description
            return state.model_copy(update=update)
        case IdeaDeleted():
            return state.model_copy(update={"status": IdeaStatus.DELETED, "updated_at": at})
        case IdeaForgotten():
            # Nothing personal survives in the state either.
            return IdeaState(idea_id=state.idea_id, status=IdeaStatus.FORGOTTEN, updated_at=at)
        case _:
            raise TypeError(f"unknown ideas event {type(event).__name__}")
