"""A record built by `slot_builder` is the record its dataclass builds from the same values:
equal, of the same type, with the same hash (or none), repr and fields, and as frozen."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.core.records import NewEvent, RecordedEvent, Snapshot, slot_builder
from domain.ideas.handler import CommandOutcome
from domain.ideas.state import IdeaState

_TEXT = st.text(max_size=6)
_PAYLOAD = st.dictionaries(_TEXT, st.none() | st.integers() | _TEXT, max_size=3)
_IDS = st.builds(uuid.UUID, st.uuids().map(str))
_TIMES = st.datetimes(timezones=st.just(UTC))
_VALUES: dict[type[Any], st.SearchStrategy[tuple[Any, ...]]] = {
    NewEvent: st.tuples(_TEXT, _PAYLOAD, st.integers(1, 5), _PAYLOAD, _IDS),
    RecordedEvent: st.tuples(
        _IDS,
        _TEXT,
        st.integers(1),
        st.integers(1),
        _TEXT,
        st.integers(1),
        _TIMES,
        _PAYLOAD,
        _PAYLOAD,
    ),
    CommandOutcome: st.tuples(
        _TEXT,
        _TEXT,
        _TEXT,
        st.just([]),
        st.integers(0),
        st.builds(IdeaState, idea_id=_TEXT, title=st.none() | _TEXT),
        st.none(),
        _TEXT,
    ),
}


@settings(max_examples=200, deadline=None)
@given(data=st.data(), cls=st.sampled_from(list(_VALUES)))
def test_a_built_record_is_the_dataclasss_own(data: st.DataObject, cls: type[Any]) -> None:
    values = data.draw(_VALUES[cls])
    built, plain = slot_builder(cls)(*values), cls(*values)
    assert type(built) is cls
    assert built == plain and plain == built
    assert repr(built) == repr(plain)
    assert dataclasses.astuple(built) == dataclasses.astuple(plain)
    assert _raised(lambda: hash(built)) == _raised(lambda: hash(plain))
    for name in ("stream_id", "type"):  # as frozen as the plain one: setting raises
        on_built = _raised(lambda name=name: setattr(built, name, "x"))
        assert on_built == _raised(lambda name=name: setattr(plain, name, "x"))
        assert on_built != "None"


def _raised(run: Any) -> str:
    """The outcome of `run()`: its value's text, or the class of what it raised."""
    try:
        return f"{run()!r}"
    except Exception as exc:
        return type(exc).__name__


def test_a_record_that_runs_code_when_built_is_refused() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        n: int

        def __post_init__(self) -> None:
            if self.n < 0:
                raise ValueError(self.n)

    with pytest.raises(TypeError):
        slot_builder(Checked)
    assert slot_builder(Snapshot)(
        "s", 1, uuid.UUID(int=1), {}, 1, datetime(2026, 1, 1, tzinfo=UTC)
    ) == Snapshot("s", 1, uuid.UUID(int=1), {}, 1, datetime(2026, 1, 1, tzinfo=UTC))
