"""Every shell command block of README.md runs as pasted.

Blocks are found generically (```sh, ```bash, ```console), so a block added later is covered
without touching this file. Each block runs line by line in a fresh temporary directory, so its
relative SQLite paths (`sqlite:///ideas.db`) land there. Every `es-tui` subcommand runs for real
as a separate process and must exit 0. What cannot run unattended is listed in `SKIPPED` with
its reason; a command no rule covers fails the test, so nothing is passed over silently.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
PYTHON = re.compile(r"^```python\s*\n(.*?)^```", re.MULTILINE | re.DOTALL)
FENCE = re.compile(r"^```(sh|bash|console)\s*\n(.*?)^```", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^#+ (.+)$", re.MULTILINE)
# A 6-hex idea id as the README writes it (e.g. `3f2a9c`, or inside `idea-3f2a9c`).
IDEA_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{6}(?![0-9a-f])")
# An eventsourcing application's aggregate id as the README writes it (any UUID).
AGGREGATE_ID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
LIBRARY_DB = "eventsourcing+sqlite:///bank.db"


@dataclass(frozen=True)
class Block:
    """One shell block: the section it sits in and its command lines (comments dropped)."""

    section: str
    index: int
    commands: tuple[list[str], ...]


def command_lines(body: str, console: bool) -> list[list[str]]:
    """The block's commands as argv lists; a console block's commands are its `$ ` lines."""
    commands = []
    for raw in body.splitlines():
        line = raw.strip()
        if console:
            if not line.startswith("$ "):
                continue  # output shown in the block
            line = line[2:]
        argv = shlex.split(line, comments=True)
        if argv:
            commands.append(argv)
    return commands


def readme_blocks() -> list[Block]:
    """Every shell block of README.md, in order."""
    text = README.read_text(encoding="utf-8")
    blocks = []
    for index, match in enumerate(FENCE.finditer(text)):
        headings = HEADING.findall(text, 0, match.start())
        section = headings[-1] if headings else "top"
        commands = command_lines(match.group(2), console=match.group(1) == "console")
        blocks.append(Block(section, index, tuple(commands)))
    return blocks


def readme_domain() -> str:
    """The domain file the README's "Your own domain" section shows (its Python block)."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Your own domain") :]
    match = PYTHON.search(section)
    assert match is not None, "no Python block in the README's own-domain section"
    return match.group(1)


ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", re.DOTALL)


def assignments(argv: list[str]) -> dict[str, str]:
    """The leading `NAME=value` words of a command: the environment the shell gives it."""
    out: dict[str, str] = {}
    for word in argv:
        found = ASSIGNMENT.fullmatch(word)
        if found is None:
            break
        out[found.group(1)] = found.group(2)
    return out


def program(argv: list[str]) -> tuple[str, list[str]]:
    """The program a command runs, past any leading `NAME=value` assignments, and its args."""
    words = argv[len(assignments(argv)) :]
    return (words[0], words[1:]) if words else ("", [])


def es_tui_subcommand(args: list[str]) -> str | None:
    """The subcommand of an `es-tui` command line, or None when it opens the explorer."""
    with_value = {
        "--store", "--seed", "--snapshot-every", "--keep-snapshots", "--accept-probability",
        "--pm-delay", "--key-store", "--http", "--demo-events", "--domain",
    }  # fmt: skip
    words = iter(args)
    for word in words:
        if word in with_value:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def skip_reason(argv: list[str]) -> str | None:
    """Why a command is not run here, or None when it must run."""
    name, args = program(argv)
    line = " ".join(argv)
    if name == "make":
        return "make targets run the whole suite, the benchmarks or the full-screen explorer"
    if name == "curl":
        return "needs a running HTTP server; the routes are tested in tests/http"
    if name.endswith("python") and args and args[0].startswith("benchmarks/"):
        return "a benchmark takes minutes; `make bench` runs them"
    if name == "es-tui":
        if "postgresql://" in line:
            return "needs a PostgreSQL server; tests/store runs against one when given"
        subcommand = es_tui_subcommand(args)
        if subcommand is None:
            return "opens the full-screen explorer; tests/ui drives it headless"
        if subcommand == "serve":
            return "serves until stopped; tests/http/test_serve.py starts and stops it"
    return None


