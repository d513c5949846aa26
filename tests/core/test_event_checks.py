"""A batch's events are judged by the quick check (exact types, in range) as by the full one:
the same events pass, and every other is refused with the full check's error."""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.core.errors import InvalidEventError
from domain.core.records import NewEvent
from domain.core.validation import MAX_TYPE, _check_event, check_batch
from tests.core.test_plain_copy import Tag


class Later(NewEvent):
    """A subclass: the full check accepts it."""


_KINDS = (
    st.sampled_from(["Edited", "", "x" * MAX_TYPE, "x" * (MAX_TYPE + 1)])
    | st.builds(Tag, st.sampled_from(["Edited", ""]))
    | st.integers()
    | st.none()
)
_VERSIONS = st.integers(-1, 3) | st.booleans() | st.sampled_from([1.0, "2", None])
_IDS = st.sampled_from(
    [uuid.UUID(int=1), uuid.UUID(int=2), str(uuid.UUID(int=5)), None]
) | st.builds(uuid.UUID, st.uuids().map(str))
_EVENTS = st.builds(
    lambda cls, kind, version, event_id: cls(kind, {}, version, {}, event_id),
    st.sampled_from([NewEvent, Later]),
    _KINDS,
    _VERSIONS,
    _IDS,
) | st.sampled_from([{"type": "Edited"}, "Edited", None])


def _judged(check: Any) -> str:
    try:
        return f"ok: {check()!r}"
    except InvalidEventError as exc:
        return f"refused: {exc}"


def _reference(events: list[Any]) -> list[Any]:
    """The batch checked as it was before the quick check: each event's fields in full, then
    whether its id repeats an earlier one."""
    seen: set[Any] = set()
    out = []
    for i, event in enumerate(events):
        _check_event(event, i)
        if len(events) > 1:
            if event.event_id in seen:
                raise InvalidEventError(f"event id {event.event_id} appears twice in the batch")
            seen.add(event.event_id)
        out.append((i, event))
    return out


@settings(max_examples=1000, deadline=None)
@given(events=st.lists(_EVENTS, min_size=1, max_size=3))
def test_the_quick_check_judges_as_the_full_check(events: list[Any]) -> None:
    got = _judged(lambda: check_batch(events, lambda event, i: (i, event)))
    assert got == _judged(lambda: _reference(events))
