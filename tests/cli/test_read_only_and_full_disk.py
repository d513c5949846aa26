"""A full disk and a read-only file system: given a store (with its keys) on a small tmpfs,
when the disk is full, then reading commands and an export to another disk work and a write
is refused with exit 7 and one line saying the disk is full (nothing written); when the file
system is remounted read-only, reading and export work and writes are refused with exit 7.

The tests mount a tmpfs (they run as root in CI, where permissions alone would not stop
root); where mounting is not permitted they skip with the reason."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from domain.bootstrap import bootstrap
from es_tui.cli import EXIT_NO_SPACE, EXIT_OK
from es_tui.http.app import create_api
from tests.cli.conftest import Cli


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False)


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs mounted for this test, unmounted afterwards."""
    where = tmp_path / "mnt"
    where.mkdir()
    mounted = _run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(where))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip() or 'not permitted'}")
    try:
        yield where
    finally:
        if _run("umount", str(where)).returncode != 0:
            _run("umount", "-l", str(where))


def grow(db: Path, ideas: int = 20) -> list[str]:
    system = bootstrap(f"sqlite:///{db}", accept_probability=1.0)
    ids = [system.ideas.publish(f"Idea {n}", f"Description {n}").idea_id for n in range(ideas)]
    system.close()
    return ids


def fill(disk: Path) -> None:
    """Write a file until the disk has no room left."""
    chunk = b"\0" * 4096
    with (disk / "filler").open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(chunk)
        except OSError:
            pass


def reads_work(cli: Cli, db: Path, ids: list[str], out: Path) -> None:
    for argv in (
        ("streams",),
        ("ideas",),
        ("log",),
        ("idea", ids[0]),
        ("events", f"idea-{ids[1]}"),
        ("verify",),
    ):
        result = cli(*argv, store=db)
        assert (result.code, result.err) == (EXIT_OK, ""), (argv, result)
    ideas = cli("ideas", store=db).lines()
    assert {r["title"] for r in ideas} == {f"Idea {n}" for n in range(len(ids))}  # keys read
    exported = cli("export", str(out), store=db)
    assert exported.code == EXIT_OK, exported
    assert len(out.read_text().splitlines()) == exported.json()["exported"] > len(ids)


def writes_are_refused(cli: Cli, db: Path, ids: list[str], words: str) -> None:
    before = cli("log", store=db).lines()
    for argv in (
        ("publish", "--title", "No room", "--desc", "for this"),
        ("edit", ids[0], "--title", "Changed"),
        ("forget", ids[1]),
    ):
        result = cli(*argv, store=db)
        assert result.code == EXIT_NO_SPACE, (argv, result)
        assert words in result.err and "Traceback" not in result.err, result.err
    assert cli("log", store=db).lines() == before  # nothing was written


def test_a_full_disk_still_reads_and_exports_and_refuses_writes(
    cli: Cli, mount: Path, tmp_path: Path
) -> None:
    db = mount / "ideas.db"
    ids = grow(db)
    fill(mount)
    reads_work(cli, db, ids, tmp_path / "export.jsonl")
    writes_are_refused(cli, db, ids, "no space left")
    (mount / "filler").unlink()
    assert cli("publish", "--title", "Room again", "--desc", "yes", store=db).code == EXIT_OK


def test_a_read_only_file_system_still_reads_and_exports_and_refuses_writes(
    cli: Cli, mount: Path, tmp_path: Path
) -> None:
    db = mount / "ideas.db"
    ids = grow(db)
    remounted = _run("mount", "-o", "remount,ro", str(mount))
    if remounted.returncode != 0:
        pytest.skip(f"cannot remount read-only: {remounted.stderr.strip()}")
    reads_work(cli, db, ids, tmp_path / "export.jsonl")
    writes_are_refused(cli, db, ids, "read-only")


async def test_the_http_api_answers_507_on_a_full_disk(mount: Path) -> None:
    db = mount / "ideas.db"
    grow(db, ideas=3)
    system = bootstrap(f"sqlite:///{db}", accept_probability=1.0)
    try:
        transport = httpx.ASGITransport(create_api(system))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            fill(mount)
            body = {"title": "No room", "description": "x" * 1900}
            response = await client.post("/ideas", json=body)
            assert response.status_code == 507, response.text
            assert "no space left" in response.json()["message"]
            assert (await client.get("/streams")).status_code == 200
    finally:
        system.close()
