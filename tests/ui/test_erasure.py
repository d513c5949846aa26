"""The erasure report after a forget says, place by place, what still holds the idea."""

from __future__ import annotations

from domain.bootstrap import System
from domain.core.records import ANY, NewEvent
from es_tui.app import ExplorerApp
from es_tui.screens.erasure import ErasureReportScreen
from tests.ui.conftest import text_of, wait_for, wait_text

SECRET = "Call Jane Example on 0170 5551234 about the refund."


async def test_a_copy_left_in_another_idea_is_reported_as_a_residue(
    app: ExplorerApp, system: System
) -> None:
    idea = system.ideas.publish("Refund request", SECRET).idea_id
    # Another idea with the same text holds it sealed under its own key: not a residue. A
    # copy kept in clear (here in an event's metadata) is one.
    system.ideas.publish("Copied note", SECRET)
    note = NewEvent("NoteTaken", {}, metadata={"note": SECRET})
    system.store.append("notes-1", [note], expected_version=ANY)
    stream = f"idea-{idea}"
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        await wait_text(pilot, lambda: main.projection.ideas, "Copied note")
        main.select_stream(stream)
        await wait_for(pilot, lambda: main.stream_id == stream, "the stream to be selected")
        await pilot.press("f")
        await wait_text(pilot, lambda: app.screen.query_one("#form-heading"), "Forget idea")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ErasureReportScreen), "the report")
        report = app.screen.report  # type: ignore[attr-defined]
        assert not report.clean
        shown = text_of(app.screen.query_one("#erasure-report"))
        assert "✘ residue found" in shown
        log = next(line for line in shown.splitlines() if "global log" in line)
        assert log.lstrip().startswith("✘") and "1 event(s) elsewhere hold the values" in log
        read_model = next(line for line in shown.splitlines() if "read model" in line)
        assert read_model.lstrip().startswith("✔")
        events = next(line for line in shown.splitlines() if line.lstrip().startswith("✔ events"))
        assert "only the tombstone remains" in events  # the forget itself did its part
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is main, "the report to close")
