"""A `$all` filter whose words name event types reads those types through the store's type
index, and finds exactly what a full scan finds: on memory and SQLite, for type words in any
case, mixed with a stream's id, a type no event has, and words that also occur in a stream id
or a command (which must keep the full scan)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.bootstrap import System, bootstrap
from domain.core.records import COMMAND, NO_STREAM, NewEvent
from es_tui import log_vocabulary
from es_tui.app import ExplorerApp
from es_tui.log_vocabulary import LogVocabulary
from es_tui.timeline_filter import Query, scan, scan_types
from tests.ui.conftest import text_of, wait_for


@pytest.fixture(params=["memory", "sqlite"])
def demo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[System]:
    url = "memory:" if request.param == "memory" else f"sqlite:///{tmp_path / 'ideas.db'}"
    built = bootstrap(url, demo=True, seed=7)
    yield built
    built.close()


def everything(system: System, text: str) -> list[int]:
    """The positions a full read of the log finds, filtered in memory."""
    query = Query.parse(text)
    return [e.position for e in system.store.read_all() if query.matches(e)]


def found(steps: Iterator[tuple[list[int], int]]) -> list[int]:
    return [position for chunk, _ in steps for position in chunk]


def an_edited_stream(system: System) -> str:
    return next(e.stream_id for e in system.store.read_all() if e.type == "IdeaUpdated")


def typed_and_plain(system: System, text: str) -> tuple[frozenset[str] | None, list[int]]:
    """The types the fast path reads for `text` (None: no fast path) and what it finds."""
    store = system.store
    head = store.head_position()
    vocabulary = LogVocabulary(store)
    assert vocabulary.learn(head)
    query = Query.parse(text)
    types = vocabulary.types_for(query.words, head)
    if types is None:
        return None, found(scan(store, "$all", query, 1, head))
    return types, found(scan_types(store, types, query, 1, head))


def test_type_words_read_by_index_and_find_what_a_scan_finds(demo: System) -> None:
    stream = an_edited_stream(demo)
    fragment = stream.removeprefix("idea-")[:4].upper()
    cases = {
        "IdeaForgotten": {"IdeaForgotten"},
        "ideadeleted": {"IdeaDeleted"},
        "IDEAUPDATED": {"IdeaUpdated"},
        "deleted": {"IdeaDeleted"},
        "rejected": {"IdeaCreationRejected"},
        "ideacreationre": {"IdeaCreationRequested", "IdeaCreationRejected"},
        "creation accepted": {"IdeaCreationAccepted"},  # "creation" is in a command too
        f"updated {fragment}": {"IdeaUpdated"},  # a type word and a stream's id
        f"{fragment} Updated EditIdea": {"IdeaUpdated"},  # and a command
        "idea updated": {"IdeaUpdated"},  # "idea" is in every stream; "updated" is not
        "IdeaTeleported": set(),  # a type no event has: nothing to read, nothing found
    }
    for text, types in cases.items():
        typed, positions = typed_and_plain(demo, text)
        assert typed == types, text
        assert positions == everything(demo, text), text
    assert typed_and_plain(demo, f"updated {fragment}")[1]  # the mixed query finds edits
    assert typed_and_plain(demo, "IdeaTeleported")[1] == []


def test_words_also_in_a_stream_id_or_a_command_keep_the_full_scan(demo: System) -> None:
    # "idea" is in every stream id, "edit" in the EditIdea command, "forget" in ForgetIdea.
    for text in ("idea", "Idea edit", "edit", "forget", "editidea", "creation"):
        typed, positions = typed_and_plain(demo, text)
        assert typed is None, text
        assert positions == everything(demo, text), text


def test_a_type_word_in_another_events_command_or_stream_is_not_read_by_index(
    demo: System,
) -> None:
    store = demo.store
    # Events of other types whose command or stream id holds a type's name: they match a
    # query naming that type, so reading only that type would miss them.
    note = NewEvent("Note", {}, metadata={COMMAND: "RemindIdeaForgotten"})
    store.append("notes-1", [note], NO_STREAM)
    store.append("ideadeleted-archive", [NewEvent("Note", {})], NO_STREAM)
    for text, reason in (("ideaforgotten", "notes-1"), ("IdeaDeleted", "ideadeleted-archive")):
        typed, positions = typed_and_plain(demo, text)
        assert typed is None, text
        assert positions == everything(demo, text)
        assert any(store.read_all(p, 1)[0].stream_id == reason for p in positions), text
    # A word they do not hold still takes the index, and still finds every match.
    typed, positions = typed_and_plain(demo, "IdeaUpdated")
    assert typed == {"IdeaUpdated"} and positions == everything(demo, "IdeaUpdated")


def test_a_vocabulary_behind_the_log_proves_nothing(demo: System) -> None:
    store = demo.store
    vocabulary = LogVocabulary(store)
    head = store.head_position()
    assert vocabulary.types_for(("ideaforgotten",), head) is None  # nothing learned yet
    assert vocabulary.learn(head)
    store.append("notes-2", [NewEvent("Note", {}, metadata={COMMAND: "x-ideaforgotten"})], 0)
    assert vocabulary.types_for(("ideaforgotten",), head + 1) is None  # not seen yet
    assert vocabulary.catch_up(head + 1)
    assert vocabulary.types_for(("ideaforgotten",), head + 1) is None  # seen: a command


async def test_the_explorer_filters_the_log_by_type_index_and_says_so(demo: System) -> None:
    app = ExplorerApp(demo)
    expected = everything(demo, "ideaupdated")
    async with app.run_test(size=(160, 48)) as pilot:
        timeline = app.main_screen.timeline
        head = demo.store.head_position()
        await wait_for(pilot, lambda: timeline.events.row_count == head, "the log")
        await pilot.press("2", "slash")
        await wait_for(pilot, lambda: timeline.vocabulary.learned, "the log's words")
        await pilot.press(*"IdeaUpdated", "enter")
        await wait_for(
            pilot,
            lambda: bool(timeline.filter_query) and not timeline.filtering,
            "the filter to end",
        )
        await wait_for(pilot, lambda: timeline.events.row_count == len(expected), "the edits")
        assert timeline.read_types == {"IdeaUpdated"}
        assert "by type index (IdeaUpdated)" in str(timeline.border_subtitle)
        rows = [line for line in text_of(timeline.events).splitlines()[1:] if line.strip()]
        assert [int(row.split()[0]) for row in rows[:5]] == expected[:5]

        # A word in every stream id: the full scan, the same as before.
        await pilot.press("escape", "slash", *"idea", "enter")
        await wait_for(
            pilot, lambda: timeline.events.row_count == len(everything(demo, "idea")), "all"
        )
        await wait_for(pilot, lambda: not timeline.filtering, "the scan")
        assert timeline.read_types is None
        assert "by type index" not in str(timeline.border_subtitle)


def test_a_scan_of_the_log_teaches_the_vocabulary(demo: System) -> None:
    store = demo.store
    head = store.head_position()
    vocabulary = LogVocabulary(store)
    query = Query.parse("idea")
    # A chunk that leaves a gap after what is covered teaches nothing (1..seen stays whole).
    vocabulary.take(store.read_all(5, 3, to_position=7), 5, 7)
    assert vocabulary.seen == 0
    found(scan(store, "$all", query, 1, head, vocabulary.take))
    assert vocabulary.seen == head
    assert vocabulary.types_for(("ideadeleted",), head) == {"IdeaDeleted"}
    assert vocabulary.types_for(("idea",), head) is None  # in every stream id


async def test_a_small_logs_first_filter_reads_by_type_at_once(demo: System) -> None:
    app = ExplorerApp(demo)
    expected = everything(demo, "IdeaDeleted")
    async with app.run_test(size=(80, 24)) as pilot:
        timeline = app.main_screen.timeline
        assert not timeline.vocabulary.learned
        timeline.set_filter("IdeaDeleted")  # as the palette or a test sets it: no learner
        await wait_for(pilot, lambda: bool(timeline.filter_query) and not timeline.filtering, "it")
        await wait_for(pilot, lambda: timeline.events.row_count == len(expected), "deletions")
        assert timeline.read_types == {"IdeaDeleted"}


async def test_on_a_long_log_the_first_scan_teaches_the_next_filters(
    demo: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A log longer than what is read at once to learn its words (here: 10 events).
    monkeypatch.setattr(log_vocabulary, "CATCH_UP_LIMIT", 10)
    app = ExplorerApp(demo)
    async with app.run_test(size=(160, 48)) as pilot:
        timeline = app.main_screen.timeline

        async def filtered(text: str) -> None:
            timeline.set_filter(text)
            expected = everything(demo, text)
            await wait_for(pilot, lambda: not timeline.filtering, f"the filter {text}")
            await wait_for(pilot, lambda: timeline.events.row_count == len(expected), text)

        await filtered("IdeaDeleted")
        assert timeline.read_types is None  # nothing learned yet: a scan, as before
        assert timeline.vocabulary.learned  # …which learned the log's words on its way
        await filtered("IdeaUpdated")
        assert timeline.read_types == {"IdeaUpdated"}
