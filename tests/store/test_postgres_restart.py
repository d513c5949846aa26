"""Every PostgreSQL part survives the server going away: the event store (its pool), the
listener feeding commits of others, the read model's storage and the key store reconnect and
resume from where they were; while the server is away they raise StoreUnavailableError; and
a write whose connection vanished mid-commit, retried with the same event ids, is stored once.

These tests restart, stop and start a server and terminate its sessions as its superuser, so
they run on a cluster of their own (.ci/postgres.sh start, then ctl): the shared test server
never goes away under tests running beside them. They need the PostgreSQL binaries that
.ci/postgres.sh installs (PG_CI_DIR, set by it, says the machine has them)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

from domain.backends.postgres.keys import PostgresKeyStore
from domain.backends.postgres.store import PostgresEventStore
from domain.bootstrap import System, bootstrap
from domain.core.errors import StoreUnavailableError
from domain.core.records import ANY, NewEvent, RecordedEvent
from domain.ideas.codec import stream_id_of
from domain.ideas.projection_postgres import PostgresViewStorage
from es_tui.http.app import create_api
from tests.store.conftest import wait_for
from tests.store.test_postgres_helpers import URL_VAR, new_schema, with_schema

DEADLINE = 60.0
SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "postgres.sh"


@dataclass(frozen=True)
class Cluster:
    """A PostgreSQL cluster made for these tests: its directory and its test user's URL."""

    directory: Path
    url: str


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    missing = [v for v in (URL_VAR, "PG_CI_DIR") if not os.environ.get(v)]
    if missing:
        reason = f'set {" and ".join(missing)} (eval "$(bash .ci/postgres.sh start)")'
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (required on CI)")
        pytest.skip(reason)
    # Durable (fsync and synchronous_commit on): an immediate stop is a crash, and without
    # synchronous commits PostgreSQL itself may drop commits it acknowledged.
    started = subprocess.run(
        ["bash", str(SCRIPT), "start"],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "PG_CI_DURABLE": "1"},
    )
    assert started.returncode == 0, started.stderr
    exports = dict(
        part.split("=", 1)
        for line in started.stdout.splitlines()
        for part in line.removeprefix("export ").split()
    )
    made = Cluster(
        Path(exports["PG_CI_DIR"].strip("'")), exports["ES_TUI_TEST_POSTGRES_URL"].strip("'")
    )
    try:
        yield made
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(made.directory)], timeout=60)


def ctl(cluster: Cluster, action: str, mode: str = "fast") -> None:
    """Restart, stop or start the cluster's server."""
    subprocess.run(["bash", str(SCRIPT), "ctl", str(cluster.directory), action, mode], check=True)


def superuser(cluster: Cluster) -> psycopg.Connection[tuple[object, ...]]:
    """The cluster's superuser, through its socket directory."""
    port = urllib.parse.urlsplit(cluster.url).port
    return psycopg.connect(
        host=str(cluster.directory),
        port=port,
        user="postgres",
        dbname="postgres",
        autocommit=True,
    )


# Which sessions are whose, told by their application names.
SESSIONS = {
    "key store": "application_name = 'es-tui/keys'",
    "read model": "application_name = 'es-tui/view'",
    "listener": "application_name = 'es-tui/listen'",
    "store": "application_name = 'es-tui'",
    "every part": "true",
}


def terminate_sessions(cluster: Cluster, part: str = "every part") -> int:
    """End the test user's sessions of one part (what a network fault or an operator does);
    returns how many."""
    with superuser(cluster) as db:
        rows = db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE usename = 'es_tui' AND {SESSIONS[part]}"
        ).fetchall()
    return len(rows)


@pytest.fixture
def durable_commits(cluster: Cluster) -> Iterator[None]:
    """The test cluster acknowledges commits before writing their WAL (synchronous_commit
    off, for speed), so a crash would lose acknowledged commits by configuration. Here
    commits reach the WAL before they are acknowledged, as on a real server."""
    with superuser(cluster) as db:
        db.execute("ALTER ROLE es_tui SET synchronous_commit = on")
    yield
    with superuser(cluster) as db:
        db.execute("ALTER ROLE es_tui RESET synchronous_commit")


@pytest.fixture
def url(cluster: Cluster, durable_commits: None) -> str:
    return with_schema(cluster.url, new_schema())


