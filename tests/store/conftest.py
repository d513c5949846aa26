"""The store contract suite's backends and fixtures.

Every test in `tests/store/` runs once per backend in `BACKENDS`. To add a backend:

1. Write a factory `(location, policy, deleted_types) -> EventStore` that opens a store kept
   under `location` (a per-test temporary directory). Calling it twice with the same
   location must open the *same* store (a durable backend sees the data written before), so
   reopen tests work. Keep it side-effect free otherwise: the fixtures close every store.
   A service-backed store (PostgreSQL) derives a fresh, empty schema or database from
   `location`, so tests never see each other's data.
2. Register it: `BACKENDS["name"] = Backend("name", factory, durable=True, ...)`.
   - `durable=True` runs the tests marked `@pytest.mark.durable` (reopen keeps the data,
     commits made through another handle reach subscribers); memory skips them.
   - `race_rounds` scales the racing-writers test down for a slow backend (memory: 1,000).
   - `env_var` names the variable holding a service URL (e.g. ES_TUI_TEST_POSTGRES_URL).
     When it is unset the backend's tests skip locally with a one-line reason, but fail
     when `CI=true`, so CI never passes by skipping. The factory reads the URL itself.

No test changes when a backend is added: tests only use the `store`, `make_store` and
`backend` fixtures below.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest

from domain.backends import open_store
from domain.core.protocol import EventStore
from domain.core.records import NewEvent, RecordedEvent, SnapshotPolicy
from tests.store.test_postgres_helpers import open_postgres

StoreFactory = Callable[[Path, SnapshotPolicy, frozenset[str]], EventStore]


@dataclass(frozen=True)
class Backend:
    """A store backend under test and what it can do."""

    name: str
    open: StoreFactory
    durable: bool = False
    race_rounds: int = 1000
    env_var: str | None = None

    def unavailable(self) -> str | None:
        """Why this backend cannot run here, or None when it can."""
        if self.env_var is not None and not os.environ.get(self.env_var):
            return f"{self.name}: set {self.env_var} to run these tests"
        return None


def _open_memory(
    location: Path, policy: SnapshotPolicy, deleted_types: frozenset[str]
) -> EventStore:
    del location  # memory keeps nothing on disk: every open is a fresh, empty store
    return open_store("memory:", snapshot_policy=policy, deleted_types=deleted_types)


def _open_sqlite(
    location: Path, policy: SnapshotPolicy, deleted_types: frozenset[str]
) -> EventStore:
    location.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{location / 'events.db'}"
    return open_store(url, snapshot_policy=policy, deleted_types=deleted_types)


BACKENDS: dict[str, Backend] = {
    "memory": Backend("memory", _open_memory),
    "sqlite": Backend("sqlite", _open_sqlite, durable=True),
    "postgresql": Backend(
        "postgresql", open_postgres, durable=True, env_var="ES_TUI_TEST_POSTGRES_URL"
    ),
}

DELETED = "Deleted"
"""The event type the default fixtures treat as a soft delete."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "durable: needs a durable backend (skipped for the memory store)"
    )


def require(backend: Backend) -> None:
    """Skip (locally) or fail (on CI) when `backend` needs a service that is not configured."""
    reason = backend.unavailable()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (required on CI)")
    pytest.skip(reason)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Read the registry at collection time, so every registered backend is picked up.
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", sorted(BACKENDS), indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> Backend:
    """The backend under test (every test of this folder runs once per backend)."""
    chosen = BACKENDS[request.param]
    require(chosen)
    return chosen


class MakeStore(Protocol):
    def __call__(
        self, policy: SnapshotPolicy | None = None, deleted_types: frozenset[str] | None = None
    ) -> EventStore: ...


@pytest.fixture
def make_store(
    backend: Backend, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[MakeStore]:
    """Open a store of the backend under test, always at this test's location: a durable
    backend reopens the same data; memory starts empty. All are closed after the test."""
    if request.node.get_closest_marker("durable") and not backend.durable:
        pytest.skip(f"{backend.name} is not durable")
    opened: list[EventStore] = []

    def make(
        policy: SnapshotPolicy | None = None, deleted_types: frozenset[str] | None = None
    ) -> EventStore:
        kinds = frozenset({DELETED}) if deleted_types is None else deleted_types
        store = backend.open(tmp_path / "store", policy or SnapshotPolicy(), kinds)
        opened.append(store)
        return store

    yield make
    for store in reversed(opened):
        store.close()


@pytest.fixture
def store(make_store: MakeStore) -> EventStore:
    """A fresh store with the default snapshot policy and `DELETED` as the deletion type."""
    return make_store()


# -- helpers shared by the contract tests ---------------------------------------------------


def new(kind: str = "Noted", **data: Any) -> NewEvent:
    """A new event of `kind` carrying `data`."""
    return NewEvent(type=kind, data=dict(data))


def batch(count: int, kind: str = "Noted", start: int = 1) -> list[NewEvent]:
    """`count` new events numbered `n = start, start+1, ...`."""
    return [new(kind, n=i) for i in range(start, start + count)]


def ids(events: list[RecordedEvent]) -> list[Any]:
    """The event ids of `events`, in order."""
    return [e.event_id for e in events]


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass; a backend may deliver
    commits to subscribers on another thread, a little after `append` returns."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True
