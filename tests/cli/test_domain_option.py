"""`--domain SPEC` on every front end: the explorer, each subcommand and `serve`."""

from __future__ import annotations

import json

import pytest

from domain.bootstrap import RAW_MODE
from domain.core.records import SnapshotPolicy
from es_tui.cli import EXIT_OK, EXIT_USAGE, build_parser, main, open_system


@pytest.mark.parametrize(
    "argv",
    [
        ["--domain", "no_such_domain", "streams"],
        ["streams", "--domain", "./no/such/file.py"],
        ["--domain", "no_such_domain"],  # the explorer: refused before it opens
        ["serve", "--port", "0", "--domain", "no_such_domain"],
    ],
)
def test_a_domain_that_cannot_be_loaded_exits_2_with_its_reason(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "cannot load domain" in err and "Traceback" not in err


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_subcommand_runs_on_the_domain_named(
    where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    option = ["--domain", "accounts"]
    argv = [*option, "streams"] if where == "before" else ["streams", *option]
    assert main(argv) == EXIT_OK
    streams = [json.loads(line)["stream_id"] for line in capsys.readouterr().out.splitlines()]
    assert streams and all(s.startswith(("account-", "transfer-")) for s in streams)


def test_none_opens_raw_mode_with_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--domain", "none", "streams"]) == EXIT_OK
    assert RAW_MODE in capsys.readouterr().err


def test_an_ideas_command_on_another_domain_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--domain", "accounts", "publish", "--title", "T", "--desc", "D"]) == EXIT_USAGE
    assert "needs the ideas domain" in capsys.readouterr().err


def test_the_explorer_opens_the_accounts_demo() -> None:
    args = build_parser().parse_args(["--domain", "accounts"])
    system = open_system(args, SnapshotPolicy(10, 3), threaded=True)
    try:
        assert system.domain.name == "accounts" and system.seeded is not None
        assert set(system.views) == {"balances", "ledger"}
    finally:
        system.close()
