"""A store the `eventsourcing` library wrote, read through es-tui's store port: what it holds
must be what the library itself says it holds, in every stored format and on each backend."""

from __future__ import annotations

import base64
import uuid
from decimal import Decimal

import pytest

from domain.backends import open_store
from domain.backends.eventsourcing.codec import SEALED, UNKNOWN_TIME
from domain.backends.eventsourcing.store import EventsourcingStore
from domain.core.errors import ReadOnlyStoreError, StoreClosedError, StoreUrlError
from domain.core.records import ANY, NewEvent, Snapshot
from tests.foreign.conftest import KEY, Written, utc, written_system


def _open(url: str) -> EventsourcingStore:
    store = open_store(url)
    assert isinstance(store, EventsourcingStore)
    return store


def _stream_order(notifications: list[tuple[int, str, int, str]]) -> list[str]:
    seen: list[str] = []
    for _, originator, _, _ in notifications:
        shown = str(uuid.UUID(hex=originator))
        if shown not in seen:
            seen.append(shown)
    return seen


@pytest.mark.usefixtures("keyed")
def test_log_is_the_librarys_notification_log(written: Written) -> None:
    store = _open(written.bank_url)
    try:
        log = store.read_all()
        assert [
            (e.position, e.metadata["originator_id"], e.version, e.metadata["topic"]) for e in log
        ] == written.notifications
        assert [e.type for e in log] == [t.split(":")[1] for *_, t in written.notifications]
        assert store.head_position() == written.notifications[-1][0]
        assert [e.position for e in store.read_all(3, 2)] == [3, 4]
        audit = _open(written.audit_url)
        try:
            assert [
                (e.position, e.metadata["originator_id"], e.version, e.metadata["topic"])
                for e in audit.read_all()
            ] == written.audit_notifications
        finally:
            audit.close()
    finally:
        store.close()


@pytest.mark.usefixtures("keyed")
def test_streams_are_aggregates_with_their_versions(written: Written) -> None:
    store = _open(written.bank_url)
    try:
        infos = store.list_streams()
        assert [i.stream_id for i in infos] == _stream_order(written.notifications)
        for info in infos:
            versions = [
                v for _, o, v, _ in written.notifications if str(uuid.UUID(hex=o)) == info.stream_id
            ]
            assert versions[0] == 1  # the library numbers an aggregate's events from 1
            assert [e.version for e in store.read_stream(info.stream_id)] == versions
            assert (info.version, info.event_count) == (versions[-1], len(versions))
            assert store.stream_info(info.stream_id) == info
        account, customer = str(written.accounts[0]), str(written.customers[0])
        assert store.stream_aggregate(account) == "tests.foreign.bank_app:BankAccount"
        assert store.stream_aggregate(customer) == "tests.foreign.bank_app:Customer"
        assert [e.type for e in store.read_stream(customer)] == [
            "Customer.Registered",
            "Customer.Renamed",
        ]
        assert [e.version for e in store.read_stream(account, 2, 3)] == [2, 3]
        assert store.stream_info(str(uuid.uuid4())) is None
        assert store.read_stream("not-a-uuid") == []
    finally:
        store.close()


@pytest.mark.usefixtures("keyed")
def test_payloads_are_decoded_to_json_values(written: Written) -> None:
    store = _open(written.bank_url)
    try:
        for n, account in enumerate(written.accounts):
            events = store.read_stream(str(account))
            opened = events[0]
            assert opened.data["owner"] == ("ann", "bob")[n]
            assert opened.data["opened_on"] == written.opened_on.isoformat()
            assert opened.data["limit"] == "1234.5600"  # the exact decimal, as a string
            assert opened.data["branch"] == str(uuid.UUID(int=42))
            assert opened.data["originator_topic"] == "tests.foreign.bank_app:BankAccount"
            assert opened.metadata["aggregate"] == "tests.foreign.bank_app:BankAccount"
            state = written.final_states[account]
            assert opened.recorded_at == utc(state.created_on)
            assert events[-1].recorded_at == utc(state.modified_on)
            deposits = events[1:]
            assert [Decimal(e.data["amount"]) for e in deposits] == [
                Decimal(f"{k}.{n}5") for k in range(len(deposits))
            ]
            assert [e.data["reference"] for e in deposits] == [
                str(uuid.UUID(int=1000 * n + k)) for k in range(len(deposits))
            ]
            assert sum(Decimal(e.data["amount"]) for e in deposits) == state.balance
        compressed = written.variant in ("compressed", "both")
        encrypted = written.variant in ("encrypted", "both")
        for event in store.read_all():
            assert event.metadata.get("compressed", False) is compressed
            assert event.metadata.get("encrypted", False) is encrypted
            assert "timestamp" not in event.data
    finally:
        store.close()


