"""The `IdeaView` read model: fed from the global log, checkpointed, pausable, rebuildable;
it catches up on whatever it missed and always equals a rebuild from zero."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from domain.backends.memory.store import MemoryEventStore
from domain.core.records import NewEvent
from domain.ideas import (
    IdeaCommandHandler,
    IdeaDeletedError,
    IdeaNotFoundError,
)
from domain.ideas.codec import EventCodec
from domain.ideas.process_manager import CreationProcessManager
from domain.ideas.projection import IdeaRow, IdeaView, MemoryViewStorage
from tests.domain.conftest import IdeaMaker


@pytest.fixture
def view(store: MemoryEventStore, codec: EventCodec) -> Iterator[IdeaView]:
    v = IdeaView(store, codec)
    v.start()
    yield v
    v.stop()


def rebuilt(store: MemoryEventStore, codec: EventCodec) -> list[IdeaRow]:
    """The rows of a fresh view over the same store, caught up from position 1."""
    fresh = IdeaView(store, codec)
    fresh.catch_up()
    return fresh.list()


def test_the_view_follows_commands(
    view: IdeaView, handler: IdeaCommandHandler, store: MemoryEventStore
) -> None:
    idea_id = handler.publish("Dark mode", "Follow the OS.").idea_id
    row = view.get(idea_id)
    assert (row.title, row.status, row.version) == ("Dark mode", "requested", 1)
    handler.accept(idea_id)
    handler.edit(idea_id, title="Dark mode everywhere")
    row = view.get(idea_id)
    assert (row.title, row.description, row.status, row.version) == (
        "Dark mode everywhere",
        "Follow the OS.",
        "accepted",
        3,
    )
    assert row.updated_at == store.read_stream(f"idea-{idea_id}")[-1].recorded_at
    assert view.checkpoint == store.head_position() == 3 and view.lag() == 0


def test_list_is_oldest_first_and_keeps_rejected_ideas(
    view: IdeaView, make_idea: IdeaMaker
) -> None:
    ids = [make_idea("accepted"), make_idea("rejected"), make_idea("requested")]
    assert [r.idea_id for r in view.list()] == ids
    assert [r.status for r in view.list()] == ["accepted", "rejected", "requested"]


def test_get_unknown_and_deleted(view: IdeaView, make_idea: IdeaMaker) -> None:
    with pytest.raises(IdeaNotFoundError):
        view.get("nope")
    deleted = make_idea("deleted")
    with pytest.raises(IdeaDeletedError):
        view.get(deleted)
    assert deleted not in [r.idea_id for r in view.list()]


@pytest.mark.parametrize("before", ["accepted", "deleted", "rejected"])
def test_forget_drops_the_idea_completely(
    view: IdeaView, handler: IdeaCommandHandler, make_idea: IdeaMaker, before: str
) -> None:
    keep = make_idea("accepted")
    idea_id = make_idea(before)
    handler.forget(idea_id)
    with pytest.raises(IdeaNotFoundError):  # not "deleted": nothing is known about it
        view.get(idea_id)
    assert [r.idea_id for r in view.list()] == [keep]


def test_publish_100_while_paused_then_resume(
    store: MemoryEventStore, codec: EventCodec, handler: IdeaCommandHandler, view: IdeaView
) -> None:
    manager = CreationProcessManager(handler, probability=1.0)
    manager.start()
    handler.publish("before the pause", "d")
    view.pause()
    checkpoint = view.checkpoint
    assert checkpoint == store.head_position() == 2

    for n in range(100):
        handler.publish(f"idea {n}", "published while the view is paused")
    # each publish is a request plus the manager's acceptance
    assert store.head_position() == checkpoint + 200
    assert view.lag() == 200
    assert view.checkpoint == checkpoint and len(view.list()) == 1

    view.resume()
    assert view.lag() == 0
    assert len(view.list()) == 101
    assert {r.status for r in view.list()} == {"accepted"}
    assert view.list() == rebuilt(store, codec)
    manager.stop()


def test_a_paused_view_drops_what_was_forgotten_meanwhile(
    view: IdeaView, handler: IdeaCommandHandler, store: MemoryEventStore, codec: EventCodec
) -> None:
    seen = handler.publish("seen", "d").idea_id
    view.pause()
    unseen = handler.publish("never seen", "d").idea_id
    handler.forget(seen)
    handler.forget(unseen)  # its request is erased from the log before the view reads it
    view.resume()
    assert view.list() == [] == rebuilt(store, codec)
    for idea_id in (seen, unseen):
        with pytest.raises(IdeaNotFoundError):
            view.get(idea_id)


def test_a_restarted_view_catches_up_from_its_checkpoint(
    store: MemoryEventStore, codec: EventCodec, handler: IdeaCommandHandler, make_idea: IdeaMaker
) -> None:
    storage = MemoryViewStorage()
    first = IdeaView(store, codec, storage)
    first.start()
    kept = make_idea("accepted")
    gone = make_idea("accepted")
    first.stop()
    checkpoint = storage.checkpoint()
    assert checkpoint == 4

    handler.edit(kept, title="edited while the view was down")
    handler.delete(gone)
    fresh = make_idea("requested")

    pages: list[int] = []
    second = IdeaView(store, codec, storage)
    second.on_change(lambda v: pages.append(v.checkpoint))
    assert second.checkpoint == checkpoint
    read = second.catch_up()
    assert read == store.head_position() - checkpoint == 3  # only what it missed
    assert pages == [store.head_position()]
    assert [r.idea_id for r in second.list()] == [kept, fresh]
    assert second.get(kept).title == "edited while the view was down"
    assert second.list() == rebuilt(store, codec)


def test_rebuild_from_zero_gives_the_same_rows(
    view: IdeaView, store: MemoryEventStore, codec: EventCodec, make_idea: IdeaMaker
) -> None:
    for status in ("accepted", "rejected", "deleted", "forgotten", "requested"):
        make_idea(status)
    before = view.list()
    assert view.rebuild() == len(store.read_all())
    assert view.list() == before == rebuilt(store, codec)
    assert view.lag() == 0


def test_two_views_sharing_storage_apply_each_page_once(
    store: MemoryEventStore, codec: EventCodec, make_idea: IdeaMaker
) -> None:
    for _ in range(3):
        make_idea("accepted")
    storage = MemoryViewStorage()
    a, b = IdeaView(store, codec, storage), IdeaView(store, codec, storage)
    applied: list[str] = []
    a.on_change(lambda _v: applied.append("a"))
    b.on_change(lambda _v: applied.append("b"))
    assert a.catch_up() == 6
    assert b.catch_up() == 0
    assert applied == ["a"] and len(b.list()) == 3


def test_unreadable_and_foreign_events_are_skipped_not_fatal(
    view: IdeaView, store: MemoryEventStore, make_idea: IdeaMaker
) -> None:
    store.append("billing-1", [NewEvent("InvoicePaid", {"amount": 3})], 0)
    store.append("idea-odd", [NewEvent("IdeaMystery", {"x": 1})], 0)
    idea_id = make_idea("accepted")
    assert [r.idea_id for r in view.list()] == [idea_id]
    assert [position for position, _ in view.skipped] == [2]
    assert view.lag() == 0


def test_a_threaded_view_lags_then_catches_up(
    store: MemoryEventStore, codec: EventCodec, handler: IdeaCommandHandler
) -> None:
    view = IdeaView(store, codec, threaded=True, delay=0.3)
    view.start()
    try:
        view.pause()  # "not yet" is certain only while the view cannot consume
        idea_id = handler.publish("t", "d").idea_id
        assert view.lag() == 1
        view.resume()
        deadline = time.monotonic() + 30
        while view.lag() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert view.get(idea_id).title == "t"
    finally:
        view.stop()


def test_a_stopped_view_can_start_again(
    store: MemoryEventStore, codec: EventCodec, handler: IdeaCommandHandler
) -> None:
    view = IdeaView(store, codec, threaded=True)
    view.start()
    view.stop()
    view.start()
    try:
        idea_id = handler.publish("t", "d").idea_id
        deadline = time.monotonic() + 30
        while view.lag() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert view.get(idea_id).title == "t"
    finally:
        view.stop()
