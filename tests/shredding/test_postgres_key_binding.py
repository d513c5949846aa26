"""The PostgreSQL key store is bound to its event store like an SQLite key file: given a store
with sealed events, when its keys are looked for in an empty key database (a wrong
--key-store URL) or in another store's key database, then opening for writing is refused with
a specific error and nothing is created there; reading goes on with every private value
redacted and a warning."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from domain.backends.postgres.kek import KEK_DIR_VAR, KekMissingError
from domain.bootstrap import System, bootstrap
from domain.core.shredding.cipher import REDACTED
from domain.core.shredding.keys import (
    KeyStoreBindingError,
    KeyStoreMismatchError,
    KeyStoreMissingError,
)
from tests.store.test_postgres_helpers import URL_VAR, new_schema, server_url, with_schema

pytestmark = pytest.mark.skipif(
    not os.environ.get(URL_VAR) and os.environ.get("CI") != "true",
    reason=f"postgresql: set {URL_VAR} to run these tests",
)


def url(schema: str) -> str:
    return with_schema(server_url(), schema)


def tables_in(schema: str) -> list[str]:
    with psycopg.connect(server_url(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchall()
    return sorted(r[0] for r in rows)


@pytest.fixture
def stores() -> Iterator[tuple[str, str, str, str]]:
    """Two stores, each with one idea, keys in their own key schemas: (store A, keys of A,
    store B, keys of B) as URLs."""
    names = [new_schema() for _ in range(4)]
    a, ka, b, kb = (url(n) for n in names)
    for store, keys in ((a, ka), (b, kb)):
        system = bootstrap(store, key_store=keys, accept_probability=1.0)
        system.ideas.publish("Sealed", "Private")
        system.close()
    yield a, ka, b, kb


def read_titles(system: System) -> set[str]:
    return {r.title for r in system.view.list()}


def test_the_right_key_database_reads_in_clear(stores: tuple[str, str, str, str]) -> None:
    a, ka, _, _ = stores
    system = bootstrap(a, key_store=ka)
    try:
        assert system.warnings == [] and read_titles(system) == {"Sealed"}
    finally:
        system.close()


def test_an_empty_key_database_is_refused_for_writing_and_left_untouched(
    stores: tuple[str, str, str, str],
) -> None:
    a, _, _, _ = stores
    empty = new_schema()
    with pytest.raises(KeyStoreMissingError) as caught:
        bootstrap(a, key_store=url(empty))
    assert empty in str(caught.value)
    assert tables_in(empty) == []  # no key table made there
    system = bootstrap(a, key_store=url(empty), read_only=True)
    try:
        assert any(empty in w for w in system.warnings)
        assert read_titles(system) == {REDACTED}
    finally:
        system.close()
    assert tables_in(empty) == []


def test_another_stores_key_database_is_refused_for_writing(
    stores: tuple[str, str, str, str],
) -> None:
    a, _, _, kb = stores
    with pytest.raises(KeyStoreMismatchError):
        bootstrap(a, key_store=kb)
    system = bootstrap(a, key_store=kb, read_only=True)
    try:
        assert read_titles(system) == {REDACTED} and system.warnings
    finally:
        system.close()


@pytest.mark.parametrize("damage", ["moved away", "another key"])
def test_without_its_kek_file_writing_is_refused_and_reading_goes_on_redacted(
    stores: tuple[str, str, str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    damage: str,
) -> None:
    a, ka, _, _ = stores
    elsewhere = tmp_path / "kek"
    if damage == "another key":  # a KEK file of the right name holding other bytes
        shutil.copytree(os.environ[KEK_DIR_VAR], elsewhere)
        for kek in elsewhere.iterdir():
            kek.write_bytes(os.urandom(32))
    monkeypatch.setenv(KEK_DIR_VAR, str(elsewhere))

    with pytest.raises(KekMissingError) as caught:
        bootstrap(a, key_store=ka)
    assert isinstance(caught.value, KeyStoreBindingError)  # the CLI's exit 2, writes refused
    assert str(elsewhere) in str(caught.value)
    system = bootstrap(a, key_store=ka, read_only=True)
    try:
        assert read_titles(system) == {REDACTED}
        assert any(str(elsewhere) in w and "redacted" in w for w in system.warnings)
    finally:
        system.close()
    monkeypatch.undo()
    system = bootstrap(a, key_store=ka)  # the KEK put back: everything reads again
    try:
        assert read_titles(system) == {"Sealed"}
    finally:
        system.close()


def test_keys_in_the_stores_own_database_are_paired_on_first_use() -> None:
    store = url(new_schema())
    system = bootstrap(store, accept_probability=1.0)
    system.ideas.publish("Own", "database")
    system.close()
    again = bootstrap(store)
    try:
        assert again.warnings == [] and read_titles(again) == {"Own"}
    finally:
        again.close()
