"""Fixtures for the scripting CLI: a temp SQLite store and a way to run `es-tui` on it in this
process, capturing what a script would see (exit code, stdout JSON, stderr)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from es_tui.cli import main


@dataclass(frozen=True)
class Result:
    """What one `es-tui` run left: its exit code and both streams."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """The single JSON object a command prints (on exactly one line)."""
        assert self.out.count("\n") == 1, self.out
        return json.loads(self.out)

    def lines(self) -> list[Any]:
        """The JSON lines a listing prints."""
        return [json.loads(line) for line in self.out.splitlines()]


Cli = Callable[..., Result]


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Result:
    """Run `es-tui argv...` in this process."""
    capsys.readouterr()  # drop anything printed before
    code = main(list(argv))
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Where the store file goes (created by the first command)."""
    return tmp_path / "ideas.db"


@pytest.fixture
def cli(db: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    """`cli("publish", "--title", ...)` runs a subcommand on the temp store; the process
    manager accepts every new idea, so ideas are at v2 ("accepted") after publishing."""

    def run(*argv: str, store: Path | None = None) -> Result:
        url = f"sqlite:///{store or db}"
        return run_cli(capsys, "--store", url, "--accept-probability", "1", *argv)

    return run


def publish(cli: Cli, title: str = "Solar kettle", desc: str = "Boils water by sunlight") -> str:
    """Publish an idea through the CLI; its id."""
    result = cli("publish", "--title", title, "--desc", desc)
    assert result.code == 0, result.err
    idea_id: str = result.json()["idea_id"]
    return idea_id


def store_rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the store's tables, read with sqlite3 directly (not through the app)."""
    con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        con.close()


def one_line(err: str) -> str:
    """The stderr of a failed command: exactly one line, prefixed with the program name."""
    assert err.count("\n") == 1 and err.endswith("\n"), repr(err)
    assert err.startswith("es-tui"), err
    return err.strip()
