"""The cheap checks the fast read paths make stand for the validators they replace: a stored
idea id passes `is_idea_id` exactly when the `IdeaId` type accepts it."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from domain.ideas.codec import is_idea_id
from domain.ideas.fields import IdeaId

_validator = TypeAdapter(IdeaId)

near_ids = st.text(
    alphabet=string.ascii_lowercase[:4] + string.digits[:3] + "_-A\n \u0660é\u212a",
    min_size=0,
    max_size=70,
)
long_ids = st.integers(60, 70).map(lambda n: "a" * n)


def accepted(value: str) -> bool:
    try:
        _validator.validate_python(value)
    except ValidationError:
        return False
    return True


@settings(max_examples=1500, deadline=None)
@given(value=st.one_of(near_ids, long_ids, st.text(max_size=80)))
def test_is_idea_id_accepts_exactly_what_the_idea_id_type_accepts(value: str) -> None:
    assert is_idea_id(value) == accepted(value)


def test_is_idea_id_on_the_edges() -> None:
    for value in ("a", "0", "a" * 64, "a-b_c", "abc\n", "", "-a", "_a", "A", "a" * 65, "a b"):
        assert is_idea_id(value) == accepted(value), value
