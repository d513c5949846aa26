"""A large, realistic ideas store, built fast: about one idea per hundred events, each with a
life — published, accepted or rejected, edited in bursts (a few ideas thousands of times),
some deleted, a few forgotten — and the snapshots the store's policy asks for.

For trying the explorer at scale (`es-tui --demo-events 1000000`). Events are encoded by the
system's own codec, so private fields are sealed like any other event's. The history is made
as it is written, a chunk at a time, so memory stays the same for any length: a memory store
gets one append per burst; a durable one (`import_more`) one commit per chunk, with the times
the history spans. Snapshots are taken through the real fold after each chunk (a stream's
last `keep` multiples of `every`, and on a long stream one now and then, so no load reads far),
and forgets go through the real command handler.
"""

from __future__ import annotations

import heapq
import math
import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from domain.core.aggregate import LATEST, load
from domain.core.records import (
    CAUSATION_ID,
    COMMAND,
    CORRELATION_ID,
    JsonObject,
    NewEvent,
    RecordedEvent,
    Snapshot,
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
"""Called as work advances: (phase, done, total); phases are "events" (done: events
committed) and "forgets"."""

REJECT_SHARE = 0.08
DELETE_SHARE = 0.05
LONG_IDEAS = 3
"""Ideas given about one percent of the events each: long streams to scroll through."""
BURST_MAX = 12
"""Most edits in one burst (one append): a person reworking an idea."""
MEAN_BURST = (1 + BURST_MAX) / 2
SPAN = timedelta(days=30)
"""How far back a history imported with its own times reaches."""
CHUNK = 50_000
"""Events written (and committed, on a durable store) at a time."""
STEP = 2_000
"""On a long stream, a snapshot at least this often: a later snapshot loads from it."""

# Steps of an idea's life in the schedule.
REQUEST, DECISION, EDITS, DELETE = range(4)


@runtime_checkable
class ContinuesImports(Protocol):
    """A store that loads records continuing what it holds, in one commit (SQLite,
    PostgreSQL)."""

    def import_more(self, records: Sequence[RecordedEvent]) -> None:
        """Load `records`, which continue the log and its streams, all or nothing."""


@runtime_checkable
class SavesSnapshots(Protocol):
    """A store that saves several snapshots in one commit (SQLite, PostgreSQL)."""

    def save_snapshots(self, snapshots: Sequence[Snapshot]) -> None:
        """`save_snapshot` for each, in order, all or none."""


class FillInterrupted(KeyboardInterrupt):
    """Generating stopped (Ctrl-C) after whole chunks: `committed` of `planned` events are
    stored, a valid but partial history (all of them: stopped while forgetting a few)."""

    def __init__(self, committed: int, planned: int) -> None:
        super().__init__(f"interrupted after {committed:,} of {planned:,} events")
        self.committed = committed
        self.planned = planned


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
    left: int = 0
    """Edits not written yet."""
    version: int = 0
    snapped: int = 0
    """Version of its newest snapshot (0: none)."""
    correlation: str = ""
    request_id: uuid.UUID | None = None

    @property
    def stream_id(self) -> str:
        return stream_id_of(self.idea_id)

    @property
    def final(self) -> int:
        """Its version once all of its life is written."""
        return 2 + self.edits + self.deleted


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
    del ids
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
        life.left = life.edits
    return lives


class _Writer:
    """Walks the lives' commits in time order (a heap holding each idea's next commit) and
    encodes each with the system's codec."""

    def __init__(self, handler: IdeaCommandHandler, lives: list[_Life], seed: int) -> None:
        self.codec = handler.codec
        self.lives = lives
        self.rng = random.Random(seed + 2)
        timing = random.Random(seed + 1)
        self.timing = timing
        # Requests start within the first 90% of the span, as the rest of a life follows.
        self.heap = [(timing.random() * 0.9, index, REQUEST) for index in range(len(lives))]
        heapq.heapify(self.heap)

    def next_commit(self) -> tuple[float, _Life, list[NewEvent]] | None:
        """The next commit in time order: (moment in 0..1, its idea, its events)."""
        if not self.heap:
            return None
        moment, index, step = heapq.heappop(self.heap)
        life = self.lives[index]
        batch = self.burst(life, step)
        after = self._after(life, step, moment)
        if after is not None:
            heapq.heappush(self.heap, (after[0], index, after[1]))
        return moment, life, batch

    def _after(self, life: _Life, step: int, moment: float) -> tuple[float, int] | None:
        """When and which step of `life` comes after `step` at `moment` (None: no more)."""
        if step == REQUEST:
            return moment, DECISION  # right after its request, as the manager reacts
        if life.left:
            # The first of the bursts still to come, each spread evenly over what is left
            # of the span: the least of that many uniform times.
            coming = max(1.0, math.ceil(life.left / MEAN_BURST))
            share = 1.0 - self.timing.random() ** (1.0 / coming)
            return moment + (1.0 - moment) * share, EDITS
        if life.deleted and step != DELETE:
            return moment + (1.0 - moment) * self.timing.random(), DELETE
        return None

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def burst(self, life: _Life, step: int) -> list[NewEvent]:
        """The events of `life`'s `step`, at the versions after `life.version`."""
        if step == REQUEST:
            life.correlation = str(self.new_id())
            event: IdeaEvent = IdeaCreationRequested(
                idea_id=life.idea_id, title=life.title, description=life.description
            )
            new = self._encode(life, event, "PublishIdea")
            life.request_id = new.event_id
            return [new]
        if step == DECISION:
            assert life.request_id is not None
            cause = {CAUSATION_ID: str(life.request_id)}
            reaction = reaction_event_id(life.request_id)
            if life.rejected:
                reason = REJECTION_REASONS[self.rng.randrange(len(REJECTION_REASONS))]
                rejected = IdeaCreationRejected(idea_id=life.idea_id, reason=reason)
                return [self._encode(life, rejected, "RejectIdeaCreation", cause, reaction)]
            accepted = IdeaCreationAccepted(idea_id=life.idea_id)
            return [self._encode(life, accepted, "AcceptIdeaCreation", cause, reaction)]
        if step == EDITS:
            size = min(life.left, self.rng.randint(1, BURST_MAX))
            life.left -= size
            return [self._edit(life) for _ in range(size)]
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


def generate(
    handler: IdeaCommandHandler,
    events: int,
    *,
    seed: int = 7,
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> BulkSummary:
    """Fill the handler's EMPTY store with about `events` events (see the module's summary),
    `chunk` at a time. The caller's read model and process manager should be paused
    meanwhile: they catch up afterwards like after any long absence. Ctrl-C raises
    FillInterrupted: the store holds the whole chunks written so far and their snapshots."""
    started = time.perf_counter()
    store = handler.store
    if store.head_position() != 0:
        raise ValueError("the store is not empty: bulk demo data goes into an empty store")
    report = progress or (lambda _phase, _done, _total: None)
    lives = plan(events, seed)
    total = sum(life.final for life in lives)
    writer = _Writer(handler, lives, seed)
    stored = snapshots = 0
    try:
        while written := _write_chunk(handler, writer, stored, max(chunk, 1)):
            touched, count = written
            stored += count
            snapshots += _take_snapshots(handler, touched)
            report("events", stored, total)
        forgotten = _forget_some(handler, lives, report)
    except KeyboardInterrupt:
        raise FillInterrupted(min(store.head_position(), total), total) from None
    return BulkSummary(
        events=store.head_position() - sum(life.version for life in forgotten),
        ideas=len(lives),
        rejected=sum(life.rejected for life in lives),
        deleted=sum(life.deleted for life in lives),
        forgotten=len(forgotten),
        snapshots=snapshots,
        seconds=time.perf_counter() - started,
    )


def _write_chunk(
    handler: IdeaCommandHandler, writer: _Writer, head: int, chunk: int
) -> tuple[list[_Life], int] | None:
    """Write the next commits, about `chunk` events (whole bursts), after position `head`:
    one commit on a store that continues imports, one append per burst on another. Returns
    the lives written to and the count (None: nothing was left)."""
    store = handler.store
    durable = isinstance(store, ContinuesImports)
    records: list[RecordedEvent] = []
    touched: dict[str, _Life] = {}
    count = 0
    origin = datetime.now(UTC) - SPAN
    while count < chunk and (commit := writer.next_commit()) is not None:
        moment, life, batch = commit
        touched[life.stream_id] = life
        first = life.version - len(batch) + 1
        if not durable:
            store.append(life.stream_id, batch, first - 1)
            count += len(batch)
            continue
        at = origin + SPAN * moment
        for offset, new in enumerate(batch):
            count += 1
            records.append(
                RecordedEvent(
                    event_id=new.event_id,
                    stream_id=life.stream_id,
                    version=first + offset,
                    position=head + count,
                    type=new.type,
                    schema_version=new.schema_version,
                    recorded_at=at + timedelta(microseconds=offset),
                    data=new.data,
                    metadata=new.metadata,
                )
            )
    if records:
        store.import_more(records)  # type: ignore[attr-defined]
    return (list(touched.values()), count) if count else None


def _take_snapshots(handler: IdeaCommandHandler, lives: list[_Life]) -> int:
    """The snapshots the policy keeps, for the lives just written to: each stream's latest
    `keep` multiples of `every` (of its whole life) once reached, each loaded from the one
    before (snapshot + tail) and taken by the real fold. A long stream also gets one at least
    every STEP events before those, so no load reads far; the store's `keep` drops them once
    the last ones are taken. One commit for all on a store that saves many at once. Returns
    how many of the kept ones were taken."""
    store, fold = handler.store, handler.fold
    every, keep = store.snapshot_policy.every, store.snapshot_policy.keep
    taken: list[Snapshot] = []
    kept = 0
    for life in lives:
        last = life.final // every * every
        wanted = max(last - (keep - 1) * every, every)
        reached = life.version // every * every
        multiples = list(range(max(wanted, life.snapped + every), min(reached, last) + 1, every))
        stone = not multiples and reached - life.snapped >= STEP
        before: Snapshot | None = None
        for version in multiples or ([reached] if stone else []):
            start = before or LATEST  # the one just taken is not stored yet
            loaded = load(store, life.stream_id, fold, snapshot=start, to_version=version)
            if loaded.last_event_id is None:
                raise ValueError(f"cannot snapshot {life.stream_id}: it has no events")
            before = Snapshot(
                stream_id=life.stream_id,
                version=loaded.version,
                last_event_id=loaded.last_event_id,
                state=fold.dump(loaded.state),
                state_schema_version=fold.state_schema_version,
                taken_at=datetime.now(UTC),
            )
            taken.append(before)
            life.snapped = version
        kept += len(multiples)
    if isinstance(store, SavesSnapshots):
        store.save_snapshots(taken)
    else:
        for snapshot in taken:
            store.save_snapshot(snapshot)
    return kept


def _forget_some(handler: IdeaCommandHandler, lives: list[_Life], report: Progress) -> list[_Life]:
    """Forget a few live ideas through the command handler (key destroyed, tombstone)."""
    live = [life for life in lives if not life.rejected and not life.deleted]
    count = min(len(live) // 20, max(1, len(lives) // 2000), 5)
    chosen = random.Random(len(lives)).sample(live, count) if count else []
    for n, life in enumerate(chosen, start=1):
        handler.forget(life.idea_id)
        report("forgets", n, count)
    return chosen
