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


_new = object.__new__
_set = object.__setattr__


def updated(state: IdeaState, update: dict[str, object]) -> IdeaState:
    """`state.model_copy(update=update)`, built directly: pydantic's generic copy copies each
    of the model's four attributes through `copy.copy`, a third of a command's state update.
    The same fields, the same fields-set; `update`'s values are trusted as `model_copy`
    trusts them (an `IdeaState` keeps no extra fields and no private attributes)."""
    new = _new(IdeaState)
    values = state.__dict__.copy()
    values.update(update)
    _set(new, "__dict__", values)
    _set(new, "__pydantic_extra__", None)
    _set(new, "__pydantic_fields_set__", state.__pydantic_fields_set__ | update.keys())
    _set(new, "__pydantic_private__", None)
    return new


def evolve(state: IdeaState, event: IdeaEvent, at: datetime) -> IdeaState:
    """The state after `event`, recorded at `at`. Pure: no I/O, no clock."""
    match event:
        # The edit first: the event met most often (the events' classes are disjoint, so the
        # order of the cases changes nothing else).
        case IdeaUpdated(title=title, description=description):
            update: dict[str, object] = {"updated_at": at, "edit_count": state.edit_count + 1}
            if title is not None:
                update["title"] = title
            if description is not None:
                update["description"] = description
            return updated(state, update)
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
        case IdeaDeleted():
            return state.model_copy(update={"status": IdeaStatus.DELETED, "updated_at": at})
        case IdeaForgotten():
            # Nothing personal survives in the state either.
            return IdeaState(idea_id=state.idea_id, status=IdeaStatus.FORGOTTEN, updated_at=at)
        case _:
            raise TypeError(f"unknown ideas event {type(event).__name__}")
