"""A damaged store file: given a store with a few hundred ideas whose file was damaged one
way (a 4 KiB page overwritten with random bytes at several places, the file truncated, its
header zeroed), then every write is refused with exit 6 and one line naming the file, and
every reading command gives what it can or one clear line with exit 6: never a traceback,
never exit 1 (which means "residue found")."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.bootstrap import bootstrap
from es_tui.cli import EXIT_DAMAGED, EXIT_OK
from tests.cli.conftest import Cli

PAGE = 4096


def grow(db: Path, ideas: int = 300) -> list[str]:
    """A store with `ideas` accepted ideas, closed and checkpointed into the main file."""
    system = bootstrap(f"sqlite:///{db}", accept_probability=1.0)
    ids = [
        system.ideas.publish(f"Idea number {n}", f"A description long enough {n} " * 4).idea_id
        for n in range(ideas)
    ]
    system.close()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return ids


def overwrite_page(at: float) -> Callable[[Path], None]:
    def damage(db: Path) -> None:
        pages = db.stat().st_size // PAGE
        page = max(2, min(pages - 1, int(pages * at)))
        with db.open("r+b") as handle:
            handle.seek(page * PAGE)
            handle.write(random.Random(page).randbytes(PAGE))

    return damage


def truncate(db: Path) -> None:
    os.truncate(db, (db.stat().st_size // PAGE // 2) * PAGE)


def zero_header(db: Path) -> None:
    with db.open("r+b") as handle:
        handle.write(bytes(100))


DAMAGES: dict[str, Callable[[Path], None]] = {
    "page overwritten near the start": overwrite_page(0.1),
    "page overwritten mid-file": overwrite_page(0.5),
    "page overwritten near the end": overwrite_page(0.9),
    "file truncated to half": truncate,
    "header zeroed": zero_header,
}


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """One grown store (and its keys) that each test copies before damaging its copy."""
    db = tmp_path_factory.mktemp("sound") / "ideas.db"
    return db, grow(db)


@pytest.fixture(params=sorted(DAMAGES))
def damaged(request: pytest.FixtureRequest, db: Path, sound: tuple[Path, list[str]]) -> list[str]:
    template, ids = sound
    for suffix in ("", ".keys"):
        shutil.copy(template.with_name(template.name + suffix), db.with_name(db.name + suffix))
    DAMAGES[request.param](db)
    return ids


def test_writes_are_refused_with_their_own_exit_code(
    cli: Cli, db: Path, damaged: list[str]
) -> None:
    before = db.read_bytes()
    for argv in (
        ("publish", "--title", "Into a damaged file?", "--desc", "No"),
        ("edit", damaged[0], "--title", "Changed"),
        ("delete", damaged[1]),
        ("forget", damaged[2]),
    ):
        result = cli(*argv)
        assert result.code == EXIT_DAMAGED, (argv, result)
        assert "damaged" in result.err and str(db) in result.err, result.err
        assert "Traceback" not in result.err
    assert db.read_bytes() == before  # nothing written into it


def test_reads_give_what_they_can_or_a_clear_error(
    cli: Cli, db: Path, damaged: list[str], tmp_path: Path
) -> None:
    for argv in (
        ("streams",),
        ("log",),
        ("ideas",),
        ("idea", damaged[-1]),
        ("events", f"idea-{damaged[0]}"),
        ("export", str(tmp_path / "out.jsonl")),
    ):
        result = cli(*argv)
        assert result.code in (EXIT_OK, EXIT_DAMAGED), (argv, result)
        assert "Traceback" not in result.err
        lines = result.err.splitlines()
        assert len(lines) <= 2 and all(line.startswith("es-tui: ") for line in lines), lines
        if result.code == EXIT_DAMAGED:  # the damage said: what was skipped, or why none read
            assert "damaged" in lines[-1], lines
            assert result.out or "warning" not in lines[-1], lines  # a skip gave the rest
        else:
            assert result.out, argv  # something readable was given


def test_a_sound_store_is_not_reported_damaged(cli: Cli, db: Path) -> None:
    ids = grow(db, ideas=20)
    assert cli("streams").code == EXIT_OK
    assert cli("edit", ids[0], "--title", "Still fine").code == EXIT_OK


def test_serve_refuses_to_start_on_a_damaged_store(cli: Cli, damaged: list[str]) -> None:
    result = cli("serve", "--port", "0")
    assert result.code == EXIT_DAMAGED, result
    assert "damaged" in result.err and "Traceback" not in result.err
