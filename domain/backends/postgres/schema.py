"""The PostgreSQL store's URL, connections and schema: tables, and the functions that do each
write in one round trip.

Every name is qualified with the store's schema (the URL's `?schema=NAME`, else the
connection's current schema), so several stores can share one database. The write functions
lock the stream's row first and the single `es_head` row last, right before positions are
assigned; that row stays locked until the transaction ends, which is what makes positions
follow commit order (see `domain.backends.postgres.store`).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Any, Final

import psycopg
from psycopg.conninfo import conninfo_to_dict

from domain.core.errors import StoreUrlError

SCHEMA_VERSION: Final = 1
MARKER: Final = "es-tui event store"
CONNECT_TIMEOUT_S: Final = 5
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_PASSWORD_PARAM = re.compile(r"([?&]password=)[^&]*")
_INSTALL_LOCK: Final = 0x4553_5455  # "ESTU": serializes concurrent first opens of a database


@dataclass(frozen=True, slots=True)
class Target:
    """Where a store lives: libpq connection parameters and an optional schema."""

    url: str
    params: dict[str, Any]
    schema: str | None
    shown: str
    """The URL with its password masked, for messages."""


def mask(url: str) -> str:
    """`url` with any password (in the user part or as a parameter) replaced by `***`."""
    url = _PASSWORD_PARAM.sub(r"\1***", url)
    try:
        password = urllib.parse.urlsplit(url).password
    except ValueError:
        return url
    if not password:
        return url
    return url.replace(f":{password}@", ":***@", 1)


def parse_url(url: str) -> Target:
    """Connection parameters for `postgresql://user:pass@host:port/db[?schema=NAME&...]`.

    `schema` is the store's own; any other query parameter goes to libpq as usual. A
    `connect_timeout` of 5 s applies unless the URL sets one."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError as exc:
        raise StoreUrlError(mask(url), f"malformed URL: {exc}") from None
    shown = mask(url)
    if parts.scheme.lower() not in ("postgresql", "postgres"):
        raise StoreUrlError(shown, "not a postgresql:// URL")
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    schemas = [value for key, value in query if key == "schema"]
    rest = [(key, value) for key, value in query if key != "schema"]
    schema = schemas[-1] if schemas else None
    if schema is not None and not _NAME.fullmatch(schema):
        raise StoreUrlError(shown, f"schema {schema!r}: use 1-63 letters, digits or _")
    # Rebuilt by hand: urlunsplit would turn `postgresql:///db` (a local socket) into
    # `postgresql:/db`.
    base = url.split("?", 1)[0]
    libpq_url = f"{base}?{urllib.parse.urlencode(rest, quote_via=urllib.parse.quote)}"
    try:
        params: dict[str, Any] = conninfo_to_dict(libpq_url)
    except psycopg.Error as exc:
        raise StoreUrlError(shown, first_line(exc)) from None
    params.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
    params.setdefault("application_name", "es-tui")
    # Times come back in UTC whatever the server's default time zone is. A commit is
    # acknowledged only once its WAL is on disk, whatever the server's default: with
    # synchronous_commit off a crash loses commits already acknowledged. A URL that sets it
    # itself (`?options=-c synchronous_commit=off`) keeps its choice.
    options = params.get("options", "")
    if "synchronous_commit" not in options:
        options = f"{options} -c synchronous_commit=on"
    params["options"] = f"{options} -c TimeZone=UTC".strip()
    return Target(url, params, schema, shown)


def first_line(exc: BaseException) -> str:
    """The first meaningful line of a driver error, without libpq's hints."""
    text = str(exc).strip() or type(exc).__name__
    line = text.splitlines()[0].strip()
    for noise in ("connection failed: ", "connection is bad: "):
        line = line.removeprefix(noise)
    return line.replace("FATAL:  ", "")


def connection_lost(exc: psycopg.OperationalError) -> bool:
    """Whether `exc` says the connection is gone (the server shut down, crashed, or the
    session was terminated), rather than that one statement failed."""
    state = exc.sqlstate
    return state is None or state.startswith(("08", "57P"))


