"""The traffic generator: random commands at a chosen rate from a background thread, so a
person can watch snapshots being taken, the read model's lag rise and fall, and concurrent
edits conflict.

Mostly edits (many on a few "hot" ideas, as real use concentrates), some publishes and
deletes, now and then a conflicting pair of edits (two writers staged at the same version,
the second refused), rarely a forget.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.bootstrap import ideas_handler, ideas_view
from domain.ideas.codec import idea_id_of
from domain.ideas.demo import EDIT_NOTES, IDEAS
from domain.ideas.errors import IdeaError
from domain.ideas.handler import CommandOutcome
from domain.store.errors import ConcurrencyError
from domain.store.records import StreamStatus

if TYPE_CHECKING:
    from domain.bootstrap import System

RATES = (1, 2, 5, 10, 20, 50, 100, 200)
"""Commands per second to choose from (`+` and `-` step through them)."""
DEFAULT_RATE = 20
WINDOW = 2.0
"""Seconds over which the live rates are averaged."""
REPORT_EVERY = 0.5
HOT = 12
"""Ideas that get half of the edits (so their streams grow and take snapshots)."""
MIX = (("edit", 0.75), ("publish", 0.12), ("conflict", 0.05), ("delete", 0.07), ("forget", 0.01))


@dataclass(frozen=True, slots=True)
class TrafficReport:
    """Where the generator stands, for the status line."""

    running: bool
    rate: int
    """The chosen rate, in commands per second."""
    commands: float
    commits: float
    conflicts: float
    refused: float
    snapshots: float
    """Per second, over the last few seconds."""
    total: int
    total_conflicts: int
    lag: int
    """The read model's lag when this was taken."""


@dataclass(frozen=True, slots=True)
class Ran:
    """One command the generator ran, worth a line in the log."""

    command: str
    subject: str
    result: CommandOutcome | Exception


