"""A proposed change to an event's model, checked before anything is registered.

The versioning lab builds the proposed next version with `pydantic.create_model` from the
newest registered model and one change (add, remove, rename or retype a field), then asks the
registry's own compatibility checker whether it can be built from the current version, and
reads stored events through it.
"""

from __future__ import annotations

import copy
import enum
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, create_model
from pydantic.fields import FieldInfo

from domain.core.records import RecordedEvent
from domain.core.versioning.compat import model_problems, upgrade_problems

TYPES: dict[str, object] = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "str | None": str | None,
    "int | None": int | None,
    "float | None": float | None,
    "list[str]": list[str],
}
"""The field types a proposal may name (a small, safe vocabulary: nothing is evaluated)."""


class Kind(enum.StrEnum):
    """What a proposal does to one field."""

    ADD = "add"
    REMOVE = "remove"
    RENAME = "rename"
    RETYPE = "retype"


class ProposalError(ValueError):
    """A proposal that cannot even be built (an unknown field or type, a bad default)."""

    def __init__(self, event_type: str, reason: str) -> None:
        super().__init__(f"{event_type}: {reason}")
        self.event_type = event_type
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Proposal:
    """One change to the newest model of `event_type`."""

    event_type: str
    kind: Kind
    field: str
    type_name: str = ""
    """The new field's type (add, retype)."""
    default: str | None = None
    """The default as JSON text (add): None for a required field."""
    new_name: str = ""
    """The field's new name (rename)."""

    def describe(self) -> str:
        """The change in a few words."""
        match self.kind:
            case Kind.ADD:
                default = "required" if self.default is None else f"default {self.default}"
                return f"add {self.field}: {self.type_name} ({default})"
            case Kind.REMOVE:
                return f"remove {self.field}"
            case Kind.RENAME:
                return f"rename {self.field} → {self.new_name}"
        return f"change the type of {self.field} to {self.type_name}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the rule says of a proposal, and how stored events would read through it."""

    proposal: Proposal
    model: type[BaseModel]
    problems: tuple[str, ...]
    """Why the new version cannot be built from the current one (empty: accepted)."""
    read: tuple[tuple[RecordedEvent, dict[str, Any] | str], ...]
    """Stored events and what they read as through the proposal (or why they cannot)."""

    @property
    def accepted(self) -> bool:
        return not self.problems


def _type(event_type: str, name: str) -> object:
    if name not in TYPES:
        raise ProposalError(event_type, f"unknown type {name!r}; one of {', '.join(TYPES)}")
    return TYPES[name]


def propose(current: type[BaseModel], proposal: Proposal) -> type[BaseModel]:
    """The model `proposal` makes of `current` (named after it, with its configuration)."""
    event_type = proposal.event_type
    fields: dict[str, tuple[Any, FieldInfo]] = {
        name: (info.annotation, copy.copy(info)) for name, info in current.model_fields.items()
    }
    if proposal.kind is not Kind.ADD and proposal.field not in fields:
        raise ProposalError(event_type, f"has no field {proposal.field!r}")
    match proposal.kind:
        case Kind.ADD:
            if not proposal.field.isidentifier() or proposal.field in fields:
                raise ProposalError(event_type, f"cannot add a field named {proposal.field!r}")
            kind = _type(event_type, proposal.type_name)
            if proposal.default is None:
                fields[proposal.field] = (kind, FieldInfo())
            else:
                try:
                    default = json.loads(proposal.default)
                except json.JSONDecodeError as error:
                    raise ProposalError(
                        event_type, f"the default {proposal.default!r} is not JSON ({error.msg})"
                    ) from error
                fields[proposal.field] = (kind, FieldInfo(default=default))
        case Kind.REMOVE:
            del fields[proposal.field]
        case Kind.RENAME:
            if not proposal.new_name.isidentifier() or proposal.new_name in fields:
                raise ProposalError(event_type, f"cannot rename to {proposal.new_name!r}")
            fields = {
                (proposal.new_name if name == proposal.field else name): spec
                for name, spec in fields.items()
            }
        case Kind.RETYPE:
            _annotation, info = fields[proposal.field]
            new_info = FieldInfo() if info.is_required() else FieldInfo(default=info.default)
            fields[proposal.field] = (_type(event_type, proposal.type_name), new_info)
    config = ConfigDict(frozen=True, extra="forbid")
    return create_model(  # type: ignore[call-overload, no-any-return]
        f"{current.__name__}Proposed", __config__=config, **fields
    )


def check(
    current: type[BaseModel],
    proposal: Proposal,
    stored: Iterable[RecordedEvent],
    decode: Callable[[RecordedEvent], BaseModel],
) -> Verdict:
    """Build the proposal, apply the registry's rule to it, and read `stored` through it."""
    model = propose(current, proposal)
    problems = model_problems(model) + upgrade_problems(current, model)
    read: list[tuple[RecordedEvent, dict[str, Any] | str]] = []
    for record in stored:
        try:
            value = model.model_validate(decode(record).model_dump())
        except ValidationError as error:
            first = error.errors(include_url=False, include_input=False)[0]
            where = ".".join(str(part) for part in first["loc"]) or "(payload)"
            read.append((record, f"{where}: {first['msg']}"))
        except Exception as error:  # unreadable already (a forgotten key, say)
            read.append((record, f"{type(error).__name__}: {error}"))
        else:
            read.append((record, value.model_dump(mode="json")))
    return Verdict(proposal, model, tuple(problems), tuple(read))
