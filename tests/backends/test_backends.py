"""Every storage backend through one suite: `backend_for(url)` picks it, and each opens its
store, its keys and its read-model rows the same way (PostgreSQL needs
ES_TUI_TEST_POSTGRES_URL: skipped locally without it, failed under CI=true)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain.backends import Backend, RowSealer, backend_for
from domain.core.codec import DomainCodec
from domain.core.protocol import EventStore
from domain.core.records import NewEvent, SnapshotPolicy
from domain.core.shredding.cipher import REDACTED
from domain.core.shredding.keys import KeyStore
from domain.core.versioning import EventRegistry
from tests.foreign.conftest import postgres_system, sqlite_system
from tests.store.conftest import BACKENDS, require
from tests.store.test_postgres_helpers import fresh_url


@dataclass(frozen=True)
class Case:
    """One scheme under test: how to make a URL of it in a test's directory."""

    scheme: str
    url: Callable[[Path], str]
    durable: bool
    foreign: bool = False
    service: bool = False


CASES = [
    Case("memory", lambda _: "memory:", durable=False),
    Case("sqlite", lambda d: f"sqlite:///{d / 'store.db'}", durable=True),
    Case("postgresql", lambda _: fresh_url(), durable=True, service=True),
    Case(
        "eventsourcing+sqlite",
        lambda d: sqlite_system(d / "es", "plain").bank_url,
        durable=True,
        foreign=True,
    ),
    Case(
        "eventsourcing+postgresql",
        lambda _: postgres_system("plain").bank_url,
        durable=True,
        foreign=True,
        service=True,
    ),
]


@pytest.fixture(params=CASES, ids=[c.scheme for c in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    found: Case = request.param
    if found.service:
        require(BACKENDS["postgresql"])
    return found


@pytest.fixture
def url(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ES_TUI_KEK_DIR", str(tmp_path / "kek"))
    return case.url(tmp_path)


@pytest.fixture
def opened(url: str) -> Iterator[tuple[Backend, EventStore]]:
    backend = backend_for(url)
    store = backend.open_store(SnapshotPolicy(), (), False)
    try:
        yield backend, store
    finally:
        store.close()


def test_backend_for_picks_the_scheme_and_says_whether_it_is_durable(case: Case, url: str) -> None:
    backend = backend_for(url)
    assert backend.scheme == case.scheme
    assert backend.durable is case.durable
    assert backend.raw_only is case.foreign


def test_the_store_opens_and_writes_unless_foreign(
    case: Case, opened: tuple[Backend, EventStore]
) -> None:
    backend, store = opened
    reason = backend.read_only_reason(store)
    if case.foreign:
        assert reason is not None
        assert store.head_position() > 0  # the library's events, as stored
        return
    assert reason is None
    assert backend.damage(store) is None
    (recorded,) = store.append("thing-1", [NewEvent("Happened", {"n": 1})], 0)
    assert [e.event_id for e in store.read_all()] == [recorded.event_id]
    assert backend.event_types(store) == frozenset({"Happened"})


TYPES = ["A", "AB", "Ab", "a", "Zed", "Événement", "B", "AA", "Ideä", "x" * 200]


def test_the_stored_types_are_each_type_written_once(
    case: Case, opened: tuple[Backend, EventStore]
) -> None:
    # The backends find the types by seeking from one to the next along the type index:
    # the same set as a scan, whatever their order, prefixes, case or letters.
    backend, store = opened
    if case.foreign:
        return
    for round_ in range(3):
        for n, kind in enumerate(TYPES):
            store.append(f"thing-{n}", [NewEvent(kind, {"n": round_})], round_)
    assert backend.event_types(store) == frozenset(TYPES)


def test_keys_open_with_the_store(case: Case, opened: tuple[Backend, EventStore]) -> None:
    backend, store = opened
    keys = backend.open_keys(store, None, case.foreign, False)
    try:
        if case.foreign:
            assert keys.key_for("any-1") is None
            return
        made = keys.create_key("thing-1")
        assert keys.key_for("thing-1") == made
        assert keys.destroy("thing-1")
        assert keys.key_for("thing-1") is None
    finally:
        keys.close()


def _sealer(keys: KeyStore) -> RowSealer:
    codec: DomainCodec[object] = DomainCodec(  # type: ignore[type-var]
        EventRegistry(), object, private={}, state_private=frozenset(), keys=keys
    )
    return RowSealer(
        frozenset({"holder"}), lambda key: f"thing-{key}", codec.seal_text, codec.open_text
    )


def test_rows_round_trip_sealed_with_a_checkpoint(
    case: Case, opened: tuple[Backend, EventStore]
) -> None:
    backend, store = opened
    keys = backend.open_keys(store, None, case.foreign, False)
    if case.foreign:
        from domain.core.shredding.keys import MemoryKeyStore

        keys = MemoryKeyStore()  # a foreign store's keys are not written: seal in memory
    rows = backend.row_storage("balances", _sealer(keys))
    try:
        assert rows.checkpoint() == 0
        row = {"holder": "Ada Lovelace", "balance": "12.50", "tags": ["a", 1]}
        assert rows.commit({"1": row, "2": {"holder": "", "balance": "0"}}, set(), 5, first=1)
        assert rows.get("1") == row
        assert rows.rows()["2"] == {"holder": "", "balance": "0"}
        assert rows.checkpoint() == 5
        # A page another process applied already (the checkpoint reached it) is not written.
        assert not rows.commit({"1": {"holder": "Other"}}, set(), 5, first=3)
        assert rows.get("1") == row
        assert rows.commit({}, {"2"}, 7, first=6)
        assert set(rows.rows()) == {"1"}
        # At rest the private column is sealed; shredding the key leaves a redaction.
        stored = dict(rows.stored_texts())  # type: ignore[attr-defined]
        assert "Ada" not in json.dumps(stored) and set(stored) == {"thing-1"}
        keys.destroy("thing-1")
        keys.forget_cached("thing-1")
        assert rows.get("1") == {**row, "holder": REDACTED}
    finally:
        rows.close()
        keys.close()


def test_durable_rows_outlive_the_storage(case: Case, opened: tuple[Backend, EventStore]) -> None:
    backend, _ = opened
    first = backend.row_storage("ledger")
    first.commit({"eur": {"sum": "3"}}, set(), 4, first=1)
    first.close()
    again = backend.row_storage("ledger")
    other = backend.row_storage("another")
    try:
        expect = case.durable and not case.foreign
        assert again.rows() == ({"eur": {"sum": "3"}} if expect else {})
        assert again.checkpoint() == (4 if expect else 0)
        assert other.rows() == {} and other.checkpoint() == 0  # one read model's rows only
    finally:
        again.close()
        other.close()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://es:s3cret-pw@db.example/es",
        "eventsourcing+postgresql://es:s3cret-pw@db.example/es?app=Bank",
        "postgresql://db.example/es?user=es&password=s3cret-pw",
    ],
)
def test_shown_url_masks_a_password(url: str) -> None:
    shown = backend_for(url).shown_url
    assert "s3cret-pw" not in shown and "db.example" in shown


@pytest.mark.parametrize("url", ["memory:", "sqlite:///tmp/x.db", "eventsourcing+sqlite:///a.db"])
def test_shown_url_of_a_url_without_password_is_the_url(url: str) -> None:
    assert backend_for(url).shown_url == url
