"""`es-tui --store eventsourcing+...` on a database the library wrote: the read commands and
export work and print decoded events; the commands of the ideas domain are refused."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import pytest

from domain.backends import open_store
from domain.backends.eventsourcing.codec import SEALED
from domain.core.transfer import export_events, record_from_dict
from tests.cli.conftest import Result, run_cli
from tests.foreign.conftest import Written, written_system


@pytest.fixture(params=["plain", "both"])
def system(
    request: pytest.FixtureRequest, backend_name: str, tmp_path_factory: pytest.TempPathFactory
) -> Written:
    return written_system(backend_name, str(request.param), tmp_path_factory)


def es(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> Result:
    return run_cli(capsys, "--store", url, *argv)


@pytest.mark.usefixtures("keyed")
def test_streams_events_and_log(system: Written, capsys: pytest.CaptureFixture[str]) -> None:
    streams = es(capsys, system.bank_url, "streams")
    assert streams.code == 0, streams.err
    rows = streams.lines()
    assert [r["stream_id"] for r in rows] == [
        *(str(a) for a in system.accounts),
        str(system.customers[0]),
    ]
    account = str(system.accounts[1])
    events = es(capsys, system.bank_url, "events", account)
    assert events.code == 0, events.err
    lines = events.lines()
    assert [e["version"] for e in lines] == list(range(1, len(lines) + 1))
    assert lines[0]["type"] == "BankAccount.Opened"
    assert lines[0]["data"]["limit"] == str(system.limit)
    assert [e["data"]["reference"] for e in lines[1:]] == [
        str(uuid.UUID(int=1000 + k)) for k in range(len(lines) - 1)
    ]
    assert rows[1]["version"] == len(lines)
    log = es(capsys, system.bank_url, "log", "--from", "3", "--limit", "2")
    assert [e["position"] for e in log.lines()] == [3, 4]
    missing = es(capsys, system.bank_url, "events", str(uuid.uuid4()))
    assert missing.code == 5 and "does not exist" in missing.err


@pytest.mark.usefixtures("keyed")
def test_export_writes_the_decoded_log_and_round_trips(
    system: Written, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "bank.jsonl"
    result = es(capsys, system.bank_url, "export", str(out))
    assert result.code == 0, result.err
    assert result.json()["exported"] == len(system.notifications)
    lines = out.read_text(encoding="utf-8").splitlines()
    records = [record_from_dict(json.loads(line)) for line in lines]
    source = open_store(system.bank_url)
    try:
        assert records == source.read_all()
    finally:
        source.close()
    assert records[0].data["owner"] == "ann"
    # the records load into an es-tui store as they are, and export from it identically
    target = open_store(f"sqlite:///{tmp_path / 'copy.db'}")
    try:
        target.import_records(records)
        again = io.StringIO()
        export_events(target, again)
    finally:
        target.close()
    assert again.getvalue().splitlines() == lines


@pytest.mark.usefixtures("keyed")
def test_cli_import_refuses_event_types_no_domain_knows(
    system: Written, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "bank.jsonl"
    assert es(capsys, system.bank_url, "export", str(out)).code == 0
    target = tmp_path / "ideas.db"
    refused = es(capsys, f"sqlite:///{target}", "import", str(out))
    assert refused.code == 2
    assert "BankAccount.Opened" in refused.err
    assert not target.exists()


@pytest.mark.usefixtures("keyless")
def test_export_without_the_key_keeps_encrypted_events_sealed(
    capsys: pytest.CaptureFixture[str],
    backend_name: str,
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
) -> None:
    system = written_system(backend_name, "encrypted", tmp_path_factory)
    out = tmp_path / "sealed.jsonl"
    assert es(capsys, system.bank_url, "export", str(out)).code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(system.notifications)
    assert all(r["data"] == {"sealed": SEALED} for r in rows)
    assert "ann" not in out.read_text(encoding="utf-8")


@pytest.mark.usefixtures("keyed")
@pytest.mark.parametrize(
    "argv",
    [
        ("publish", "--title", "t", "--desc", "d"),
        ("edit", "x", "--title", "t"),
        ("delete", "x"),
        ("forget", "x"),
        ("verify-erasure", "x"),
        ("ideas",),
        ("idea", "x"),
        ("import", "nothing.jsonl"),
    ],
)
def test_the_ideas_commands_are_refused(
    system: Written, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    before = es(capsys, system.bank_url, "log").out
    refused = es(capsys, system.bank_url, *argv)
    assert refused.code == 2
    assert refused.out == ""
    assert f"{argv[0]} is not available" in refused.err and "read-only" in refused.err
    assert es(capsys, system.bank_url, "log").out == before


def test_a_store_url_that_cannot_be_opened(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    other = tmp_path / "ideas.db"
    assert es(capsys, f"sqlite:///{other}", "streams").code == 0  # an es-tui store
    cases = {
        f"eventsourcing+sqlite:///{tmp_path / 'none.db'}": "no such database file",
        f"eventsourcing+sqlite:///{other}": "no table 'stored_events'",
        f"eventsourcing+sqlite:///{other}?colour=red": "unknown parameter(s): colour",
        f"eventsourcing+sqlite://host/{other}": "eventsourcing+sqlite:///relative",
    }
    for url, reason in cases.items():
        result = es(capsys, url, "streams")
        assert result.code == 2
        assert reason in result.err, result.err
