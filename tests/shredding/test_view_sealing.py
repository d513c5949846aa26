"""The ideas read model's private values at rest: given a store that keeps the read model in
its own file or database, when ideas are published and edited, then its rows hold each title
and description sealed (no plaintext anywhere at rest), the view reads them back plain, and
once an idea is forgotten its row is gone and its key with it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from domain.bootstrap import bootstrap, ideas_handler, ideas_view
from domain.ideas.projection import MemoryViewStorage
from domain.ideas.projection_sealing import SealedViewStorage
from tests.store.test_postgres_helpers import fresh_url

URLS: dict[str, Callable[[Path], str]] = {
    "sqlite": lambda d: f"sqlite:///{d / 'store.db'}",
    "postgresql": lambda _: fresh_url(),
}
TEXTS = [
    ("Canary title ÅÆ 41", "a described canary 42"),
    ("q9k", "z7w"),
    ("Ünïcode ☃ k3", "ünï ☃ w8"),
]


@pytest.mark.parametrize("scheme", list(URLS))
def test_rows_are_sealed_at_rest_and_read_plain(tmp_path: Path, scheme: str) -> None:
    system = bootstrap(URLS[scheme](tmp_path), accept_probability=1.0)
    try:
        ideas, view = ideas_handler(system), ideas_view(system)
        storage = view.storage
        assert isinstance(storage, SealedViewStorage)
        made = []
        for title, description in TEXTS:
            idea_id = ideas.publish(title, description).idea_id
            ideas.edit(idea_id, title=f"{title} edited")
            made.append((idea_id, f"{title} edited", description))
        view.catch_up()
        for idea_id, title, description in made:
            row = view.get(idea_id)
            assert (row.title, row.description) == (title, description)
        at_rest = {row.idea_id: row for row in storage.inner.rows()}
        for idea_id, title, description in made:
            kept = at_rest[idea_id]
            assert title not in kept.title and description not in kept.description
            assert title not in dict(storage.stored_texts())[idea_id]
        forgotten = made[0][0]
        system.eraser.forget(forgotten)
        view.catch_up()
        assert forgotten not in {row.idea_id for row in storage.inner.rows()}
    finally:
        system.close()
    if scheme == "sqlite":
        raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
        for _, title, description in made:
            assert title.encode() not in raw and description.encode() not in raw


def test_a_read_model_held_in_memory_is_not_sealed() -> None:
    # Nothing is at rest in this process's memory: no cost of sealing there.
    system = bootstrap("memory:", accept_probability=1.0)
    try:
        assert isinstance(ideas_view(system).storage, MemoryViewStorage)
    finally:
        system.close()