class Traffic:
    """Runs random commands against a system until stopped."""

    def __init__(self, system: System, *, seed: int | None = None) -> None:
        self.system = system
        self.rng = random.Random(seed)
        self.rate = DEFAULT_RATE
        self._lock = threading.Lock()
        self._events: deque[tuple[float, str]] = deque()
        self._ideas: list[str] = []
        self._known: set[str] = set()
        self.total = 0
        self.total_conflicts = 0
        self.commits = 0
        """Commands committed since the generator was made (conflicts and refusals excluded)."""

    # -- rate ------------------------------------------------------------------------------

    def faster(self) -> int:
        self.rate = next((r for r in RATES if r > self.rate), RATES[-1])
        return self.rate

    def slower(self) -> int:
        self.rate = next((r for r in reversed(RATES) if r < self.rate), RATES[0])
        return self.rate

    # -- running ---------------------------------------------------------------------------

    def run(
        self,
        stopped: Callable[[], bool],
        report: Callable[[TrafficReport], None],
        ran: Callable[[Ran], None],
    ) -> None:
        """Run commands until `stopped()`; `report` every half second, `ran` for each command
        worth logging (conflicts, refusals, snapshots, forgets). Call from a worker thread."""
        self._load_ideas()
        due = time.monotonic()
        reported = due
        while not stopped():
            now = time.monotonic()
            if due > now:
                time.sleep(min(due - now, REPORT_EVERY))
                continue
            due = max(due + 1.0 / self.rate, now - 1.0)  # behind by a second: don't burst
            for line in self.step():
                ran(line)
            if now - reported >= REPORT_EVERY:
                reported = now
                report(self.report(running=True))
        report(self.report(running=False))

    def _load_ideas(self) -> None:
        for info in self.system.store.list_streams():
            idea_id = idea_id_of(info.stream_id)
            if idea_id and info.status is StreamStatus.ACTIVE:
                self._add(idea_id)

    def _add(self, idea_id: str) -> None:
        if idea_id not in self._known:
            self._known.add(idea_id)
            self._ideas.append(idea_id)

    def _drop(self, idea_id: str) -> None:
        if idea_id in self._known:
            self._known.discard(idea_id)
            self._ideas.remove(idea_id)

    def _pick(self) -> str | None:
        if not self._ideas:
            return None
        if self.rng.random() < 0.5:  # the hot ones: the newest few
            return self.rng.choice(self._ideas[-HOT:])
        return self.rng.choice(self._ideas)

    def step(self) -> list[Ran]:
        """Run one random command; what is worth logging about it."""
        roll = self.rng.random()
        kind = "edit"
        for name, share in MIX:
            if roll < share:
                kind = name
                break
            roll -= share
        idea_id = self._pick()
        if kind == "publish" or idea_id is None:
            return self._run("PublishIdea", "", self._publish)
        if kind == "conflict":
            return self._conflict(idea_id)
        if kind == "delete":
            self._drop(idea_id)
            return self._run(
                "DeleteIdea", idea_id, lambda: ideas_handler(self.system).delete(idea_id)
            )
        if kind == "forget":
            self._drop(idea_id)
            return self._run(
                "ForgetIdea", idea_id, lambda: ideas_handler(self.system).forget(idea_id)
            )
        return self._run("EditIdea", idea_id, lambda: self._edit(idea_id))

    def _publish(self) -> CommandOutcome:
        title, description = self.rng.choice(IDEAS)
        outcome = ideas_handler(self.system).publish(title, description)
        self._add(outcome.idea_id)
        return outcome

    def _edit(self, idea_id: str) -> CommandOutcome:
        note = f"{self.rng.choice(EDIT_NOTES)} (traffic {self.total})"
        if self.rng.random() < 0.3:
            return ideas_handler(self.system).edit(
                idea_id, title=f"{self.rng.choice(IDEAS)[0]} · {note}"[:120]
            )
        return ideas_handler(self.system).edit(idea_id, description=note)

    def _conflict(self, idea_id: str) -> list[Ran]:
        """Two writers load the idea at the same version; the second commit is refused."""
        ideas = ideas_handler(self.system)
        try:
            first = ideas.stage(idea_id)
            second = ideas.stage(idea_id)
        except IdeaError as error:
            return [Ran("EditIdea", idea_id, error)]
        lines = self._run(
            "EditIdea", idea_id, lambda: ideas.commit_edit(first, title=f"Writer A {self.total}")
        )
        lines += self._run(
            "EditIdea",
            idea_id,
            lambda: ideas.commit_edit(second, description=f"Writer B {self.total}"),
        )
        return lines

    def _run(self, command: str, idea_id: str, call: Callable[[], CommandOutcome]) -> list[Ran]:
        subject = f"idea-{idea_id}" if idea_id else ""
        try:
            outcome = call()
        except ConcurrencyError as error:
            self._count("conflict")
            self.total_conflicts += 1
            return [Ran(command, subject, error)]
        except IdeaError as error:  # e.g. an idea deleted or rejected meanwhile
            self._count("refused")
            if idea_id:
                self._drop(idea_id)
            return [Ran(command, subject, error)]
        self._count("commit")
        if outcome.snapshot is not None:
            self._count("snapshot")
        if outcome.snapshot is not None or command == "ForgetIdea":
            return [Ran(command, outcome.stream_id, outcome)]
        return []

    def _count(self, kind: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._events.append((now, kind))
            if kind != "snapshot":
                self.total += 1
            if kind == "commit":
                self.commits += 1
            while self._events and self._events[0][0] < now - WINDOW:
                self._events.popleft()

    def report(self, *, running: bool) -> TrafficReport:
        """The live rates now."""
        now = time.monotonic()
        with self._lock:
            recent = [kind for at, kind in self._events if at >= now - WINDOW]
        per = {k: recent.count(k) / WINDOW for k in ("commit", "conflict", "refused", "snapshot")}
        try:
            lag = ideas_view(self.system).lag()
        except Exception:  # a closing store: the next report will say
            lag = 0
        return TrafficReport(
            running=running,
            rate=self.rate,
            commands=per["commit"] + per["conflict"] + per["refused"],
            commits=per["commit"],
            conflicts=per["conflict"],
            refused=per["refused"],
            snapshots=per["snapshot"],
            total=self.total,
            total_conflicts=self.total_conflicts,
            lag=lag,
        )