def connect(target: Target, *, autocommit: bool = True, part: str = "") -> psycopg.Connection[Any]:
    """A new connection; StoreUrlError with libpq's reason when it cannot be made. `part`
    names what uses it in the session's application name (`es-tui/keys`), so an operator
    can tell the sessions apart in pg_stat_activity."""
    params = dict(target.params)
    if part:
        params["application_name"] = f"{params.get('application_name', 'es-tui')}/{part}"[:63]
    try:
        return psycopg.connect(**params, autocommit=autocommit)
    except psycopg.Error as exc:
        raise StoreUrlError(target.shown, first_line(exc)) from None


def quote(name: str) -> str:
    """A checked identifier, double-quoted."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return f'"{name}"'


def channel_of(schema: str) -> str:
    """The LISTEN/NOTIFY channel of the store in `schema` (at most 63 bytes)."""
    return f"es_tui_{schema}"[:63]


def _ddl(s: str, channel: str) -> list[str]:
    return [
        f"""CREATE TABLE {s}.es_meta (
            key text PRIMARY KEY,
            value text NOT NULL
        )""",
        f"""CREATE TABLE {s}.es_head (
            id smallint PRIMARY KEY CHECK (id = 1),
            position bigint NOT NULL
        )""",
        f"INSERT INTO {s}.es_head VALUES (1, 0)",
        f"INSERT INTO {s}.es_meta VALUES ('marker', '{MARKER}'),"
        f" ('schema_version', '{SCHEMA_VERSION}')",
        # first_position orders the listing by creation (a forgotten stream keeps its place).
        f"""CREATE TABLE {s}.es_streams (
            stream_id text PRIMARY KEY,
            version bigint NOT NULL,
            event_count bigint NOT NULL,
            status text NOT NULL CHECK (status IN ('active', 'deleted', 'forgotten')),
            first_position bigint NOT NULL,
            last_position bigint NOT NULL,
            last_event_id uuid,
            updated_at timestamptz NOT NULL
        )""",
        f"CREATE INDEX ON {s}.es_streams (first_position)",
        # commit_end (the last position of the same append) lets a reader hand other
        # processes' commits to listeners one commit at a time.
        f"""CREATE TABLE {s}.es_events (
            position bigint PRIMARY KEY,
            commit_end bigint NOT NULL,
            event_id uuid NOT NULL UNIQUE,
            stream_id text NOT NULL,
            version bigint NOT NULL,
            type text NOT NULL,
            schema_version bigint NOT NULL,
            recorded_at timestamptz NOT NULL,
            data json NOT NULL,
            metadata json NOT NULL,
            UNIQUE (stream_id, version)
        )""",
        f"""CREATE TABLE {s}.es_snapshots (
            stream_id text NOT NULL,
            version bigint NOT NULL,
            last_event_id uuid NOT NULL,
            state json NOT NULL,
            state_schema_version bigint NOT NULL,
            taken_at timestamptz NOT NULL,
            PRIMARY KEY (stream_id, version)
        )""",
        *extras(s),
        _append_function(s, channel),
        _forget_function(s, channel),
        _snapshot_function(s),
    ]


# Outcomes: 'appended' (one row: first version, first position, time), 'stored' (the stored
# events with these ids: Python decides between an idempotent retry and a duplicate),
# 'forgotten', 'conflict' (version = actual version, event_id = the stream's last event).
_OUT = (
    "o_outcome text, o_event_id uuid, o_stream_id text, o_version bigint, o_position bigint,"
    " o_type text, o_schema_version bigint, o_recorded_at timestamptz, o_data json,"
    " o_metadata json"
)


def extras(s: str) -> list[str]:
    """What a store of schema version 1 gains when opened (an older es-tui ignores them):
    consumers' tracking rows, and indexes a filtered `read_all` follows (a type; a stream
    prefix, as a byte-wise range)."""
    return [
        f"""CREATE TABLE IF NOT EXISTS {s}.es_tracking (
            name text PRIMARY KEY,
            position bigint NOT NULL
        )""",
        f"CREATE INDEX IF NOT EXISTS es_events_by_type ON {s}.es_events (type, position)",
        f"CREATE INDEX IF NOT EXISTS es_events_by_stream ON {s}.es_events"
        f' ((stream_id COLLATE "C"), position)',
    ]


def _append_function(s: str, channel: str) -> str:
    return f"""
