"""The memory store copies an appended payload once, straight into the form it keeps it in:
that copy is the copy the append made before (`plain_copy`, then `Sharing.payload` of the
copy; for metadata, `Packer.pack` of the copy) for every payload, and refuses or leaves to
the full check exactly what it did."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.backends import open_store
from domain.backends.memory.packing import Packer, unpack
from domain.backends.memory.sharing import SHORT, Sharing
from domain.core.errors import InvalidEventError
from domain.core.records import NO_STREAM, NewEvent, Snapshot, SnapshotPolicy
from domain.core.validation import PLAIN_DEPTH, plain_copy, private_copy
from tests.core.test_plain_copy import containers, exact, payloads


def strings(value: Any) -> list[str]:
    """Every key and string value of a payload, in order."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if type(value) is str else []


def nested(depth: int, inner: Any) -> dict[str, Any]:
    """`inner` under `depth` levels of objects and lists, in turn."""
    value: Any = inner
    for level in range(depth):
        value = {"k": value} if level % 2 else [value]
    return {"top": value}


@settings(max_examples=1500, deadline=None)
@given(value=payloads, seen=st.lists(st.text(max_size=4), max_size=6))
def test_the_one_walk_copy_is_the_plain_copy_shared(value: Any, seen: list[str]) -> None:
    one, two = Sharing(), Sharing()
    for text in seen:  # both tables already hold the same strings
        one.text(text)
        two.text(text)
    owned = one.owned(value)
    plain = plain_copy(value)
    assert (owned is None) == (plain is None)
    if owned is None or plain is None:
        return
    shared = two.payload(plain)
    assert exact(owned) == exact(shared) == exact(plain)
    assert set(containers(owned)).isdisjoint(containers(value))
    # The same strings are shared: each short one is the object the table keeps.
    for got, want in zip(strings(owned), strings(shared), strict=True):
        if len(got) <= SHORT:
            assert got is one.text(want)


def test_nesting_at_the_plain_copys_limit_is_judged_as_it_judges_it() -> None:
    for depth in range(PLAIN_DEPTH - 3, PLAIN_DEPTH + 4):
        for inner in ({"x": 1}, [1, "a"], "leaf"):
            value = nested(depth, inner)
            owned, plain = Sharing().owned(value), plain_copy(value)
            assert (owned is None) == (plain is None), depth
            assert owned == plain


def test_a_payload_appended_twice_is_kept_in_two_copies_that_share_strings() -> None:
    sharing = Sharing()
    sealed: dict[str, Any] = {"fields": ["title"], "nonce": "n", "ct": "x" * 80}
    sent: dict[str, Any] = {"idea_id": "a1", "$sealed": sealed}
    first, second = sharing.owned(sent), sharing.owned(sent)
    assert first == second == sent
    assert first is not second and first is not sent
    assert first is not None and second is not None
    assert first["$sealed"] is not second["$sealed"] is not sent["$sealed"]
    assert first["$sealed"]["fields"] is second["$sealed"]["fields"]  # a kept name list
    assert first["$sealed"]["fields"] is not sent["$sealed"]["fields"]


def _kept_form(packer: Packer, make: Any) -> str:
    """What a packing gives, in a form telling apart what `==` does not, or its refusal."""
    try:
        packed = make()
    except InvalidEventError as exc:
        return f"refused: {exc}"
    if type(packed) is tuple:
        return "packed " + exact(unpack(packed)) + f" {len(packed)}"
    return "as is " + exact(packed)


@settings(max_examples=1500, deadline=None)
@given(value=payloads | st.dictionaries(st.sampled_from(["a", "b"]), st.text(max_size=3)))
def test_packing_without_a_copy_is_packing_the_copy(value: Any) -> None:
    one, two = Packer(Sharing()), Packer(Sharing())
    got = _kept_form(one, lambda: one.pack_copy(value, "metadata", 0))
    want = _kept_form(two, lambda: two.pack(private_copy(value, "metadata", 0)))
    assert got == want
    packed = one.pack_copy(value, "metadata", 0) if not got.startswith("refused") else None
    if type(packed) is dict:
        assert set(containers(packed)).isdisjoint(containers(value))
    elif type(packed) is tuple:
        assert set(containers(unpack(packed))).isdisjoint(containers(value))


_METADATA = st.dictionaries(
    st.sampled_from(["correlation_id", "command", "causation_id"]),
    st.sampled_from(["EditIdea", "x" * 70, "", "é"]) | st.integers() | st.none(),
)


@settings(max_examples=300, deadline=None)
@given(batch=st.lists(_METADATA | payloads, max_size=12))
def test_a_packer_that_has_seen_a_shape_packs_it_as_the_copy_is_packed(batch: list[Any]) -> None:
    one, two = Packer(Sharing()), Packer(Sharing())
    for value in batch * 2:  # each shape seen again: its builder, and flat ones, reused
        got = _kept_form(one, lambda value=value: one.pack_copy(value, "metadata", 0))
        want = _kept_form(two, lambda value=value: two.pack(private_copy(value, "metadata", 0)))
        assert got == want


@settings(max_examples=300, deadline=None)
@given(
    versions=st.lists(st.integers(1, 8), min_size=1, max_size=12),
    keep=st.integers(1, 4),
)
def test_the_snapshots_kept_are_the_newest_whatever_order_they_are_saved_in(
    versions: list[int], keep: int
) -> None:
    store = open_store("memory:", snapshot_policy=SnapshotPolicy(every=10, keep=keep))
    recorded = store.append("s-1", [NewEvent("Happened", {}) for _ in range(8)], NO_STREAM)
    want: dict[int, int] = {}  # version -> the save that left it (its state)
    for n, version in enumerate(versions):
        at = datetime(2026, 1, 1, tzinfo=UTC)
        store.save_snapshot(
            Snapshot("s-1", version, recorded[version - 1].event_id, {"n": n}, 1, at)
        )
        want[version] = n
        newest = sorted(want)[-keep:]
        want = {v: want[v] for v in newest}
        got = [(s.version, s.state["n"]) for s in store.snapshots("s-1")]
        assert got == [(v, want[v]) for v in newest]
