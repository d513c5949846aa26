"""Opening a PostgreSQL store: bad URLs and unreachable servers give one clear line quickly,
passwords never show, and a schema is either an es-tui store or left alone."""

from __future__ import annotations

import socket
import threading
import urllib.parse

import psycopg
import pytest

from domain.backends import open_store
from domain.backends.postgres.schema import connect, parse_url
from domain.backends.postgres.store import PostgresEventStore
from domain.core.errors import StoreClosedError, StoreUrlError
from domain.core.records import NO_STREAM, NewEvent
from tests.store.test_postgres_helpers import fresh_url, new_schema, server_url, with_schema


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _refused(url: str) -> StoreUrlError:
    """The error opening `url` raises. Opened in a thread and waited for with a generous
    deadline: a connection that hangs instead of failing fails the test, not the run."""
    raised: list[BaseException] = []

    def open_it() -> None:
        try:
            open_store(url).close()
        except BaseException as error:
            raised.append(error)

    opener = threading.Thread(target=open_it, daemon=True)
    opener.start()
    opener.join(timeout=60)
    assert not opener.is_alive(), f"opening {url} hangs"
    assert len(raised) == 1 and isinstance(raised[0], StoreUrlError), raised
    error = raised[0]
    message = str(error)
    assert "\n" not in message
    assert "hunter2" not in message
    return error


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://u:hunter2@127.0.0.1:{port}/db", "refused"),
        ("postgresql://u:hunter2@nowhere.invalid/db", "nowhere.invalid"),
        ("postgresql://u:hunter2@127.0.0.1:notaport/db", "port"),
        ("postgresql://u:hunter2@127.0.0.1/db?schema=no-dashes", "schema"),
        ("postgresql://u:hunter2@127.0.0.1/db?nosuchoption=1", "nosuchoption"),
        ("postgres://u:hunter2@127.0.0.1:{port}/db", "refused"),
        ("postgresql://127.0.0.1:{port}/db?user=u&password=hunter2", "refused"),
    ],
)
def test_a_bad_url_or_unreachable_server_is_one_clear_line(url: str, says: str) -> None:
    error = _refused(url.format(port=_closed_port()))
    assert says in error.reason
    assert "***" in error.url


def test_a_server_that_never_answers_times_out_within_the_connect_timeout() -> None:
    # A listening socket that never speaks: the TCP connection succeeds, the start-up hangs.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        error = _refused(f"postgresql://u:hunter2@127.0.0.1:{port}/db?connect_timeout=2")
    assert "timeout" in error.reason.lower()


def test_a_wrong_password_is_refused_without_showing_it() -> None:
    real = urllib.parse.urlsplit(fresh_url())
    netloc = f"{real.username}:hunter2@{real.hostname}:{real.port}"
    error = _refused(urllib.parse.urlunsplit(real._replace(netloc=netloc)))
    assert "password authentication failed" in error.reason


def test_the_url_reopens_the_store_and_the_shown_url_hides_the_password() -> None:
    url = fresh_url()
    store = PostgresEventStore.open(url, poll_interval=None)
    (event,) = store.append("a-1", [NewEvent("Noted", {})], NO_STREAM)
    password = urllib.parse.urlsplit(url).password
    store.close()

    again = open_store(store.url)

    assert again.read_all() == [event]
    assert password and password not in store.shown_url and "***" in store.shown_url
    again.close()
    with pytest.raises(StoreClosedError) as caught:
        store.head_position()
    assert password not in str(caught.value)


def test_a_schema_holding_something_else_is_left_alone() -> None:
    fresh_url()  # skips locally (fails on CI) when no server is configured
    schema = new_schema()
    with psycopg.connect(server_url(), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')  # type: ignore[arg-type]
        conn.execute(f'CREATE TABLE "{schema}".es_events (x int)')  # type: ignore[arg-type]

        error = _refused(with_schema(server_url(), schema))

        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,),
        ).fetchall()
    assert "not an es-tui store" in error.reason
    assert tables == [("es_events",)]


def test_a_store_of_a_newer_schema_version_is_refused() -> None:
    url = fresh_url()
    open_store(url).close()
    schema = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["schema"][0]
    with psycopg.connect(server_url(), autocommit=True) as conn:
        conn.execute(
            f"UPDATE \"{schema}\".es_meta SET value = '99' WHERE key = 'schema_version'"  # type: ignore[arg-type]
        )

    error = _refused(url)

    assert "schema version 99" in error.reason


def test_stores_in_two_schemas_of_one_database_are_independent() -> None:
    one = PostgresEventStore.open(fresh_url(), poll_interval=None)
    two = PostgresEventStore.open(fresh_url(), poll_interval=None)

    (a,) = one.append("a-1", [NewEvent("Noted", {})], NO_STREAM)
    (b,) = two.append("a-1", [NewEvent("Noted", {})], NO_STREAM)

    assert (a.position, b.position) == (1, 1)
    assert one.read_all() == [a] and two.read_all() == [b]
    one.close()
    two.close()


def test_every_session_waits_for_its_commit_to_reach_the_disk() -> None:
    # The test cluster runs with synchronous_commit off: a crash there loses commits already
    # acknowledged. Every session es-tui opens (the store's pool, the key store, listener and
    # read model all connect through parse_url) turns it on for itself.
    url = fresh_url()  # skips locally (fails on CI) when no server is configured
    with psycopg.connect(server_url().split("?", 1)[0]) as plain:
        server_default = plain.execute("SHOW synchronous_commit").fetchone()
    with connect(parse_url(url)) as session:
        assert session.execute("SHOW synchronous_commit").fetchone() == ("on",), server_default
    store = open_store(url)
    try:
        assert isinstance(store, PostgresEventStore)
        with store._db.pool.connection() as pooled:
            assert pooled.execute("SHOW synchronous_commit").fetchone() == ("on",)
    finally:
        store.close()


@pytest.mark.parametrize("choice", ["local", "off", "remote_write"])
def test_a_url_that_sets_synchronous_commit_keeps_its_choice(choice: str) -> None:
    fresh_url()  # skips locally (fails on CI) when no server is configured
    options = urllib.parse.quote(f"-c synchronous_commit={choice}")
    url = with_schema(
        f"{server_url()}{'&' if '?' in server_url() else '?'}options={options}", new_schema()
    )
    with connect(parse_url(url)) as session:
        assert session.execute("SHOW synchronous_commit").fetchone() == (choice,)
        assert session.execute("SHOW TimeZone").fetchone() == ("UTC",)
