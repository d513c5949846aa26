"""The real `python -m es_tui` entry point, as a script in another terminal runs it: JSON on
stdout, the documented exit code, and exactly one line on stderr when something is wrong."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def es_tui(db: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "es_tui", "--store", f"sqlite:///{db}", *argv],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_script_publishes_edits_and_reads_back(tmp_path: Path) -> None:
    db = tmp_path / "ideas.db"
    published = es_tui(
        db, "--accept-probability", "1", "publish", "--title", "Tidy", "--desc", "Up"
    )
    assert (published.returncode, published.stderr) == (0, "")
    idea_id = json.loads(published.stdout)["idea_id"]

    edited = es_tui(db, "edit", idea_id, "--title", "Tidier", "--expected-version", "2")
    assert (edited.returncode, edited.stderr) == (0, "")
    assert json.loads(edited.stdout)["version"] == 3

    listed = es_tui(db, "ideas")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["idea_id"], r["title"], r["description"]) for r in rows] == [
        (idea_id, "Tidier", "Up")
    ]


def test_failures_exit_with_their_code_and_one_line_on_stderr(tmp_path: Path) -> None:
    db = tmp_path / "ideas.db"
    published = es_tui(db, "--accept-probability", "1", "publish", "--title", "A", "--desc", "B")
    idea_id = json.loads(published.stdout)["idea_id"]
    for argv, code, named in (
        (["edit", idea_id, "--title", "C", "--expected-version", "1"], 3, "expected version 1"),
        (["idea", "000000"], 5, "000000"),
        (["publish", "--title", "", "--desc", "B"], 2, "title"),
        (["log", "--limit", "0"], 2, "--limit"),
    ):
        done = es_tui(db, *argv)
        assert (done.returncode, done.stdout) == (code, ""), argv
        assert done.stderr.count("\n") == 1 and named in done.stderr, done.stderr
    assert es_tui(db, "delete", idea_id).returncode == 0
    refused = es_tui(db, "edit", idea_id, "--title", "C")
    assert (refused.returncode, refused.stderr.count("\n")) == (4, 1)