@dataclass
class Session:
    """Runs one block's `es-tui` commands in a directory, remembering the ideas they made."""

    cwd: Path
    published: list[str] = field(default_factory=list)
    account: str | None = None
    """The aggregate an `eventsourcing` application stored in `bank.db`, once written."""

    def substitute(self, args: list[str]) -> list[str]:
        """The README's placeholder ids become real ones: an idea id (`3f2a9c`) the one the
        block published last, a UUID the account the library's application stored."""
        if self.account is not None:
            args = [AGGREGATE_ID.sub(self.account, arg) for arg in args]
        if not self.published:
            return args
        return [IDEA_ID.sub(self.published[-1], arg) for arg in args]

    def write_library_store(self) -> None:
        """`bank.db` as an application of the `eventsourcing` library writes it (the test
        application of tests/foreign), so the README's commands on it have something to read."""
        if self.account is not None:
            return
        from tests.foreign.bank_app import Bank, run_system, sqlite_env

        env = sqlite_env(str(self.cwd / "bank.db"), str(self.cwd / "audit.db"))
        runner = run_system(env)
        try:
            bank = runner.get(Bank)
            account = bank.open_account("README", datetime.now(UTC), Decimal("10"))
            bank.deposit(account, Decimal("5"), uuid.uuid4())
            self.account = str(account)
        finally:
            runner.stop()

    def run(
        self, args: list[str], env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run `es-tui args` as its own process, `env` added to its environment (as a line's
        leading `NAME=value` words are). The process manager accepts every new idea, so the
        README's `--expected-version 2` (created, then accepted) always holds."""
        argv = [sys.executable, "-m", "es_tui", "--accept-probability", "1"]
        if any("mydomain.py" in arg for arg in args):  # the README's own domain, as shown
            (self.cwd / "mydomain.py").write_text(readme_domain(), encoding="utf-8")
        done = subprocess.run(
            [*argv, *self.substitute(args)],
            cwd=self.cwd,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode == 0 and es_tui_subcommand(args) == "publish":
            self.published.append(json.loads(done.stdout)["idea_id"])
        elif done.returncode == 0 and es_tui_subcommand(args) == "send" and "--list" not in args:
            outcome = json.loads(done.stdout) if done.stdout.startswith("{") else {}
            if "aggregate_id" in outcome:  # (a command's --help prints text)
                self.published.append(outcome["aggregate_id"])
        return done


BLOCKS = readme_blocks()


def test_readme_has_shell_blocks_with_es_tui_commands() -> None:
    """The discovery itself works: the README's Scripting block is among the blocks found."""
    runnable = [
        argv
        for block in BLOCKS
        for argv in block.commands
        if program(argv)[0] == "es-tui" and skip_reason(argv) is None
    ]
    assert len(runnable) >= 8, runnable


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: f"{b.index}-{b.section}")
def test_readme_block_runs_as_pasted(block: Block, tmp_path: Path) -> None:
    """Each command of the block either runs and exits 0, or has a stated reason not to run."""
    session = Session(tmp_path)
    for argv in block.commands:
        if skip_reason(argv) is not None:
            continue
        name, args = program(argv)
        assert name == "es-tui", f"no rule runs or skips this README command: {shlex.join(argv)}"
        if any(LIBRARY_DB in arg for arg in args):
            session.write_library_store()
        done = session.run(args, assignments(argv))
        assert done.returncode == 0, (shlex.join(argv), done.returncode, done.stderr)


def test_a_leading_assignment_is_given_to_the_command_as_its_environment(tmp_path: Path) -> None:
    """`NAME=value es-tui ...` as pasted into a shell: the command sees NAME; the rest of the
    line (an `=` inside an argument included) is the program and its arguments."""
    argv = shlex.split("ES_TUI_README_A=1 ES_TUI_README_B='x = y' es-tui --store a=b streams")
    assert assignments(argv) == {"ES_TUI_README_A": "1", "ES_TUI_README_B": "x = y"}
    assert program(argv) == ("es-tui", ["--store", "a=b", "streams"])
    assert assignments(["es-tui", "A=1"]) == {}
    # what the shell would give: here, Python told to trace its imports on stderr
    line = shlex.split("PYTHONVERBOSE=1 es-tui --store memory: streams")
    done = Session(tmp_path).run(program(line)[1], assignments(line))
    assert done.returncode == 0, done.stderr
    assert "import 'es_tui'" in done.stderr
    quiet = Session(tmp_path).run(program(line)[1])
    assert "import 'es_tui'" not in quiet.stderr


ANY_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
SHELL_LINE = re.compile(r"^\s*(\$ |es-tui\b|make\b|\.venv/|curl\b|python\b|pip\b).*$", re.MULTILINE)


def test_every_command_block_of_the_readme_is_one_the_runner_reads() -> None:
    """A command written in a block of another language (or of none) would escape the runner
    above: every fenced block holding a shell command is a sh, bash or console block."""
    text = README.read_text(encoding="utf-8")
    hidden = [
        (language or "(no language)", line.group(0).strip())
        for language, body in ANY_FENCE.findall(text)
        if language.strip() not in ("sh", "bash", "console")
        for line in SHELL_LINE.finditer(body)
    ]
    assert hidden == [], hidden
