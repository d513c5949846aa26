"""Two versions of one stream compared: the fields that differ and the events between."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domain.core.protocol import EventStore
from domain.core.records import RecordedEvent

StateAt = Callable[[str, int], dict[str, Any]]
"""The state of a stream as of a version, as plain JSON fields (any domain's fold)."""


@dataclass(frozen=True, slots=True)
class Change:
    """One field whose value differs between the two versions."""

    name: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class VersionDiff:
    """The states of `stream_id` at versions `old` and `new`, and what lies between."""

    stream_id: str
    old: int
    new: int
    before: dict[str, Any]
    after: dict[str, Any]
    changes: tuple[Change, ...]
    between: tuple[RecordedEvent, ...]
    """The events after `old` up to and including `new`."""


class MissingField:
    """Stands for a field that one of the two states does not have."""

    def __repr__(self) -> str:
        return "(absent)"


ABSENT = MissingField()


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[Change, ...]:
    """The fields whose values differ, in the order of `after` then fields only `before` has."""
    names = [*after, *(name for name in before if name not in after)]
    return tuple(
        Change(name, before.get(name, ABSENT), after.get(name, ABSENT))
        for name in names
        if before.get(name, ABSENT) != after.get(name, ABSENT)
    )


def diff_versions(
    store: EventStore, state_at: StateAt, stream_id: str, first: int, second: int
) -> VersionDiff:
    """Compare `stream_id` at two versions (given in either order)."""
    old, new = sorted((first, second))
    before, after = state_at(stream_id, old), state_at(stream_id, new)
    between = tuple(store.read_stream(stream_id, old + 1, new)) if new > old else ()
    return VersionDiff(stream_id, old, new, before, after, field_changes(before, after), between)
