"""The ideas domain's commands: imperative names, validated by the same field types as the
events, so a form and the domain refuse the same input with the same message."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from domain.ideas.fields import Description, IdeaId, Reason, Title


class IdeaCommand(BaseModel):
    """Base of every ideas command."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class PublishIdea(IdeaCommand):
    """Publish a new idea (its creation is then accepted or rejected)."""

    title: Title
    description: Description


class AcceptIdeaCreation(IdeaCommand):
    """Accept a pending creation request (issued by the process manager)."""

    idea_id: IdeaId


class RejectIdeaCreation(IdeaCommand):
    """Reject a pending creation request, with a reason (issued by the process manager)."""

    idea_id: IdeaId
    reason: Reason


class EditIdea(IdeaCommand):
    """Change the title and/or the description; at least one must differ."""

    idea_id: IdeaId
    title: Title | None = None
    description: Description | None = None


class DeleteIdea(IdeaCommand):
    """Delete an idea (soft delete: its history stays)."""

    idea_id: IdeaId


class ForgetIdea(IdeaCommand):
    """Forget an idea: erase its history, keep a tombstone (right to be forgotten)."""

    idea_id: IdeaId


Command = PublishIdea | AcceptIdeaCreation | RejectIdeaCreation | EditIdea | DeleteIdea | ForgetIdea
