"""A large, realistic ideas store, built fast: about one idea per hundred events, each with a
life — published, accepted or rejected, edited in bursts (a few ideas thousands of times),
some deleted, a few forgotten — and the snapshots the store's policy asks for.

For trying the explorer at scale (`es-tui --demo-events 1000000`). Events are encoded by the
system's own codec, so private fields are sealed like any other event's; they reach the store
in large batches (appends per burst into a memory store, one import into an empty durable
one) instead of one command at a time. Snapshots are taken through the real fold and forgets
through the real command handler.
"""

from __future__ import annotations

import math
import random
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from domain.core.aggregate import load, take_snapshot
from domain.core.records import (
    CAUSATION_ID,
    COMMAND,
    CORRELATION_ID,
    JsonObject,
    NewEvent,
    RecordedEvent,
)
from domain.ideas.codec import stream_id_of
from domain.ideas.demo import EDIT_NOTES, IDEAS
from domain.ideas.events import (
    IdeaCreationAccepted,
    IdeaCreationRejected,
    IdeaCreationRequested,
    IdeaDeleted,
    IdeaEvent,
    IdeaUpdated,
)
from domain.ideas.fields import DESCRIPTION_MAX, TITLE_MAX
from domain.ideas.handler import IdeaCommandHandler
from domain.ideas.process_manager import REJECTION_REASONS, reaction_event_id

Progress = Callable[[str, int, int], None]
"""Called as work advances: (phase, done, total); phases are "events", "snapshots" and
"forgets"."""

REJECT_SHARE = 0.08
DELETE_SHARE = 0.05
LONG_IDEAS = 3
"""Ideas given about one percent of the events each: long streams to scroll through."""
BURST_MAX = 12
"""Most edits in one burst (one append): a person reworking an idea."""
SPAN = timedelta(days=30)
"""How far back a history imported with its own times reaches."""


@dataclass(frozen=True, slots=True)
class BulkSummary:
    """What the generator made."""

    events: int
    """Events stored when it finished (a forget leaves one tombstone for a stream)."""
    ideas: int
    rejected: int
    deleted: int
    forgotten: int
    snapshots: int
    seconds: float


@dataclass(slots=True)
class _Life:
    """One idea's planned history and where its writing stands."""

    idea_id: str
    title: str
    description: str
    edits: int
    rejected: bool
    deleted: bool
    bursts: list[int] = field(default_factory=list)
    """Sizes of its edit bursts, in order."""
    version: int = 0
    correlation: str = ""
    request_id: uuid.UUID | None = None

    @property
    def stream_id(self) -> str:
        return stream_id_of(self.idea_id)


def plan(events: int, seed: int = 7) -> list[_Life]:
    """About `events // 100` ideas whose histories add up to `events` events."""
    rng = random.Random(seed)
    count = max(1, round(events / 100))
    ids: set[str] = set()
    width = 6 if count < 1 << 20 else 8
    lives: list[_Life] = []
    for n in range(count):
        idea_id = f"{rng.getrandbits(width * 4):0{width}x}"
        while idea_id in ids:
            idea_id = f"{rng.getrandbits(width * 4):0{width}x}"
        ids.add(idea_id)
        title, description = IDEAS[n % len(IDEAS)]
        rejected = count > 1 and rng.random() < REJECT_SHARE
        deleted = not rejected and rng.random() < DELETE_SHARE
        lives.append(_Life(idea_id, title, description, 0, rejected, deleted))
    base = sum(2 + life.deleted for life in lives)
    editable = [life for life in lives if not life.rejected]
    budget = max(events - base, 0)
    if editable and budget:
        weights = [rng.lognormvariate(0.0, 1.0) for _ in editable]
        total = sum(weights)
        for life in editable[:LONG_IDEAS]:  # a few long streams, ~1% of the events each
            life.edits = budget // 100 if len(editable) > 50 else 0
        rest = budget - sum(life.edits for life in editable)
        for life, weight in zip(editable, weights, strict=True):
            life.edits += math.floor(rest * weight / total)
        short = budget - sum(life.edits for life in editable)
        for i in range(short):
            editable[i % len(editable)].edits += 1
    for life in lives:
        left = life.edits
        while left:
            size = min(left, rng.randint(1, BURST_MAX))
            life.bursts.append(size)
            left -= size
    return lives


