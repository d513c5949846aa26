"""Every global option means the same on every front end (the explorer, a reading
subcommand, a writing subcommand, serve): either it is honoured (its effect is tested here)
or it is refused with exit 2 and one line naming the option, never silently ignored."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from domain.bootstrap import System
from domain.core.records import SnapshotPolicy
from es_tui.cli import EXIT_USAGE, _open_explorer_system, build_parser
from es_tui.http.server import _bootstrap
from tests.cli.conftest import Cli, run_cli

FRONT_ENDS = {
    "explorer": (),
    "reading subcommand": ("streams",),
    "writing subcommand": ("publish", "--title", "T", "--desc", "D"),
    "serve": ("serve", "--port", "0"),
}

REFUSED: list[tuple[tuple[str, ...], str, str]] = [
    (("--demo-events", "10"), "reading subcommand", "--demo-events"),
    (("--demo-events", "10"), "writing subcommand", "--demo-events"),
    (("--demo-events", "10"), "serve", "--demo-events"),
    (("--http", "0"), "reading subcommand", "--http"),
    (("--http", "0"), "writing subcommand", "--http"),
    (("--http", "0"), "serve", "--http"),
    (("--pm-delay", "0.5"), "reading subcommand", "--pm-delay"),
    (("--pm-delay", "0.5"), "writing subcommand", "--pm-delay"),
    (("--demo", "--demo-events", "10"), "explorer", "--demo-events"),
]


@pytest.mark.parametrize(("options", "front", "named"), REFUSED)
def test_an_option_a_front_end_cannot_honour_is_refused(
    capsys: pytest.CaptureFixture[str], db: Path, options: tuple[str, ...], front: str, named: str
) -> None:
    result = run_cli(capsys, "--store", f"sqlite:///{db}", *options, *FRONT_ENDS[front])
    assert result.code == EXIT_USAGE, result
    assert named in result.err and result.err.count("\n") == 1, result.err
    assert not db.exists()  # refused before anything was opened


@pytest.mark.parametrize("front", sorted(FRONT_ENDS))
def test_a_key_store_for_a_memory_store_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, front: str
) -> None:
    keys = tmp_path / "memory.keys"
    result = run_cli(capsys, "--store", "memory:", "--key-store", str(keys), *FRONT_ENDS[front])
    assert result.code == EXIT_USAGE and "--key-store" in result.err, result
    assert not keys.exists()


def parsed(db: Path, *argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["--store", f"sqlite:///{db}", *argv])


POLICY = SnapshotPolicy(10, 3)


def test_key_store_is_honoured_by_every_front_end(cli: Cli, db: Path, tmp_path: Path) -> None:
    keys = tmp_path / "elsewhere.keys"
    published = cli("--key-store", str(keys), "publish", "--title", "Kept", "--desc", "apart")
    assert published.code == 0, published
    assert keys.exists() and not db.with_name(db.name + ".keys").exists()
    listed = cli("--key-store", str(keys), "ideas")
    assert (listed.code, listed.err) == (0, "")
    assert [r["title"] for r in listed.lines()] == ["Kept"]

    opened: list[System] = [
        _bootstrap(parsed(db, "--key-store", str(keys), "serve"), POLICY),
        _open_explorer_system(parsed(db, "--key-store", str(keys)), POLICY, False),
    ]
    try:
        for system in opened:
            assert system.warnings == []
            assert getattr(system.keys, "path", None) == keys
            assert [r.title for r in system.view.list()] == ["Kept"]
    finally:
        for system in opened:
            system.close()
    assert not db.with_name(db.name + ".keys").exists()


def test_pm_delay_and_no_react_are_honoured_by_serve_and_the_explorer(db: Path) -> None:
    opened = [
        _bootstrap(parsed(db, "--pm-delay", "0.5", "serve"), POLICY),
        _open_explorer_system(parsed(db, "--pm-delay", "0.5"), POLICY, False),
    ]
    quiet = [
        _bootstrap(parsed(db, "--no-react", "serve"), POLICY),
        _open_explorer_system(parsed(db, "--no-react"), POLICY, False),
    ]
    try:
        assert [s.process_manager.delay for s in opened] == [0.5, 0.5]
        assert [s.process_manager._thread is None for s in quiet] == [True, True]
        assert [s.process_manager._thread is not None for s in opened] == [True, True]
    finally:
        for system in opened + quiet:
            system.close()


def test_subcommands_honour_react_probability_and_snapshots(cli: Cli) -> None:
    kept = cli("--no-react", "publish", "--title", "Waits", "--desc", "for a decision")
    assert kept.json()["status"] == "requested"
    refused = cli("--accept-probability", "0", "publish", "--title", "No", "--desc", "thanks")
    idea = refused.json()["idea_id"]
    assert cli("idea", idea).json()["status"] == "rejected"
    accepted = cli("publish", "--title", "Yes", "--desc", "please").json()["idea_id"]
    edited = [
        cli("--snapshot-every", "3", "edit", accepted, "--title", f"Yes {n}").json()
        for n in range(2)
    ]
    assert [e["snapshot_taken"] for e in edited] == [3, None]


def test_demo_is_honoured_by_a_reading_subcommand(cli: Cli) -> None:
    streams = cli("--demo", "streams")
    assert streams.code == 0 and len(streams.lines()) > 5


@pytest.mark.parametrize("domain", ["ideas", "accounts"])
def test_demo_on_a_store_that_holds_events_says_it_seeded_nothing(cli: Cli, domain: str) -> None:
    first = cli("--domain", domain, "--demo", "streams")
    assert first.code == 0 and "not seeded" not in first.err, first.err
    again = cli("--domain", domain, "--demo", "streams")
    assert again.code == 0
    assert again.lines() == first.lines()  # nothing seeded twice
    assert "demo was not seeded" in again.err and "already holds" in again.err, again.err
