"""The ideas read model's fast paths (a rebuild folding many pages between two saves, a
catch-up folding each page; both opening only the last value of each private field) against
the view that decodes and applies one event at a time: at every checkpoint either saves, the
rows it reads back and the ids it holds deleted are the reference's at that position. Over
any interleaving of ideas published, edited, accepted, rejected, deleted and forgotten, with
pages and saves of 1 event to more than the log; on a memory store and on an SQLite store
with the read model sealed in its own SQLite file."""

from __future__ import annotations

import string
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.bootstrap import System, bootstrap
from domain.core.shredding.cipher import REDACTED
from domain.ideas import IdeaError
from domain.ideas.projection import IdeaRow, IdeaView, MemoryViewStorage, ViewStorage
from domain.ideas.projection_sealing import SealedViewStorage
from domain.ideas.projection_sqlite import SQLiteViewStorage

Saved = tuple[list[IdeaRow], frozenset[str]]
"""The rows a storage reads back after a save, and the ids it holds deleted."""

ACTIONS = ["publish", "title", "description", "both", "accept", "reject", "delete", "forget"]
texts = st.text(string.ascii_letters + "éü✓字 .-", min_size=1, max_size=10).map(
    lambda t: t.strip() or "x"
)
plans = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from(ACTIONS), texts), min_size=1, max_size=40
)


class RecordingStorage:
    """A view storage that keeps what it reads back after each save, by checkpoint."""

    def __init__(self, inner: ViewStorage, ids: list[str]) -> None:
        self.inner = inner
        self.ids = ids
        self.saved: dict[int, Saved] = {}

    def checkpoint(self) -> int:
        return self.inner.checkpoint()

    def get(self, idea_id: str) -> IdeaRow | None:
        return self.inner.get(idea_id)

    def is_deleted(self, idea_id: str) -> bool:
        return self.inner.is_deleted(idea_id)

    def rows(self) -> list[IdeaRow]:
        return self.inner.rows()

    def commit(
        self,
        upserts: dict[str, IdeaRow],
        deleted: set[str],
        dropped: set[str],
        checkpoint: int,
        *,
        first_position: int,
    ) -> bool:
        applied = self.inner.commit(
            upserts, deleted, dropped, checkpoint, first_position=first_position
        )
        if applied:
            rows = sorted(self.inner.rows(), key=lambda row: row.idea_id)
            held = frozenset(i for i in self.ids if self.inner.is_deleted(i))
            self.saved[self.inner.checkpoint()] = (rows, held)
        return applied

    def reset(self) -> None:
        self.inner.reset()
        self.saved.clear()


def run(system: System, plan: list[tuple[int, str, str]]) -> list[str]:
    """Send the plan's commands (refused ones append nothing); returns the ideas' ids."""
    handler = system.ideas
    ids: list[str] = []
    for slot, action, text in plan:
        try:
            if action == "publish" or not ids:
                ids.append(handler.publish(text, f"{text} ✓ description").idea_id)
                continue
            idea_id = ids[slot % len(ids)]
            match action:
                case "title":
                    handler.edit(idea_id, title=text)
                case "description":
                    handler.edit(idea_id, description=text)
                case "both":
                    handler.edit(idea_id, title=text[::-1], description=text)
                case "accept":
                    handler.accept(idea_id)
                case "reject":
                    handler.reject(idea_id, text)
                case "delete":
                    handler.delete(idea_id)
                case "forget":
                    handler.forget(idea_id)
        except IdeaError:
            pass
    return ids


def reference(system: System, ids: list[str]) -> dict[int, Saved]:
    """What the event-by-event view holds after each event of the log."""
    storage = RecordingStorage(MemoryViewStorage(), ids)
    view = IdeaView(system.store, system.codec, storage)
    view.page_size = 1
    view._edits.reads_in_place = lambda: False  # type: ignore[method-assign]
    view.catch_up()
    return storage.saved


