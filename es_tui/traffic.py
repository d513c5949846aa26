"""The traffic generator: random commands at a chosen rate from a background thread, so a
person can watch snapshots being taken, the read model's lag rise and fall, and concurrent
edits conflict.

Any domain's generator draws from the Domain port's traffic profile (`DomainTraffic`); a
domain's own explorer part may bring a generator of its own instead (`TrafficPart`).
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pydantic import BaseModel

from domain.core.errors import ConcurrencyError, EventStoreError
from domain.core.handler import DomainHandler, Outcome
from domain.core.port import TrafficProfile
from domain.core.records import StreamStatus
from es_tui.fronts import running_part

if TYPE_CHECKING:
    from domain.bootstrap import System

RATES = (1, 2, 5, 10, 20, 50, 100, 200)
"""Commands per second to choose from (`+` and `-` step through them)."""
DEFAULT_RATE = 20
WINDOW = 2.0
"""Seconds over which the live rates are averaged."""
REPORT_EVERY = 0.5


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
    result: Outcome[Any] | Exception


class Traffic:
    """Runs random commands against a system until stopped: the rate, the loop and the
    live figures. What a step sends is the subclass's (`step`, `_load_known`, `_lag`)."""

    def __init__(self, system: System, *, seed: int | None = None) -> None:
        self.system = system
        self.rng = random.Random(seed)
        self.rate = DEFAULT_RATE
        self._lock = threading.Lock()
        self._events: deque[tuple[float, str]] = deque()
        self._aggregates: list[str] = []
        """The aggregates the commands may address, in order of creation."""
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
        """Learn the domain's live aggregates already in the store."""
        domain = self.system.domain
        if domain is None:
            return
        for info in self.system.store.list_streams():
            aggregate_id = domain.aggregate_id(info.stream_id)
            if aggregate_id and info.status is StreamStatus.ACTIVE:
                self._add(aggregate_id)

    def _add(self, aggregate_id: str) -> None:
        if aggregate_id not in self._known:
            self._known.add(aggregate_id)
            self._aggregates.append(aggregate_id)

    def _drop(self, aggregate_id: str) -> None:
        if aggregate_id in self._known:
            self._known.discard(aggregate_id)
            self._aggregates.remove(aggregate_id)

    def step(self) -> list[Ran]:
        """Run one random command; what is worth logging about it (this generator has no
        commands to send: a domain's own generator says which)."""
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
        """The read model's lag now (none here)."""
        return 0

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

    def _lag(self) -> int:
        return max((view.lag() for view in self.system.views.values()), default=0)

    def step(self) -> list[Ran]:
        command = self.profile.draw(self.rng, self._aggregates)
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


@runtime_checkable
class TrafficPart(Protocol):
    """What the traffic bar needs of a domain's own explorer part: its own generator."""

    def traffic(self, system: System, seed: int | None) -> Traffic | None:
        """A generator for `system` (None: the Domain port's profile drives it)."""
        ...


def make_traffic(system: System, *, seed: int | None = None) -> Traffic:
    """The generator for the running domain: its own explorer part's, or one from the
    domain's traffic profile (NoTrafficError when it has none)."""
    part = running_part(system, "explorer")
    if isinstance(part, TrafficPart):
        own = part.traffic(system, seed)
        if own is not None:
            return own
    return DomainTraffic(system, seed=seed)