@pytest.fixture
def system(url: str, tmp_path: Path) -> Iterator[System]:
    """The ideas system as `serve` runs it: store, key store, read model, listener."""
    keys = PostgresKeyStore(url, kek_dir=tmp_path / "kek")
    system = bootstrap(url, keys=keys, threaded=True)
    yield system
    system.close()
    keys.close()


@pytest.fixture
def watcher(url: str) -> Iterator[tuple[PostgresEventStore, list[RecordedEvent]]]:
    """Another handle, fed by its listener thread: what another process would see."""
    store = PostgresEventStore.open(url, poll_interval=0.2)
    got: list[RecordedEvent] = []
    store.subscribe(got.extend)
    assert store.wait_listening(10)
    yield store, got
    store.close()


class Writer(threading.Thread):
    """Appends one event at a time to its stream; a batch refused because the server is away
    is retried, same event id, until stored. Keeps what was acknowledged."""

    def __init__(self, store: PostgresEventStore, stream_id: str) -> None:
        super().__init__(daemon=True)
        self.store = store
        self.stream_id = stream_id
        self.acknowledged: list[RecordedEvent] = []
        self.refusals = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            event = NewEvent("Noted", {"n": len(self.acknowledged)})
            while True:
                try:
                    self.acknowledged += self.store.append(self.stream_id, [event], ANY)
                    break
                except StoreUnavailableError:
                    self.refusals += 1
                    self.stop.wait(0.05)


def publish_when_back(system: System, title: str) -> str:
    """Publish, trying again while the database is away; the idea's id."""
    outcome: list[str] = []

    def attempt() -> bool:
        try:
            outcome.append(system.ideas.publish(title, "after").idea_id)
        except StoreUnavailableError:
            return False
        return True

    assert wait_for(attempt, DEADLINE)
    return outcome[0]


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_every_part_recovers_from_a_restart_under_load(
    cluster: Cluster,
    url: str,
    system: System,
    watcher: tuple[PostgresEventStore, list[RecordedEvent]],
    mode: str,
) -> None:
    store = system.store
    assert isinstance(store, PostgresEventStore)
    other, seen = watcher
    before = [system.ideas.publish(f"before {i}", "x").idea_id for i in range(5)]
    writers = [Writer(store, f"load-{i}") for i in range(3)]
    for w in writers:
        w.start()
    assert wait_for(lambda: all(len(w.acknowledged) >= 5 for w in writers), DEADLINE)

    ctl(cluster, "restart", mode)

    # Writes go through again: the store and the key store are back.
    after = [publish_when_back(system, f"after {i}") for i in range(5)]
    marks = {w.stream_id: len(w.acknowledged) for w in writers}
    assert wait_for(lambda: all(len(w.acknowledged) > marks[w.stream_id] + 5 for w in writers))
    for w in writers:
        w.stop.set()
        w.join(DEADLINE)

    # Nothing acknowledged is lost, nothing is stored twice.
    for w in writers:
        stored = store.read_stream(w.stream_id)
        assert [e.event_id for e in stored] == [e.event_id for e in w.acknowledged]
        assert [e.data["n"] for e in stored] == list(range(len(stored)))
    # The live feed of another handle brings every commit, those after the restart included.
    head = store.head_position()  # the process manager may still be appending
    assert wait_for(lambda: bool(seen) and seen[-1].position >= head, DEADLINE)
    live = [e.position for e in seen]
    assert live == sorted(set(live))
    assert {e.stream_id for e in seen} >= {stream_id_of(i) for i in after}
    # The read model catches up with everything, before and after.
    assert wait_for(lambda: system.view.checkpoint >= head, DEADLINE)
    assert {r.idea_id for r in system.view.list()} >= set(before + after)
    # The key store reads (and destroys) keys as before.
    system.keys.forget_cached(stream_id_of(before[0]))
    assert system.keys.key_for(stream_id_of(before[0])) is not None
    system.ideas.forget(after[0])
    assert system.keys.key_for(stream_id_of(after[0])) is None
    assert other.read_stream(stream_id_of(after[1]))


