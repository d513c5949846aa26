"""The ideas domain's events: frozen pydantic models with past-tense names.

Each event marks which of its fields are private personal data (`PRIVATE`): those are
encrypted at rest with the stream's key and shredded by forget. Everything else (ids, flags,
versions, timestamps) is public and stays in clear.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from domain.ideas.fields import IdeaId
from domain.ideas.fields import StoredDescription as Description
from domain.ideas.fields import StoredReason as Reason
from domain.ideas.fields import StoredTitle as Title


class IdeaEvent(BaseModel):
    """Base of every ideas event."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    PRIVATE: ClassVar[frozenset[str]] = frozenset()

    idea_id: IdeaId


class IdeaCreationRequested(IdeaEvent):
    """Someone published an idea; it awaits acceptance by the process manager."""

    PRIVATE: ClassVar[frozenset[str]] = frozenset({"title", "description"})
    title: Title
    description: Description


class IdeaCreationAccepted(IdeaEvent):
    """The creation request was accepted: the idea is live."""


class IdeaCreationRejected(IdeaEvent):
    """The creation request was rejected, with a reason."""

    reason: Reason


class IdeaUpdatedV1(IdeaEvent):
    """Schema version 1 of `IdeaUpdated`, as the first releases stored it (no `minor`).
    Stored payloads of this version are read as the current version."""

    PRIVATE: ClassVar[frozenset[str]] = frozenset({"title", "description"})
    title: Title | None = None
    description: Description | None = None


class IdeaUpdated(IdeaEvent):
    """The title and/or description changed; a field left out did not change.

    Schema version 2: `minor` was added with a default, so every version-1 payload reads as
    a version-2 event with `minor=False`."""

    PRIVATE: ClassVar[frozenset[str]] = frozenset({"title", "description"})
    title: Title | None = None
    description: Description | None = None
    minor: bool = False
    """A small correction (a typo): followers need not be told."""


class IdeaDeleted(IdeaEvent):
    """The idea was deleted (soft: its history stays in the stream)."""


class IdeaForgotten(IdeaEvent):
    """The tombstone: the idea was forgotten (GDPR erasure) and its history erased.

    It is the stream's only event afterwards; it holds nothing personal."""

    erased_events: int
    """How many events the erasure removed."""


IDEA_EVENT_HISTORY: dict[str, tuple[type[IdeaEvent], ...]] = {"IdeaUpdated": (IdeaUpdatedV1,)}
"""The older schema versions of a type, version 1 first; its model in `IDEA_EVENTS` is the
newest (`IdeaUpdated` is version 2)."""

IDEA_EVENTS: tuple[type[IdeaEvent], ...] = (
    IdeaCreationRequested,
    IdeaCreationAccepted,
    IdeaCreationRejected,
    IdeaUpdated,
    IdeaDeleted,
    IdeaForgotten,
)
