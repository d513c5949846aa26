"""The seam between the generic CLI and a domain's own CLI part: the ideas verbs come from the
registry's ideas part; a domain without a part (accounts) runs the generic subcommands only,
and is refused a verb or a hook it lacks with a clear usage error."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from domain.core.shredding.cipher import SEALED
from es_tui.cli import EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE, build_parser, is_reading
from es_tui.cli_parts import CliPart, FillsDemoEvents, ImportsEvents, cli_part, cli_parts
from es_tui.fronts import front_part
from tests.cli.conftest import Cli, one_line, publish, run_cli

IDEAS_VERBS = ("publish", "edit", "delete", "ideas", "idea")
VERB_ARGV = {
    "publish": ("publish", "--title", "T", "--desc", "D"),
    "edit": ("edit", "abc", "--title", "T"),
    "delete": ("delete", "abc"),
    "ideas": ("ideas",),
    "idea": ("idea", "abc"),
}


def test_the_ideas_verbs_come_from_the_registrys_ideas_part() -> None:
    part = front_part("ideas", "cli")
    assert isinstance(part, CliPart) and cli_parts() == {"ideas": part}
    assert tuple(v.name for v in part.verbs) == IDEAS_VERBS
    assert isinstance(part, FillsDemoEvents) and isinstance(part, ImportsEvents)
    # The parser lists them and reads their own arguments; they say whether they read.
    shown = build_parser().format_help()
    assert all(f"\n    {name} " in shown for name in IDEAS_VERBS)
    args = build_parser().parse_args(["edit", "x1", "--expected-version", "2"])
    assert (args.command, args.idea_id, args.expected_version) == ("edit", "x1", 2)
    assert [is_reading(name) for name in IDEAS_VERBS] == [False, False, False, True, True]
    assert is_reading("streams") and not is_reading("forget")


@pytest.mark.parametrize("name", ["accounts", None, "no_such_domain"])
def test_a_domain_without_a_part_has_no_cli_part(name: str | None) -> None:
    assert front_part(name, "cli") is None
    assert cli_part(name) is None


@pytest.mark.parametrize("verb", IDEAS_VERBS)
@pytest.mark.parametrize("domain", ["accounts", "none"])
def test_an_ideas_verb_on_another_domain_exits_2_naming_the_domain_it_needs(
    verb: str, domain: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "--domain", domain, *VERB_ARGV[verb])
    assert (result.code, result.out) == (EXIT_USAGE, "")
    last = result.err.splitlines()[-1]
    running = "the accounts domain" if domain == "accounts" else "raw mode (no domain)"
    assert last == f"es-tui: {verb} needs the ideas domain; this system runs {running}"


def test_an_ideas_verb_on_an_accounts_store_writes_nothing(cli: Cli, db: Path) -> None:
    assert cli("--domain", "accounts", "--demo", "streams").code == EXIT_OK
    before = cli("--domain", "accounts", "log").lines()
    refused = cli("--domain", "accounts", "publish", "--title", "T", "--desc", "D")
    assert refused.code == EXIT_USAGE and "needs the ideas domain" in one_line(refused.err)
    # Opened with the default domain the store is raw mode (types ideas does not know).
    refused = cli("publish", "--title", "T", "--desc", "D")
    assert refused.code == EXIT_USAGE and "needs the ideas domain" in refused.err
    assert cli("--domain", "accounts", "log").lines() == before


@pytest.mark.parametrize("domain", ["accounts", "none"])
def test_demo_events_on_a_domain_without_a_generator_is_a_usage_error(
    domain: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "new.db"
    result = run_cli(capsys, "--store", f"sqlite:///{db}", "--domain", domain, "--demo-events", "9")
    assert result.code == EXIT_USAGE
    assert "has no generator of demo events (those that do: ideas)" in one_line(result.err)
    assert not db.exists()  # refused before the store was created


def test_demo_events_on_a_store_the_domain_opens_in_raw_mode_is_a_usage_error(
    cli: Cli, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("--domain", "accounts", "--demo", "streams").code == EXIT_OK
    before = cli("--domain", "accounts", "log").out
    # The default domain (ideas) has a generator, but this store holds accounts' events.
    result = run_cli(capsys, "--store", f"sqlite:///{db}", "--demo-events", "9")
    assert result.code == EXIT_USAGE
    assert result.err.splitlines()[-1] == (
        "es-tui: --demo-events: raw mode (no domain) has no generator of demo events "
        "(those that do: ideas)"
    )
    assert cli("--domain", "accounts", "log").out == before


def _open_account(cli: Cli, holder: str) -> str:
    opened = cli("--domain", "accounts", "send", "OpenAccount", "--holder", holder)
    assert opened.code == EXIT_OK, opened.err
    account: str = opened.json()["aggregate_id"]
    return account


def test_forget_on_a_domain_without_a_part_prints_the_generic_outcome(cli: Cli) -> None:
    account = _open_account(cli, "Ann Example")
    forgotten = cli("--domain", "accounts", "forget", account)
    assert forgotten.code == EXIT_OK, forgotten.err
    out = forgotten.json()
    assert (out["domain"], out["aggregate_id"], out["stream_id"]) == (
        "accounts",
        account,
        f"account-{account}",
    )
    assert out["state"]["holder"] is None and out["erasure"]["clean"] is True
    check = cli("--domain", "accounts", "verify-erasure", account, "--text", "Ann Example")
    assert check.code == EXIT_OK and check.json()["clean"] is True


@pytest.mark.parametrize("command", ["forget", "verify-erasure"])
def test_an_unknown_aggregate_of_a_domain_without_a_part_is_not_found(
    cli: Cli, command: str
) -> None:
    _open_account(cli, "Bo")
    missing = cli("--domain", "accounts", command, "nosuch")
    assert missing.code == EXIT_NOT_FOUND and "nosuch" in one_line(missing.err)


def _sealed_rows(db: Path) -> list[str]:
    con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [r[0] for r in con.execute("SELECT data FROM events ORDER BY position")]
    finally:
        con.close()


def test_import_on_a_domain_without_a_part_reads_with_its_codec(
    cli: Cli, db: Path, tmp_path: Path
) -> None:
    account = _open_account(cli, "Cy Example")
    export = tmp_path / "accounts.jsonl"
    assert cli("--domain", "accounts", "export", str(export)).code == EXIT_OK
    copy = tmp_path / "copy.db"
    keys = f"{db}.keys"
    imported = cli("--domain", "accounts", "--key-store", keys, "import", str(export), store=copy)
    assert imported.code == EXIT_OK, imported.err
    assert imported.json()["imported"] == len(export.read_text().splitlines())
    shown = cli("--domain", "accounts", "--key-store", keys, "events", f"account-{account}")
    assert shown.lines()[0]["data"]["holder"] == "Cy Example"


def test_import_seals_a_private_field_found_in_clear_on_a_domain_without_a_part(
    cli: Cli, tmp_path: Path
) -> None:
    account = _open_account(cli, "Dee Example")
    opened = cli("--domain", "accounts", "events", f"account-{account}").lines()
    # An export edited by hand: the holder in clear, as `events` shows it.
    export = tmp_path / "clear.jsonl"
    export.write_text("".join(json.dumps(line) + "\n" for line in opened), encoding="utf-8")
    assert "Dee Example" in export.read_text()
    copy = tmp_path / "copy.db"
    imported = cli("--domain", "accounts", "import", str(export), store=copy)
    assert imported.code == EXIT_OK, imported.err
    assert imported.json()["sealed"] == 1
    assert not any("Dee Example" in row for row in _sealed_rows(copy))
    assert any(SEALED in row for row in _sealed_rows(copy))
    shown = cli("--domain", "accounts", "events", f"account-{account}", store=copy)
    assert shown.lines()[0]["data"]["holder"] == "Dee Example"


def test_an_import_file_of_another_domain_is_refused_before_the_store_is_created(
    cli: Cli, tmp_path: Path
) -> None:
    publish(cli)
    export = tmp_path / "ideas.jsonl"
    assert cli("export", str(export)).code == EXIT_OK
    copy = tmp_path / "copy.db"
    refused = cli("--domain", "accounts", "import", str(export), store=copy)
    assert refused.code == EXIT_USAGE and "unknown event type" in one_line(refused.err)
    assert not copy.exists()
