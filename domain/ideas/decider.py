"""`decide`: the pure function from (command, state) to new events, or a domain error."""

from __future__ import annotations

from domain.ideas.commands import (
    AcceptIdeaCreation,
    Command,
    DeleteIdea,
    EditIdea,
    ForgetIdea,
    PublishIdea,
    RejectIdeaCreation,
)
from domain.ideas.errors import (
    IdeaAlreadyExistsError,
    IdeaDeletedError,
    IdeaForgottenError,
    IdeaNotFoundError,
    IdeaNotPendingError,
    IdeaRejectedError,
    NothingToChangeError,
)
from domain.ideas.events import (
    IdeaCreationAccepted,
    IdeaCreationRejected,
    IdeaCreationRequested,
    IdeaDeleted,
    IdeaEvent,
    IdeaForgotten,
    IdeaUpdated,
)
from domain.ideas.state import IdeaState, IdeaStatus


def _require_live(state: IdeaState, action: str) -> None:
    """Edits and deletes need an idea that exists and is neither deleted, rejected nor
    forgotten."""
    match state.status:
        case IdeaStatus.NONE:
            raise IdeaNotFoundError(state.idea_id)
        case IdeaStatus.DELETED:
            raise IdeaDeletedError(state.idea_id, action)
        case IdeaStatus.REJECTED:
            raise IdeaRejectedError(state.idea_id, action)
        case IdeaStatus.FORGOTTEN:
            raise IdeaForgottenError(state.idea_id, action)


def decide(
    command: Command, state: IdeaState, *, erased_events: int = 0, validated: bool = False
) -> list[IdeaEvent]:
    """The events `command` produces on `state`; raises an IdeaError if a rule refuses it.

    `erased_events` is the stream's event count, recorded by the tombstone of a forget.
    `validated` says the command was validated by its model (not `model_construct`ed): an
    edit's event then takes the command's values without validating them again (see
    `_edited`)."""
    idea_id = state.idea_id
    match command:
        # The edit first: the command met most often (the commands' classes are disjoint, so
        # the order of the cases changes nothing else).
        case EditIdea(title=title, description=description):
            _require_live(state, "edit")
            new_title = title if title is not None and title != state.title else None
            new_desc = (
                description
                if description is not None and description != state.description
                else None
            )
            if new_title is None and new_desc is None:
                raise NothingToChangeError(idea_id)
            if validated and command.idea_id == idea_id:
                return [_edited(idea_id, new_title, new_desc)]
            return [IdeaUpdated(idea_id=idea_id, title=new_title, description=new_desc)]
        case PublishIdea(title=title, description=description):
            if state.status is not IdeaStatus.NONE:
                raise IdeaAlreadyExistsError(idea_id)
            return [IdeaCreationRequested(idea_id=idea_id, title=title, description=description)]
        case AcceptIdeaCreation():
            _require_pending(state, "accept")
            return [IdeaCreationAccepted(idea_id=idea_id)]
        case RejectIdeaCreation(reason=reason):
            _require_pending(state, "reject")
            return [IdeaCreationRejected(idea_id=idea_id, reason=reason)]
        case DeleteIdea():
            _require_live(state, "delete")
            return [IdeaDeleted(idea_id=idea_id)]
        case ForgetIdea():
            if state.status is IdeaStatus.NONE:
                raise IdeaNotFoundError(idea_id)
            if state.status is IdeaStatus.FORGOTTEN:
                raise IdeaForgottenError(idea_id, "forget")
            return [IdeaForgotten(idea_id=idea_id, erased_events=erased_events)]
    raise TypeError(f"unknown ideas command {type(command).__name__}")


def _require_pending(state: IdeaState, action: str) -> None:
    if state.status is IdeaStatus.NONE:
        raise IdeaNotFoundError(state.idea_id)
    if state.status is IdeaStatus.FORGOTTEN:
        raise IdeaForgottenError(state.idea_id, action)
    if state.status is not IdeaStatus.REQUESTED:
        raise IdeaNotPendingError(state.idea_id, action, state.status.value)


_new = object.__new__
_set = object.__setattr__
_EDIT_FIELDS_SET = frozenset({"idea_id", "title", "description"})


def _edited(idea_id: str, title: str | None, description: str | None) -> IdeaUpdated:
    """`IdeaUpdated(idea_id=..., title=..., description=...)` of a validated `EditIdea`'s
    values, built without validating them again: the id is the command's, and a command's
    title and description meet the stored types' rules (they are those rules and more:
    characters only the earlier rules allowed, the limit before trimming) and are trimmed
    already, so validation would give them back unchanged."""
    event = _new(IdeaUpdated)
    values = {"idea_id": idea_id, "title": title, "description": description, "minor": False}
    _set(event, "__dict__", values)
    _set(event, "__pydantic_fields_set__", set(_EDIT_FIELDS_SET))
    _set(event, "__pydantic_extra__", None)
    _set(event, "__pydantic_private__", None)
    return event