CREATE FUNCTION {s}.es_append(
    p_stream text, p_expected bigint, p_ids uuid[], p_types text[], p_schemas bigint[],
    p_data json[], p_metadata json[], p_deleted_types text[], p_lookup boolean
) RETURNS TABLE ({_OUT}) LANGUAGE plpgsql AS $fn$
DECLARE
    n int := cardinality(p_ids);
    -- Planned at each use (EXECUTE): a plan cached while the table was small would scan it.
    stored text := 'SELECT ''stored'', e.event_id, e.stream_id, e.version, e.position, e.type,'
        ' e.schema_version, e.recorded_at, e.data, e.metadata'
        ' FROM {s}.es_events e WHERE e.event_id = ANY ($1)';
    cur_version bigint;
    cur_status text;
    cur_last uuid;
    base bigint;
    at timestamptz;
BEGIN
    LOOP
        SELECT st.version, st.status, st.last_event_id INTO cur_version, cur_status, cur_last
        FROM {s}.es_streams st WHERE st.stream_id = p_stream FOR UPDATE;
        EXIT WHEN FOUND;
        -- A new stream: its row, created now and locked until commit, is its lock.
        IF p_lookup OR p_expected > 0 THEN
            RETURN QUERY EXECUTE stored USING p_ids;
            IF FOUND THEN RETURN; END IF;
        END IF;
        IF p_expected > 0 THEN
            RETURN QUERY SELECT 'conflict', NULL::uuid, p_stream, 0::bigint, NULL::bigint,
                NULL, NULL::bigint, NULL::timestamptz, NULL::json, NULL::json;
            RETURN;
        END IF;
        INSERT INTO {s}.es_streams AS st VALUES (p_stream, 0, 0, 'active', 0, 0, NULL, now())
        ON CONFLICT (stream_id) DO NOTHING;
        IF FOUND THEN
            cur_version := 0; cur_status := 'active'; cur_last := NULL;
            EXIT;
        END IF;
        -- another transaction created it meanwhile (and has committed): lock it and look
    END LOOP;
    -- A retry of a stored batch is looked for only when something is off; when the versions
    -- match, inserting a stored event id fails (unique) and the caller asks again, looking.
    IF p_lookup OR cur_status = 'forgotten' OR (p_expected >= 0 AND cur_version <> p_expected)
    THEN
        RETURN QUERY EXECUTE stored USING p_ids;
        IF FOUND THEN RETURN; END IF;
    END IF;
    IF cur_status = 'forgotten' THEN
        RETURN QUERY SELECT 'forgotten', NULL::uuid, p_stream, cur_version, NULL::bigint,
            NULL, NULL::bigint, NULL::timestamptz, NULL::json, NULL::json;
        RETURN;
    END IF;
    IF p_expected >= 0 AND cur_version <> p_expected THEN
        RETURN QUERY SELECT 'conflict', cur_last, p_stream, cur_version, NULL::bigint,
            NULL, NULL::bigint, NULL::timestamptz, NULL::json, NULL::json;
        RETURN;
    END IF;
    -- Positions: the head row stays locked until this transaction ends, so the next writer
    -- gets the next positions only after this one is committed (or rolled back).
    UPDATE {s}.es_head h SET position = h.position + n WHERE h.id = 1
    RETURNING h.position - n INTO base;
    at := clock_timestamp();
    INSERT INTO {s}.es_events (position, commit_end, event_id, stream_id, version, type,
        schema_version, recorded_at, data, metadata)
    SELECT base + u.ord, base + n, u.id, p_stream, cur_version + u.ord, u.kind, u.sv, at, u.d,
        u.m
    FROM unnest(p_ids, p_types, p_schemas, p_data, p_metadata) WITH ORDINALITY
        AS u(id, kind, sv, d, m, ord);
    UPDATE {s}.es_streams st SET
        version = cur_version + n,
        event_count = st.event_count + n,
        status = CASE WHEN st.status = 'active' AND p_types && p_deleted_types
                 THEN 'deleted' ELSE st.status END,
        first_position = CASE WHEN st.first_position = 0 THEN base + 1
                         ELSE st.first_position END,
        last_position = base + n,
        last_event_id = p_ids[n],
        updated_at = at
    WHERE st.stream_id = p_stream;
    PERFORM pg_notify('{channel}', (base + n)::text);
    RETURN QUERY SELECT 'appended', NULL::uuid, p_stream, cur_version + 1, base + 1, NULL,
        NULL::bigint, at, NULL::json, NULL::json;
