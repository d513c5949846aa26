"""The origin's known bugs, one test each, on the ideas system as a user drives it:

1. a load from a snapshot re-applied the snapshot's last event;
2. forget published a tombstone without storing it, then crashed on the next append;
3. every append copied the whole stream (quadratic);
4. commands appended their events one at a time (not atomic);
5. the read model could not catch up on events it missed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from domain.backends.memory.store import MemoryEventStore
from domain.core.records import RecordedEvent, StreamStatus
from domain.ideas import IdeaCommandHandler, IdeaForgottenError, IdeaStatus
from domain.ideas.codec import EventCodec
from domain.ideas.projection import IdeaView, MemoryViewStorage
from tests.domain.conftest import IdeaMaker


def grow(handler: IdeaCommandHandler, idea_id: str, to_version: int) -> None:
    while (version := handler.load(idea_id).version) < to_version:
        handler.edit(idea_id, description=f"revision {version + 1}")


def test_1_a_snapshot_load_never_reapplies_the_snapshots_last_event(
    handler: IdeaCommandHandler, store: MemoryEventStore, make_idea: IdeaMaker
) -> None:
    idea_id = make_idea("accepted")
    grow(handler, idea_id, 13)
    (snap,) = store.snapshots(f"idea-{idea_id}")
    assert snap.version == 10
    assert store.read_stream(f"idea-{idea_id}", 10, 10)[0].type == "IdeaUpdated"

    from_snapshot = handler.load(idea_id)
    full = handler.load(idea_id, snapshot=None)
    assert from_snapshot.snapshot == snap
    assert from_snapshot.events_applied == 13 - 10
    # re-applying the v10 edit would count it twice
    assert from_snapshot.state.edit_count == full.state.edit_count == 11
    assert from_snapshot.state == full.state


def test_2_the_tombstone_is_stored_and_later_commands_get_a_clear_error(
    handler: IdeaCommandHandler, store: MemoryEventStore, make_idea: IdeaMaker
) -> None:
    idea_id = make_idea("accepted")
    stale = handler.stage(idea_id)  # a writer that loaded before the forget
    handler.forget(idea_id)

    (stone,) = store.read_stream(f"idea-{idea_id}")
    assert stone.type == "IdeaForgotten"
    assert store.stream_info(f"idea-{idea_id}").status is StreamStatus.FORGOTTEN  # type: ignore[union-attr]
    head = store.head_position()

    with pytest.raises(IdeaForgottenError, match="forgotten"):
        handler.edit(idea_id, title="after the forget")
    with pytest.raises(IdeaForgottenError, match="forgotten"):
        handler.commit_edit(stale, title="from a writer that loaded earlier")
    with pytest.raises(IdeaForgottenError):
        handler.forget(idea_id)
    assert store.head_position() == head
    assert handler.load(idea_id).state.status is IdeaStatus.FORGOTTEN


def test_3_appends_extend_the_stream_in_place_and_loads_stay_short(
    handler: IdeaCommandHandler, store: MemoryEventStore, make_idea: IdeaMaker
) -> None:
    idea_id = make_idea("accepted")
    held = store._streams[f"idea-{idea_id}"].events  # the memory backend's own list
    applied: list[int] = []
    # Without the cache of states, so that every command loads from the store.
    cold = IdeaCommandHandler(store, handler.codec, cache_size=0)
    for n in range(3, 201):
        outcome = cold.edit(idea_id, description=f"revision {n}")
        # "replayed 9 events from v1", "snapshot v190 + 3 events"
        match = re.search(r"(\d+) events?\b", outcome.loaded_from)
        assert match is not None
        applied.append(int(match.group(1)))
        assert store._streams[f"idea-{idea_id}"].events is held  # never copied or rebuilt
    assert len(held) == 200
    # Each command loads the latest snapshot plus fewer than `every` events, so its cost
    # does not grow with the stream's length.
    assert max(applied) < store.snapshot_policy.every
    assert handler.load(idea_id).events_applied == 0


def test_4_a_command_appends_all_its_events_in_one_commit(
    handler: IdeaCommandHandler, store: MemoryEventStore
) -> None:
    commits: list[list[RecordedEvent]] = []

    def listener(events: Sequence[RecordedEvent]) -> None:
        commits.append(list(events))

    store.subscribe(listener)
    outcomes = []
    published = handler.publish("t", "d")
    outcomes.append(published)
    outcomes.append(handler.accept(published.idea_id))
    outcomes.append(handler.edit(published.idea_id, title="t2", description="d2"))
    outcomes.append(handler.delete(published.idea_id))
    outcomes.append(handler.forget(published.idea_id))
    assert commits == [o.events for o in outcomes]
    # the edit of both fields is one event, not one per field
    assert [e.type for e in outcomes[2].events] == ["IdeaUpdated"]


def test_5_the_read_model_catches_up_on_events_it_missed(
    store: MemoryEventStore, codec: EventCodec, make_idea: IdeaMaker, handler: IdeaCommandHandler
) -> None:
    early = make_idea("accepted")  # written before any view exists

    storage = MemoryViewStorage()
    view = IdeaView(store, codec, storage)
    view.start()
    assert [r.idea_id for r in view.list()] == [early]

    view.pause()
    paused = make_idea("accepted")
    view.resume()
    assert [r.idea_id for r in view.list()] == [early, paused]

    view.stop()  # e.g. the app was closed
    handler.delete(early)
    down = make_idea("requested")
    restarted = IdeaView(store, codec, storage)
    restarted.start()
    assert [r.idea_id for r in restarted.list()] == [paused, down]
    assert restarted.lag() == 0
    restarted.stop()
