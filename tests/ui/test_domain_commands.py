"""Any domain's commands from the explorer: the menu (`n`), the form generated from the
command's model, prefilled from the selected aggregate; refusals shown in the form with
nothing stored; forget with its erasure report, and replay, on every domain; raw mode says
why its command keys do nothing."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from textual import events
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, TextArea

from domain.bootstrap import System, bootstrap
from domain.core.records import SnapshotPolicy
from es_tui.app import ExplorerApp
from es_tui.ideas.screens.idea_form import IdeaForm
from es_tui.screens.erasure import ErasureReportScreen
from es_tui.screens.main import RAW_MODE
from es_tui.screens.replay import ReplayScreen
from es_tui.screens.send_command import CommandMenu, SendCommandForm
from es_tui.widgets.state_pane import plain_fields
from tests.ui.conftest import text_of, wait_for, wait_text
from tests.ui.mouse import screen_lines

BANK = Path(__file__).resolve().parents[1] / "domains" / "bank_account.py"

CREATE = {
    "ideas": ("PublishIdea", {"title": "Sent from a form", "description": "Any domain."}),
    "accounts": ("OpenAccount", {"holder": "Ada Example", "overdraft_limit": "0"}),
    str(BANK): ("OpenAccount", {"holder": "Grace Example"}),
}
"""Per domain: a creating command and valid fields for it."""
INVALID = {"ideas": ("PublishIdea", "title"), "accounts": ("OpenAccount", "holder")}
"""Per domain: a creating command and a required text field left empty."""


def open_system(domain: str) -> System:
    policy = SnapshotPolicy(10, 3)
    if domain == "ideas":
        return bootstrap(
            "memory:",
            demo=True,
            seed=7,
            pm_delay=0.05,
            threaded=True,
            accept_probability=1.0,
            snapshot_policy=policy,
        )
    return bootstrap("memory:", domain=domain, demo=True, threaded=True, snapshot_policy=policy)


@pytest.fixture(params=["ideas", "accounts"])
def domain_system(request: pytest.FixtureRequest) -> Iterator[System]:
    built = open_system(request.param)
    yield built
    built.close()


def sent(system: System, command: str) -> int:
    """How many stored events the command `command` wrote."""
    return sum(e.metadata.get("command") == command for e in system.store.read_all(1))


async def choose(pilot: Pilot[None], app: ExplorerApp, command: str) -> SendCommandForm:
    """`n`, then `command` in the menu: its form, once open."""
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandMenu), "the command menu")
    menu = app.screen
    options = menu.query_one("#command-list", OptionList)
    index = next(
        i for i in range(options.option_count) if options.get_option_at_index(i).id == command
    )
    options.highlighted = index
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, SendCommandForm), f"the {command} form")
    form = app.screen
    assert isinstance(form, SendCommandForm) and form.spec.name == command
    return form


def fill(form: SendCommandForm, values: dict[str, str]) -> None:
    for name, value in values.items():
        widget = form.query_one(f"#{form.widget_id(name)}")
        if isinstance(widget, TextArea):
            widget.text = value
        elif isinstance(widget, Select):
            widget.value = value
        else:
            assert isinstance(widget, Input)
            widget.value = value


async def send(
    pilot: Pilot[None], app: ExplorerApp, command: str, values: dict[str, str]
) -> SendCommandForm:
    """Send `command` with `values` through the menu and its form; wait for it to close."""
    form = await choose(pilot, app, command)
    fill(form, values)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: app.screen is app.main_screen, f"the {command} form to close")
    assert form.outcome is not None
    return form


async def select(pilot: Pilot[None], app: ExplorerApp, stream: str) -> None:
    main = app.main_screen
    main.select_stream(stream)
    await wait_for(pilot, lambda: main.stream_id == stream, f"{stream} to be selected")


@pytest.mark.parametrize("domain", ["ideas", "accounts", str(BANK)])
async def test_a_creating_command_sent_through_the_form_is_stored_and_logged(domain: str) -> None:
    system = open_system(domain)
    try:
        app = ExplorerApp(system)
        async with app.run_test(size=(160, 48)) as pilot:
            command, values = CREATE[domain]
            form = await send(pilot, app, command, values)
            outcome = form.outcome
            assert outcome is not None
            stored = system.store.read_stream(outcome.stream_id)
            assert stored and stored[0].metadata.get("command") == command
            line = f"{command} {outcome.stream_id} → v{outcome.version}"
            await wait_text(pilot, lambda: app.main_screen.log_pane, line)
            await wait_for(
                pilot, lambda: app.main_screen.stream_id == outcome.stream_id, "the new stream"
            )
    finally:
        system.close()


@pytest.mark.parametrize("domain", ["accounts", str(BANK)])
async def test_a_deposit_is_prefilled_with_the_selected_account(domain: str) -> None:
    system = open_system(domain)
    try:
        app = ExplorerApp(system)
        async with app.run_test(size=(160, 48)) as pilot:
            opened = (await send(pilot, app, *CREATE[domain])).outcome
            assert opened is not None
            await select(pilot, app, opened.stream_id)
            form = await choose(pilot, app, "Deposit")
            account = form.query_one(f"#{form.widget_id('account_id')}", Input)
            assert account.value == opened.aggregate_id
            amount = form.query_one(f"#{form.widget_id('amount')}", Input)
            await wait_for(pilot, lambda: app.focused is amount, "the cursor past the id")
            fill(form, {"amount": "25"})
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: app.screen is app.main_screen, "the form to close")
            line = f"Deposit {opened.stream_id} → v2"
            await wait_text(pilot, lambda: app.main_screen.log_pane, line)
            state = system.handler.load(opened.aggregate_id).state  # type: ignore[union-attr]
            assert Decimal(state.balance) == Decimal(25)
    finally:
        system.close()


async def test_an_invalid_field_is_shown_next_to_it_and_nothing_is_stored(
    domain_system: System,
) -> None:
    assert domain_system.domain is not None
    command, field = INVALID[domain_system.domain.name]
    app = ExplorerApp(domain_system)
    async with app.run_test(size=(160, 48)) as pilot:
        form = await choose(pilot, app, command)
        before = sent(domain_system, command)
        await pilot.press("ctrl+s")
        error = await wait_text(
            pilot, lambda: form.query_one(f"#{form.widget_id(field)}-error"), "✘"
        )
        assert "required" in error or "at least" in error, error
        assert app.screen is form
        assert sent(domain_system, command) == before


async def test_a_refused_withdrawal_is_shown_in_the_form_and_stores_nothing() -> None:
    system = open_system("accounts")
    try:
        app = ExplorerApp(system)
        async with app.run_test(size=(160, 48)) as pilot:
            opened = (await send(pilot, app, *CREATE["accounts"])).outcome
            assert opened is not None
            await select(pilot, app, opened.stream_id)
            form = await choose(pilot, app, "Withdraw")
            fill(form, {"amount": "1000"})
            before = sent(system, "Withdraw")
            await pilot.press("ctrl+s")
            shown = await wait_text(pilot, lambda: form.query_one("#form-error"), "refused")
            assert "InsufficientFunds" in shown
            assert app.screen is form
            assert sent(system, "Withdraw") == before
            log = f"Withdraw {opened.stream_id} refused: InsufficientFunds"
            await wait_text(pilot, lambda: app.main_screen.log_pane, log)
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is app.main_screen, "the form to close")
    finally:
        system.close()


@pytest.mark.parametrize("domain", ["ideas", "accounts", str(BANK)])
async def test_forget_on_every_domain_ends_with_a_clean_erasure_report(domain: str) -> None:
    domain_system = open_system(domain)
    app = ExplorerApp(domain_system)
    async with app.run_test(size=(160, 48)) as pilot:
        created = (await send(pilot, app, *CREATE[domain])).outcome
        assert created is not None
        stream = created.stream_id
        if domain_system.ideas is not None:  # accepted by the process manager first
            await wait_for(
                pilot,
                lambda: (domain_system.store.stream_info(stream) or 0).version >= 2,  # type: ignore[union-attr]
                "the idea's acceptance",
            )
        await select(pilot, app, stream)
        await pilot.press("f")
        await wait_text(pilot, lambda: app.screen.query_one("#form-heading"), f"Forget {stream}")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ErasureReportScreen), "the report")
        report = app.screen.report  # type: ignore[attr-defined]
        assert report.clean, text_of(app.screen.query_one("#erasure-report"))
        info = domain_system.store.stream_info(stream)
        assert info is not None and info.status.value == "forgotten"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is app.main_screen, "the report to close")
    domain_system.close()


async def test_replay_to_the_end_equals_the_state_pane(domain_system: System) -> None:
    assert domain_system.domain is not None
    stream = next(
        info.stream_id
        for info in domain_system.store.list_streams()
        if domain_system.domain.aggregate_id(info.stream_id) is not None and info.version >= 2
    )
    app = ExplorerApp(domain_system)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        await select(pilot, app, stream)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), "the replay screen")
        replay = app.screen
        assert isinstance(replay, ReplayScreen)
        await wait_text(pilot, lambda: replay.query_one("#replay-start"), "zero")
        await pilot.press("s", "home", "enter")  # from zero: every event applied
        await wait_text(pilot, lambda: replay.query_one("#replay-status"), "to apply")
        await pilot.press("a")
        await wait_text(pilot, lambda: replay.query_one("#replay-status"), "equal ✔")
        replayed = plain_fields(replay.state)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main, "the main screen")
        main.timeline.events.focus()
        await pilot.press("end")
        version = domain_system.store.stream_info(stream).version  # type: ignore[union-attr]
        await wait_for(
            pilot,
            lambda: main.state_pane.view is not None and main.state_pane.view.version == version,
            "the state pane at the head",
        )
        view = main.state_pane.view
        assert view is not None
        assert view.fields == replayed


@pytest.fixture
def raw() -> Iterator[System]:
    filled = bootstrap("memory:", domain="accounts", demo=True, start=False)
    built = bootstrap(store=filled.store, domain=None, threaded=True)
    yield built
    built.close()


@pytest.mark.parametrize("key", ["n", "f", "r", "p"])
async def test_raw_mode_hides_the_command_keys_and_says_why_when_one_is_pressed(
    raw: System, key: str
) -> None:
    app = ExplorerApp(raw)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        main = app.main_screen
        await wait_text(pilot, lambda: main.streams, "account-")
        footer = screen_lines(app)[-1]
        for label in ("Send", "Forget", "Replay", "Publish"):
            assert label not in footer, footer
        await pilot.press(key)
        await wait_for(
            pilot,
            lambda: RAW_MODE.split(" — ")[0] in "\n".join(screen_lines(app)),
            "the raw-mode notice",
        )
        assert app.screen is main
        assert not main.check_action(
            {"n": "send_command", "f": "forget", "r": "replay", "p": "publish"}[key], ()
        )


async def test_every_command_is_in_the_palette_and_opens_its_form(domain_system: System) -> None:
    assert domain_system.domain is not None
    app = ExplorerApp(domain_system)
    async with app.run_test(size=(160, 48)) as pilot:
        titles = [c.title for c in app.get_system_commands(app.main_screen)]
        for spec in domain_system.domain.person_commands:
            assert f"Send {spec.name}" in titles, titles
        internal = [s for s in domain_system.domain.commands if s.internal]
        assert all(f"Send {s.name}" not in titles for s in internal)
        command = CREATE[domain_system.domain.name][0]
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*f"Send {command}")
        await wait_text(pilot, lambda: app.screen.query_one(OptionList), f"Send {command}")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SendCommandForm), "the form")
        assert app.screen.spec.name == command  # type: ignore[attr-defined]


async def test_an_idea_form_finishing_under_the_palette_closes_itself_not_the_palette(
    app: ExplorerApp, system: System
) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, IdeaForm), "the publish form")
        form = app.screen
        assert isinstance(form, IdeaForm)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        # The form's worker finishes while the palette is open over it:
        outcome = system.ideas.publish("Under the palette", "It must stay open.")
        form.post_message(IdeaForm.Done(outcome))
        await wait_for(  # the form has handled it: its outcome is in the log
            pilot,
            lambda: any(
                "✔ you" in line and outcome.stream_id in line
                for line in app.main_screen.log_pane.plain_lines()
            ),
            "the form's outcome in the log",
        )
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, "the form to close")
        assert not any(isinstance(s, IdeaForm) for s in app.screen_stack)


OPENERS = {
    "causation graph": ("t", "enter"),  # enter on an event closes the graph on it
    "command menu": ("n", "enter"),  # enter chooses a command
    "replay": ("r", "escape"),
    "publish form": ("p", "escape"),
}
"""A screen's key, and a key that closes it (an escape follows before it is handled)."""


@pytest.mark.parametrize("screen", list(OPENERS))
async def test_keys_queued_before_a_screen_closes_never_close_the_main_screen(
    app: ExplorerApp, screen: str
) -> None:
    opener, closer = OPENERS[screen]
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        main.timeline.events.focus()
        await pilot.press("down")
        await wait_for(pilot, lambda: main.event is not None, "an event highlighted")
        for _ in range(3):
            await pilot.press(opener)
            await wait_for(pilot, lambda: app.screen is not main, f"the {screen}")
            for key in (closer, "escape"):  # a fast typist: both arrive before either is handled
                app.post_message(events.Key(key, None))
            await pilot.pause(0.3)
            for _ in range(3):  # whatever the first key opened (a command's form) closes too
                if app.screen is main or main not in app.screen_stack:
                    break
                await pilot.press("escape")
                await pilot.pause(0.3)
            assert main in app.screen_stack
            assert app.screen is main and main in app.screen_stack
