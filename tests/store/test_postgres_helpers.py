"""Helpers for the PostgreSQL tests: each store under test lives in its own schema of the
database named by ES_TUI_TEST_POSTGRES_URL, and every schema made here is dropped when the
test process ends. (No tests in this module.)"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import uuid
from pathlib import Path

import psycopg

from domain.backends import open_store
from domain.core.protocol import EventStore
from domain.core.records import SnapshotPolicy

URL_VAR = "ES_TUI_TEST_POSTGRES_URL"
_made: set[str] = set()


def server_url() -> str:
    """The test server's URL (the caller has checked that it is set)."""
    return os.environ[URL_VAR]


def with_schema(url: str, schema: str) -> str:
    """`url` naming the store in `schema`."""
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


def new_schema(seed: str | None = None) -> str:
    """A schema name for one store, the same for the same `seed` (else a fresh one); it is
    dropped when the test process exits."""
    if seed is None:
        seed = uuid.uuid4().hex
    name = "es_test_" + hashlib.sha256(seed.encode()).hexdigest()[:24]
    if not _made:
        atexit.register(drop_schemas)
    _made.add(name)
    return name


def drop_schemas() -> None:
    """Drop every schema made by `new_schema` in this process."""
    if not _made or not os.environ.get(URL_VAR):
        return
    with (
        contextlib.suppress(psycopg.Error),
        psycopg.connect(server_url(), autocommit=True, connect_timeout=5) as conn,
    ):
        for name in sorted(_made):
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')  # type: ignore[arg-type]
    _made.clear()


def open_postgres(
    location: Path, policy: SnapshotPolicy, deleted_types: frozenset[str]
) -> EventStore:
    """The contract suite's factory: one schema per test location."""
    url = with_schema(server_url(), new_schema(str(location)))
    return open_store(url, snapshot_policy=policy, deleted_types=deleted_types)


def fresh_url() -> str:
    """The URL of a new, empty store on the test server. Without a server configured the
    test skips (locally) or fails (on CI), like the contract suite's postgresql backend."""
    from tests.store.conftest import BACKENDS, require  # conftest imports this module

    require(BACKENDS["postgresql"])
    return with_schema(server_url(), new_schema())
