"""The event-type catalogue: every event type of the domain, how many of each the store
holds and at which schema versions, each version's fields and the upcast chain."""

from __future__ import annotations

import types
import typing
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import get_args, get_origin

import annotated_types as at
from pydantic import BaseModel

from domain.core.protocol import EventStore
from domain.core.records import RecordedEvent
from domain.core.versioning import EventRegistry
from domain.core.versioning.compat import show

BATCH = 2000
"""Events read from the log per step of a count."""


@dataclass(frozen=True, slots=True)
class TypeEntry:
    """One event type: its count in the store and what the registry knows of it."""

    type: str
    count: int
    stored_versions: dict[int, int]
    """Events stored at each schema version."""
    current: int | None
    """The newest registered schema version (None: a type the registry does not know)."""
    fields: dict[int, dict[str, str]]
    """Per registered version: field name -> type (with "= default" when it has one)."""

    @property
    def chain(self) -> str:
        """The upcast chain, e.g. "v1 → v2 (read as v2)"."""
        if self.current is None:
            return "not registered: cannot be read"
        if self.current == 1:
            return "v1 (no upcast)"
        steps = " → ".join(f"v{v}" for v in range(1, self.current + 1))
        return f"{steps} (every older payload is read as v{self.current})"

    @property
    def upcast(self) -> int:
        """How many stored events of this type are read through an upcast."""
        if self.current is None:
            return 0
        return sum(n for v, n in self.stored_versions.items() if v < self.current)


def _limits(metadata: list[object]) -> str:
    """Length and value bounds of a field, e.g. "1..120 chars"."""
    low: object = None
    high: object = None
    for item in metadata:
        low = getattr(item, "min_length", None) if low is None else low
        high = getattr(item, "max_length", None) if high is None else high
        if isinstance(item, at.Ge):
            low = item.ge
        if isinstance(item, at.Le):
            high = item.le
    if low is None and high is None:
        return ""
    return f" ({'' if low is None else low}..{'' if high is None else high})"


def readable(annotation: object) -> str:
    """A type as a person reads it: `str (1..120) | None`, not pydantic's full repr."""
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        base, *metadata = get_args(annotation)
        return readable(base) + _limits(metadata)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(readable(arg) for arg in get_args(annotation))
    if origin is not None and get_args(annotation):
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{', '.join(readable(arg) for arg in get_args(annotation))}]"
    return show(annotation)


def model_fields(model: type[BaseModel]) -> dict[str, str]:
    """A model's fields as name -> readable type (and its default, if any)."""
    out: dict[str, str] = {}
    for name, info in model.model_fields.items():
        text = readable(info.annotation) + _limits(list(info.metadata))
        if not info.is_required():
            text += f" = {info.get_default(call_default_factory=True)!r}"
        out[name] = text
    return out


def count_types(
    store: EventStore, progress: Callable[[int, int], object] | None = None
) -> Counter[tuple[str, int]]:
    """(type, schema version) -> events stored, over the whole log."""
    counts: Counter[tuple[str, int]] = Counter()
    head = store.head_position()
    at = 0
    while at < head:
        batch = store.read_all(at + 1, BATCH)
        if not batch:
            break
        counts.update((record.type, record.schema_version) for record in batch)
        at = batch[-1].position
        if progress is not None:
            progress(at, head)
    return counts


def catalogue(registry: EventRegistry, counts: Counter[tuple[str, int]]) -> list[TypeEntry]:
    """Every registered type (in registration order), then any stored type it does not know."""
    known = registry.types()
    stored = sorted({t for t, _ in counts} - set(known))
    entries: list[TypeEntry] = []
    for event_type in [*known, *stored]:
        versions = {v: n for (t, v), n in sorted(counts.items()) if t == event_type}
        current: int | None = None
        fields: dict[int, dict[str, str]] = {}
        if event_type in known:
            current = registry.latest_version(event_type)
            fields = {v: model_fields(registry.model(event_type, v)) for v in range(1, current + 1)}
        entries.append(TypeEntry(event_type, sum(versions.values()), versions, current, fields))
    return entries


def upcast_events(registry: EventRegistry, events: list[RecordedEvent]) -> list[RecordedEvent]:
    """The events among `events` stored at an older schema version than the one read."""
    known = set(registry.types())
    return [
        record
        for record in events
        if record.type in known and record.schema_version < registry.latest_version(record.type)
    ]
