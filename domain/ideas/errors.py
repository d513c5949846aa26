"""Domain errors of the ideas system: one class per rule, each carrying the facts."""

from __future__ import annotations

from collections.abc import Sequence


class IdeaError(Exception):
    """Base of every ideas domain error: a rule refused a command; nothing was appended."""

    def __init__(self, idea_id: str, message: str) -> None:
        self.idea_id = idea_id
        super().__init__(message)


class IdeaNotFoundError(IdeaError):
    """No idea has this id."""

    def __init__(self, idea_id: str) -> None:
        super().__init__(idea_id, f"idea {idea_id} does not exist")


class IdeaAlreadyExistsError(IdeaError):
    """An idea with this id exists (or existed) already."""

    def __init__(self, idea_id: str) -> None:
        super().__init__(idea_id, f"idea {idea_id} already exists")


class IdeaDeletedError(IdeaError):
    """The idea was deleted: it can no longer be edited or deleted again."""

    def __init__(self, idea_id: str, action: str) -> None:
        self.action = action
        super().__init__(idea_id, f"cannot {action} idea {idea_id}: it was deleted")


class IdeaRejectedError(IdeaError):
    """The idea's creation was rejected: it cannot be edited or deleted."""

    def __init__(self, idea_id: str, action: str) -> None:
        self.action = action
        super().__init__(idea_id, f"cannot {action} idea {idea_id}: its creation was rejected")


class IdeaForgottenError(IdeaError):
    """The idea was forgotten: only its tombstone remains and it accepts nothing."""

    def __init__(self, idea_id: str, action: str) -> None:
        self.action = action
        super().__init__(idea_id, f"cannot {action} idea {idea_id}: it was forgotten")


class IdeaNotPendingError(IdeaError):
    """Accept and reject apply only to an idea whose creation is still requested."""

    def __init__(self, idea_id: str, action: str, status: str) -> None:
        self.action = action
        self.status = status
        super().__init__(idea_id, f"cannot {action} idea {idea_id}: it is {status}, not requested")


class NothingToChangeError(IdeaError):
    """An edit must change the title or the description."""

    def __init__(self, idea_id: str) -> None:
        super().__init__(idea_id, f"edit of idea {idea_id} changes nothing")


class InvalidFieldError(IdeaError, ValueError):
    """One or more fields of a command are invalid; `errors` maps field -> reason."""

    def __init__(self, errors: Sequence[tuple[str, str]], idea_id: str = "") -> None:
        self.errors = dict(errors)
        text = "; ".join(f"{field}: {reason}" for field, reason in self.errors.items())
        super().__init__(idea_id, f"invalid input: {text}")
