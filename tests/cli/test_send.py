"""`es-tui send`, end to end: real `es-tui` processes on an SQLite store, for the ideas and
accounts domains and a domain of the user's own loaded by file path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from es_tui.exits import (
    EXIT_CONFLICT,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
)

BANK = Path(__file__).resolve().parents[1] / "domains" / "bank_account.py"


@dataclass(frozen=True)
class Run:
    """One `es-tui` process: its exit code and both streams."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        assert self.out.count("\n") == 1, (self.out, self.err)
        return json.loads(self.out)


def es_tui(*argv: str, cwd: Path | None = None) -> Run:
    """`python -m es_tui ARGV` in a process of its own."""
    done = subprocess.run(
        [sys.executable, "-m", "es_tui", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def store(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'send.db'}"


def test_ideas_publish_edit_conflict_and_refusal(store: str) -> None:
    # Every new idea accepted: an idea the process manager rejected could not be edited.
    store_and_manager = ("--store", store, "--accept-probability", "1")
    published = es_tui(
        *store_and_manager, "send", "PublishIdea", "--title", "Tea", "--description", "Green"
    )
    assert published.code == EXIT_OK, published.err
    outcome = published.json()
    idea_id = outcome["aggregate_id"]
    assert outcome["stream_id"] == f"idea-{idea_id}"
    assert [e["type"] for e in outcome["events"]] == ["IdeaCreationRequested"]
    assert outcome["events"][0]["data"]["title"] == "Tea"

    events = es_tui(*store_and_manager, "events", f"idea-{idea_id}")
    version = len(events.out.splitlines())  # the process manager may have decided already

    edited = es_tui(
        *store_and_manager, "send", "EditIdea", idea_id, "--title", "Black tea",
        "--expected-version", str(version),
    )  # fmt: skip
    assert edited.code == EXIT_OK, edited.err
    assert edited.json()["version"] == version + 1
    assert edited.json()["state"]["title"] == "Black tea"

    stale = es_tui(
        *store_and_manager, "send", "EditIdea", idea_id, "--title", "Oolong",
        "--expected-version", str(version),
    )  # fmt: skip
    assert stale.code == EXIT_CONFLICT, stale.err
    assert f"idea-{idea_id}" in stale.err and stale.out == ""

    assert es_tui(*store_and_manager, "send", "DeleteIdea", idea_id).code == EXIT_OK
    refused = es_tui(*store_and_manager, "send", "EditIdea", idea_id, "--title", "Again")
    assert refused.code == EXIT_REFUSED, refused.err
    missing = es_tui(*store_and_manager, "send", "EditIdea", "abcdef", "--title", "X")
    assert missing.code == EXIT_NOT_FOUND, missing.err


def test_accounts_decimal_amounts_stay_exact_and_a_withdrawal_beyond_the_funds_is_refused(
    store: str,
) -> None:
    opened = es_tui(
        "--store", store, "send", "--domain", "accounts", "OpenAccount", "--holder", "Ann"
    )
    assert opened.code == EXIT_OK, opened.err
    account = opened.json()["aggregate_id"]

    for amount in ("0.10", "0.20"):
        deposit = es_tui(
            "--store", store, "send", "--domain", "accounts", "Deposit", account,
            "--amount", amount,
        )  # fmt: skip
        assert deposit.code == EXIT_OK, deposit.err
        assert deposit.json()["events"][0]["data"]["amount"] == amount
    assert deposit.json()["state"]["balance"] == "0.30"  # not 0.30000000000000004

    body = json.dumps({"account_id": account, "amount": "0.05"})
    withdrawn = es_tui("--store", store, "send", "--domain", "accounts", "Withdraw", "--json", body)
    assert withdrawn.code == EXIT_OK, withdrawn.err
    assert withdrawn.json()["state"]["balance"] == "0.25"

    refused = es_tui(
        "--store", store, "send", "--domain", "accounts", "Withdraw", account, "--amount", "1.00"
    )
    assert refused.code == EXIT_REFUSED
    assert "insufficient funds" in refused.err and refused.out == ""
    unknown = es_tui(
        "--store", store, "send", "--domain", "accounts", "Deposit", "nobody", "--amount", "1"
    )
    assert unknown.code == EXIT_NOT_FOUND, unknown.err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["Deposit", "x", "--amount", "abc"], "amount"),
        (["Deposit", "x", "--amount", "0"], "amount"),
        (["Deposit", "x", "--amount", "1", "--colour", "red"], "--colour"),
        (["Deposit", "x", "--amount", "1", "--amount", "2"], "given twice"),
        (["Deposit", "x", "--amount"], "a value is required"),
        (["OpenAccount", "x", "--holder", "Ann"], "takes no AGGREGATE_ID"),
        (["OpenAccount", "--holder", ""], "holder"),
        (["Nope"], "has no command Nope"),
        (["Deposit", "--json", "[1]"], "JSON object"),
        (["Deposit", "--json", '{"amount": NaN}'], "NaN"),
        (["Deposit", "--json", "@/no/such/file.json"], "cannot read"),
        (["Deposit", "x", "--amount", "1", "--expected-version", "-1"], "--expected-version"),
        ([], "COMMAND is required"),
    ],
)
def test_bad_input_exits_2_saying_which_field_and_why(
    store: str, tmp_path: Path, argv: list[str], says: str
) -> None:
    result = es_tui("--store", store, "send", "--domain", "accounts", *argv)

    assert result.code == EXIT_USAGE, result
    assert says in result.err and result.err.count("\n") == 1, result.err
    assert result.out == ""