END
$fn$"""


def _forget_function(s: str, channel: str) -> str:
    return f"""
CREATE FUNCTION {s}.es_forget(
    p_stream text, p_id uuid, p_type text, p_schema bigint, p_data json, p_metadata json
) RETURNS TABLE ({_OUT}) LANGUAGE plpgsql AS $fn$
DECLARE
    cur_version bigint;
    cur_status text;
    taken boolean;
    base bigint;
    at timestamptz;
BEGIN
    SELECT st.version, st.status INTO cur_version, cur_status
    FROM {s}.es_streams st WHERE st.stream_id = p_stream FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'missing', NULL::uuid, p_stream, 0::bigint, NULL::bigint, NULL,
            NULL::bigint, NULL::timestamptz, NULL::json, NULL::json;
        RETURN;
    END IF;
    IF cur_status = 'forgotten' THEN
        RETURN QUERY SELECT 'forgotten', NULL::uuid, p_stream, cur_version, NULL::bigint, NULL,
            NULL::bigint, NULL::timestamptz, NULL::json, NULL::json;
        RETURN;
    END IF;
    -- Before erasing: the tombstone's id may be one of the events about to go.
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM {s}.es_events e WHERE e.event_id = $1)'
    INTO taken USING p_id;
    IF taken THEN
        RETURN QUERY SELECT 'duplicate', NULL::uuid, p_stream, cur_version, NULL::bigint, NULL,
            NULL::bigint, NULL::timestamptz, NULL::json, NULL::json;
        RETURN;
    END IF;
    DELETE FROM {s}.es_snapshots sn WHERE sn.stream_id = p_stream;
    DELETE FROM {s}.es_events e WHERE e.stream_id = p_stream;
    UPDATE {s}.es_head h SET position = h.position + 1 WHERE h.id = 1
    RETURNING h.position - 1 INTO base;
    at := clock_timestamp();
    INSERT INTO {s}.es_events (position, commit_end, event_id, stream_id, version, type,
        schema_version, recorded_at, data, metadata)
    VALUES (base + 1, base + 1, p_id, p_stream, cur_version + 1, p_type, p_schema, at, p_data,
        p_metadata);
    UPDATE {s}.es_streams st SET version = cur_version + 1, event_count = 1,
        status = 'forgotten', last_position = base + 1, last_event_id = p_id, updated_at = at
    WHERE st.stream_id = p_stream;
    PERFORM pg_notify('{channel}', (base + 1)::text);
    RETURN QUERY SELECT 'appended', p_id, p_stream, cur_version + 1, base + 1, NULL,
        NULL::bigint, at, NULL::json, NULL::json;
END
$fn$"""


def _snapshot_function(s: str) -> str:
    # Returns 'saved', or why not: 'missing', 'forgotten', 'ahead' (with the stream's
    # version) or 'mismatch' (with the id of the event at that version).
    return f"""
CREATE FUNCTION {s}.es_save_snapshot(
    p_stream text, p_version bigint, p_last uuid, p_state json, p_schema bigint,
    p_taken timestamptz, p_keep int
) RETURNS TABLE (o_outcome text, o_version bigint, o_event_id uuid)
LANGUAGE plpgsql AS $fn$
DECLARE
    cur_version bigint;
    cur_status text;
    at_version uuid;
