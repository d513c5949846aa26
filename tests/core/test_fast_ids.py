"""Event and correlation ids built without the UUID constructor's checks are the UUIDs
`uuid.uuid4()` makes of the same random bytes, in every respect a caller can see."""

from __future__ import annotations

import copy
import pickle
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.core.handler import new_uuid, uuid4_of


@settings(max_examples=2000, deadline=None)
@given(random=st.binary(min_size=16, max_size=16))
def test_an_id_is_the_version_4_uuid_of_its_random_bytes(random: bytes) -> None:
    ours, reference = uuid4_of(random), uuid.UUID(bytes=random, version=4)
    assert type(ours) is uuid.UUID
    assert ours == reference and hash(ours) == hash(reference)
    assert (str(ours), ours.bytes, ours.version, ours.variant, ours.is_safe) == (
        str(reference),
        reference.bytes,
        reference.version,
        reference.variant,
        reference.is_safe,
    )
    assert pickle.loads(pickle.dumps(ours)) == reference
    assert copy.deepcopy(ours) == reference
    assert uuid.UUID(str(ours)) == ours


def test_fresh_ids_are_random_version_4_uuids() -> None:
    ids = {new_uuid() for _ in range(1000)}
    assert len(ids) == 1000
    assert {(u.version, u.variant) for u in ids} == {(4, uuid.RFC_4122)}