def test_json_from_a_file(store: str, tmp_path: Path) -> None:
    body = tmp_path / "open.json"
    body.write_text(json.dumps({"holder": "Bo", "currency": "USD"}), encoding="utf-8")

    opened = es_tui(
        "--store", store, "send", "--domain", "accounts", "OpenAccount", "--json", f"@{body}"
    )

    assert opened.code == EXIT_OK, opened.err
    assert opened.json()["state"]["currency"] == "USD"


def test_list_and_help_describe_the_commands_from_their_models() -> None:
    listed = es_tui("send", "--domain", "accounts", "--list")
    assert listed.code == EXIT_OK, listed.err
    commands = {line["command"]: line for line in map(json.loads, listed.out.splitlines())}
    assert "DebitForTransfer" not in commands  # internal: issued by the saga only
    assert commands["Deposit"]["aggregate_field"] == "account_id"
    assert commands["OpenAccount"]["creates"] is True

    helped = es_tui("send", "--domain", "accounts", "Deposit", "--help")
    assert helped.code == EXIT_OK, helped.err
    assert "--amount VALUE" in helped.out and "decimal" in helped.out and "> 0" in helped.out
    ideas = es_tui("send", "EditIdea", "--help")
    assert "1–120 characters" in ideas.out and "IDEA_ID" in ideas.out


def test_a_domain_of_ones_own_loaded_by_file_path(store: str, tmp_path: Path) -> None:
    own = ("--store", store, "send", "--domain", str(BANK))
    opened = es_tui(*own, "OpenAccount", "--holder", "Cy", "--overdraft-limit", "10")
    assert opened.code == EXIT_OK, opened.err
    account = opened.json()["aggregate_id"]
    assert opened.json()["domain"] == "bank"

    deposited = es_tui(*own, "Deposit", account, "--amount", "0.10")
    assert deposited.json()["state"]["balance"] == "0.10"
    refused = es_tui(*own, "Withdraw", account, "--amount", "20.00")
    assert refused.code == EXIT_REFUSED and "exceeds the available funds" in refused.err
    closed = es_tui(*own, "CloseAccount", account)
    assert closed.code == EXIT_REFUSED and "not zero" in closed.err

    relative = es_tui(
        "--store", store, "send", "--domain", "./bank_account.py", "Deposit", account,
        "--amount", "1", cwd=BANK.parent,
    )  # fmt: skip
    assert relative.code == EXIT_OK, relative.err
    assert relative.json()["state"]["balance"] == "1.10"
