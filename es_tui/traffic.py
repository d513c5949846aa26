"""The traffic generator: random commands at a chosen rate from a background thread, so a
person can watch snapshots being taken, the read model's lag rise and fall, and concurrent
edits conflict.

On ideas:
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
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from domain.bootstrap import ideas_handler, ideas_view
from domain.core.errors import ConcurrencyError, EventStoreError
from domain.core.handler import DomainHandler, Outcome
from domain.core.port import TrafficProfile
from domain.core.records import StreamStatus
from domain.ideas.codec import idea_id_of
from domain.ideas.demo import EDIT_NOTES, IDEAS
from domain.ideas.errors import IdeaError
from domain.ideas.handler import CommandOutcome

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
        self._load_known()
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

    def _load_known(self) -> None:
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

    def _lag(self) -> int:
        return ideas_view(self.system).lag()

    def report(self, *, running: bool) -> TrafficReport:
        """The live rates now."""
        now = time.monotonic()
        with self._lock:
            recent = [kind for at, kind in self._events if at >= now - WINDOW]
        per = {k: recent.count(k) / WINDOW for k in ("commit", "conflict", "refused", "snapshot")}
        try:
            lag = self._lag()
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


CONFLICT_SHARE = 0.06
"""On other domains: the share of steps where two writers race on one aggregate."""


class DomainTraffic(Traffic):
    """Any domain's traffic: its `TrafficProfile`'s commands through `system.handler`, and
    now and then two writers deciding on the same loaded version (the second is refused).
    The domain's own process managers contend with it too (a saga's steps on hot accounts)."""

    def __init__(self, system: System, *, seed: int | None = None) -> None:
        super().__init__(system, seed=seed)
        if system.handler is None or system.domain is None or system.domain.traffic is None:
            raise NoTrafficError(system.domain.name if system.domain else None)
        self.handler: DomainHandler[Any] = system.handler
        self.profile: TrafficProfile = system.domain.traffic

    def _load_known(self) -> None:
        domain = self.handler.domain
        for info in self.system.store.list_streams():
            aggregate_id = domain.aggregate_id(info.stream_id)
            if aggregate_id and info.status is StreamStatus.ACTIVE:
                self._add(aggregate_id)

    def _lag(self) -> int:
        return max((view.lag() for view in self.system.views.values()), default=0)

    def step(self) -> list[Ran]:
        command = self.profile.draw(self.rng, self._ideas)
        if command is None:
            return []
        spec = self.handler.domain.command(command)
        if spec.target is not None and self.rng.random() < CONFLICT_SHARE:
            return self._race(command, spec.target(command))
        return self._send(command, lambda: self.handler.execute(command))

    def _race(self, command: BaseModel, aggregate_id: str) -> list[Ran]:
        """Writers A and B load the aggregate at the same version and both decide `command`:
        A's append passes, B's is refused by the version (or both by a rule)."""
        try:
            first = self.handler.load(aggregate_id)
            second = self.handler.load(aggregate_id)
        except EventStoreError as error:
            return [Ran(type(command).__name__, self._subject(command), error)]
        lines = self._send(
            command, lambda: self.handler.decide_and_append(first, command, first.version)
        )
        return lines + self._send(
            command, lambda: self.handler.decide_and_append(second, command, second.version)
        )

    def _subject(self, command: BaseModel) -> str:
        spec = self.handler.domain.command(command)
        if spec.target is None:
            return ""
        return self.handler.domain.stream_id(spec.target(command))

    def _send(self, command: BaseModel, call: Callable[[], Outcome[Any]]) -> list[Ran]:
        name = type(command).__name__
        try:
            outcome = call()
        except ConcurrencyError as error:
            self._count("conflict")
            self.total_conflicts += 1
            return [Ran(name, self._subject(command), error)]
        except self.handler.domain.errors as error:  # a rule: funds, a closed account…
            self._count("refused")
            return [Ran(name, self._subject(command), error)]
        self._count("commit")
        if self.handler.domain.command(command).creates:
            self._add(outcome.aggregate_id)
        if outcome.snapshot is not None:
            self._count("snapshot")
        return []


class NoTrafficError(LookupError):
    """The running domain has no traffic profile (or no domain runs: raw mode)."""

    def __init__(self, domain: str | None) -> None:
        self.domain = domain
        super().__init__(
            f"domain {domain} has no traffic profile" if domain else "raw mode has no domain"
        )


def make_traffic(system: System, *, seed: int | None = None) -> Traffic:
    """The generator for the running domain: the ideas one, or the domain's own profile."""
    if system.ideas is not None:
        return Traffic(system, seed=seed)
    return DomainTraffic(system, seed=seed)
