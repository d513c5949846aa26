"""What the explorer says: one way to name a stream, two names for two statuses, and a log
that tells each command's outcome before the events it wrote."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from domain.bootstrap import System
from es_tui.app import ExplorerApp
from es_tui.ideas.screens.idea_form import IdeaForm
from es_tui.messages import CommandRan
from es_tui.screens.confirm import ConfirmCommand
from es_tui.screens.erasure import ErasureReportScreen
from tests.ui.conftest import text_of, wait_for, wait_text


async def select(app: ExplorerApp, pilot: Pilot[None], stream: str) -> None:
    main = app.main_screen
    main.select_stream(stream)
    await wait_for(pilot, lambda: main.stream_id == stream, f"{stream} to be selected")


async def accepted_idea(system: System, pilot: Pilot[None], title: str) -> str:
    idea = system.ideas.publish(title, "Something to say.").idea_id
    await wait_for(pilot, lambda: system.ideas.load(idea).version == 2, "the PM")
    return f"idea-{idea}"


@pytest.mark.parametrize(
    ("key", "event", "closes_with"),
    [("f", "IdeaForgotten", ErasureReportScreen), ("d", "IdeaDeleted", None)],
)
async def test_the_log_tells_the_outcome_before_the_event_it_wrote(
    app: ExplorerApp,
    system: System,
    tmp_path: Path,
    key: str,
    event: str,
    closes_with: type | None,
) -> None:
    # A store file of some size, as a durable store has: the search after a forget takes a
    # while, as it does in a real terminal, and its event is committed long before.
    big = tmp_path / "store.db"
    big.write_bytes(b"\0" * 64_000_000)
    system.eraser.files.append(("store file", big))
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        stream = await accepted_idea(system, pilot, "Log order")
        await select(app, pilot, stream)
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmCommand), "the question")
        await pilot.press("y")
        if closes_with is not None:
            await wait_for(
                pilot, lambda: isinstance(app.screen, closes_with), "the report", timeout=30
            )
        log = await wait_text(pilot, lambda: main.log_pane, event, timeout=30)
        lines = log.splitlines()
        done = next(i for i, line in enumerate(lines) if line.startswith("✔ you:"))
        written = next(i for i, line in enumerate(lines) if event in line and stream in line)
        assert done < written, "\n".join(lines[-6:])
        assert stream in lines[done]


async def test_every_pane_and_dialog_names_a_stream_by_its_full_id(
    app: ExplorerApp, system: System
) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        stream = await accepted_idea(system, pilot, "Named in full")
        idea = stream.removeprefix("idea-")
        rows = await wait_text(pilot, lambda: main.projection.ideas, "Named in full")
        row = next(line for line in rows.splitlines() if "Named in full" in line)
        assert stream in row
        await select(app, pilot, stream)
        for key, dialog in (("e", IdeaForm), ("d", ConfirmCommand), ("f", ConfirmCommand)):
            await pilot.press(key)
            await wait_for(pilot, lambda d=dialog: isinstance(app.screen, d), f"the {key} dialog")
            heading = text_of(app.screen.query_one("#form-heading"))
            assert stream in heading and f"idea {idea}" not in heading
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is main, "the main screen")
        # A refused edit is logged under the stream's id as well.
        system.ideas.delete(idea)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, IdeaForm), "the edit form")
        form = app.screen
        assert isinstance(form, IdeaForm)
        await wait_for(pilot, lambda: form.loaded is not None, "the loaded idea")
        await pilot.press("!", "ctrl+s")
        await wait_text(pilot, lambda: form.query_one("#form-error"), "refused")
        await pilot.press("escape")
        log = await wait_text(pilot, lambda: main.log_pane, "✘ you: EditIdea")
        refusal = next(line for line in log.splitlines() if "✘ you: EditIdea" in line)
        assert f"EditIdea {stream} refused" in refusal


async def test_the_stream_status_and_the_idea_status_have_different_names(
    app: ExplorerApp, system: System
) -> None:
    assert system.demo is not None
    rejected = f"idea-{system.demo.rejected[0]}"
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        streams = await wait_text(pilot, lambda: main.streams, rejected)
        assert "stream is" in streams.splitlines()[0]
        assert "active" in next(line for line in streams.splitlines() if rejected in line)
        ideas = await wait_text(pilot, lambda: main.projection.ideas, "idea is")
        assert "status" not in ideas.splitlines()[0] and "status" not in streams.splitlines()[0]


@pytest.mark.parametrize("actor", ["you", "process manager", "writer A"])
async def test_an_outcome_that_arrives_after_its_events_goes_above_them(
    app: ExplorerApp, system: System, actor: str
) -> None:
    # The commit's events reach the log first (the outcome is held back until they are
    # shown); the outcome still reads above the events it wrote, whoever sent it, and the
    # lines written in between keep their order.
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        stream = await accepted_idea(system, pilot, "Late outcome")
        idea = stream.removeprefix("idea-")
        outcome = system.handler.execute(  # type: ignore[union-attr]
            system.handler.build(  # type: ignore[union-attr]
                "EditIdea", {"idea_id": idea, "title": "Late outcome, edited"}
            )
        )
        event = f"{stream} v{outcome.version} IdeaUpdated"
        await wait_text(pilot, lambda: main.log_pane, event)
        other = await accepted_idea(system, pilot, "Written in between")
        await wait_text(pilot, lambda: main.log_pane, f"{other} v2")
        before = main.log_pane.plain_lines()
        app.post_message(CommandRan("EditIdea", stream, outcome, actor))
        done = f"✔ {actor}: EditIdea {stream} → v{outcome.version}"
        await wait_text(pilot, lambda: main.log_pane, done)
        lines = main.log_pane.plain_lines()
        at = next(i for i, line in enumerate(lines) if done in line)
        written = next(i for i, line in enumerate(lines) if event in line)
        assert at == written - 1, "\n".join(lines[-6:])
        assert [line for line in lines if done not in line][: len(before)] == before
