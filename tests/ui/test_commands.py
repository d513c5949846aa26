"""Commands through the explorer's forms: what the panes show and what the store holds."""

from __future__ import annotations

from domain.bootstrap import System
from domain.core.records import StreamStatus
from domain.ideas.codec import idea_id_of
from es_tui.app import ExplorerApp
from es_tui.ideas.screens.idea_form import IdeaForm
from es_tui.screens.erasure import ErasureReportScreen
from tests.ui.conftest import text_of, wait_for, wait_text


async def test_publish_shows_request_then_decision_in_every_pane(
    app: ExplorerApp, system: System
) -> None:
    before = {s.stream_id for s in system.store.list_streams()}
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, IdeaForm), "the publish form")
        await pilot.press(*"Voice input")
        await pilot.press("tab")  # next field
        await pilot.press(*"Dictate ideas")
        await pilot.press("enter")  # submits
        await wait_for(pilot, lambda: app.screen is main, "the form to close")

        (new,) = {s.stream_id for s in system.store.list_streams()} - before
        idea = idea_id_of(new)
        assert idea is not None
        # The process manager answers ~0.05 s later; the panes follow without a restart.
        await wait_for(pilot, lambda: (system.store.stream_info(new) or 0).version == 2, "PM")
        timeline = await wait_text(pilot, lambda: main.timeline.events, "IdeaCreationRequested")
        decision = system.store.read_stream(new)[1].type
        assert decision in ("IdeaCreationAccepted", "IdeaCreationRejected")
        await wait_text(pilot, lambda: main.timeline.events, decision)
        timeline = text_of(main.timeline.events)
        assert timeline.index("IdeaCreationRequested") < timeline.index(decision)
        streams = await wait_text(pilot, lambda: main.streams, new)
        assert "active" in next(line for line in streams.splitlines() if new in line)
        status = "accepted" if decision.endswith("Accepted") else "rejected"
        # The read model follows on its own thread: wait for its row to carry the decision.
        await wait_text(pilot, lambda: main.projection.ideas, "Voice input")

        def decided_row() -> bool:
            shown = text_of(main.projection.ideas).splitlines()
            return any("Voice input" in line and idea in line and status in line for line in shown)

        await wait_for(pilot, decided_row, f"the read model's row to say {status}")
        log = await wait_text(pilot, lambda: main.log_pane, decision)
        assert f"PublishIdea {new} → v1" in log
        assert f"#{system.store.read_stream(new)[1].position}" in log
        pm = "AcceptIdeaCreation" if status == "accepted" else "RejectIdeaCreation"
        await wait_text(pilot, lambda: main.log_pane, f"process manager: {pm} {new} → v2")


async def test_bad_field_shows_the_domain_rule_inline_and_sends_nothing(
    app: ExplorerApp, system: System
) -> None:
    head = system.store.head_position()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, IdeaForm), "the publish form")
        await pilot.press("space", "space")  # a title of blanks: empty once trimmed
        await pilot.press("tab")
        await pilot.press(*"A fine description")
        await pilot.press("ctrl+s")
        form = app.screen
        error = await wait_text(pilot, lambda: form.query_one("#title-error"), "at least 1")
        assert "✘" in error
        assert text_of(form.query_one("#desc-error")).strip() == ""
        assert isinstance(app.screen, IdeaForm)  # still open
        # Refused before sending: no command is in flight (so none can land later).
        assert not form.busy
        assert system.store.head_position() == head
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, "the form to close")
        assert system.store.head_position() == head


async def test_edit_is_prefilled_and_a_refusal_shows_in_the_form_and_log(
    app: ExplorerApp, system: System
) -> None:
    idea = system.ideas.publish("Printable board", "A print stylesheet.").idea_id
    stream = f"idea-{idea}"
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        main.select_stream(stream)
        await wait_for(pilot, lambda: main.stream_id == stream, "the stream to be selected")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, IdeaForm), "the edit form")
        form = app.screen
        title = form.query_one("#title")
        await wait_for(pilot, lambda: title.value == "Printable board", "the prefilled title")
        await pilot.press("ctrl+s")  # nothing changed: the domain refuses
        await wait_text(pilot, lambda: form.query_one("#form-error"), "changes nothing")
        await pilot.press("end", *" v2 (q?)", "ctrl+s")  # q and ? type, they do not quit
        await wait_for(pilot, lambda: app.screen is main, "the form to close")
        assert system.ideas.load(idea).state.title == "Printable board v2 (q?)"
        log = await wait_text(pilot, lambda: main.log_pane, "NothingToChangeError")
        assert "✘" in log
        await wait_text(pilot, lambda: main.log_pane, "IdeaUpdated")


async def test_forget_leaves_a_lone_tombstone_everywhere(app: ExplorerApp, system: System) -> None:
    idea = system.ideas.publish("Temporary", "To be erased.").idea_id
    stream = f"idea-{idea}"
    for n in range(12):
        system.ideas.edit(idea, description=f"To be erased, rev {n}.")
    assert system.store.snapshots(stream)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        main.select_stream(stream)
        await wait_for(pilot, lambda: main.stream_id == stream, "the stream to be selected")
        await wait_text(pilot, lambda: main.snapshots, "v10")
        await wait_text(pilot, lambda: main.projection.ideas, "Temporary")
        await pilot.press("f")
        await wait_text(pilot, lambda: app.screen.query_one("#form-heading"), "Forget idea")
        await pilot.press("y")
        # Then the erasure report: every place searched, each one clean.
        await wait_for(pilot, lambda: isinstance(app.screen, ErasureReportScreen), "the report")
        report = app.screen.report  # type: ignore[attr-defined]
        assert report.stream_id == stream and report.clean
        shown = text_of(app.screen.query_one("#erasure-report"))
        assert "✔ clean" in shown
        for place in ("events", "global log", "snapshots", "read model", "key store"):
            line = next(line for line in shown.splitlines() if place in line)
            assert line.lstrip().startswith("✔"), line
        assert "explorer log" in shown  # what this explorer has shown is searched too
        assert "only the tombstone remains" in shown and "key destroyed" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main, "the report to close")

        info = system.store.stream_info(stream)
        assert info is not None and info.status is StreamStatus.FORGOTTEN
        timeline = await wait_text(pilot, lambda: main.timeline.events, "IdeaForgotten")
        rows = [line for line in timeline.splitlines()[1:] if line.strip()]
        assert len(rows) == 1 and "IdeaUpdated" not in timeline
        await wait_text(pilot, lambda: main.snapshots, "no snapshots kept")
        await wait_for(
            pilot, lambda: "Temporary" not in text_of(main.projection.ideas), "the row to go"
        )
        await wait_text(pilot, lambda: main.log_pane, "ForgetIdea")
        streams = text_of(main.streams)
        assert "forgotten" in next(line for line in streams.splitlines() if stream in line)

        await pilot.press("d")  # a later command is refused with the "forgotten" error
        await wait_text(pilot, lambda: app.screen.query_one("#form-heading"), "Delete idea")
        await pilot.press("y")
        await wait_text(pilot, lambda: app.screen.query_one("#form-error"), "was forgotten")
        await pilot.press("escape")
        log = await wait_text(pilot, lambda: main.log_pane, "IdeaForgottenError")
        assert "DeleteIdea" in log
