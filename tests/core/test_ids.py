"""`new_uuid` gives what `uuid.uuid4()` gives (`new_uuid_text`, its text): the same UUID from
the same random bytes, and, when `uuid.uuid4` is replaced (reproducible screenshots draw
their ids so), the replacement's ids in the same order."""

from __future__ import annotations

import os
import random
import uuid

import pytest

from domain.core.ids import new_uuid, new_uuid_text


def test_the_same_random_bytes_give_the_same_uuid(monkeypatch: pytest.MonkeyPatch) -> None:
    for seed in range(20):
        monkeypatch.setattr(os, "urandom", random.Random(seed).randbytes)
        want = [uuid.uuid4() for _ in range(50)]
        monkeypatch.setattr(os, "urandom", random.Random(seed).randbytes)
        got = [new_uuid() for _ in range(50)]
        assert got == want
        monkeypatch.setattr(os, "urandom", random.Random(seed).randbytes)
        assert [new_uuid_text() for _ in range(50)] == [str(u) for u in want]
        for mine, theirs in zip(got, want, strict=True):
            assert type(mine) is uuid.UUID
            assert (mine.version, mine.variant, mine.is_safe) == (4, uuid.RFC_4122, theirs.is_safe)
            assert (str(mine), mine.hex, mine.bytes, hash(mine)) == (
                str(theirs), theirs.hex, theirs.bytes, hash(theirs),
            )  # fmt: skip


def test_every_bit_pattern_gets_the_version_and_variant_bits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for raw in (b"\x00" * 16, b"\xff" * 16, bytes(range(16)), bytes(range(240, 256))):
        monkeypatch.setattr(os, "urandom", lambda n, raw=raw: raw[:n])
        assert new_uuid() == uuid.UUID(bytes=raw, version=4)
        assert new_uuid_text() == str(uuid.UUID(bytes=raw, version=4))


def test_a_replaced_uuid4_draws_the_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    noise = random.Random(7)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=noise.getrandbits(128), version=4))
    got = [new_uuid() if n % 2 else new_uuid_text() for n in range(10)]
    noise = random.Random(7)
    want = [uuid.UUID(int=noise.getrandbits(128), version=4) for _ in range(10)]
    assert got == [u if n % 2 else str(u) for n, u in enumerate(want)]
