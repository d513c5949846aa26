"""Ctrl-C while `es-tui --demo-events N` fills a SQLite file: whole chunks stay, each a valid
commit, and the user is told the store holds a partial history."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from es_tui.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[2]


def test_ctrl_c_mid_fill_keeps_whole_chunks_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "big.db"
    url = f"sqlite:///{db}"
    fill = subprocess.Popen(
        [sys.executable, "-m", "es_tui", "--store", url, "--demo-events", "2000000"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert fill.stderr is not None
        # Without a terminal the progress is one line a phase: the first chunk is stored.
        first = fill.stderr.readline()
        assert first.startswith("writing events"), first
        fill.send_signal(signal.SIGINT)
        rest = fill.stderr.read()
        code = fill.wait(timeout=120)
    finally:
        if fill.poll() is None:
            fill.kill()
            fill.wait()
    assert code == 130, rest
    said = re.search(r"interrupted: (\S+) holds the first ([\d,]+) of the ([\d,]+) events", rest)
    assert said is not None, rest
    assert said.group(1) == url and "partial history" in rest and "Traceback" not in rest
    kept, planned = (int(said.group(n).replace(",", "")) for n in (2, 3))
    assert 0 < kept < planned == 2_000_000

    with sqlite3.connect(db) as conn:
        (head,) = conn.execute("SELECT MAX(position) FROM events").fetchone()
        commits = conn.execute(
            "SELECT commit_end, MIN(position), MAX(position), COUNT(*) FROM events"
            " GROUP BY commit_end ORDER BY commit_end"
        ).fetchall()
        streams = conn.execute(
            "SELECT s.version, s.event_count, COUNT(e.position), MIN(e.version),"
            " MAX(e.version) FROM streams s JOIN events e USING (stream_id)"
            " GROUP BY s.stream_id"
        ).fetchall()
    assert head == kept
    # Every commit is whole: its events run without a gap up to its last position.
    end = 0
    for commit_end, low, high, count in commits:
        assert (low, high, count) == (end + 1, commit_end, commit_end - end)
        end = commit_end
    assert end == kept
    # Each stream's versions run from 1 to the version its row says, nothing missing.
    assert streams and all(
        version == count == stored == top and bottom == 1
        for version, count, stored, bottom, top in streams
    )
    # A second fill refuses the partial store instead of adding to it.
    assert cli_main(["--store", url, "--demo-events", "500"]) == 2
    assert "not empty" in capsys.readouterr().err
