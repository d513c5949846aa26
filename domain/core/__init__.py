"""The domain-agnostic core: the Domain port, its generic codec and command handler.

Imports no storage driver, no UI and no domain package."""

from __future__ import annotations

from domain.core.codec import DomainCodec, Keys
from domain.core.handler import (
    Cause,
    DomainFold,
    DomainHandler,
    InvalidCommandError,
    NoFreshIdError,
    Outcome,
)
from domain.core.managers import DomainProcessManager
from domain.core.port import (
    Column,
    CommandSpec,
    Domain,
    FoldSpec,
    ProcessManagerSpec,
    ReadModelSpec,
    Remove,
    Row,
    RowChange,
    StateField,
    TrafficProfile,
    UnknownCommandError,
    Upsert,
    registry_of,
)
from domain.core.views import MemoryRowStorage, ReadModelView, RowStorage

__all__ = [
    "Cause",
    "Column",
    "CommandSpec",
    "Domain",
    "DomainCodec",
    "DomainFold",
    "DomainHandler",
    "DomainProcessManager",
    "FoldSpec",
    "InvalidCommandError",
    "Keys",
    "MemoryRowStorage",
    "NoFreshIdError",
    "Outcome",
    "ProcessManagerSpec",
    "ReadModelSpec",
    "ReadModelView",
    "Remove",
    "Row",
    "RowChange",
    "RowStorage",
    "StateField",
    "TrafficProfile",
    "UnknownCommandError",
    "Upsert",
    "registry_of",
]
