"""The publish and edit forms: modal, validated by the domain's own command models."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import ValidationError
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static
from textual.widgets.input import Selection

from domain.bootstrap import ideas_handler
from domain.core.fields import plain_reason
from domain.ideas.codec import stream_id_of
from domain.ideas.commands import EditIdea, PublishIdea
from domain.ideas.errors import InvalidFieldError
from domain.ideas.fields import DESCRIPTION_MAX, TITLE_MAX
from domain.ideas.handler import CommandOutcome
from domain.ideas.state import IdeaState
from es_tui.messages import CommandRan
from es_tui.screens.closing import ClosingScreen, dismiss_if_current

if TYPE_CHECKING:
    from domain.bootstrap import System

FIELDS = {"title": "title", "description": "desc"}
"""Command field name -> input id."""


class IdeaForm(ClosingScreen[CommandOutcome]):
    """Publish a new idea, or edit one (prefilled with its current state)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Submit"),
        # Priority bindings run as the app receives the key, before it hands the next key
        # to the focused field: text typed or pasted right after tab lands in the new field.
        # (Without them tab bubbles up from the old field while the next keys go to it.)
        Binding("tab", "next_field", "Next field", show=False, priority=True),
        Binding("shift+tab", "previous_field", "Previous field", show=False, priority=True),
    ]

    class Prefilled(Message, bubble=False):
        """The idea's current state, or why it could not be loaded (internal)."""

        def __init__(self, result: tuple[IdeaState, int] | Exception) -> None:
            super().__init__()
            self.result = result

    class Done(Message, bubble=False):
        """The command ran (internal)."""

        def __init__(self, result: CommandOutcome | Exception) -> None:
            super().__init__()
            self.result = result

    def __init__(self, system: System, mode: Literal["publish", "edit"], idea_id: str = ""):
        super().__init__(classes="form")
        self.system = system
        self.mode = mode
        self.idea_id = idea_id
        self.loaded: IdeaState | None = None
        self.loaded_version: int | None = None
        self.busy = False
        self.flagged: set[str] = set()
        """Fields (command field names, "" for the form) whose error is on screen."""

    @property
    def command(self) -> str:
        return "PublishIdea" if self.mode == "publish" else "EditIdea"

    def compose(self) -> ComposeResult:
        heading = (
            "Publish an idea" if self.mode == "publish" else f"Edit {stream_id_of(self.idea_id)}"
        )
        with Vertical(id="dialog"):
            yield Static(heading, id="form-heading")
            yield Static(self._explain(), id="form-help")
            yield Label(f"Title (1–{TITLE_MAX} characters, one line)")
            # No select-all on focus: a key typed after tab would replace the whole field.
            yield Input(
                id="title",
                placeholder="A short, clear title",
                max_length=TITLE_MAX * 2,
                select_on_focus=False,
            )
            yield Static(id="title-error", classes="field-error")
            yield Label(f"Description (1–{DESCRIPTION_MAX} characters, one line here)")
            yield Input(
                id="desc",
                placeholder="What and why",
                max_length=DESCRIPTION_MAX * 2,
                select_on_focus=False,
            )
            yield Static(id="desc-error", classes="field-error")
            yield Static(id="form-error")
            yield Static("enter or ctrl+s submit · tab next field · escape cancel", id="form-keys")

    def _explain(self) -> str:
        if self.mode == "publish":
            return (
                "Appends IdeaCreationRequested to a new stream (expected version: no stream). "
                "The process manager accepts or rejects it a moment later."
            )
        return (
            "Loads the idea (snapshot + tail), decides, and appends IdeaUpdated with the "
            "loaded version as expected version. Only changed fields are sent."
        )

    def on_mount(self) -> None:
        if self.mode == "edit":
            self.query_one("#title", Input).disabled = True
            self.query_one("#desc", Input).disabled = True
            self._prefill()
        self.query_one("#title", Input).focus()

    @work(thread=True, group="form", exit_on_error=False)
    def _prefill(self) -> None:
        try:
            loaded = ideas_handler(self.system).load(self.idea_id)
            result: tuple[IdeaState, int] | Exception = (loaded.state, loaded.version)
        except Exception as error:
            result = error
        self.post_message(self.Prefilled(result))

    def on_idea_form_prefilled(self, message: Prefilled) -> None:
        title, desc = self.query_one("#title", Input), self.query_one("#desc", Input)
        title.disabled = desc.disabled = False
        if isinstance(message.result, Exception):
            self._form_error(message.result)
        else:
            self.loaded, self.loaded_version = message.result
            title.value = self.loaded.title or ""
            desc.value = self.loaded.description or ""
            help_text = self.query_one("#form-help", Static)
            help_text.update(
                f"{self._explain()}\nLoaded v{self.loaded_version} · "
                f"idea: {self.loaded.status.value}"
            )
        for field in (title, desc):  # the cursor after the text, nothing selected
            field.cursor_position = len(field.value)
            field.selection = Selection.cursor(len(field.value))
        title.focus()

    def action_next_field(self) -> None:
        self.focus_next()

    def action_previous_field(self) -> None:
        self.focus_previous()

    # -- submitting ----------------------------------------------------------------------

    @on(Input.Submitted)
    def _submit_from_a_field(self) -> None:
        """Enter submits from either field (both are single lines), as ctrl+s does."""
        self.action_submit()

    @on(Input.Changed)
    def _revalidate(self, message: Input.Changed) -> None:
        """An error on screen follows the text: it goes once the field is fixed."""
        if not self.flagged:
            return
        reasons = self._reasons(self._validate())
        for field in list(self.flagged):
            target = FIELDS.get(field)
            reason = reasons.get(field, "")
            where = f"#{target}-error" if target else "#form-error"
            self.query_one(where, Static).update(Text(f"✘ {reason}") if reason else "")
            if not reason:
                self.flagged.discard(field)

    def _validate(self) -> list[tuple[str, str]]:
        """The command model's complaints about the fields as they are: (field, reason)."""
        title = self.query_one("#title", Input).value
        desc = self.query_one("#desc", Input).value
        try:
            if self.mode == "publish":
                PublishIdea(title=title, description=desc)
            else:
                EditIdea(idea_id=self.idea_id, **self._changes(title, desc))
        except ValidationError as error:
            return [(str(e["loc"][0]) if e["loc"] else "", plain_reason(e)) for e in error.errors()]
        return []

    @staticmethod
    def _reasons(errors: list[tuple[str, str]]) -> dict[str, str]:
        """Errors grouped by field (the form's own under ""), each field's joined."""
        grouped: dict[str, list[str]] = {}
        for field, reason in errors:
            grouped.setdefault(field if field in FIELDS else "", []).append(reason)
        return {field: "; ".join(reasons) for field, reasons in grouped.items()}

    def action_cancel(self) -> None:
        dismiss_if_current(self)

    def action_submit(self) -> None:
        if self.busy:
            return
        title = self.query_one("#title", Input).value
        desc = self.query_one("#desc", Input).value
        for name in FIELDS.values():
            self.query_one(f"#{name}-error", Static).update("")
        self.query_one("#form-error", Static).update("")
        self.flagged.clear()
        fields = self._changes(title, desc)
        errors = self._validate()
        if errors:
            self._field_errors(errors)
            return
        self.busy = True
        self._run(title, desc, fields)

    def _changes(self, title: str, desc: str) -> dict[str, str]:
        """For an edit, only the fields that differ from the loaded state."""
        if self.mode == "publish" or self.loaded is None:
            return {"title": title, "description": desc}
        changes = {}
        if title.strip() != (self.loaded.title or ""):
            changes["title"] = title
        if desc.strip() != (self.loaded.description or ""):
            changes["description"] = desc
        return changes

    @work(thread=True, group="form", exit_on_error=False)
    def _run(self, title: str, desc: str, fields: dict[str, str]) -> None:
        ideas = ideas_handler(self.system)
        try:
            result: CommandOutcome | Exception = (
                ideas.publish(title, desc)
                if self.mode == "publish"
                else ideas.edit(self.idea_id, expected_version=self.loaded_version, **fields)
            )
        except Exception as error:  # domain and store errors are shown, never raised
            result = error
        self.post_message(self.Done(result))

    def on_idea_form_done(self, message: Done) -> None:
        self.busy = False
        result = message.result
        subject = (
            result.stream_id
            if isinstance(result, CommandOutcome)
            else stream_id_of(self.idea_id)
            if self.idea_id
            else ""
        )
        self.app.post_message(CommandRan(self.command, subject, result))
        if isinstance(result, CommandOutcome):
            self.close(result)  # the palette or the help may be open over this form
        elif isinstance(result, InvalidFieldError):
            self._field_errors(list(result.errors.items()))
        else:
            self._form_error(result)

    def _field_errors(self, errors: list[tuple[str, str]]) -> None:
        for field, reason in self._reasons(errors).items():
            target = FIELDS.get(field)
            where = f"#{target}-error" if target else "#form-error"
            self.query_one(where, Static).update(Text(f"✘ {reason}"))
            self.flagged.add(field)
        first = next((FIELDS[f] for f, _ in errors if f in FIELDS), "title")
        self.query_one(f"#{first}", Input).focus()

    def _form_error(self, error: Exception) -> None:
        text = Text.assemble(("✘ refused: ", "bold"), f"{type(error).__name__}: {error}")
        self.query_one("#form-error", Static).update(text)
