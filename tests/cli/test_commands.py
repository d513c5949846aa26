"""The scripting subcommands on a SQLite file: given a store, when a script runs one command,
then it gets one JSON object (or JSON lines), the documented exit code, and — on failure — one
line on stderr naming the problem, with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.core.shredding.cipher import REDACTED
from tests.cli.conftest import Cli, one_line, publish, store_rows


def test_publish_prints_the_new_stream_version_and_events(cli: Cli) -> None:
    result = cli("publish", "--title", "Solar kettle", "--desc", "Boils water by sunlight")
    assert (result.code, result.err) == (0, "")
    out = result.json()
    assert out["command"] == "PublishIdea"
    assert out["stream_id"] == f"idea-{out['idea_id']}"
    assert out["version"] == 1
    (event,) = out["events"]
    assert (event["type"], event["version"], event["stream_id"]) == (
        "IdeaCreationRequested",
        1,
        out["stream_id"],
    )
    # sealed at rest, shown opened to the person who asked
    assert event["data"]["title"] == "Solar kettle"
    assert event["data"]["description"] == "Boils water by sunlight"


def test_edit_without_an_expected_version_edits_the_current_idea(cli: Cli) -> None:
    idea_id = publish(cli)
    result = cli("edit", idea_id, "--title", "Solar kettle, mark II")
    assert result.code == 0, result.err
    out = result.json()
    assert (out["command"], out["version"], out["status"]) == ("EditIdea", 3, "accepted")
    assert [e["type"] for e in out["events"]] == ["IdeaUpdated"]
    assert cli("idea", idea_id).json()["title"] == "Solar kettle, mark II"


def test_edit_at_the_current_expected_version_succeeds(cli: Cli) -> None:
    idea_id = publish(cli)
    result = cli("edit", idea_id, "--desc", "Now with a lid", "--expected-version", "2")
    assert result.code == 0, result.err
    assert result.json()["version"] == 3
    assert cli("idea", idea_id).json()["description"] == "Now with a lid"


def test_a_stale_expected_version_is_a_conflict_and_writes_nothing(cli: Cli, db: Path) -> None:
    idea_id = publish(cli)
    assert cli("edit", idea_id, "--title", "First writer wins").code == 0
    before = store_rows(db)

    result = cli("edit", idea_id, "--title", "Second writer", "--expected-version", "2")

    assert (result.code, result.out) == (3, "")
    message = one_line(result.err)
    assert f"idea-{idea_id}" in message
    assert "expected version 2" in message and "actual version 3" in message
    assert store_rows(db) == before
    assert cli("idea", idea_id).json()["title"] == "First writer wins"


def test_delete_then_edit_is_refused_by_the_domain(cli: Cli, db: Path) -> None:
    idea_id = publish(cli)
    deleted = cli("delete", idea_id)
    assert deleted.code == 0, deleted.err
    out = deleted.json()
    assert (out["command"], out["status"], out["version"]) == ("DeleteIdea", "deleted", 3)
    before = store_rows(db)

    result = cli("edit", idea_id, "--title", "Too late")

    assert (result.code, result.out) == (4, "")
    assert "deleted" in one_line(result.err)
    assert store_rows(db) == before
    assert cli("delete", idea_id).code == 4  # no double delete


def test_an_edit_that_changes_nothing_is_refused(cli: Cli) -> None:
    idea_id = publish(cli, title="Same")
    result = cli("edit", idea_id, "--title", "Same")
    assert result.code == 4
    assert "changes nothing" in one_line(result.err)


def test_forget_leaves_a_lone_tombstone_and_reports_the_erasure(cli: Cli) -> None:
    idea_id = publish(cli)
    cli("edit", idea_id, "--title", "Another title")
    result = cli("forget", idea_id)
    assert result.code == 0, result.err
    out = result.json()
    assert (out["command"], out["status"], out["version"]) == ("ForgetIdea", "forgotten", 4)
    assert [e["type"] for e in out["events"]] == ["IdeaForgotten"]
    assert out["erasure"]["clean"] is True
    assert all(place["clean"] for place in out["erasure"]["places"])

    events = cli("events", f"idea-{idea_id}").lines()
    assert [(e["version"], e["type"]) for e in events] == [(4, "IdeaForgotten")]
    assert cli("idea", idea_id).code == 5
    assert cli("forget", idea_id).code == 4  # forgotten once, for good
    assert cli("edit", idea_id, "--title", "Back?").code == 4


def test_streams_lists_every_stream_with_its_status(cli: Cli) -> None:
    kept, deleted, forgotten = publish(cli), publish(cli), publish(cli)
    cli("delete", deleted)
    cli("forget", forgotten)
    result = cli("streams")
    assert (result.code, result.err) == (0, "")
    streams = {s["stream_id"]: s for s in result.lines()}
    assert {k: (v["status"], v["version"], v["event_count"]) for k, v in streams.items()} == {
        f"idea-{kept}": ("active", 2, 2),
        f"idea-{deleted}": ("deleted", 3, 3),
        f"idea-{forgotten}": ("forgotten", 3, 1),
    }


def test_events_of_a_stream_in_version_order(cli: Cli) -> None:
    idea_id = publish(cli)
    cli("edit", idea_id, "--desc", "With a whistle")
    result = cli("events", f"idea-{idea_id}")
    assert result.code == 0
    events = result.lines()
    assert [(e["version"], e["type"]) for e in events] == [
        (1, "IdeaCreationRequested"),
        (2, "IdeaCreationAccepted"),
        (3, "IdeaUpdated"),
    ]
    assert events[2]["data"]["description"] == "With a whistle"
    assert events[1]["metadata"]["causation_id"] == events[0]["event_id"]


def test_events_of_an_unknown_stream_is_not_found(cli: Cli) -> None:
    publish(cli)
    result = cli("events", "idea-000000")
    assert (result.code, result.out) == (5, "")
    assert "idea-000000" in one_line(result.err)


def test_log_pages_through_the_global_log(cli: Cli) -> None:
    for n in range(3):
        publish(cli, title=f"Idea {n}")
    everything = cli("log").lines()
    assert [e["position"] for e in everything] == [1, 2, 3, 4, 5, 6]
    page = cli("log", "--from", "3", "--limit", "2").lines()
    assert page == everything[2:4]
    assert cli("log", "--from", "6").lines() == everything[5:]
    assert cli("log", "--from", "7").out == ""


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["log", "--limit", "0"], "--limit"),
        (["log", "--limit", "-3"], "--limit"),
        (["log", "--limit", "ten"], "--limit"),
        (["log", "--from", "0"], "--from"),
        (["edit", "abc123", "--expected-version", "-1"], "--expected-version"),
        (["publish", "--title", "No description"], "--desc"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_bad_usage_exits_2_with_one_line_naming_the_problem(
    cli: Cli, argv: list[str], named: str
) -> None:
    result = cli(*argv)
    assert (result.code, result.out) == (2, "")
    assert named in one_line(result.err)


def test_ideas_lists_the_read_model_and_idea_shows_one(cli: Cli) -> None:
    first = publish(cli, title="Rain barrel", desc="Collects roof water")
    second = publish(cli, title="Bike rack", desc="By the station")
    gone = publish(cli, title="Gone soon", desc="Deleted next")
    cli("delete", gone)
    rows = cli("ideas").lines()
    assert [(r["idea_id"], r["title"], r["description"], r["status"]) for r in rows] == [
        (first, "Rain barrel", "Collects roof water", "accepted"),
        (second, "Bike rack", "By the station", "accepted"),
    ]
    one = cli("idea", second)
    assert one.code == 0
    assert one.json() == rows[1]
    assert REDACTED not in one.out


@pytest.mark.parametrize("idea_id", ["000000", "not-an-idea"])
def test_an_unknown_idea_is_not_found(cli: Cli, idea_id: str) -> None:
    publish(cli)
    for argv in (["idea", idea_id], ["delete", idea_id], ["forget", idea_id]):
        result = cli(*argv)
        assert (result.code, result.out) == (5, ""), argv
        assert idea_id in one_line(result.err)


def test_a_deleted_idea_is_not_found_in_the_read_model(cli: Cli) -> None:
    idea_id = publish(cli)
    cli("delete", idea_id)
    result = cli("idea", idea_id)
    assert result.code == 5
    assert "deleted" in one_line(result.err)


@pytest.mark.parametrize(
    ("title", "desc", "problem"),
    [
        ("", "A description", "title"),
        ("   ", "A description", "title"),
        ("Bell\x07", "A description", "control character"),
        ("A title", "Line\x00feed", "control character"),
        ("x" * 500, "A description", "at most"),
    ],
)
def test_bad_input_exits_2_naming_the_field_and_writes_nothing(
    cli: Cli, db: Path, title: str, desc: str, problem: str
) -> None:
    idea_id = publish(cli)
    before = store_rows(db)
    for argv in (
        ["publish", "--title", title, "--desc", desc],
        ["edit", idea_id, "--title", title, "--desc", desc],
    ):
        result = cli(*argv)
        assert (result.code, result.out) == (2, ""), argv
        message = one_line(result.err)
        assert problem in message
        assert ("title" if title != "A title" else "description") in message
    assert store_rows(db) == before


@pytest.mark.parametrize(
    "url", ["bogus://somewhere", "sqlite://", "sqlite:///:memory:", "postgresql://"]
)
def test_a_bad_store_url_exits_2(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cli.conftest import run_cli

    result = run_cli(capsys, "--store", url, "streams")
    assert (result.code, result.out) == (2, "")
    assert "store" in one_line(result.err)


def test_a_missing_directory_exits_2_and_creates_nothing(cli: Cli, tmp_path: Path) -> None:
    result = cli("streams", store=tmp_path / "nowhere" / "ideas.db")
    assert (result.code, result.out) == (2, "")
    assert "nowhere" in one_line(result.err)
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("kind", ["text", "other sqlite"])
def test_a_file_that_is_not_a_store_exits_2_and_stays_untouched(
    cli: Cli, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "precious.db"
    if kind == "text":
        path.write_text("my notes, not a database\n")
    else:
        import sqlite3

        con = sqlite3.connect(path)
        con.execute("CREATE TABLE recipes (name TEXT)")
        con.execute("INSERT INTO recipes VALUES ('bread')")
        con.commit()
        con.close()
    before = path.read_bytes()
    for argv in (["streams"], ["publish", "--title", "T1", "--desc", "D1"], ["export", "x"]):
        result = cli(*argv, store=path)
        assert (result.code, result.out) == (2, ""), argv
        assert "precious.db" in one_line(result.err)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious.db"]


def test_a_file_that_is_not_a_key_store_refuses_writes_and_stays_untouched(
    cli: Cli, tmp_path: Path, db: Path
) -> None:
    # Like a key store that does not go with the store: a write exits 2 naming the file;
    # reading goes on, every private value redacted, with a warning naming it.
    publish(cli)
    notes = tmp_path / "notes.txt"
    notes.write_text("not keys\n")
    before = store_rows(db)
    result = cli("--key-store", str(notes), "publish", "--title", "No", "--desc", "Keys")
    assert result.code == 2
    assert "notes.txt" in one_line(result.err)
    read = cli("--key-store", str(notes), "ideas")
    assert read.code == 0 and "warning" in read.err and "notes.txt" in read.err
    assert {row["title"] for row in read.lines()} == {REDACTED}
    assert notes.read_text() == "not keys\n"
    assert store_rows(db) == before
