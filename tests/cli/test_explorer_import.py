"""`--import MODULE` for the explorer: taken before a subcommand only for an eventsourcing+
store; a module that cannot be imported is a usage error, before any screen opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from es_tui.cli import build_parser, main
from es_tui.exits import EXIT_USAGE
from tests.foreign.conftest import sqlite_system


def test_the_explorer_takes_import_for_a_library_store() -> None:
    args = build_parser().parse_args(
        ["--store", "eventsourcing+sqlite:///x.db", "--import", "a.b", "--import", "c"]
    )
    assert args.command is None and args.explore_imports == ["a.b", "c"]


@pytest.mark.parametrize(
    "argv",
    [
        ["--store", "memory:", "--import", "tests.foreign.bank_app"],
        ["--store", "sqlite:///x.db", "--import", "tests.foreign.bank_app"],
        ["--store", "eventsourcing+sqlite:///x.db", "--import", "m", "streams"],
    ],
)
def test_import_is_refused_where_it_would_be_ignored(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == EXIT_USAGE
    assert "--import" in capsys.readouterr().err


def test_a_module_that_cannot_be_imported_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    written = sqlite_system(tmp_path, "plain")
    code = main(["--store", written.bank_url, "--import", "no_such_module_here"])
    assert code == EXIT_USAGE
    assert "no_such_module_here" in capsys.readouterr().err
