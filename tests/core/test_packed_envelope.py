"""A sealed envelope packed (`domain.core.shredding.packed`) unpacks to exactly itself.

The law: `pack_envelope` either refuses an envelope (None) or gives one that
`unpack_envelope` turns back into an equal dictionary, with the same keys in the same order
and values of the same types. Envelopes as sealing writes them are always packed; base64
that is not as `b64encode` writes it, extra or reordered keys and values of other types are
refused (kept as they are by the store). A packed envelope opens (`open_sealed`) and lists
its fields (`sealed_fields`) as its dictionary does."""

from __future__ import annotations

import base64
import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.core.shredding import packed
from domain.core.shredding.cipher import SEALED, open_sealed, seal, sealed_fields
from domain.core.shredding.packed import (
    KEYS,
    PackedEnvelope,
    is_envelope,
    pack_envelope,
    packed_names,
    unpack_envelope,
)

KEY = bytes(range(32))

b64 = st.binary(max_size=80).map(lambda raw: base64.b64encode(raw).decode("ascii"))
loose_b64 = st.one_of(
    b64.map(lambda t: t.rstrip("=")),  # padding dropped
    b64.map(lambda t: t + "\n"),
    b64.map(lambda t: " " + t),
    b64.filter(lambda t: t.endswith("==")).map(lambda t: t[:-3] + "B=="),  # bits left over
    b64.map(lambda t: t.replace("+", "-").replace("/", "_")),  # the URL alphabet
    st.text(string.printable + "é漢😀", max_size=12),
)
texts = st.text(max_size=12)
values: st.SearchStrategy[Any] = st.one_of(
    texts, st.integers(), st.none(), st.booleans(), st.lists(texts, max_size=3)
)


def envelopes() -> st.SearchStrategy[dict[str, Any]]:
    """Envelopes of the packed form, and near misses of every kind."""
    good = st.fixed_dictionaries(
        {
            "alg": st.one_of(st.just("A256GCM"), texts),
            "fields": st.lists(st.one_of(st.sampled_from(["title", "description"]), texts)),
            "nonce": b64,
            "ct": b64,
        }
    )

    def bent(envelope: dict[str, Any], how: int, value: Any) -> dict[str, Any]:
        items = list(envelope.items())
        if how == 0:
            return dict(reversed(items))
        if how == 1:
            return {**envelope, "extra": value}
        if how == 2:
            return dict(items[:-1])
        key = KEYS[how - 3]
        return {**envelope, key: value}

    near = st.builds(
        bent, good, st.integers(0, 6), st.one_of(values, loose_b64, st.lists(values, max_size=3))
    )
    loose = st.builds(
        lambda e, which, text: {**e, which: text}, good, st.sampled_from(["nonce", "ct"]), loose_b64
    )
    return st.one_of(good, near, loose)


@settings(max_examples=600, deadline=None)
@given(envelope=envelopes())
def test_a_packed_envelope_unpacks_to_exactly_itself(envelope: dict[str, Any]) -> None:
    found = pack_envelope(envelope)
    if found is None:
        return
    assert type(found) is PackedEnvelope and is_envelope(found)
    opened = unpack_envelope(found)
    assert opened == envelope
    assert list(opened) == list(envelope) == list(KEYS)
    assert [type(v) for v in opened.values()] == [type(v) for v in envelope.values()]
    assert all(type(name) is str for name in opened["fields"])


@settings(max_examples=200, deadline=None)
@given(
    secret=st.fixed_dictionaries(
        {}, optional={"title": st.text(min_size=1), "description": st.text(min_size=1)}
    ),
    aad=st.binary(max_size=40),
)
def test_every_envelope_sealing_writes_is_packed(secret: dict[str, str], aad: bytes) -> None:
    sealed = seal(KEY, aad, {"idea_id": "abc123", **secret}, frozenset({"title", "description"}))
    envelope = sealed.get(SEALED)
    if envelope is None:
        assert not secret
        return
    found = pack_envelope(envelope)
    assert found is not None
    assert unpack_envelope(found) == envelope
    # Raw bytes instead of two base64 texts and a dictionary: a third of the size.
    assert len(found) < 0.8 * (len(envelope["nonce"]) + len(envelope["ct"]))


@pytest.mark.parametrize(
    "text", ["QQ", "QQ=", "QR==", "QQ==\n", "Q Q==", "QQ==QQ==", "é", "-_8=", "QQ==="]
)
def test_base64_not_as_b64encode_writes_it_is_not_packed(text: str) -> None:
    good = {"alg": "A256GCM", "fields": ["title"], "nonce": "AAAA", "ct": "QQ=="}
    assert pack_envelope(good) is not None
    assert pack_envelope({**good, "ct": text}) is None
    assert pack_envelope({**good, "nonce": text}) is None


def test_each_read_is_the_readers_own() -> None:
    found = pack_envelope({"alg": "A256GCM", "fields": ["title"], "nonce": "AAAA", "ct": "QQ=="})
    assert found is not None
    first = unpack_envelope(found)
    first["fields"].append("description")
    first["ct"] = "changed"
    assert unpack_envelope(found) == {
        "alg": "A256GCM",
        "fields": ["title"],
        "nonce": "AAAA",
        "ct": "QQ==",
    }


def test_once_every_shape_number_is_taken_new_shapes_are_kept_unpacked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    known = {"alg": "A256GCM", "fields": ["title"], "nonce": "AAAA", "ct": "QQ=="}
    assert pack_envelope(known) is not None
    monkeypatch.setattr(packed, "SHAPES_KEPT", len(packed._shapes))
    assert pack_envelope({**known, "alg": "a shape not seen before"}) is None
    again = pack_envelope(known)  # a shape already named still packs
    assert again is not None and unpack_envelope(again) == known


@settings(max_examples=300, deadline=None)
@given(
    secret=st.fixed_dictionaries(
        {}, optional={"title": st.text(min_size=1), "description": st.text(min_size=1)}
    ),
    damage=st.sampled_from(["none", "flip ct", "list more", "list less"]),
    key=st.sampled_from([KEY, bytes(32), None]),
)
def test_a_packed_envelope_opens_as_its_dictionary_opens(
    secret: dict[str, str], damage: str, key: bytes | None
) -> None:
    aad = b"es-tui/event\x1fs\x1f1\x1fid"
    data = seal(KEY, aad, {"idea_id": "abc123", **secret}, frozenset({"title", "description"}))
    envelope = data.get(SEALED)
    if envelope is None:
        return
    if damage == "flip ct":  # still base64 as written: packed, and fails to open
        envelope["ct"] = ("A" if envelope["ct"][0] != "A" else "B") + envelope["ct"][1:]
    elif damage == "list more":
        envelope["fields"] = sorted({*envelope["fields"], "title", "description"})
    elif damage == "list less":
        envelope["fields"] = envelope["fields"][1:]
    found = pack_envelope(envelope)
    assert found is not None
    packed = {**data, SEALED: found}
    assert open_sealed(key, aad, packed) == open_sealed(key, aad, data)
    assert sealed_fields(packed) == sealed_fields(data)
    assert list(packed_names(found)) == envelope["fields"]
