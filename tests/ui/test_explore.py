"""The causation graph, following a cause, the diff of two versions, the event-type
catalogue, the versioning lab, a snapshot on demand and the quit question."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from textual.widgets import Tree

from domain.bootstrap import System, bootstrap
from domain.core.records import CAUSATION_ID, RecordedEvent, StreamStatus
from domain.ideas.codec import stream_id_of
from es_tui.app import ExplorerApp
from es_tui.fixtures import FixtureError, read_fixture
from es_tui.model_change import Kind
from es_tui.screens.catalogue import CatalogueScreen
from es_tui.screens.causation import CausationScreen
from es_tui.screens.diff import DiffScreen
from es_tui.screens.fixture_form import FixtureForm
from es_tui.screens.help import HelpScreen, HelpText
from es_tui.screens.quit import QuitConfirm
from es_tui.screens.replay import ReplayScreen
from es_tui.screens.versioning_lab import VersioningLab
from es_tui.widgets.pulse import Pulse
from es_tui.widgets.state_pane import plain_fields
from tests.ui.conftest import text_of, wait_for, wait_text


def accepted_idea(system: System) -> tuple[RecordedEvent, RecordedEvent]:
    """A published idea's request and the process manager's acceptance of it."""
    outcome = system.ideas.publish("Causes", "Follow the chain")
    stream = stream_id_of(outcome.idea_id)
    deadline = time.monotonic() + 30
    events = system.store.read_stream(stream)
    while len(events) < 2 and time.monotonic() < deadline:  # the manager runs on a thread
        time.sleep(0.01)
        events = system.store.read_stream(stream)
    request, acceptance = events[:2]
    assert acceptance.type == "IdeaCreationAccepted"
    return request, acceptance


async def highlight(app: ExplorerApp, pilot: object, record: RecordedEvent) -> None:
    main = app.main_screen
    await wait_for(pilot, lambda: main.streams.row_count > 1, "the streams")  # type: ignore[arg-type]
    main.show_event(record)
    await wait_for(
        pilot,  # type: ignore[arg-type]
        lambda: main.event is not None and main.event.event_id == record.event_id,
        f"the timeline on {record.type}",
        timeout=15,
    )


async def test_causation_tree_of_a_published_idea(app: ExplorerApp, system: System) -> None:
    request, acceptance = accepted_idea(system)
    async with app.run_test(size=(160, 48)) as pilot:
        await highlight(app, pilot, acceptance)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, CausationScreen), "the graph")
        graph = app.screen
        assert isinstance(graph, CausationScreen)
        await wait_for(pilot, lambda: len(graph.events) == 2, "the correlation's events")
        tree = graph.query_one(Tree)
        root = tree.root
        (command,) = root.children
        assert "PublishIdea" in str(command.label)
        (request_node,) = command.children
        assert request_node.data == request
        assert f"{request.stream_id} v1 · pos {request.position}" in str(request_node.label)
        (reaction,) = request_node.children
        assert "process manager" in str(reaction.label) and "probability 1" in str(reaction.label)
        (accept_node,) = reaction.children
        assert accept_node.data == acceptance
        assert "IdeaCreationAccepted" in str(accept_node.label) and "+" in str(accept_node.label)
        # The cursor starts on the event the graph was opened from; moving moves the timeline.
        await wait_for(pilot, lambda: tree.cursor_node is accept_node, "the cursor on it")
        main = app.main_screen
        assert main.timeline.events.cursor == acceptance.version - 1
        await pilot.press("up", "up")  # past the reaction's command, onto the request
        await wait_for(
            pilot,
            lambda: main.timeline.events.cursor == request.version - 1,
            "the timeline to follow the tree",
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main, "the graph to close")
        await wait_for(
            pilot,
            lambda: main.event is not None and main.event.event_id == request.event_id,
            "the request highlighted",
        )


async def test_enter_on_a_causation_id_lands_on_the_cause(app: ExplorerApp, system: System) -> None:
    request, acceptance = accepted_idea(system)
    assert acceptance.metadata[CAUSATION_ID] == str(request.event_id)
    async with app.run_test(size=(160, 48)) as pilot:
        await highlight(app, pilot, acceptance)
        main = app.main_screen
        await wait_text(pilot, lambda: main.timeline.details, str(request.event_id))
        main.timeline.details.focus()
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: main.event is not None and main.event.event_id == request.event_id,
            "the cause to be highlighted",
            timeout=15,
        )


def reference_state(system: System, stream: str, version: int) -> dict[str, object]:
    """The state folded event by event from version 1 (no snapshot, no fast path)."""
    fold = system.fold
    state = fold.initial(stream)
    for record in system.store.read_stream(stream, 1, version):
        state = fold.evolve(state, record)
    return plain_fields(state)


async def test_diff_of_two_versions_lists_exactly_the_changed_fields(
    app: ExplorerApp, system: System
) -> None:
    live = [s for s in system.store.list_streams() if s.status is StreamStatus.ACTIVE]
    stream = max(live, key=lambda s: s.version).stream_id
    events = system.store.read_stream(stream)
    assert len(events) >= 12
    before, after = reference_state(system, stream, 2), reference_state(system, stream, 12)
    expected = {name for name in after if before.get(name) != after[name]}
    assert expected  # a long stream changes between v2 and v12
    async with app.run_test(size=(160, 48)) as pilot:
        await highlight(app, pilot, events[1])
        await pilot.press("m")
        await highlight(app, pilot, events[11])
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen), "the diff view")
        diff = app.screen.diff  # type: ignore[attr-defined]
        assert {change.name for change in diff.changes} == expected
        assert [r.version for r in diff.between] == list(range(3, 13))
        shown = text_of(app.screen.query_one("#diff-content"))
        assert f"{len(expected)} fields changed" in shown or "1 field changed" in shown
        for name in expected:
            assert name in shown


async def test_catalogue_counts_equal_a_count_over_the_log(
    app: ExplorerApp, system: System
) -> None:
    counted = Counter(record.type for record in system.store.read_all())
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.streams.row_count > 1, "the streams")
        await pilot.press("K")
        await wait_for(pilot, lambda: isinstance(app.screen, CatalogueScreen), "the catalogue")
        screen = app.screen
        assert isinstance(screen, CatalogueScreen)
        await wait_for(pilot, lambda: bool(screen.entries), "the count")
        assert {e.type: e.count for e in screen.entries if e.count} == dict(counted)
        shown = text_of(screen.query_one("#catalogue-content"))
        for event_type, count in counted.items():
            assert f"{event_type}  {count:,} stored" in shown
        # The stream filter picks a stream by part of its name.
        stream = next(s.stream_id for s in system.store.list_streams())
        screen.filter.value = stream[-4:]
        await wait_for(
            pilot, lambda: stream in text_of(screen.matches), "the filter to list the stream"
        )
        screen.matches.focus()
        index = next(
            i
            for i in range(screen.matches.option_count)
            if screen.matches.get_option_at_index(i).id == stream
        )
        screen.matches.highlighted = index
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: app.main_screen.timeline.stream_id == stream, "the stream chosen"
        )


async def test_lab_accepts_a_default_and_refuses_a_removal(app: ExplorerApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.streams.row_count > 1, "the streams")
        await pilot.press("V")
        await wait_for(pilot, lambda: isinstance(app.screen, VersioningLab), "the lab")
        lab = app.screen
        assert isinstance(lab, VersioningLab)
        lab.type_select.value = "IdeaUpdated"
        lab.field_input.value = "tags"
        lab.type_name.value = "list[str]"
        lab.extra.value = "[]"
        shown = await wait_text(pilot, lambda: lab.result, "✔ accepted: add tags: list[str]")
        shown = await wait_text(pilot, lambda: lab.result, '"tags": []')
        assert "IdeaUpdated" in text_of(lab.current) and "would read as" in shown
        lab.extra.value = ""  # no default: old payloads cannot build it
        shown = await wait_text(pilot, lambda: lab.result, "✘ refused")
        assert "'tags' is new and required" in shown
        lab.kind_select.value = Kind.REMOVE
        lab.field_input.value = "title"
        shown = await wait_text(pilot, lambda: lab.result, "✘ refused: remove title")
        assert "field 'title' was removed or renamed" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, "the lab to close")


async def test_snapshot_on_demand_and_the_policy_in_the_title(
    app: ExplorerApp, system: System
) -> None:
    request, _ = accepted_idea(system)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        assert main.snapshots.border_subtitle == "every 10 events · keep 3"
        assert app.sub_title == "memory — not saved; q discards"
        await highlight(app, pilot, request)
        assert system.store.snapshots(request.stream_id) == []
        await pilot.press("s")
        await wait_for(
            pilot, lambda: len(system.store.snapshots(request.stream_id)) == 1, "a snapshot"
        )
        assert system.store.snapshots(request.stream_id)[0].version == 2
        # The snapshots pane shows it at once (no later commit needed to refresh it).
        await wait_text(pilot, lambda: main.snapshots, "v2")
        assert app._exception is None and not [
            w for w in app.workers if w.group == "snapshot" and w.error is not None
        ]


async def test_quit_asks_once_on_a_memory_store_with_changes(
    app: ExplorerApp, system: System
) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.streams.row_count > 1, "the streams")
        system.ideas.publish("Unsaved", "Only in memory")
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, QuitConfirm), "the question")
        assert "lost when the explorer quits" in text_of(app.screen)
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is app.main_screen, "staying")
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, QuitConfirm), "the question again")
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running, "the app to quit")


async def test_quit_asks_nothing_on_a_memory_store_without_changes(app: ExplorerApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.streams.row_count > 1, "the streams")
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, "the app to quit")


async def test_quit_asks_nothing_on_a_sqlite_store(tmp_path: Path) -> None:
    built = bootstrap(f"sqlite:///{tmp_path / 'ideas.db'}", demo=True, threaded=True)
    try:
        app = ExplorerApp(built)
        async with app.run_test(size=(160, 48)) as pilot:
            assert app.sub_title == f"saved in {tmp_path / 'ideas.db'}"
            await wait_for(pilot, lambda: app.main_screen.streams.row_count > 1, "the streams")
            built.ideas.publish("Saved", "On disk")
            await pilot.press("q")
            await wait_for(pilot, lambda: not app.is_running, "the app to quit")
    finally:
        built.close()


async def test_a_demo_edit_stored_at_v1_reads_as_v2(app: ExplorerApp, system: System) -> None:
    stored = [r for r in system.store.read_all() if r.type == "IdeaUpdated"]
    old = [r for r in stored if r.schema_version == 1]
    assert old and any(r.schema_version == 2 for r in stored)  # both, in one demo store
    async with app.run_test(size=(160, 48)) as pilot:
        await highlight(app, pilot, old[-1])
        main = app.main_screen
        shown = await wait_text(pilot, lambda: main.timeline.details, "stored v1 · read v2")
        assert "data as read (v2)" in shown and "data as stored" in shown
        assert '"minor": false' in shown
        assert "v1→v2" in text_of(main.timeline.events)


async def test_fixture_export_then_load_into_a_replay(
    app: ExplorerApp, system: System, tmp_path: Path
) -> None:
    request, acceptance = accepted_idea(system)
    edit = system.ideas.edit(acceptance.stream_id.removeprefix("idea-"), title="Fixture title")
    stream = request.stream_id
    path = tmp_path / "fixture.json"
    async with app.run_test(size=(160, 48)) as pilot:
        await highlight(app, pilot, edit.events[0])
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, FixtureForm), "the export form")
        form = app.screen
        assert isinstance(form, FixtureForm)
        form.path_input.value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, path.exists, "the fixture file")
        written = json.loads(path.read_text())
        assert [e["type"] for e in written["given"]] == [
            "IdeaCreationRequested",
            "IdeaCreationAccepted",
        ]
        assert written["when"] == {"command": "EditIdea"}
        (then,) = written["then"]
        assert then["type"] == "IdeaUpdated" and then["data"]["title"] == "Fixture title"
        assert written["given"][0]["data"]["title"] == "Causes"  # as read, in clear

        await pilot.press("X")
        await wait_for(pilot, lambda: isinstance(app.screen, FixtureForm), "the load form")
        form = app.screen
        assert isinstance(form, FixtureForm)
        form.path_input.value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), "the replay")
        replay = app.screen
        assert isinstance(replay, ReplayScreen)
        assert replay.system is not system and replay.stream_id == stream
        loaded = replay.system.store.read_stream(stream)
        assert [(r.type, r.data) for r in loaded] == [
            (e["type"], e["data"]) for e in written["given"] + written["then"]
        ]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, "the replay to close")


def test_a_file_that_is_not_a_fixture_is_refused_with_its_reason(tmp_path: Path) -> None:
    cases = {
        "not json": ("{", "not JSON"),
        "no format": ('{"stream_id": "s"}', "not a fixture"),
        "bad event": (
            json.dumps(
                {
                    "format": "es-tui given/when/then fixture",
                    "stream_id": "s",
                    "when": {"command": "C"},
                    "given": [{"type": "T"}],
                    "then": [],
                }
            ),
            "'given'[0] needs",
        ),
    }
    for name, (text, reason) in cases.items():
        path = tmp_path / f"{name}.json"
        path.write_text(text)
        with pytest.raises(FixtureError) as refused:
            read_fixture(path)
        assert refused.value.path == path and reason in refused.value.reason
    with pytest.raises(FixtureError) as missing:
        read_fixture(tmp_path / "absent.json")
    assert missing.value.path == tmp_path / "absent.json"


async def test_the_pulse_shows_the_read_models_lag_and_the_commit_rate(
    app: ExplorerApp, system: System
) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        pulse = app.main_screen.query_one(Pulse)
        await wait_for(pilot, lambda: app.main_screen.streams.row_count > 1, "the streams")
        await wait_for(pilot, lambda: system.view.checkpoint == system.store.head_position(), "")
        system.view.pause()  # the lag can only grow now
        for n in range(3):
            system.ideas.publish(f"Lagging {n}", "Waits for the read model")

        def lag() -> int:  # the manager's acceptances add to it while it is sampled
            return system.store.head_position() - system.view.checkpoint

        await wait_for(
            pilot, lambda: pulse.lags[-1] >= 3 and pulse.lags[-1] == lag(), "the lag", timeout=30
        )
        assert any(rate > 0 for rate in pulse.rates)
        assert f"lag {lag()}" in text_of(pulse.lag_label)
        system.view.resume()
        await wait_for(pilot, lambda: pulse.lags[-1] == 0, "the lag back to 0", timeout=30)


async def test_help_says_the_numbers_and_points_to_each_view(app: ExplorerApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        shown = app.screen.query_one("#help", HelpText).source
        assert "every 10 events, the last 3 kept" in shown
        assert "probability 1 (else rejects it), 0.05 s after it" in shown
        assert "memory — not saved; q discards" in shown
        for row in ("`t` on any event", "`m` on one version", "`K` catalogue", "`x` export"):
            assert row in shown
        titles = [c.title for c in app.get_system_commands(app.main_screen)]
        for title in ("Causation graph", "Event-type catalogue", "Versioning lab"):
            assert title in titles