def check(saved: Mapping[int, Saved], expected: Mapping[int, Saved], head: int) -> None:
    assert saved, "nothing was saved"
    assert max(saved) == head
    for checkpoint, state in saved.items():
        assert state == expected[checkpoint], f"at checkpoint {checkpoint}"


@contextmanager
def opened(backend: str) -> Iterator[tuple[System, ViewStorage]]:
    """A fresh system on `backend`, and an empty storage for a read model of its ideas."""
    if backend == "memory":
        system = bootstrap("memory:", start=False)
        yield system, MemoryViewStorage()
        system.close()
        return
    with tempfile.TemporaryDirectory() as tmp:
        system = bootstrap(f"sqlite:///{Path(tmp) / 'store.db'}", start=False)
        inner = SQLiteViewStorage(Path(tmp) / "view.db")
        storage = SealedViewStorage(inner, system.codec.seal_text, system.codec.open_text)
        try:
            yield system, storage
        finally:
            storage.close()
            system.close()


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
@settings(max_examples=40, deadline=None)
@given(plan=plans, page=st.integers(1, 60), save_every=st.integers(1, 60))
def test_a_rebuild_is_the_event_by_event_view_at_every_save(
    backend: str, plan: list[tuple[int, str, str]], page: int, save_every: int
) -> None:
    with opened(backend) as (system, inner):
        ids = run(system, plan)
        expected = reference(system, ids)
        storage = RecordingStorage(inner, ids)
        view = IdeaView(system.store, system.codec, storage)
        view.rebuild_page_size, view.rebuild_save_every = page, save_every
        assert view.rebuild() == len(system.store.read_all())
        check(storage.saved, expected, system.store.head_position())
        assert view.skipped == []


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
@settings(max_examples=40, deadline=None)
@given(plan=plans, page=st.integers(1, 60))
def test_a_catch_up_is_the_event_by_event_view_at_every_page(
    backend: str, plan: list[tuple[int, str, str]], page: int
) -> None:
    with opened(backend) as (system, inner):
        ids = run(system, plan)
        expected = reference(system, ids)
        storage = RecordingStorage(inner, ids)
        view = IdeaView(system.store, system.codec, storage)
        view.page_size = page
        view.catch_up()
        check(storage.saved, expected, system.store.head_position())


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_rebuild_holding_few_ideas_unsaved_saves_as_often_as_it_must(backend: str) -> None:
    with opened(backend) as (system, inner):
        ids = run(system, [(n, "publish", f"idea {n}") for n in range(5)])
        ids += run(system, [(0, "publish", "late")])
        for idea_id in ids:
            system.ideas.edit(idea_id, title=f"{idea_id} again")
        storage = RecordingStorage(inner, ids)
        view = IdeaView(system.store, system.codec, storage)
        view.rebuild_save_ideas = 2
        view.rebuild_page_size = 3
        view.rebuild()
        check(storage.saved, reference(system, ids), system.store.head_position())
        assert len(storage.saved) > 1
        assert {row.title for row in view.list()} == {f"{i} again" for i in ids}


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_an_idea_forgotten_after_a_rebuild_reads_as_shredded_where_a_copy_is_kept(
    backend: str,
) -> None:
    with opened(backend) as (system, inner):
        (idea_id,) = run(system, [(0, "publish", "secret title"), (0, "both", "secret")])
        view = IdeaView(system.store, system.codec, inner)
        view.rebuild()
        assert view.get(idea_id).title == "terces"
        system.keys.destroy(f"idea-{idea_id}")  # what forget does to the key, row still held
        row = view.storage.get(idea_id)
        assert row is not None
        if backend == "sqlite":  # sealed at rest: without the key, nothing left to read
            assert (row.title, row.description) == (REDACTED, REDACTED)
            stored = "\n".join(text for _, text in inner.stored_texts())  # type: ignore[attr-defined]
            assert "secret" not in stored and "terces" not in stored
        system.ideas.forget(idea_id)
        view.catch_up()
        assert view.list() == []
