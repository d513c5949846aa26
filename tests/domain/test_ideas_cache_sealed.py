"""The handler's kept states change nothing but speed, as `bootstrap()` wires it (every
title and description sealed) on memory and on SQLite: any sequence of commands, some from a
second writer on its own connection to the store, forgets and stale writers among them,
stores the same events (opened), versions and states with the cache as without it. And on a
file another process writes to: a command decides on the state as stored, never on the one
kept, and a forget between two commands refuses the second."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.bootstrap import System, bootstrap
from domain.core.errors import ConcurrencyError
from domain.core.records import COMMAND, RecordedEvent, SnapshotPolicy
from domain.ideas import IdeaCommandHandler, IdeaError
from domain.ideas.errors import IdeaForgottenError, NothingToChangeError
from tests.domain.conftest import counting_ids
from tests.domain.test_ideas_cache import SLOTS, TIMES, Step, steps

ES_TUI = [sys.executable, "-m", "es_tui"]


class SealedWorld:
    """Two writers on one store, each on its own system (for SQLite: its own connection and
    key-store connection, as another process has); with `cache_size` 0 neither keeps state."""

    def __init__(self, url: str, cache_size: int) -> None:
        policy = SnapshotPolicy(every=3, keep=2)
        first = bootstrap(url, start=False, snapshot_policy=policy)
        # A memory store lives in one process: there the second writer shares it.
        second = first if url == "memory:" else bootstrap(url, start=False, snapshot_policy=policy)
        self.systems = [first, second]
        ids = counting_ids()  # shared: the two writers never draw the same id
        self.writers = [
            IdeaCommandHandler(s.store, s.codec, new_id=ids, cache_size=cache_size)
            for s in self.systems
        ]
        self.ids: list[str] = []

    def run(self, step: Step) -> object:
        handler = self.writers[step.writer]
        idea_id = self.ids[step.slot] if step.slot < len(self.ids) else f"unknown{step.slot}"
        try:
            match step.kind:
                case "publish":
                    outcome = handler.publish(step.a or "", step.b or "")
                    self.ids.append(outcome.idea_id)
                case "accept":
                    outcome = handler.accept(idea_id)
                case "reject":
                    outcome = handler.reject(idea_id, step.a or "")
                case "edit":
                    outcome = handler.edit(idea_id, step.a, step.b)
                case "delete":
                    outcome = handler.delete(idea_id)
                case "forget":
                    outcome = handler.forget(idea_id)
                case _:
                    info = handler.store.stream_info(f"idea-{idea_id}")
                    behind = info.version - 1 if info else 0
                    outcome = handler.edit(idea_id, "stale", expected_version=behind)
        except (IdeaError, ConcurrencyError) as exc:
            return type(exc)
        stored = handler.load(outcome.idea_id, None)
        assert (outcome.state, outcome.version) == (stored.state, stored.version)
        return outcome.version, outcome.state.model_dump(exclude=set(TIMES))

    def log(self) -> list[tuple[object, ...]]:
        system = self.systems[0]
        return [opened(system, e) for e in system.store.read_all()]

    def close(self) -> None:
        for system in {id(s): s for s in self.systems}.values():
            system.close()


def opened(system: System, event: RecordedEvent) -> tuple[object, ...]:
    """The event with its payload opened; ids and times are drawn afresh on each run."""
    decoded = system.codec.decode(event).model_dump()
    return (event.stream_id, event.version, event.type, decoded, event.metadata[COMMAND])


def play(url_of: Any, plan: list[Step], cache_size: int) -> None:
    cached, plain = SealedWorld(url_of("cached"), cache_size), SealedWorld(url_of("plain"), 0)
    try:
        for world in (cached, plain):
            for n in range(SLOTS - 1):
                world.run(Step("publish", n % 2, 0, f"idea {n}", "to begin with"))
        for step in plan:
            assert cached.run(step) == plain.run(step), step
            assert cached.log() == plain.log()
        for idea_id in cached.ids:
            for a, b in zip(cached.writers, plain.writers, strict=True):
                ours, theirs = a.load(idea_id).state, b.load(idea_id).state
                assert ours.model_copy(update=TIMES) == theirs.model_copy(update=TIMES)
    finally:
        cached.close()
        plain.close()


@settings(max_examples=60, deadline=None)
@given(plan=st.lists(steps, min_size=5, max_size=40), cache_size=st.integers(1, 3))
def test_sealed_commands_with_the_cache_store_what_they_store_without_it_in_memory(
    plan: list[Step], cache_size: int
) -> None:
    play(lambda name: "memory:", plan, cache_size)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=st.lists(steps, min_size=5, max_size=25), cache_size=st.integers(1, 3))
def test_sealed_commands_with_the_cache_store_what_they_store_without_it_on_sqlite(
    tmp_path: Path, plan: list[Step], cache_size: int
) -> None:
    run = len(list(tmp_path.iterdir()))
    play(lambda name: f"sqlite:///{tmp_path / f'{run}-{name}.db'}", plan, cache_size)


def elsewhere(url: str, *args: str) -> None:
    """Run an es-tui command in another process on the same store."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        [*ES_TUI, "--store", url, *args, "--no-react"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
