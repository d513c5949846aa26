"""The explorer asks the registry for the running domain's own explorer part: the ideas part
takes over p, e, d and c and lists its read model; the accounts part only its lab (c); a
domain without one (a user's domain) gets the generated forms, the generic lab, its read
models and its traffic profile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.bootstrap import System, bootstrap
from es_tui.app import ExplorerApp
from es_tui.fronts import front_part
from es_tui.ideas.screens.idea_form import IdeaForm
from es_tui.ideas.sources import IdeasSource
from es_tui.ideas.traffic import IdeasTraffic
from es_tui.screens.command_form import CommandForm
from es_tui.screens.domain_lab import DomainLab
from es_tui.screens.main import PART_ONLY, ActionsPart
from es_tui.screens.send_command import CommandMenu
from es_tui.sources import ViewRowsSource
from es_tui.traffic import DomainTraffic, NoTrafficError, TrafficPart, make_traffic
from es_tui.widgets.projection_pane import ReadModelPart
from tests.ui.conftest import settled, text_of, wait_for, wait_text
from tests.ui.mouse import screen_lines

BANK = Path(__file__).resolve().parents[1] / "domains" / "bank_account.py"


def test_the_registry_gives_each_built_in_domain_its_explorer_part() -> None:
    part = front_part("ideas", "explorer")
    for shape in (ActionsPart, ReadModelPart, TrafficPart):
        assert isinstance(part, shape), shape
    # Accounts brings its own lab only: its read models and traffic are the generic ones.
    lab_only = front_part("accounts", "explorer")
    assert isinstance(lab_only, ActionsPart)
    assert not isinstance(lab_only, ReadModelPart | TrafficPart)
    for name in (None, "no_such_domain"):
        assert front_part(name, "explorer") is None, name


@pytest.fixture
def accounts() -> Iterator[System]:
    built = bootstrap("memory:", domain="accounts", demo=True, seed=3, threaded=True)
    yield built
    built.close()


@pytest.fixture
def bank() -> Iterator[System]:
    built = bootstrap("memory:", domain=str(BANK), threaded=True)
    yield built
    built.close()


async def test_on_ideas_the_part_takes_over_p_and_its_publish_form_opens(system: System) -> None:
    app = ExplorerApp(system)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        assert main.part is front_part("ideas", "explorer")
        assert main.part_actions >= PART_ONLY | {"conflict_lab"}
        assert isinstance(main.projection.source, IdeasSource)
        assert isinstance(main.traffic.traffic, IdeasTraffic)
        await wait_text(pilot, lambda: main.streams, "idea-")
        await pilot.press("2")  # the timeline: the footer shows the screen's keys
        await wait_for(pilot, lambda: main.timeline.events.has_focus, "the timeline")
        footer = screen_lines(app)[-1]
        assert "Publish" in footer and "Edit" in footer and "Delete" in footer, footer
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, IdeaForm), "the publish form")
        form = app.screen
        assert isinstance(form, IdeaForm) and form.mode == "publish"
        assert "Publish an idea" in text_of(form.query_one("#form-heading"))


async def test_on_ideas_an_action_on_no_idea_names_an_idea_stream() -> None:
    empty = bootstrap("memory:", threaded=True)  # no stream, no event: nothing selected
    try:
        app = ExplorerApp(empty)
        async with app.run_test(size=(160, 48), notifications=True) as pilot:
            main = app.main_screen
            for key, what in (
                ("e", "edit"),
                ("d", "delete"),
                ("c", "open the conflict lab on"),
                ("f", "forget"),  # generic, in the part's words
            ):
                await pilot.press(key)
                await wait_for(
                    pilot,
                    lambda what=what: (
                        f"Select an idea stream to {what}." in "\n".join(screen_lines(app))
                    ),
                    f"the warning of {key}",
                )
                assert app.screen is main
    finally:
        empty.close()


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_on_accounts_p_e_d_are_hidden_and_c_opens_its_own_lab(
    accounts: System, size: tuple[int, int]
) -> None:
    app = ExplorerApp(accounts)
    async with app.run_test(size=size) as pilot:
        main = app.main_screen
        assert main.part is front_part("accounts", "explorer")
        assert main.part_actions == frozenset({"conflict_lab"})
        assert isinstance(main.projection.source, ViewRowsSource)
        assert isinstance(main.traffic.traffic, DomainTraffic)
        await wait_text(pilot, lambda: main.streams, "account-")
        for action in PART_ONLY:
            assert not main.check_action(action, ())
        await pilot.press("2")
        await wait_for(pilot, lambda: main.timeline.events.has_focus, "the timeline")
        footer = screen_lines(app)[-1]
        for label in ("Publish", "Edit", "Delete"):
            assert label not in footer, footer
        assert "Send" in footer, footer  # where no part's keys fill it, n shows
        await pilot.press("p", "e", "d")
        await settled(pilot)
        assert app.screen is main  # their bindings are off: nothing opens
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, DomainLab), "the accounts lab")
        assert "invariant" in str(app.screen.heading())  # a fresh account, two withdrawals


async def test_a_users_domain_gets_the_generic_forms_lab_and_traffic(bank: System) -> None:
    assert bank.domain is not None and bank.handler is not None
    assert front_part(bank.domain.name, "explorer") is None
    with pytest.raises(NoTrafficError):  # the port's profile, and it has none
        make_traffic(bank)
    account = bank.handler.execute(bank.handler.build("OpenAccount", {"holder": "Ann"}))
    stream_id = bank.domain.stream_id(account.aggregate_id)
    app = ExplorerApp(bank)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        assert main.part is None
        for action in PART_ONLY:
            assert not main.check_action(action, ())
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandMenu), "the command menu")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main, "back on the main screen")
        main.select_stream(stream_id)
        await wait_for(pilot, lambda: main.focus_stream == stream_id, "the account selected")
        await pilot.press("c")  # the generic lab: first, what writer A sends
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, CommandForm) and "Writer A" in app.screen.heading,
            "writer A's form",
        )


def test_on_ideas_make_traffic_gives_the_ideas_generator(system: System) -> None:
    assert isinstance(make_traffic(system, seed=1), IdeasTraffic)


async def test_the_palette_lists_the_parts_actions_only_where_a_part_offers_them(
    system: System, accounts: System
) -> None:
    for running, offered in ((system, True), (accounts, False)):
        app = ExplorerApp(running)
        async with app.run_test(size=(160, 48)):
            titles = [c.title for c in app.get_system_commands(app.main_screen)]
            for title in ("Publish an idea", "Edit the selected idea", "Delete the selected idea"):
                assert (title in titles) is offered, (running.domain, title)
            assert "Conflict lab" in titles  # the part's lab or the generic one