@pytest.mark.usefixtures("keyed")
def test_snapshots_beside_their_events(written: Written) -> None:
    store = _open(written.bank_url)
    try:
        for account in written.accounts:
            kept = store.snapshots(str(account))
            assert [s.version for s in kept] == written.snapshot_versions[account]
            assert kept, "the application snapshots every 3 account events"
            events = store.read_stream(str(account))
            for snap in kept:
                upto = events[: snap.version]
                assert snap.last_event_id == upto[-1].event_id
                balance = sum(Decimal(e.data["amount"]) for e in upto[1:])
                assert Decimal(snap.state["balance"]) == balance
                assert snap.state["_topic_"] == "tests.foreign.bank_app:BankAccount"
                assert snap.state["owner"] == events[0].data["owner"]
            assert store.latest_snapshot(str(account)) == kept[-1]
        assert store.snapshots(str(written.customers[0])) == []
    finally:
        store.close()


@pytest.mark.usefixtures("keyed")
def test_tracking_records_are_consumers(written: Written) -> None:
    bank = _open(written.bank_url)
    audit = _open(written.audit_url)
    try:
        deposits = sum(1 for *_, t in written.notifications if t.endswith(".Deposited"))
        assert len(written.audit_notifications) == deposits
        (follower,) = bank.consumers()  # type: ignore[attr-defined]
        assert (follower.name.lower(), follower.follows) == ("audit", "Bank")
        assert follower.position == written.audit_position > 0
        assert follower.lag == bank.head_position() - written.audit_position
        (own,) = audit.consumers()  # type: ignore[attr-defined]
        assert (own.name, own.follows, own.position) == ("Audit", "Bank", written.audit_position)
    finally:
        bank.close()
        audit.close()


@pytest.mark.usefixtures("keyless")
def test_encrypted_events_stay_sealed_without_the_key(written: Written) -> None:
    store = _open(written.bank_url)
    try:
        encrypted = written.variant in ("encrypted", "both")
        log = store.read_all()
        # what the library stores in clear stays visible: ids, versions, topics, positions
        assert [(e.position, e.version, e.metadata["topic"]) for e in log] == [
            (p, v, t) for p, _, v, t in written.notifications
        ]
        for event in log:
            if encrypted:
                assert event.data == {"sealed": SEALED}
                assert event.recorded_at == UNKNOWN_TIME
                assert event.metadata["encrypted"] is True
            else:
                assert "sealed" not in event.data
        for snap in store.snapshots(str(written.accounts[0])):
            assert (snap.state == {"sealed": SEALED}) is encrypted
    finally:
        store.close()


@pytest.mark.usefixtures("keyless")
@pytest.mark.parametrize("variant", ["encrypted", "both"])
@pytest.mark.parametrize("how", ["env", "app-env", "named-env", "wrong"])
def test_the_key_comes_from_where_the_library_reads_it(
    backend_name: str,
    variant: str,
    how: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    written = written_system(backend_name, variant, tmp_path_factory)
    url = written.bank_url
    if how == "env":
        monkeypatch.setenv("CIPHER_KEY", KEY)
    elif how == "app-env":
        monkeypatch.setenv("BANK_CIPHER_KEY", KEY)
    elif how == "named-env":
        monkeypatch.setenv("MY_BANK_KEY", KEY)
        url += "&cipher_key_env=MY_BANK_KEY"
    else:
        monkeypatch.setenv("CIPHER_KEY", base64.b64encode(b"x" * 32).decode())
    store = _open(url)
    try:
        first = store.read_all(1, 1)[0]
        if how == "wrong":
            assert first.data == {"sealed": SEALED}
        else:
            assert first.data["owner"] == "ann"
    finally:
        store.close()


def test_a_malformed_key_is_refused(written: Written, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIPHER_KEY", "not base64!")
    with pytest.raises(StoreUrlError, match="CIPHER_KEY"):
        open_store(written.bank_url)


@pytest.mark.usefixtures("keyed")
def test_every_write_is_refused(written: Written) -> None:
    store = _open(written.bank_url)
    try:
        account = str(written.accounts[0])
        before = store.read_all()
        last = before[-1]
        writes = {
            "append": lambda: store.append(account, [NewEvent("X", {})], ANY),
            "forget": lambda: store.forget(account, NewEvent("Forgotten", {})),
            "save_snapshot": lambda: store.save_snapshot(
                Snapshot(account, 1, last.event_id, {}, 1, last.recorded_at)
            ),
            "import_records": lambda: store.import_records(before),
        }
        for operation, write in writes.items():
            with pytest.raises(ReadOnlyStoreError) as refused:
                write()
            assert refused.value.operation == operation
            assert refused.value.url == store.url
            assert operation in str(refused.value)
        assert store.read_all() == before
    finally:
        store.close()
    with pytest.raises(StoreClosedError):
        store.read_all()
