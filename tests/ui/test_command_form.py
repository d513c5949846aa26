"""The generated command form, driven headless as a person would: keys, tab, fast typing."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static, Switch, TextArea

from domain.core.fields import describe
from domain.ideas.commands import EditIdea, PublishIdea
from es_tui.screens.command_form import CommandForm
from tests.domains import bank_account as bank
from tests.ui.conftest import wait_for


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Paint(BaseModel):
    """Paint a wall."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    colour: Colour
    note: Annotated[str, Field(max_length=50, json_schema_extra={"widget": "textarea"})] = ""


class Harness(App[None]):
    """Pushes one form and keeps what it dismissed with."""

    def __init__(self, form: CommandForm) -> None:
        super().__init__()
        self.form = form
        self.results: list[BaseModel | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.form, self.results.append)


async def _opened(pilot: Pilot[None], app: Harness) -> None:
    await wait_for(pilot, lambda: app.screen is app.form and app.focused is not None, "form")


def _error(form: CommandForm, name: str) -> str:
    return str(form.query_one(f"#{form.widget_id(name)}-error", Static).render())


async def test_each_field_kind_gets_its_input_and_the_model_s_constraints() -> None:
    kinds = {spec.name: spec.kind for spec in describe(bank.OpenAccount)}
    assert kinds == {
        "holder": "text",
        "currency": "choice",
        "overdraft_limit": "int",
        "paper_statements": "bool",
    }
    app = Harness(CommandForm(bank.OpenAccount))
    async with app.run_test(size=(160, 48)) as pilot:
        await _opened(pilot, app)
        form = app.form
        assert isinstance(form.query_one("#field-holder"), Input)
        assert isinstance(form.query_one("#field-currency"), Select)
        assert form.query_one("#field-overdraft_limit", Input).type == "integer"
        assert isinstance(form.query_one("#field-paper_statements"), Switch)
        labels = " ".join(str(label.render()) for label in form.query("Label"))
        assert "Holder (1–80 characters)" in labels
        assert "Overdraft limit (0–5000, default 0)" in labels
        assert "EUR / USD / GBP" in labels

        await pilot.press(*"Ada Lovelace", "tab")  # to the currency select
        await pilot.press("enter", "down", "enter")  # open it, one down: USD
        await pilot.press("tab", *"250", "tab", "space")  # overdraft, then the switch
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.results != [], "the form to close")
    assert app.results == [
        bank.OpenAccount(
            holder="Ada Lovelace", currency="USD", overdraft_limit=250, paper_statements=True
        )
    ]


async def test_long_text_and_enum_fields() -> None:
    kinds = {spec.name: spec.kind for spec in describe(PublishIdea)}
    assert kinds == {"title": "text", "description": "long_text"}
    app = Harness(CommandForm(Paint))
    async with app.run_test(size=(160, 48)) as pilot:
        await _opened(pilot, app)
        assert isinstance(app.form.query_one("#field-note"), TextArea)  # by the schema hint
        await pilot.press("ctrl+s")  # a required choice starts blank: refused
        await wait_for(pilot, lambda: "required" in _error(app.form, "colour"), "required")
        assert app.results == []
        # Two down to the second colour (the blank comes first).
        await pilot.press("enter", "down", "down", "enter", "tab", *"two coats", "ctrl+s")
        await wait_for(pilot, lambda: app.results != [], "the form to close")
    assert app.results == [Paint(colour=Colour.BLUE, note="two coats")]


async def test_bad_fields_show_inline_errors_and_send_nothing() -> None:
    app = Harness(CommandForm(bank.Deposit, values={"account_id": "0a1b2c3d"}))
    async with app.run_test(size=(160, 48)) as pilot:
        await _opened(pilot, app)
        form = app.form
        await pilot.press("tab", *"1.005")  # checked as typed, by the field's own rules
        await wait_for(pilot, lambda: "decimal" in _error(form, "amount"), "a live error")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.results == [] and app.screen is form
        assert "2 decimal places" in _error(form, "amount")

        for _ in "1.005":
            await pilot.press("backspace")
        await pilot.press("-", "5", "ctrl+s")
        await wait_for(pilot, lambda: "greater than 0" in _error(form, "amount"), "> 0")
        form.query_one("#field-account_id", Input).value = ""
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "required" in _error(form, "account_id"), "required id")
        assert app.focused is form.query_one("#field-account_id")
        assert app.results == []


async def test_prefill_fixed_id_legacy_ids_and_submit() -> None:
    form = CommandForm(
        EditIdea,
        values={"idea_id": "3f2a9c", "title": "Dark mode", "description": "A dark theme."},
        fixed={"idea_id"},
        ids={"title": "title", "description": "desc"},
    )
    app = Harness(form)
    async with app.run_test(size=(160, 48)) as pilot:
        await _opened(pilot, app)
        assert form.query_one("#field-idea_id", Input).disabled
        assert form.query_one("#title", Input).value == "Dark mode"
        assert form.query_one("#desc", TextArea).text == "A dark theme."
        assert app.focused is form.query_one("#title")  # the first editable field
        await pilot.press("end", *" at night", "enter")  # enter: on to the next field
        assert app.focused is form.query_one("#desc")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.results != [], "the form to close")
    assert app.results == [
        EditIdea(idea_id="3f2a9c", title="Dark mode at night", description="A dark theme.")
    ]


async def test_an_emptied_optional_field_is_none() -> None:
    values: dict[str, Any] = {"idea_id": "3f2a9c", "title": "T", "description": "D"}
    app = Harness(CommandForm(EditIdea, values=values, fixed={"idea_id"}))
    async with app.run_test(size=(160, 48)) as pilot:
        await _opened(pilot, app)
        app.form.query_one("#field-description", TextArea).text = "   "
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.results != [], "the form to close")
    assert app.results == [EditIdea(idea_id="3f2a9c", title="T", description=None)]


async def test_escape_cancels() -> None:
    app = Harness(CommandForm(bank.Deposit))
    async with app.run_test(size=(160, 48)) as pilot:
        await _opened(pilot, app)
        await pilot.press(*"abc", "escape")
        await wait_for(pilot, lambda: app.results != [], "the form to close")
    assert app.results == [None]


async def test_enter_in_the_last_single_line_field_submits() -> None:
    app = Harness(CommandForm(bank.Deposit))
    async with app.run_test(size=(160, 48)) as pilot:
        await _opened(pilot, app)
        await pilot.press(*"0a1b2c3d", "enter", *"12.5", "enter")
        await wait_for(pilot, lambda: app.results != [], "the form to close")
    assert app.results == [bank.Deposit(account_id="0a1b2c3d", amount=Decimal("12.5"))]


async def test_text_typed_fast_right_after_tab_lands_in_the_next_field() -> None:
    for model, first, second in (
        (PublishIdea, "#field-title", "#field-description"),
        (bank.Deposit, "#field-account_id", "#field-amount"),
    ):
        app = Harness(CommandForm(model))
        async with app.run_test(size=(160, 48)) as pilot:
            await _opened(pilot, app)
            # One press call: no pause between the tab and the keys that follow it.
            await pilot.press(*"12", "tab", *"345")
            await pilot.pause()
            one, two = app.form.query_one(first), app.form.query_one(second)
            texts = [w.text if isinstance(w, TextArea) else w.value for w in (one, two)]  # type: ignore[attr-defined]
            assert texts == ["12", "345"], model.__name__
