"""A row of the events table changed outside the store so that a part of it no longer parses
(its data, metadata, event id or time): every command that reads that event says which event
and which part, with exit 6 (a damaged store), never a bare parser message with exit 2; the
store's own reads raise UnreadableEventError naming the event, and the other events stay
readable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from domain.backends import open_store
from domain.core.errors import UnreadableEventError
from es_tui.cli import EXIT_DAMAGED
from tests.cli.conftest import Cli

BROKEN = {
    "data": [
        ("data", '{"idea_id":'),
        ("data", "not json at all"),
        ("data", '{"title": "x"} trailing'),
    ],
    "metadata": [("metadata", '{"correlation_id": '), ("metadata", "[1, 2")],
    "event id": [("event_id", "not-a-uuid"), ("event_id", "")],
    "time": [("recorded_at", "yesterday"), ("recorded_at", "2026-13-45T99:00:00")],
}
CASES = [(part, column, text) for part, items in BROKEN.items() for column, text in items]


def publish(cli: Cli) -> str:
    result = cli("publish", "--title", "Offline drafts", "--desc", "Keep unsent ideas")
    assert result.code == 0, result.err
    stream: str = result.json()["stream_id"]
    return stream


def break_row(db: Path, stream: str, column: str, text: str) -> int:
    """Overwrite `column` of the stream's first event; its position."""
    conn = sqlite3.connect(db)
    with conn:
        (position,) = conn.execute(
            "SELECT position FROM events WHERE stream_id = ? AND version = 1", (stream,)
        ).fetchone()
        conn.execute(f"UPDATE events SET {column} = ? WHERE position = ?", (text, position))
    conn.close()
    return int(position)


@pytest.mark.parametrize(("part", "column", "text"), CASES)
def test_reading_commands_name_the_event_and_the_part(
    cli: Cli, db: Path, part: str, column: str, text: str
) -> None:
    stream = publish(cli)
    position = break_row(db, stream, column, text)
    for argv in (("events", stream), ("log",), ("export", str(db.with_suffix(".jsonl")))):
        result = cli(*argv)
        assert result.code == EXIT_DAMAGED, (argv, result.code, result.err)
        assert f"the event at position {position} ({stream} v1) cannot be read" in result.err
        assert f"its {part} is not valid" in result.err
        assert "Traceback" not in result.err


FOLDED = [case for case in CASES if case[0] in ("data", "time")]
"""The parts a command's decision reads (the fold takes each event's data and time; its
metadata and id are not read, and a command on the aggregate goes ahead without them)."""


@pytest.mark.parametrize(("part", "column", "text"), FOLDED)
def test_a_command_on_the_aggregate_names_the_event(
    cli: Cli, db: Path, part: str, column: str, text: str
) -> None:
    stream = publish(cli)
    position = break_row(db, stream, column, text)
    result = cli("edit", stream.removeprefix("idea-"), "--title", "Another title")
    assert result.code == EXIT_DAMAGED, (result.code, result.err)
    assert f"the event at position {position} ({stream} v1) cannot be read" in result.err


@pytest.mark.parametrize(("part", "column", "text"), CASES)
def test_the_store_raises_it_where_the_part_is_read_and_the_rest_reads(
    cli: Cli, db: Path, part: str, column: str, text: str
) -> None:
    stream = publish(cli)
    other = publish(cli)
    position = break_row(db, stream, column, text)
    store = open_store(f"sqlite:///{db}")
    try:
        with pytest.raises(UnreadableEventError) as raised:
            read = [(r.event_id, r.data, r.metadata) for r in store.read_stream(stream)]
            raise AssertionError(f"read {read}")
        assert (raised.value.position, raised.value.stream_id, raised.value.part) == (
            position,
            stream,
            part,
        )
        assert isinstance(raised.value, ValueError)  # what a parser's failure was before
        fine = store.read_stream(other)
        assert [r.version for r in fine] == [1, 2]
        assert all(r.data["idea_id"] for r in fine)
        assert store.read_all(position + 1)  # the log past the broken event still reads
    finally:
        store.close()