def kept(tmp_path: Path) -> tuple[System, str, str]:
    """An SQLite system whose handler keeps the state of an accepted idea."""
    url = f"sqlite:///{tmp_path / 'ideas.db'}"
    system = bootstrap(url, start=False)
    idea_id = system.ideas.publish("First title", "First text").idea_id
    system.ideas.accept(idea_id)
    assert system.ideas.cached_streams() == [f"idea-{idea_id}"]
    return system, url, idea_id


def test_a_commit_by_another_process_is_decided_on_not_the_kept_state(
    kept: tuple[System, str, str],
) -> None:
    system, url, idea_id = kept
    elsewhere(url, "edit", idea_id, "--title", "Changed elsewhere")
    # On the kept state this edit changes the title; on the state as stored it changes nothing.
    with pytest.raises(NothingToChangeError):
        system.ideas.edit(idea_id, title="Changed elsewhere")
    assert system.store.stream_info(f"idea-{idea_id}").version == 3  # type: ignore[union-attr]
    outcome = system.ideas.edit(idea_id, description="Second text")
    assert outcome.version == 4
    assert (outcome.state.title, outcome.state.description) == ("Changed elsewhere", "Second text")
    assert outcome.state == system.ideas.load(idea_id, None).state
    elsewhere(url, "edit", idea_id, "--desc", "Third text")
    outcome = system.ideas.edit(idea_id, title="Third title")  # kept v4, stored v5: appended v6
    assert (outcome.version, outcome.state.description) == (6, "Third text")
    assert not outcome.loaded_from.startswith("cached")
    assert [e.version for e in system.store.read_stream(f"idea-{idea_id}")] == [1, 2, 3, 4, 5, 6]
    system.close()


def test_a_stale_expected_version_is_refused_after_another_process_committed(
    kept: tuple[System, str, str],
) -> None:
    system, url, idea_id = kept
    elsewhere(url, "edit", idea_id, "--title", "Changed elsewhere")
    with pytest.raises(ConcurrencyError):  # the kept state's version, no longer the stream's
        system.ideas.edit(idea_id, title="Mine", expected_version=2)
    assert system.store.stream_info(f"idea-{idea_id}").version == 3  # type: ignore[union-attr]
    system.close()


def test_a_forget_by_another_process_between_two_commands_refuses_the_second(
    kept: tuple[System, str, str],
) -> None:
    system, url, idea_id = kept
    system.ideas.edit(idea_id, title="Kept title")
    elsewhere(url, "forget", idea_id)
    with pytest.raises(IdeaForgottenError):
        system.ideas.edit(idea_id, title="After the forget")
    stored = system.store.read_stream(f"idea-{idea_id}")
    assert [e.type for e in stored] == ["IdeaForgotten"]
    assert system.ideas.cached_streams() == []
    system.close()


def test_a_forget_here_between_two_commands_refuses_the_second(
    kept: tuple[System, str, str],
) -> None:
    system, _, idea_id = kept
    system.ideas.edit(idea_id, title="Kept title")
    system.ideas.forget(idea_id)
    with pytest.raises(IdeaForgottenError):
        system.ideas.edit(idea_id, title="After the forget")
    assert [e.type for e in system.store.read_stream(f"idea-{idea_id}")] == ["IdeaForgotten"]
    system.close()