def schedule(lives: list[_Life], seed: int = 7) -> list[tuple[float, int, int]]:
    """(time in 0..1, idea index, burst number) of every commit, in commit order. Burst 0 is
    the request, 1 the process manager's decision, then the edit bursts and the delete."""
    rng = random.Random(seed + 1)
    entries: list[tuple[float, int, int]] = []
    for index, life in enumerate(lives):
        start = rng.random() * 0.9
        entries.append((start, index, 0))
        entries.append((start, index, 1))  # right after its request, as the manager reacts
        later = sorted(start + rng.random() * (1.0 - start) for _ in life.bursts)
        entries.extend((t, index, 2 + k) for k, t in enumerate(later))
        if life.deleted:
            last = later[-1] if later else start
            entries.append((last + rng.random() * (1.0 - last), index, 2 + len(life.bursts)))
    entries.sort()
    return entries


class _Writer:
    """Encodes each commit of the schedule with the system's codec."""

    def __init__(self, handler: IdeaCommandHandler, seed: int) -> None:
        self.codec = handler.codec
        self.rng = random.Random(seed + 2)

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def burst(self, life: _Life, number: int) -> list[NewEvent]:
        """The events of `life`'s burst `number`, at the versions after `life.version`."""
        if number == 0:
            life.correlation = str(self.new_id())
            event: IdeaEvent = IdeaCreationRequested(
                idea_id=life.idea_id, title=life.title, description=life.description
            )
            new = self._encode(life, event, "PublishIdea")
            life.request_id = new.event_id
            return [new]
        if number == 1:
            assert life.request_id is not None
            cause = {CAUSATION_ID: str(life.request_id)}
            reaction = reaction_event_id(life.request_id)
            if life.rejected:
                reason = REJECTION_REASONS[self.rng.randrange(len(REJECTION_REASONS))]
                rejected = IdeaCreationRejected(idea_id=life.idea_id, reason=reason)
                return [self._encode(life, rejected, "RejectIdeaCreation", cause, reaction)]
            accepted = IdeaCreationAccepted(idea_id=life.idea_id)
            return [self._encode(life, accepted, "AcceptIdeaCreation", cause, reaction)]
        if number - 2 < len(life.bursts):
            return [self._edit(life) for _ in range(life.bursts[number - 2])]
        return [self._encode(life, IdeaDeleted(idea_id=life.idea_id), "DeleteIdea")]

    def _edit(self, life: _Life) -> NewEvent:
        rev = life.version  # distinct per edit, so every edit changes something
        roll = self.rng.random()
        title = description = None
        if roll < 0.4:
            title = f"{life.title[: TITLE_MAX - 14]} (rev {rev})"
        if roll > 0.25:
            note = EDIT_NOTES[rev % len(EDIT_NOTES)]
            description = f"{life.description[: DESCRIPTION_MAX - 64]} {note} (rev {rev})"
        # The texts are a validated title or description plus a short ASCII suffix, within
        # the limits: constructing skips re-validating a million of them.
        event = IdeaUpdated.model_construct(
            idea_id=life.idea_id, title=title, description=description
        )
        return self._encode(life, event, "EditIdea")

    def _encode(
        self,
        life: _Life,
        event: IdeaEvent,
        command: str,
        extra: JsonObject | None = None,
        event_id: uuid.UUID | None = None,
    ) -> NewEvent:
        correlation = life.correlation if extra else str(self.new_id())
        metadata: JsonObject = {CORRELATION_ID: correlation, COMMAND: command, **(extra or {})}
        life.version += 1
        return self.codec.encode(
            life.stream_id,
            event,
            metadata=metadata,
            event_id=event_id or self.new_id(),
            version=life.version,
        )


