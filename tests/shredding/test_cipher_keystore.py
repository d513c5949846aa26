"""Sealing private fields and keeping keys apart: given a payload and a key, when sealed and
opened, then the clear text comes back only with the right key and the right place."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from domain.backends.sqlite.keys import SQLiteKeyStore
from domain.core.shredding.cipher import (
    CORRUPTED,
    REDACTED,
    SEALED,
    Unreadable,
    aad_for_event,
    open_sealed,
    seal,
    sealed_fields,
)
from domain.core.shredding.keys import KeyStoreError, MemoryKeyStore

PRIVATE = frozenset({"title", "description"})
DATA = {"idea_id": "abc123", "title": "Canary title", "description": "Canary description"}


def test_seal_keeps_public_fields_in_clear_and_hides_private_ones() -> None:
    key = bytes(range(32))
    aad = aad_for_event("idea-abc123", 1, "e1")
    sealed = seal(key, aad, DATA, PRIVATE)
    assert sealed["idea_id"] == "abc123"
    assert "title" not in sealed and "description" not in sealed
    assert "Canary" not in json.dumps(sealed)
    assert sealed_fields(sealed) == ["description", "title"]
    opened, problem = open_sealed(key, aad, sealed)
    assert problem is None
    assert opened == DATA


def test_each_seal_uses_a_fresh_nonce() -> None:
    key = bytes(32)
    aad = aad_for_event("s", 1, "e")
    a, b = seal(key, aad, DATA, PRIVATE), seal(key, aad, DATA, PRIVATE)
    assert a[SEALED]["nonce"] != b[SEALED]["nonce"]
    assert a[SEALED]["ct"] != b[SEALED]["ct"]


def test_none_private_fields_are_not_sealed() -> None:
    data = {"idea_id": "x", "title": None, "description": "d"}
    sealed = seal(bytes(32), b"aad", data, PRIVATE)
    assert sealed["title"] is None
    assert sealed_fields(sealed) == ["description"]


def test_a_ciphertext_moved_to_another_event_fails_to_open() -> None:
    key = bytes(32)
    sealed = seal(key, aad_for_event("idea-a", 2, "e2"), DATA, PRIVATE)
    for wrong in (
        aad_for_event("idea-b", 2, "e2"),
        aad_for_event("idea-a", 3, "e2"),
        aad_for_event("idea-a", 2, "e9"),
    ):
        opened, problem = open_sealed(key, wrong, sealed)
        assert problem is Unreadable.TAMPERED
        assert opened["title"] == CORRUPTED and opened["description"] == CORRUPTED


def test_a_tampered_byte_shows_the_corruption_marker() -> None:
    key = bytes(32)
    aad = aad_for_event("s", 1, "e")
    sealed = seal(key, aad, DATA, PRIVATE)
    ct = bytearray(base64.b64decode(sealed[SEALED]["ct"]))
    ct[3] ^= 0x01
    sealed[SEALED]["ct"] = base64.b64encode(bytes(ct)).decode()
    opened, problem = open_sealed(key, aad, sealed)
    assert problem is Unreadable.TAMPERED
    assert opened == {"idea_id": "abc123", "title": CORRUPTED, "description": CORRUPTED}


def test_without_the_key_private_fields_show_the_redaction_marker() -> None:
    sealed = seal(bytes(32), b"aad", DATA, PRIVATE)
    opened, problem = open_sealed(None, b"aad", sealed)
    assert problem is Unreadable.NO_KEY
    assert opened == {"idea_id": "abc123", "title": REDACTED, "description": REDACTED}


@pytest.fixture(params=["memory", "sqlite"])
def keys(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    store = MemoryKeyStore() if request.param == "memory" else SQLiteKeyStore(tmp_path / "k.keys")
    yield store
    store.close()


def test_a_stream_keeps_one_key_until_destroyed(keys) -> None:  # type: ignore[no-untyped-def]
    assert keys.key_for("idea-a") is None
    key = keys.create_key("idea-a")
    assert len(key) == 32
    assert keys.create_key("idea-a") == key
    assert keys.key_for("idea-a") == key
    assert keys.create_key("idea-b") != key
    assert keys.destroy("idea-a") is True
    assert keys.key_for("idea-a") is None
    assert keys.is_destroyed("idea-a") and not keys.is_destroyed("idea-b")
    with pytest.raises(KeyStoreError):
        keys.create_key("idea-a")


def test_a_destroyed_key_leaves_no_byte_in_the_key_file_or_its_wal(tmp_path: Path) -> None:
    path = tmp_path / "store.db.keys"
    keys = SQLiteKeyStore(path)
    doomed = keys.create_key("idea-doomed")
    kept = keys.create_key("idea-kept")
    keys.destroy("idea-doomed")
    raw = path.read_bytes() + (
        Path(f"{path}-wal").read_bytes() if Path(f"{path}-wal").exists() else b""
    )
    assert doomed not in raw
    assert kept in raw
    keys.close()
    reopened = SQLiteKeyStore(path)
    assert reopened.key_for("idea-kept") == kept
    assert reopened.is_destroyed("idea-doomed")
    reopened.close()


def test_a_file_that_is_not_a_key_store_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database")
    with pytest.raises(KeyStoreError):
        SQLiteKeyStore(path)
    assert path.read_text() == "not a database"
