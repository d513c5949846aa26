"""A sealed envelope packed into one bytes object, for a store that keeps payloads in memory.

A sealed envelope, `{"alg": ..., "fields": [...], "nonce": <base64>, "ct": <base64>}`, is
the largest part of most stored events: a dictionary of four entries and two base64 texts,
about 490 bytes for an idea's edit. Packed, it is one `PackedEnvelope` of about 170 bytes:
two bytes naming its shape (the algorithm, the field names, the nonce's length, kept once
for every envelope that shares them), then the nonce and the ciphertext as raw bytes.
`unpack_envelope` gives back an equal envelope (a new dictionary each time).

Only an envelope that unpacks to exactly itself is packed: its four keys in that order, a
text algorithm, a list of texts, and nonce and ciphertext in the canonical base64 that
`base64.b64encode` writes. Anything else is kept as it is. A packed envelope is never
handed to a reader of `data`; a reader that only checks a payload's shape may meet one in
its place (see `domain.core.codec.payload_view`) and should treat it as an envelope of that
form (`is_envelope`).
"""

from __future__ import annotations

import threading
from binascii import Error as Base64Error
from binascii import a2b_base64, b2a_base64
from typing import Any, Final

from domain.core.records import JsonObject

KEYS: Final = ("alg", "fields", "nonce", "ct")
SHAPES_KEPT: Final = 1 << 16
"""Shapes named at most (two bytes); envelopes of further shapes are kept unpacked."""


class PackedEnvelope(bytes):
    """A sealed envelope packed (see the module's summary): its shape's two-byte number,
    the nonce, then the ciphertext."""

    __slots__ = ()


_Shape = tuple[str, tuple[str, ...], int]
_shapes: list[_Shape] = []
_numbers: dict[_Shape, bytes] = {}
_adding = threading.Lock()


def _number(shape: _Shape) -> bytes | None:
    """The two bytes naming `shape` (named now if it is new); None once every number is
    taken."""
    found = _numbers.get(shape)
    if found is not None:
        return found
    with _adding:
        found = _numbers.get(shape)
        if found is None:
            if len(_shapes) >= SHAPES_KEPT:
                return None
            found = len(_shapes).to_bytes(2, "big")
            _shapes.append(shape)
            _numbers[shape] = found
    return found


def _canonical(text: Any) -> bytes | None:
    """The bytes of `text` if it is base64 as `b64encode` writes it (so that encoding them
    again gives `text`), else None."""
    if type(text) is not str:
        return None
    try:
        raw = a2b_base64(text, strict_mode=True)
    except (Base64Error, ValueError):
        return None
    if b2a_base64(raw, newline=False) != text.encode("ascii"):
        return None
    return raw


def pack_envelope(envelope: JsonObject) -> PackedEnvelope | None:
    """`envelope` packed, or None when it is not of the form that unpacks to itself."""
    if len(envelope) != 4 or tuple(envelope) != KEYS:
        return None
    alg, fields = envelope["alg"], envelope["fields"]
    if type(alg) is not str or type(fields) is not list:
        return None
    for name in fields:
        if type(name) is not str:
            return None
    nonce, ct = _canonical(envelope["nonce"]), _canonical(envelope["ct"])
    if nonce is None or ct is None:
        return None
    number = _number((alg, tuple(fields), len(nonce)))
    if number is None:
        return None
    return PackedEnvelope(number + nonce + ct)


def unpack_envelope(packed: PackedEnvelope) -> JsonObject:
    """The envelope `packed` was packed from: a new dictionary (and list) each time."""
    alg, fields, length = _shapes[packed[0] << 8 | packed[1]]
    end = 2 + length
    return {
        "alg": alg,
        "fields": list(fields),
        "nonce": b2a_base64(packed[2:end], newline=False).decode("ascii"),
        "ct": b2a_base64(packed[end:], newline=False).decode("ascii"),
    }


def packed_sealed(packed: PackedEnvelope) -> tuple[bytes, bytes]:
    """The nonce and the ciphertext of a packed envelope, as bytes (what its base64 texts
    decode to)."""
    end = 2 + _shapes[packed[0] << 8 | packed[1]][2]
    return packed[2:end], packed[end:]


def packed_fields(packed: PackedEnvelope) -> list[str]:
    """The field names a packed envelope lists (a new list), without unpacking it."""
    return list(_shapes[packed[0] << 8 | packed[1]][1])


def packed_names(packed: PackedEnvelope) -> tuple[str, ...]:
    """`packed_fields` as the tuple kept for every envelope of its shape (no copy)."""
    return _shapes[packed[0] << 8 | packed[1]][1]


def is_envelope(value: object) -> bool:
    """Whether `value`, a payload's envelope field as a shape check meets it, is an object:
    a dictionary, or a packed envelope (which always unpacks to one)."""
    return type(value) in ENVELOPE_TYPES


ENVELOPE_TYPES: Final = (dict, PackedEnvelope)
"""The types `is_envelope` accepts, for a loop that tests `type(value) in ENVELOPE_TYPES`."""
