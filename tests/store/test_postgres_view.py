"""`IdeaView` on PostgreSQL storage: it catches up from the log, a new view on the same
database resumes from the stored checkpoint, and a page is applied whole, once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import psycopg
import pytest

from domain.backends.postgres.store import PostgresEventStore
from domain.bootstrap import DELETED_TYPES
from domain.ideas import IdeaCommandHandler, PlainCodec, idea_registry
from domain.ideas.codec import EventCodec
from domain.ideas.projection import IdeaView
from domain.ideas.projection_postgres import PostgresViewStorage
from tests.store.test_postgres_helpers import fresh_url


@pytest.fixture
def url() -> str:
    return fresh_url()


@pytest.fixture
def store(url: str) -> Iterator[PostgresEventStore]:
    s = PostgresEventStore.open(url, deleted_types=DELETED_TYPES, poll_interval=None)
    yield s
    s.close()


@pytest.fixture
def codec() -> EventCodec:
    return PlainCodec(idea_registry())


@pytest.fixture
def handler(store: PostgresEventStore, codec: EventCodec) -> IdeaCommandHandler:
    return IdeaCommandHandler(store, codec)


def history(handler: IdeaCommandHandler) -> list[str]:
    """Five ideas: accepted and edited, rejected, deleted, forgotten, and still requested."""
    ids = [handler.publish(f"Idea {n}", f"About {n}").idea_id for n in range(5)]
    handler.accept(ids[0])
    handler.edit(ids[0], title="Idea 0, edited")
    handler.reject(ids[1], "out of scope")
    handler.accept(ids[2])
    handler.delete(ids[2])
    handler.forget(ids[3])
    return ids


def reference(store: PostgresEventStore, codec: EventCodec) -> IdeaView:
    """A view in memory, rebuilt from position 1: what any view must equal."""
    view = IdeaView(store, codec)
    view.catch_up()
    return view


def test_a_view_catches_up_and_a_new_one_resumes_from_the_checkpoint(
    url: str, store: PostgresEventStore, handler: IdeaCommandHandler, codec: EventCodec
) -> None:
    ids = history(handler)
    first = PostgresViewStorage(url)
    view = IdeaView(store, codec, first)

    assert view.catch_up() == len(store.read_all())  # the forgotten idea left one event
    assert view.list() == reference(store, codec).list()
    assert [r.idea_id for r in view.list()] == [ids[0], ids[1], ids[4]]
    assert view.get(ids[0]).title == "Idea 0, edited"
    assert first.is_deleted(ids[2]) and not first.is_deleted(ids[3])
    checkpoint = view.checkpoint
    first.close()

    handler.edit(ids[4], description="Now with details")
    handler.accept(ids[4])
    later = IdeaView(store, codec, PostgresViewStorage(url))

    assert later.checkpoint == checkpoint  # the restart starts where the last view stopped
    assert later.catch_up() == 2  # only the two new events are read
    assert later.list() == reference(store, codec).list()
    assert later.get(ids[4]).status == "accepted"
    assert later.lag() == 0
    later.storage.close()  # type: ignore[attr-defined]


def test_a_page_another_process_applied_is_not_applied_again(
    url: str, store: PostgresEventStore, handler: IdeaCommandHandler, codec: EventCodec
) -> None:
    history(handler)
    one, two = PostgresViewStorage(url), PostgresViewStorage(url)
    IdeaView(store, codec, one).catch_up()
    rows = one.rows()
    stale = replace(rows[0], title="applied twice")

    applied = two.commit({stale.idea_id: stale}, set(), set(), 3, first_position=1)

    assert not applied
    assert sorted(two.rows(), key=lambda r: r.idea_id) == sorted(rows, key=lambda r: r.idea_id)
    assert two.checkpoint() == store.head_position()
    one.close()
    two.close()


def test_a_commit_that_fails_midway_writes_nothing(
    url: str, store: PostgresEventStore, handler: IdeaCommandHandler, codec: EventCodec
) -> None:
    ids = history(handler)
    storage = PostgresViewStorage(url)
    view = IdeaView(store, codec, storage)
    view.catch_up()
    before, checkpoint = storage.rows(), storage.checkpoint()
    good = replace(storage.get(ids[0]), title="changed")  # type: ignore[arg-type]
    bad = replace(storage.get(ids[1]), title="nul \x00 byte")  # type: ignore[arg-type]

    with pytest.raises(psycopg.DataError):
        storage.commit(
            {good.idea_id: good, bad.idea_id: bad},
            {ids[4]},
            set(),
            checkpoint + 5,
            first_position=checkpoint + 1,
        )

    assert storage.rows() == before
    assert storage.checkpoint() == checkpoint
    assert not storage.is_deleted(ids[4])
    storage.reset()
    assert (storage.rows(), storage.checkpoint()) == ([], 0)
    assert view.catch_up() == len(store.read_all())  # a rebuild from zero works
    assert view.list() == reference(store, codec).list()
    storage.close()
