"""The state update a command's edit makes (`updated`) is pydantic's `model_copy`: the same
fields, fields-set, dump, hash and frozenness, for any state and any update of its fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.ideas.events import IdeaUpdated
from domain.ideas.state import IdeaState, IdeaStatus, evolve, updated

_TEXT = st.none() | st.text(max_size=8)
_TIME = st.none() | st.datetimes(timezones=st.just(UTC))
_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "status": st.sampled_from(IdeaStatus),
    "title": _TEXT,
    "description": _TEXT,
    "rejection_reason": _TEXT,
    "created_at": _TIME,
    "updated_at": _TIME,
    "edit_count": st.integers(0, 10**6),
}
# Some fields given, some left to their defaults: the fields-set differs.
_STATES = st.builds(
    lambda idea_id, given: IdeaState(idea_id=idea_id, **given),
    st.text(min_size=1, max_size=6),
    st.fixed_dictionaries({}, optional=_FIELDS),
)
_UPDATES = st.fixed_dictionaries({}, optional=_FIELDS)


def _same(a: IdeaState, b: IdeaState) -> None:
    assert a == b and b == a
    assert a.model_fields_set == b.model_fields_set
    assert a.model_dump(mode="json") == b.model_dump(mode="json")
    assert a.model_dump(exclude_unset=True) == b.model_dump(exclude_unset=True)
    assert hash(a) == hash(b)
    assert (a.__pydantic_extra__, a.__pydantic_private__) == (None, None)


@settings(max_examples=500, deadline=None)
@given(state=_STATES, update=_UPDATES)
def test_an_update_is_pydantics_copy(state: IdeaState, update: dict[str, Any]) -> None:
    got = updated(state, update)
    _same(got, state.model_copy(update=update))
    with pytest.raises(pydantic.ValidationError):
        got.title = "changed"  # type: ignore[misc]
    assert got is not state and got.__dict__ is not state.__dict__


@settings(max_examples=300, deadline=None)
@given(
    state=_STATES,
    title=st.none() | st.just("A title"),
    description=st.none() | st.just("A description"),
)
def test_an_edit_evolves_the_state_as_the_copy_with_its_changes_does(
    state: IdeaState, title: str | None, description: str | None
) -> None:
    at = datetime(2026, 1, 2, tzinfo=UTC)
    event = IdeaUpdated(idea_id="a1", title=title, description=description)
    changes: dict[str, Any] = {"updated_at": at, "edit_count": state.edit_count + 1}
    changes |= {k: v for k, v in (("title", title), ("description", description)) if v}
    _same(evolve(state, event, at), state.model_copy(update=changes))