BEGIN
    -- A share lock: a concurrent forget (which deletes snapshots) waits, or goes first.
    SELECT st.version, st.status INTO cur_version, cur_status
    FROM {s}.es_streams st WHERE st.stream_id = p_stream FOR SHARE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'missing', NULL::bigint, NULL::uuid; RETURN;
    END IF;
    IF cur_status = 'forgotten' THEN
        RETURN QUERY SELECT 'forgotten', cur_version, NULL::uuid; RETURN;
    END IF;
    IF p_version > cur_version THEN
        RETURN QUERY SELECT 'ahead', cur_version, NULL::uuid; RETURN;
    END IF;
    SELECT e.event_id INTO at_version FROM {s}.es_events e
    WHERE e.stream_id = p_stream AND e.version = p_version;
    IF at_version IS DISTINCT FROM p_last THEN
        RETURN QUERY SELECT 'mismatch', cur_version, at_version; RETURN;
    END IF;
    INSERT INTO {s}.es_snapshots AS sn VALUES
        (p_stream, p_version, p_last, p_state, p_schema, p_taken)
    ON CONFLICT (stream_id, version) DO UPDATE SET last_event_id = excluded.last_event_id,
        state = excluded.state, state_schema_version = excluded.state_schema_version,
        taken_at = excluded.taken_at;
    DELETE FROM {s}.es_snapshots sn WHERE sn.stream_id = p_stream AND sn.version NOT IN (
        SELECT k.version FROM {s}.es_snapshots k WHERE k.stream_id = p_stream
        ORDER BY k.version DESC LIMIT p_keep);
    RETURN QUERY SELECT 'saved', cur_version, p_last;
END
$fn$"""


def install(target: Target, conn: psycopg.Connection[Any]) -> str:
    """Create the store's schema and tables if they are missing (another process may be doing
    the same: an advisory lock takes turns); refuse a schema holding something else or a
    newer store. Returns the schema's name."""
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_INSTALL_LOCK,))
            schema = target.schema
            if schema is not None:
                conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}")
            else:
                row = conn.execute("SELECT current_schema()").fetchone()
                if row is None or row[0] is None:
                    raise StoreUrlError(target.shown, "no schema to create the store in")
                schema = str(row[0])
                if not _NAME.fullmatch(schema):
                    raise StoreUrlError(target.shown, f"use ?schema=NAME (not {schema!r})")
            s = quote(schema)
            found = conn.execute(
                "SELECT to_regclass(%s) IS NOT NULL, to_regclass(%s) IS NOT NULL",
                (f"{s}.es_meta", f"{s}.es_events"),
            ).fetchone()
            has_meta, has_events = found if found else (False, False)
            if has_meta:
                _check_meta(target, conn, s)
                have = conn.execute(
                    "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
                    (f"{s}.es_tracking", f"{s}.es_events_by_stream"),
                ).fetchone()
                if not (have and have[0]):  # (a lock on es_events only when they are missing)
                    conn.execute(";\n".join(extras(s)))
            elif has_events:
                raise StoreUrlError(target.shown, f"{schema}.es_events is not an es-tui store")
            else:
                # One round trip: the statements carry no parameters.
                conn.execute(";\n".join(_ddl(s, channel_of(schema))))
    except psycopg.errors.InsufficientPrivilege as exc:
        hint = "" if target.schema else " (name a schema of your own with ?schema=NAME)"
        raise StoreUrlError(target.shown, first_line(exc) + hint) from None
    except psycopg.Error as exc:
        raise StoreUrlError(target.shown, first_line(exc)) from None
    return schema


def store_id_of(conn: psycopg.Connection[Any], schema: str) -> str:
    """The store's id (made now for a store that has none yet), which its key store records
    to detect a wrong pairing."""
    s = quote(schema)
    conn.execute(
        f"INSERT INTO {s}.es_meta VALUES ('store_id', gen_random_uuid()::text)"
        " ON CONFLICT (key) DO NOTHING"
    )
    row = conn.execute(f"SELECT value FROM {s}.es_meta WHERE key = 'store_id'").fetchone()
    assert row is not None
    return str(row[0])


def _check_meta(target: Target, conn: psycopg.Connection[Any], s: str) -> None:
    meta = dict(conn.execute(f"SELECT key, value FROM {s}.es_meta").fetchall())
    if meta.get("marker") != MARKER:
        raise StoreUrlError(target.shown, "the schema holds es_meta but is not an es-tui store")
    version = int(meta.get("schema_version", "0"))
    if version > SCHEMA_VERSION:
        raise StoreUrlError(
            target.shown,
            f"an es-tui store of schema version {version}; this version of es-tui reads up to "
            f"{SCHEMA_VERSION}: upgrade es-tui to open it",
        )
