"""Loading from a stored snapshot plus the events after it, compared with a full replay, both
by the application's own classes: equal to each other and to the library's
`repository.get(id)` for every aggregate and every snapshot it kept; without the classes, the
reason; after the classes changed, the fields that disagree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from domain.backends import open_store
from domain.backends.eventsourcing.replay import (
    ReplayError,
    UnresolvedTopicError,
    aggregate_at,
    import_modules,
    state_json,
)
from domain.backends.eventsourcing.snapshot_check import (
    ABSENT,
    FieldDifference,
    compare_with_snapshot,
)
from domain.backends.eventsourcing.store import EventsourcingStore
from tests.foreign.bank_app import Bank
from tests.foreign.changed_classes import AMOUNTS, second_version, write_tallies
from tests.foreign.conftest import Written


def _open(url: str) -> EventsourcingStore:
    store = open_store(url)
    assert isinstance(store, EventsourcingStore)
    return store


def _library_bank(written: Written) -> Bank:
    """The application itself on the same database (its key hidden from os.environ: the
    written env says whether it encrypts)."""
    hidden = {k: os.environ.pop(k) for k in list(os.environ) if k.endswith("CIPHER_KEY")}
    try:
        return Bank(env=written.env)
    finally:
        os.environ.update(hidden)


@pytest.mark.usefixtures("keyed")
def test_snapshot_and_tail_equal_a_full_replay_and_the_librarys_own(written: Written) -> None:
    import_modules(["tests.foreign.bank_app"])
    bank = _library_bank(written)
    store = _open(written.bank_url)
    try:
        for account in written.accounts:
            expected = state_json(bank.repository.get(account))
            kept = written.snapshot_versions[account]
            assert kept  # the bank snapshots accounts every 3 events
            latest = compare_with_snapshot(store, str(account))
            assert latest.snapshot_version == kept[-1]  # where the repository starts too
            assert latest.kept == tuple(kept)
            for version in kept:
                found = compare_with_snapshot(store, str(account), version)
                assert found.equal and found.differences == ()
                assert found.snapshot_version == version
                assert found.from_snapshot == found.full == expected
                assert found.tail_read == found.version - version
                assert found.full_read == found.version == expected["_version"]
                assert found.aggregate == "tests.foreign.bank_app:BankAccount"
        for customer in written.customers:  # no snapshot kept: the full replay only
            found = compare_with_snapshot(store, str(customer))
            assert found.snapshot_version is None and found.from_snapshot is None
            assert found.kept == () and found.tail_read == 0 and found.equal
            assert found.full == state_json(bank.repository.get(customer))
            assert found.full_read == found.version == 2
        with pytest.raises(ReplayError, match="no snapshot at v2"):
            compare_with_snapshot(store, str(written.accounts[0]), 2)
        with pytest.raises(ReplayError, match="no such stream"):
            compare_with_snapshot(store, "00000000-0000-0000-0000-000000000000")
    finally:
        store.close()
        bank.close()


@pytest.mark.usefixtures("keyless")
def test_without_the_key_a_sealed_store_is_named_and_a_plain_one_compares(
    written: Written,
) -> None:
    import_modules(["tests.foreign.bank_app"])
    store = _open(written.bank_url)
    try:
        if written.variant in ("encrypted", "both"):
            with pytest.raises(ReplayError, match="encrypted and no key opens it"):
                compare_with_snapshot(store, str(written.accounts[0]))
        else:
            assert compare_with_snapshot(store, str(written.accounts[0])).equal
    finally:
        store.close()


def test_without_the_classes_it_says_why(tmp_path: Path) -> None:
    tallies = write_tallies(tmp_path, "tallies_never_imported")
    store = _open(tallies.url)
    try:
        for attempt in (
            lambda: compare_with_snapshot(store, str(tallies.tally)),
            lambda: aggregate_at(store, str(tallies.tally)),
        ):
            with pytest.raises(UnresolvedTopicError) as caught:
                attempt()
            assert caught.value.topic.startswith("tallies_never_imported:Tally")
            assert "--import" in caught.value.reason
            assert caught.value.stream_id == str(tallies.tally)
        assert len(store.snapshots(str(tallies.tally))) == 2  # what is stored still shows
    finally:
        store.close()


def test_a_snapshot_taken_before_the_classes_changed_disagrees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tallies = write_tallies(tmp_path, "tallies_then_changed")
    monkeypatch.syspath_prepend(str(second_version(tmp_path, tallies.module)))
    import_modules([tallies.module])
    store = _open(tallies.url)
    try:
        found = compare_with_snapshot(store, str(tallies.tally))
        assert (found.snapshot_version, found.version, found.kept) == (6, 7, (3, 6))
        assert (found.tail_read, found.full_read) == (1, 7)
        assert not found.equal
        before, after = sum(AMOUNTS[:5]), AMOUNTS[5]  # v6 kept the first rule's total
        assert found.differences == (
            FieldDifference("total", before + after * 100, sum(AMOUNTS) * 100),
            FieldDifference("unit", ABSENT, "cent"),
        )
        assert found.full == state_json(aggregate_at(store, str(tallies.tally)))
        at_three = compare_with_snapshot(store, str(tallies.tally), 3)
        assert at_three.tail_read == 4
        assert at_three.differences[0] == FieldDifference(
            "total", sum(AMOUNTS[:2]) + sum(AMOUNTS[2:]) * 100, sum(AMOUNTS) * 100
        )
    finally:
        store.close()
