"""Laws of the ideas system, checked on random inputs:

- any sequence of commands, valid or not, over a few ideas keeps the invariants: a refused
  command appends nothing, a deleted idea changes again only by being forgotten, a forgotten
  one never changes, versions stay contiguous — and the read model always equals a rebuild
  from zero;
- loading from any snapshot plus the tail equals the full replay.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, replace

from hypothesis import event, given, settings
from hypothesis import strategies as st

from domain.backends.memory.store import MemoryEventStore
from domain.bootstrap import DELETED_TYPES
from domain.core.records import RecordedEvent, SnapshotPolicy, StreamStatus
from domain.ideas import IdeaCommandHandler, IdeaError, IdeaStatus, PlainCodec, idea_registry
from domain.ideas.fields import DESCRIPTION_MAX, REASON_MAX, TITLE_MAX
from domain.ideas.handler import CommandOutcome
from domain.ideas.projection import IdeaView
from tests.domain.conftest import counting_ids

SLOTS = 4
"""Commands target one of this many ideas (by publishing order); three are published before
the random steps, and a slot not yet published names an unknown idea."""

valid_text = st.text(string.ascii_letters + string.digits + " .,'", min_size=1, max_size=24).filter(
    str.strip
)
invalid_text = st.sampled_from(["", "   ", "x" * (TITLE_MAX + 1), "nul\x00", "esc\x1b[2J", "\x7f"])
# valid input twice as often as invalid, so ideas get far enough to be deleted or forgotten
field_value = st.one_of(valid_text, valid_text, invalid_text)
edit_value = st.one_of(st.none(), st.just("<same>"), valid_text, valid_text, invalid_text)


@dataclass(frozen=True)
class Step:
    kind: str
    slot: int = 0
    a: str | None = None
    b: str | None = None


steps = st.one_of(
    st.builds(Step, st.just("publish"), st.just(0), field_value, field_value),
    st.builds(Step, st.just("accept"), st.integers(0, SLOTS - 1)),
    st.builds(Step, st.just("reject"), st.integers(0, SLOTS - 1), field_value),
    st.builds(Step, st.just("edit"), st.integers(0, SLOTS - 1), edit_value, edit_value),
    st.builds(Step, st.just("delete"), st.integers(0, SLOTS - 1)),
    st.builds(Step, st.just("forget"), st.integers(0, SLOTS - 1)),
)


def is_valid(value: str | None, limit: int) -> bool:
    if value is None:
        return False
    text = value.strip()
    return 0 < len(text) <= limit and all(c.isprintable() for c in text)


def expected_to_succeed(
    step: Step, status: IdeaStatus, title: str | None, desc: str | None
) -> bool:
    """The rules, written down independently of `decide`."""
    live = status in (IdeaStatus.REQUESTED, IdeaStatus.ACCEPTED)
    match step.kind:
        case "publish":
            return is_valid(step.a, TITLE_MAX) and is_valid(step.b, DESCRIPTION_MAX)
        case "accept":
            return status is IdeaStatus.REQUESTED
        case "reject":
            return status is IdeaStatus.REQUESTED and is_valid(step.a, REASON_MAX)
        case "edit":
            if step.a is not None and not is_valid(step.a, TITLE_MAX):
                return False
            if step.b is not None and not is_valid(step.b, DESCRIPTION_MAX):
                return False
            new_title = step.a.strip() if step.a is not None else title
            new_desc = step.b.strip() if step.b is not None else desc
            return live and (new_title, new_desc) != (title, desc)
        case "delete":
            return live
        case "forget":
            return status not in (IdeaStatus.NONE, IdeaStatus.FORGOTTEN)
    raise AssertionError(step.kind)


def run(handler: IdeaCommandHandler, step: Step, idea_id: str) -> CommandOutcome:
    match step.kind:
        case "publish":
            return handler.publish(step.a, step.b)  # type: ignore[arg-type]
        case "accept":
            return handler.accept(idea_id)
        case "reject":
            return handler.reject(idea_id, step.a)  # type: ignore[arg-type]
        case "edit":
            return handler.edit(idea_id, step.a, step.b)
        case "delete":
            return handler.delete(idea_id)
        case "forget":
            return handler.forget(idea_id)
    raise AssertionError(step.kind)


def rebuilt_rows(store: MemoryEventStore, codec: PlainCodec) -> list[object]:
    fresh = IdeaView(store, codec)
    fresh.catch_up()
    return list(fresh.list())


def check_versions(store: MemoryEventStore) -> None:
    for info in store.list_streams():
        events = store.read_stream(info.stream_id)
        if info.status is StreamStatus.FORGOTTEN:
            assert [e.type for e in events] == ["IdeaForgotten"]
            assert events[0].version == info.version
        else:
            assert [e.version for e in events] == list(range(1, info.version + 1))
    positions = [e.position for e in store.read_all()]
    assert positions == sorted(set(positions))


@settings(max_examples=120, deadline=None)
@given(st.lists(steps, min_size=8, max_size=40))
def test_random_command_sequences_keep_every_invariant(plan: list[Step]) -> None:
    store = MemoryEventStore(SnapshotPolicy(every=3, keep=2), deleted_types=DELETED_TYPES)
    codec = PlainCodec(idea_registry())
    handler = IdeaCommandHandler(store, codec, new_id=counting_ids())
    view = IdeaView(store, codec)
    view.start()
    ids = [handler.publish(f"idea {n}", "to begin with").idea_id for n in range(SLOTS - 1)]
    applied = 0
    deleted: dict[str, list[RecordedEvent]] = {}  # streams as they were when deleted
    forgotten: dict[str, list[RecordedEvent]] = {}  # tombstoned streams, for good

    for step in plan:
        idea_id = ids[step.slot] if step.slot < len(ids) else f"unknown{step.slot}"
        state = handler.load(idea_id).state
        before = store.read_all()
        head = store.head_position()
        if step.a == "<same>":  # an edit that repeats the current title
            step = replace(step, a=state.title)
        status = IdeaStatus.NONE if step.kind == "publish" else state.status
        wanted = expected_to_succeed(step, status, state.title, state.description)
        try:
            outcome = run(handler, step, idea_id)
        except IdeaError:
            assert not wanted, f"{step} was refused"
            assert store.head_position() == head and store.read_all() == before
        else:
            assert wanted, f"{step} was accepted"
            applied += 1
            if step.kind == "publish":
                ids.append(outcome.idea_id)
            assert store.head_position() == head + len(outcome.events)
            assert store.read_all()[-len(outcome.events) :] == outcome.events
            stream = store.read_stream(outcome.stream_id)
            if step.kind == "delete":
                deleted[outcome.stream_id] = stream
            if step.kind == "forget":
                deleted.pop(outcome.stream_id, None)
                forgotten[outcome.stream_id] = stream

        # a deleted idea changes again only by being forgotten; a forgotten one never
        for stream_id, events in [*deleted.items(), *forgotten.items()]:
            assert store.read_stream(stream_id) == events
        check_versions(store)
        assert view.list() == rebuilt_rows(store, codec)
        assert view.lag() == 0

    event(f"commands applied: {applied // 5 * 5}+")
    for status in {handler.load(i).state.status for i in ids}:
        event(f"an idea ended {status}")
    for idea_id in ids:
        assert handler.load(idea_id).state == handler.load(idea_id, snapshot=None).state
    view.stop()


@settings(max_examples=40, deadline=None)
@given(
    edits=st.lists(st.tuples(st.booleans(), valid_text), min_size=1, max_size=40),
    every=st.integers(1, 7),
    keep=st.integers(1, 4),
    end=st.sampled_from(["accepted", "deleted"]),
)
def test_snapshot_plus_tail_equals_full_replay(
    edits: list[tuple[bool, str]], every: int, keep: int, end: str
) -> None:
    store = MemoryEventStore(SnapshotPolicy(every=every, keep=keep), deleted_types=DELETED_TYPES)
    handler = IdeaCommandHandler(store, PlainCodec(idea_registry()), new_id=counting_ids())
    idea_id = handler.publish("start", "start").idea_id
    handler.accept(idea_id)
    for on_title, text in edits:
        try:
            if on_title:
                handler.edit(idea_id, title=text)
            else:
                handler.edit(idea_id, description=text)
        except IdeaError:
            pass  # the same text again changes nothing
    if end == "deleted":
        handler.delete(idea_id)

    full = handler.load(idea_id, snapshot=None)
    stream_id = f"idea-{idea_id}"
    snapshots = store.snapshots(stream_id)
    assert len(snapshots) <= keep
    assert all(s.version % every == 0 for s in snapshots)
    for snap in snapshots:
        loaded = handler.load(idea_id, snapshot=snap)
        assert loaded.state == full.state
        assert (loaded.version, loaded.last_event_id) == (full.version, full.last_event_id)
        assert loaded.events_applied == full.version - snap.version
        # and the past: the snapshot itself equals the replay up to its version
        assert handler.load(idea_id, snapshot=None, to_version=snap.version).state == (
            handler.fold.restore(snap.state)
        )
    latest = handler.load(idea_id)
    assert latest.state == full.state
    assert latest.snapshot == (snapshots[-1] if snapshots else None)