def _commits(
    lives: list[_Life], writer: _Writer, seed: int
) -> Iterator[tuple[float, _Life, list[NewEvent]]]:
    for moment, index, number in schedule(lives, seed):
        life = lives[index]
        yield moment, life, writer.burst(life, number)


def generate(
    handler: IdeaCommandHandler,
    events: int,
    *,
    seed: int = 7,
    progress: Progress | None = None,
) -> BulkSummary:
    """Fill the handler's EMPTY store with about `events` events (see the module's summary).
    The caller's read model and process manager should be paused meanwhile: they catch up
    afterwards like after any long absence."""
    started = time.perf_counter()
    store = handler.store
    if store.head_position() != 0:
        raise ValueError("the store is not empty: bulk demo data goes into an empty store")
    report = progress or (lambda _phase, _done, _total: None)
    lives = plan(events, seed)
    total = sum(2 + life.edits + life.deleted for life in lives)
    writer = _Writer(handler, seed)
    every = max(total // 200, 1)
    done = 0
    if store.url.startswith("memory"):
        for _, life, batch in _commits(lives, writer, seed):
            store.append(life.stream_id, batch, life.version - len(batch))
            before, done = done, done + len(batch)
            if done // every != before // every:
                report("events", done, total)
    else:
        # One transaction for everything: a durable store would sync each append to disk.
        records: list[RecordedEvent] = []
        origin = datetime.now(UTC) - SPAN
        for moment, life, batch in _commits(lives, writer, seed):
            at = origin + SPAN * moment
            first = life.version - len(batch) + 1
            for offset, new in enumerate(batch):
                records.append(
                    RecordedEvent(
                        event_id=new.event_id,
                        stream_id=life.stream_id,
                        version=first + offset,
                        position=len(records) + 1,
                        type=new.type,
                        schema_version=new.schema_version,
                        recorded_at=at + timedelta(microseconds=offset),
                        data=new.data,
                        metadata=new.metadata,
                    )
                )
            if len(records) // every != done // every:
                report("events", len(records), total)
            done = len(records)
        report("events", done, total)
        store.import_records(records)
        del records
    report("events", total, total)
    snapshots = _take_snapshots(handler, lives, report)
    forgotten = _forget_some(handler, lives, report)
    return BulkSummary(
        events=store.head_position() - sum(life.version for life in forgotten),
        ideas=len(lives),
        rejected=sum(life.rejected for life in lives),
        deleted=sum(life.deleted for life in lives),
        forgotten=len(forgotten),
        snapshots=snapshots,
        seconds=time.perf_counter() - started,
    )


def _take_snapshots(handler: IdeaCommandHandler, lives: list[_Life], report: Progress) -> int:
    """The snapshots the policy keeps for each stream: the latest `keep` multiples of
    `every`, each loaded from the one before (snapshot + tail) and taken by the real fold."""
    store, fold = handler.store, handler.fold
    policy = store.snapshot_policy
    taken = 0
    for n, life in enumerate(lives, start=1):
        last = life.version // policy.every
        for multiple in range(max(last - policy.keep + 1, 1), last + 1):
            loaded = load(store, life.stream_id, fold, to_version=multiple * policy.every)
            take_snapshot(store, fold, loaded)
            taken += 1
        if n % 500 == 0 or n == len(lives):
            report("snapshots", n, len(lives))
    return taken


def _forget_some(handler: IdeaCommandHandler, lives: list[_Life], report: Progress) -> list[_Life]:
    """Forget a few live ideas through the command handler (key destroyed, tombstone)."""
    live = [life for life in lives if not life.rejected and not life.deleted]
    count = min(len(live) // 20, max(1, len(lives) // 2000), 5)
    chosen = random.Random(len(lives)).sample(live, count) if count else []
    for n, life in enumerate(chosen, start=1):
        handler.forget(life.idea_id)
        report("forgets", n, count)
    return chosen
