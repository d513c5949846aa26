"""The payload copy's fast path gives what the full check gives: a payload of plain JSON
types is copied to an equal value sharing nothing with it, and anything else is copied or
refused by the full check exactly as before."""

from __future__ import annotations

import enum
import math
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.core.errors import InvalidEventError
from domain.core.records import NewEvent
from domain.core.validation import (
    _check_stream_id,
    check_stream_id,
    json_copy,
    normalise_batch,
    normalise_events,
    plain_copy,
)


class Tag(str):
    """A str subclass: JSON turns it into a plain str."""


class Level(enum.IntEnum):
    LOW = 1


leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**64, max_value=2**70),
    st.floats(),  # NaN and infinities too: refused
    st.text(max_size=5),
    st.builds(Tag, st.text(max_size=3)),
    st.just(Level.LOW),
    st.just(uuid.UUID(int=7)),  # not JSON at all
)
keys = st.one_of(st.text(max_size=4), st.integers(0, 3), st.booleans(), st.none())
values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(keys, inner, max_size=3),
    ),
    max_leaves=12,
)
payloads = st.dictionaries(st.text(max_size=4), values, max_size=4)


def exact(value: Any) -> str:
    """A text telling apart what `==` does not (0.0 and -0.0, 1 and True, str and Tag)."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{exact(k)}:{exact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return type(value).__name__ + "[" + ",".join(exact(v) for v in value) + "]"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return f"{type(value).__name__}:{value!r}"


def full(value: Any) -> str:
    try:
        return exact(json_copy(value, field="data"))
    except InvalidEventError as exc:
        return f"refused: {exc}"


def containers(value: Any) -> list[int]:
    if isinstance(value, dict):
        return [id(value), *(i for v in value.values() for i in containers(v))]
    if isinstance(value, list):
        return [id(value), *(i for v in value for i in containers(v))]
    return []


@settings(max_examples=1500, deadline=None)
@given(value=payloads)
def test_the_fast_copy_is_the_full_copy_or_leaves_the_payload_to_it(value: Any) -> None:
    copied = plain_copy(value)
    if copied is not None:
        assert exact(copied) == full(value)
        assert set(containers(copied)).isdisjoint(containers(value))


@settings(max_examples=500, deadline=None)
@given(batch=st.lists(st.tuples(payloads, payloads), min_size=1, max_size=3))
def test_events_are_normalised_as_the_batch_with_texts_normalises_them(
    batch: list[tuple[Any, Any]],
) -> None:
    events = [NewEvent("Happened", data, 1, metadata) for data, metadata in batch]

    def outcome(normalise: Any) -> str:
        try:
            out = normalise(events)
        except InvalidEventError as exc:
            return f"refused: {exc}"
        return repr([(e.type, exact(e.data), exact(e.metadata), e.event_id) for e in out])

    assert outcome(normalise_events) == outcome(lambda e: normalise_batch(e)[0])


def test_plain_payloads_take_the_fast_path_and_others_the_full_one() -> None:
    sealed = {"idea_id": "a", "title": None, "$sealed": {"fields": ["t"], "n": 1.5, "ok": True}}
    assert plain_copy(sealed) == sealed
    for other in ({"t": (1, 2)}, {"t": Tag("x")}, {1: "x"}, {"f": math.nan}, [1], {"u": Level.LOW}):
        assert plain_copy(other) is None


def test_deep_and_circular_payloads_are_left_to_the_full_check() -> None:
    deep: dict[str, Any] = {}
    inner = deep
    for _ in range(200):
        inner["x"] = {}
        inner = inner["x"]
    assert plain_copy(deep) is None
    assert json_copy(deep, field="data") == deep
    circular: dict[str, Any] = {"a": []}
    circular["a"].append(circular)
    assert plain_copy(circular) is None
    with pytest.raises(InvalidEventError):
        normalise_events([NewEvent("Happened", circular)])


ids = st.one_of(
    st.text(max_size=8),
    st.text(alphabet="ab$ \t\x00\x7f", max_size=4),
    st.just("x" * 201),
    st.builds(Tag, st.text(max_size=3)),
    st.integers(),
)


@settings(max_examples=800, deadline=None)
@given(stream_ids=st.lists(ids, min_size=1, max_size=6))
def test_a_stream_id_is_judged_as_the_full_check_judges_it_when_seen_again(
    stream_ids: list[Any],
) -> None:
    def judged(check: Any, stream_id: Any) -> str:
        try:
            return f"ok: {check(stream_id)!r}"
        except InvalidEventError as exc:
            return f"refused: {exc}"

    full = [judged(_check_stream_id, s) for s in stream_ids]
    for _ in range(2):  # the second time from the ids kept
        assert [judged(check_stream_id, s) for s in stream_ids] == full
