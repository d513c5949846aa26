"""The envelope reader's fast paths give what the plain ones give: sealed plaintext read by
pydantic-core's JSON parser equals the standard library's reading (or both refuse it), and
the listed field names come out as the plain filter gives them."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.core.shredding.cipher import (
    SEALED,
    _dump_secret,
    _load_secret,
    _load_secret_plain,
    open_sealed,
    seal,
    sealed_fields,
)

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


def exact(value: Any) -> str:
    """A text telling apart what `==` does not (0.0 and -0.0, 1 and 1.0, True and 1)."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{k!r}:{exact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(exact(v) for v in value) + "]"
    return f"{type(value).__name__}:{value!r}"


def plain_or_error(plaintext: bytes) -> str:
    try:
        return exact(_load_secret_plain(plaintext))
    except ValueError:
        return "refused"


def fast_or_error(plaintext: bytes) -> str:
    try:
        return exact(_load_secret(plaintext))
    except ValueError:
        return "refused"


compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
plaintexts = st.one_of(
    st.dictionaries(st.text(max_size=8), json_values, max_size=4).map(
        lambda d: compact(d).encode("utf-8", "surrogatepass")  # lone surrogates too
    ),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=24),
    st.text(alphabet='{}[]":,1e.-\\u0d8fa \x00', max_size=20).map(str.encode),
)


@settings(max_examples=1500, deadline=None)
@given(plaintext=plaintexts)
def test_sealed_plaintext_reads_as_the_standard_library_reads_it(plaintext: bytes) -> None:
    assert fast_or_error(plaintext) == plain_or_error(plaintext)


def listed_plainly(data: dict[str, Any]) -> list[str]:
    envelope = data.get(SEALED)
    if not isinstance(envelope, dict):
        return []
    fields = envelope.get("fields")
    return [f for f in fields if isinstance(f, str)] if isinstance(fields, list) else []


envelopes = st.one_of(
    st.dictionaries(st.text(max_size=4), json_values, max_size=3),
    st.builds(
        lambda fields, extra: {SEALED: {"fields": fields, **extra}},
        st.one_of(json_values, st.lists(st.one_of(st.text(max_size=4), json_values))),
        st.dictionaries(st.sampled_from(["alg", "nonce", "ct"]), st.text(max_size=4)),
    ),
)


@settings(max_examples=500, deadline=None)
@given(data=envelopes)
def test_sealed_fields_lists_what_the_plain_filter_lists(data: dict[str, Any]) -> None:
    before = json.dumps(data, sort_keys=True, default=repr)
    listed = sealed_fields(data)
    assert listed == listed_plainly(data)
    listed.append("changed")  # the caller's own list: the payload is untouched
    assert json.dumps(data, sort_keys=True, default=repr) == before


def test_an_envelope_opens_to_its_fields_and_an_unsealed_payload_is_returned_as_is() -> None:
    key, aad = b"k" * 32, b"aad"
    data = {"idea_id": "a", "title": "Ti\u2028tle", "description": "Dé", "minor": False}
    sealed = seal(key, aad, data, frozenset({"title", "description"}))
    opened, problem = open_sealed(key, aad, sealed)
    assert (opened, problem) == (data, None)
    assert SEALED in sealed  # the stored payload keeps its envelope
    clear = {"idea_id": "a"}
    assert open_sealed(key, aad, clear) == (clear, None)


secrets = st.dictionaries(
    st.text(max_size=6),
    st.one_of(
        st.text(),  # the usual private value: pydantic-core writes it
        st.text(alphabet='\ud800\udfff\x00\x1f\x7f"\\/\u2028é', max_size=6),  # surrogates too
        json_values,  # anything else: the standard library writes it
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=1500, deadline=None)
@given(secret=secrets)
def test_sealed_plaintext_is_written_as_the_standard_library_writes_it(
    secret: dict[str, Any],
) -> None:
    try:
        plain: bytes | str = compact(secret).encode()
    except UnicodeEncodeError:  # a lone surrogate: sealing it is refused, as before
        plain = "refused"
    try:
        fast: bytes | str = _dump_secret(secret)
    except UnicodeEncodeError:
        fast = "refused"
    assert fast == plain


@settings(max_examples=300, deadline=None)
@given(secret=secrets.filter(lambda s: all(_encodable(v) for v in s.values())))
def test_a_sealed_payload_opens_to_the_values_sealed(secret: dict[str, Any]) -> None:
    key, aad = b"k" * 32, b"es-tui/event\x1fidea-a\x1f3\x1fid"
    data = {"idea_id": "a"} | {f"p{name}": value for name, value in secret.items()}
    opened, problem = open_sealed(key, aad, seal(key, aad, data, frozenset(data) - {"idea_id"}))
    assert problem is None
    assert {k: exact(v) for k, v in opened.items()} == {k: exact(v) for k, v in data.items()}


def _encodable(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True
