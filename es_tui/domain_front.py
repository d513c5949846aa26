"""What the generic command front ends (`es-tui send`, the HTTP command routes) share: the
system's command handler, which field of a command names its aggregate, and the JSON shapes
of an outcome and of a refusal."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from domain.bootstrap import System
from domain.core.handler import DomainHandler, Outcome
from domain.core.port import CommandSpec
from domain.core.transfer import record_to_dict
from domain.core.views import ReadModelView


class NoDomainError(Exception):
    """The system runs no domain (raw mode): there are no commands to send."""

    def __init__(self) -> None:
        super().__init__("raw mode: no domain is running here, so no command can be sent")


def command_handler(system: System) -> DomainHandler[Any]:
    """The handler that runs the system's domain commands (NoDomainError in raw mode)."""
    if system.handler is None:
        raise NoDomainError()
    return system.handler


def read_model_views(system: System) -> Mapping[str, ReadModelView]:
    """The system's read models of its domain, by name (none for ideas, whose `IdeaView`
    serves its own routes, and none in raw mode)."""
    return dict(system.views)


def target_field(spec: CommandSpec) -> str | None:
    """The field of the command model holding the aggregate id its `target` reads (None for
    a creating command, or a target computed from several fields)."""
    if spec.target is None:
        return None
    # Each field gets a distinct marker; the target returns the marker of the field it reads.
    markers = {name: f"\x00{name}\x00" for name in spec.model.model_fields}
    try:
        picked = spec.target(spec.model.model_construct(set(markers), **markers))
    except Exception:  # a target that computes from typed values: no single field
        return None
    return next((name for name, marker in markers.items() if marker == picked), None)


def plain(value: object) -> object:
    """A value as JSON carries it exactly: decimals and ids as strings, times in ISO 8601."""
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def domain_outcome_json(handler: DomainHandler[Any], outcome: Outcome[Any]) -> dict[str, Any]:
    """What a command did: its stream, the new version, the events appended (private fields
    opened) and the aggregate's state after them."""
    return {
        "domain": handler.domain.name,
        "command": outcome.command,
        "aggregate_id": outcome.aggregate_id,
        "stream_id": outcome.stream_id,
        "version": outcome.version,
        "versions": [record.version for record in outcome.events],
        "snapshot_taken": outcome.snapshot.version if outcome.snapshot else None,
        "state": outcome.state.model_dump(mode="json"),
        "events": [
            {**record_to_dict(record), "data": handler.codec.open(record)}
            for record in outcome.events
        ],
    }


def refusal_facts(exc: BaseException) -> dict[str, Any]:
    """The facts a domain error carries (its public attributes), as plain JSON values."""
    return {
        name: plain(value)
        for name, value in vars(exc).items()
        if not name.startswith("_") and not callable(value)
    }
