"""Sealing private fields with AES-256-GCM under a stream's key.

A sealed payload keeps its public fields in clear and replaces the private ones with one
envelope: `{"$sealed": {"alg": "A256GCM", "fields": [...], "nonce": ..., "ct": ...}}`. The
field names stay readable (they are not personal); the values are not. The associated data
binds the envelope to its place (stream, version, event id), so a ciphertext copied into
another event fails to open.
"""

from __future__ import annotations

import binascii
import enum
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic_core import PydanticSerializationError
from pydantic_core import from_json as _from_json
from pydantic_core import to_json as _to_json

from domain.core.records import JsonObject
from domain.core.shredding.packed import PackedEnvelope, packed_fields, packed_sealed

SEALED = "$sealed"
ALG = "A256GCM"
NONCE_BYTES = 12

REDACTED = "⟦shredded⟧"
"""Shown in place of a private value whose key was destroyed (or is missing)."""
CORRUPTED = "⟦corrupted⟧"
"""Shown in place of a private value whose ciphertext fails authentication."""


class Unreadable(enum.Enum):
    """Why a sealed payload could not be opened."""

    NO_KEY = REDACTED
    TAMPERED = CORRUPTED


_decode_json = json.JSONDecoder().decode
_encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

_CIPHERS_KEPT = 256
_ciphers: dict[bytes, AESGCM] = {}


def _cipher(key: bytes) -> AESGCM:
    # Setting up AES-GCM for a key costs more than sealing a small payload with it, and a
    # load or a page of the read model meets the same few keys again and again. The cache is
    # small: a destroyed key's cipher is never asked for again (its stream has no key to look
    # it up by) and leaves as others come in.
    cipher = _ciphers.get(key)
    if cipher is None:
        if len(_ciphers) >= _CIPHERS_KEPT:
            _ciphers.clear()
        cipher = _ciphers[key] = AESGCM(key)
    return cipher


def _b64(data: bytes) -> str:
    # What base64.b64encode(data).decode() gives, without its Python-level wrapping.
    return binascii.b2a_base64(data, newline=False).decode("ascii")


def _dump_secret(secret: dict[str, Any]) -> bytes:
    # Texts (the usual private values) are written by pydantic-core, which writes compact
    # UTF-8 JSON in a tenth of the standard library's time (whose encoder is set up again on
    # every call); both escape the same characters, so either text opens to the same value.
    # Anything else (numbers, lists, a str subclass), or a text pydantic-core cannot write (a
    # lone surrogate), takes the standard library's path, as before.
    for value in secret.values():
        if type(value) is not str:
            return _encode_json(secret).encode()
    try:
        return _to_json(secret)
    except PydanticSerializationError:
        return _encode_json(secret).encode()


def _unb64(text: object) -> bytes:
    # What base64.b64decode(text, validate=True) does, without its Python-level wrapping.
    return binascii.a2b_base64(text, strict_mode=True)  # type: ignore[arg-type]


def _load_secret(plaintext: bytes) -> object:
    # Sealed plaintext is compact UTF-8 JSON: pydantic-core's parser reads it in half the
    # time of the standard library's. What it refuses takes the standard library's path,
    # which gives the same value or refuses too.
    try:
        return _from_json(plaintext)
    except ValueError:
        return _load_secret_plain(plaintext)


def _load_secret_plain(plaintext: bytes) -> object:
    if plaintext[:1] == b"{":
        return _decode_json(plaintext.decode("utf-8", "surrogatepass"))
    return json.loads(plaintext)


def aad_for_event(stream_id: str, version: int, event_id: str) -> bytes:
    """Associated data of an event's envelope."""
    return f"es-tui/event\x1f{stream_id}\x1f{version}\x1f{event_id}".encode()


def aad_for_view(stream_id: str) -> bytes:
    """Associated data of a read-model value."""
    return f"es-tui/view\x1f{stream_id}".encode()


def aad_for_state(stream_id: str) -> bytes:
    """Associated data of a snapshot state's envelope."""
    return f"es-tui/state\x1f{stream_id}".encode()


def seal(key: bytes, aad: bytes, data: JsonObject, private: frozenset[str]) -> JsonObject:
    """`data` with its private (non-None) fields replaced by one sealed envelope."""
    secret: dict[str, Any] = {}
    out: dict[str, Any] = {}
    for k, v in data.items():  # one pass: the private values set, and the rest
        if v is not None and k in private:
            secret[k] = v
        else:
            out[k] = v
    if not secret:
        return out
    nonce = os.urandom(NONCE_BYTES)
    ct = _cipher(key).encrypt(nonce, _dump_secret(secret), aad)
    out[SEALED] = {"alg": ALG, "fields": sorted(secret), "nonce": _b64(nonce), "ct": _b64(ct)}
    return out


def is_sealed(data: JsonObject) -> bool:
    """Whether `data` holds a sealed envelope."""
    return isinstance(data.get(SEALED), dict)


def sealed_fields(data: JsonObject) -> list[str]:
    """The names of the fields sealed in `data` (empty if none); `data` may also be a
    payload as a store keeps it, its envelope packed (see `domain.core.codec.payload_view`)."""
    envelope = data.get(SEALED)
    if isinstance(envelope, dict):
        return _listed(envelope)
    return packed_fields(envelope) if type(envelope) is PackedEnvelope else []


def _listed(envelope: dict[str, Any]) -> list[str]:
    fields = envelope.get("fields")
    if type(fields) is not list:
        return [f for f in fields if isinstance(f, str)] if isinstance(fields, list) else []
    for name in fields:
        if type(name) is not str:  # a rare envelope: keep its strings only
            return [f for f in fields if isinstance(f, str)]
    return list(fields)  # a copy: the caller may change it, the stored payload must not


def open_sealed(
    key: bytes | None, aad: bytes, data: JsonObject
) -> tuple[JsonObject, Unreadable | None]:
    """`data` with its envelope opened, or — when it cannot be — every sealed field set to
    the redaction marker (no key) or the corruption marker (authentication failed, or the
    envelope's clear list of fields is not what it holds).

    The field list is outside the ciphertext; checking it against the opened fields makes it
    trustworthy, so a reader may rely on it to know which fields an envelope sets without
    opening it.

    `data` may also be a payload as a store keeps it, its envelope packed (see
    `domain.core.codec.payload_checked`): opened the same, from the envelope's bytes."""
    envelope = data.get(SEALED)
    packed = type(envelope) is PackedEnvelope
    if not (packed or isinstance(envelope, dict)):
        return data, None
    out: dict[str, Any] = dict(data)
    del out[SEALED]
    problem: Unreadable | None = None
    if key is None:
        problem = Unreadable.NO_KEY
    else:
        try:
            if isinstance(envelope, PackedEnvelope):  # its texts kept decoded
                nonce, ct = packed_sealed(envelope)
                listed = packed_fields(envelope)
            else:
                assert isinstance(envelope, dict)  # checked above
                nonce = _unb64(envelope["nonce"])
                ct = _unb64(envelope["ct"])
                listed = _listed(envelope)
            secret = _load_secret(_cipher(key).decrypt(nonce, ct, aad))
            if not isinstance(secret, dict):
                raise ValueError("sealed payload is not an object")
            if secret.keys() != set(listed):
                raise ValueError("the sealed fields are not the ones listed")
            out.update(secret)
            return out, None
        except (InvalidTag, KeyError, ValueError, TypeError):
            problem = Unreadable.TAMPERED
    for name in sealed_fields(data):
        out[name] = problem.value
    return out, problem