@pytest.mark.parametrize("part", list(SESSIONS))
def test_every_part_reconnects_after_its_sessions_are_terminated(
    cluster: Cluster,
    system: System,
    watcher: tuple[PostgresEventStore, list[RecordedEvent]],
    part: str,
) -> None:
    _, seen = watcher
    first = system.ideas.publish("one", "x").idea_id
    assert wait_for(lambda: system.view.checkpoint >= system.store.head_position(), DEADLINE)
    for round_ in range(2):
        assert terminate_sessions(cluster, part) >= 1
        system.keys.forget_cached(stream_id_of(first))
        assert system.keys.key_for(stream_id_of(first)) is not None  # key store
        assert system.view.storage.get(first) is not None  # read model storage
        idea = system.ideas.publish(f"round {round_}", "y").idea_id  # store, key store
        head = system.store.head_position()

        def listened(h: int = head) -> bool:
            return any(e.position == h for e in seen)

        def applied(h: int = head) -> bool:
            return system.view.checkpoint >= h

        assert wait_for(listened, DEADLINE)  # the listener
        assert wait_for(applied, DEADLINE)  # the read model
        assert system.view.get(idea).title == f"round {round_}"


def test_while_the_server_is_away_each_part_says_so(
    cluster: Cluster, url: str, tmp_path: Path
) -> None:
    store = PostgresEventStore.open(url, poll_interval=None)
    keys = PostgresKeyStore(url, kek_dir=tmp_path / "kek")
    view = PostgresViewStorage(url)
    try:
        (stored,) = store.append("s-1", [NewEvent("Noted", {})], ANY)
        keys.create_key("s-1")
        ctl(cluster, "stop")
        try:
            failures = []
            for call in (
                lambda: store.append("s-1", [NewEvent("Noted", {})], ANY),
                lambda: store.read_stream("s-1"),
                lambda: keys.create_key("s-2"),
                lambda: keys.is_destroyed("s-1"),
                view.checkpoint,
            ):
                with pytest.raises(StoreUnavailableError) as caught:
                    call()
                failures.append(caught.value)
        finally:
            ctl(cluster, "start")
        password = urllib.parse.urlsplit(cluster.url).password or ""
        for failure in failures:
            assert failure.url.endswith(url.rsplit("/", 1)[1])
            assert password not in str(failure) and "***" in failure.url
        assert [e.event_id for e in store.read_stream("s-1")] == [stored.event_id]
        assert keys.create_key("s-2") and view.checkpoint() == 0
    finally:
        view.close()
        keys.close()
        store.close()


@pytest.mark.parametrize("size", [1, 3])
def test_a_write_whose_session_dies_before_its_commit_is_stored_once(
    cluster: Cluster, url: str, size: int
) -> None:
    kills: list[int] = []
    armed = threading.Event()

    def die_once(records: object) -> None:
        # The writing session, idle in its transaction, is ended before it commits.
        if armed.is_set() and not kills:
            with superuser(cluster) as db:
                rows = db.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE usename = 'es_tui' AND state = 'idle in transaction'"
                ).fetchall()
            kills.append(len(rows))

    store = PostgresEventStore.open(url, poll_interval=None, before_commit=die_once)
    try:
        store.append("s-1", [NewEvent("Noted", {"n": 0})], ANY)
        armed.set()
        batch = [NewEvent("Noted", {"n": i}) for i in range(1, size + 1)]
        written = store.append("s-1", batch, 1)
        assert kills == [1]
        stored = store.read_stream("s-1")
        assert [e.data["n"] for e in stored] == list(range(size + 1))
        assert stored[1:] == written
        # The caller's own retry of the acknowledged batch is recognised, not applied again.
        assert store.append("s-1", batch, 1) == written
        assert len(store.read_stream("s-1")) == size + 1
    finally:
        store.close()


async def test_the_http_api_answers_503_while_the_server_is_away_and_202_after(
    cluster: Cluster, system: System
) -> None:
    transport = httpx.ASGITransport(create_api(system))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        idea = {"title": "a", "description": "b"}
        assert (await client.post("/ideas", json=idea)).status_code == 202
        ctl(cluster, "stop")
        try:
            away = await client.post("/ideas", json=idea)
        finally:
            ctl(cluster, "start")
        assert away.status_code == 503
        assert away.json()["error"] == "unavailable"
        assert "unavailable" in away.json()["message"] and "***" in away.json()["message"]

        deadline = time.monotonic() + DEADLINE
        while (answer := await client.post("/ideas", json=idea)).status_code == 503:
            assert time.monotonic() < deadline, answer.text
            await asyncio.sleep(0.1)
        assert answer.status_code == 202, answer.text
