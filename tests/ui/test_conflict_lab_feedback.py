"""Every key of the conflict lab either does its step or says, in the lab, why not now."""

from __future__ import annotations

from textual.pilot import Pilot

from domain.bootstrap import System
from es_tui.app import ExplorerApp
from es_tui.ideas.screens.conflict_lab import ConflictLab
from tests.ui.conftest import settled, text_of, wait_for, wait_text


async def open_lab(app: ExplorerApp, pilot: Pilot[None], stream: str) -> ConflictLab:
    main = app.main_screen
    main.select_stream(stream)
    await wait_for(pilot, lambda: main.stream_id == stream, f"{stream} to be selected")
    await pilot.press("c")
    await wait_for(pilot, lambda: isinstance(app.screen, ConflictLab), "the conflict lab")
    lab = app.screen
    assert isinstance(lab, ConflictLab)
    return lab


def notice(lab: ConflictLab) -> str:
    return text_of(lab.query_one("#lab-notice")).strip()


async def dead_key(pilot: Pilot[None], lab: ConflictLab, key: str, *why: str) -> None:
    """`key` changes nothing in the store and the lab says what it would do and why not."""
    store = lab.system.store
    version = store.stream_info(lab.stream_id).version  # type: ignore[union-attr]
    steps = text_of(lab.query_one("#lab-steps"))
    await pilot.press(key)
    shown = await wait_text(pilot, lambda: lab.query_one("#lab-notice"), "does nothing now")
    assert shown.startswith(f"{key} ("), shown
    for words in why:
        assert words in shown, shown
    await settled(pilot)  # a commit the key started would be over
    assert store.stream_info(lab.stream_id).version == version  # type: ignore[union-attr]
    assert text_of(lab.query_one("#lab-steps")) == steps


async def test_each_dead_key_at_each_step_says_why(app: ExplorerApp, system: System) -> None:
    idea = system.ideas.publish("Contested", "Two writers want this.").idea_id
    stream = f"idea-{idea}"
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: (system.store.stream_info(stream) or 0).version == 2, "PM")
        lab = await open_lab(app, pilot, stream)
        steps = lambda: lab.query_one("#lab-steps")  # noqa: E731
        await wait_text(pilot, steps, "both load")
        assert notice(lab) == ""

        # Both loaded: nothing was refused, so there is nothing to retry.
        await dead_key(pilot, lab, "r", "reload and retry", "no writer was refused yet")

        await pilot.press("b")
        await wait_text(pilot, steps, "B commits")
        assert notice(lab) == ""  # a key that did its work clears the notice
        await dead_key(pilot, lab, "b", "commit B", "B already committed v3")
        await dead_key(pilot, lab, "r", "no writer was refused", "B committed")

        await pilot.press("a")
        await wait_text(pilot, steps, "A is refused")
        await dead_key(pilot, lab, "a", "commit A", "A was refused", "r reloads")
        await dead_key(pilot, lab, "b", "B already committed v3")

        await pilot.press("r")
        await wait_text(pilot, steps, "v3 → v4")
        await dead_key(pilot, lab, "a", "A already committed v4", "s starts over")
        await dead_key(pilot, lab, "b", "B already committed v3")
        await dead_key(pilot, lab, "r", "no writer was refused")

        # Starting over makes every key live again.
        await pilot.press("s")
        await wait_text(pilot, steps, "at v4")
        assert notice(lab) == ""
        await pilot.press("a")
        await wait_text(pilot, steps, "v4 → v5")
        assert notice(lab) == ""


async def test_keys_say_why_when_a_rule_refuses_a_writer(app: ExplorerApp, system: System) -> None:
    assert system.demo is not None
    stream = f"idea-{system.demo.forgotten[0]}"  # loads, but every edit is refused
    async with app.run_test(size=(160, 48)) as pilot:
        lab = await open_lab(app, pilot, stream)
        steps = lambda: lab.query_one("#lab-steps")  # noqa: E731
        await wait_text(pilot, steps, "both load")
        await pilot.press("b")
        await wait_text(pilot, steps, "B is refused")
        await dead_key(pilot, lab, "b", "B was refused (IdeaForgottenError)", "s starts over")
        await dead_key(pilot, lab, "r", "refused by a rule", "not by a conflict")
