"""The ideas system: events, commands, decide/evolve, the command handler, the process
manager, the `IdeaView` read model and the demo seeder."""

from domain.core.handler import Cause
from domain.ideas.codec import IdeaFold, PlainCodec, idea_id_of, idea_registry, stream_id_of
from domain.ideas.commands import (
    AcceptIdeaCreation,
    DeleteIdea,
    EditIdea,
    ForgetIdea,
    PublishIdea,
    RejectIdeaCreation,
)
from domain.ideas.errors import (
    IdeaAlreadyExistsError,
    IdeaDeletedError,
    IdeaError,
    IdeaForgottenError,
    IdeaNotFoundError,
    IdeaNotPendingError,
    IdeaRejectedError,
    InvalidFieldError,
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
from domain.ideas.handler import CommandOutcome, IdeaCommandHandler
from domain.ideas.state import IdeaState, IdeaStatus

__all__ = [
    "AcceptIdeaCreation",
    "Cause",
    "CommandOutcome",
    "DeleteIdea",
    "EditIdea",
    "ForgetIdea",
    "IdeaAlreadyExistsError",
    "IdeaCommandHandler",
    "IdeaCreationAccepted",
    "IdeaCreationRejected",
    "IdeaCreationRequested",
    "IdeaDeleted",
    "IdeaDeletedError",
    "IdeaError",
    "IdeaEvent",
    "IdeaFold",
    "IdeaForgotten",
    "IdeaForgottenError",
    "IdeaNotFoundError",
    "IdeaNotPendingError",
    "IdeaRejectedError",
    "IdeaState",
    "IdeaStatus",
    "IdeaUpdated",
    "InvalidFieldError",
    "NothingToChangeError",
    "PlainCodec",
    "PublishIdea",
    "RejectIdeaCreation",
    "idea_id_of",
    "idea_registry",
    "stream_id_of",
]
