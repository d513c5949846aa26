"""A yes/no dialog that runs a command (delete, forget) once the user presses `y`. A command
may return its outcome with a report (forget returns its erasure report); the dialog closes
with whatever the command returned."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from domain.core.shredding.erasure import ErasureReport
from es_tui.messages import AnyOutcome, CommandRan
from es_tui.screens.closing import ClosingScreen, dismiss_if_current

Result = AnyOutcome | tuple[AnyOutcome, ErasureReport]
"""What a confirmed command returns: its outcome, or its outcome and an erasure report."""
Announce = Callable[[AnyOutcome], None]
"""Called (from the command's thread) once the command is committed, when more work follows
before it returns: the log then says "✔" before the events the command wrote."""


def outcome_of(result: Result) -> AnyOutcome:
    """The command's outcome, with or without a report."""
    return result[0] if isinstance(result, tuple) else result


class ConfirmCommand(ClosingScreen[Result]):
    """Ask before running `run`; show its refusal inline if it fails."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Yes"),
        Binding("n,escape", "cancel", "No"),
    ]

    class Done(Message, bubble=False):
        """The command ran (internal)."""

        def __init__(self, result: Result | Exception) -> None:
            super().__init__()
            self.result = result

    def __init__(
        self,
        command: str,
        subject: str,
        question: str,
        explanation: str,
        run: Callable[[Announce], Result],
        busy_text: str = "running…",
    ) -> None:
        super().__init__(classes="form")
        self.command = command
        self.subject = subject
        self.question = question
        self.explanation = explanation
        self.runner = run
        self.busy_text = busy_text
        self.busy = False
        self.announced = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, id="form-heading")
            yield Static(self.explanation, id="form-help")
            yield Static(id="form-error")
            yield Static("y yes · n / escape no", id="form-keys")

    def action_cancel(self) -> None:
        if not self.busy:  # once confirmed, the command runs to its end and reports
            dismiss_if_current(self)

    def action_confirm(self) -> None:
        if not self.busy:
            self.busy = True
            self.query_one("#form-keys", Static).update(self.busy_text)
            self._run()

    def _announce(self, outcome: AnyOutcome) -> None:
        self.announced = True
        self.app.post_message(CommandRan(self.command, self.subject, outcome))

    @work(thread=True, group="confirm", exit_on_error=False)
    def _run(self) -> None:
        try:
            result: Result | Exception = self.runner(self._announce)
        except Exception as error:  # shown inline and in the log
            result = error
        self.post_message(self.Done(result))

    def on_confirm_command_done(self, message: Done) -> None:
        self.busy = False
        result = message.result
        outcome = result if isinstance(result, Exception) else outcome_of(result)
        if not (self.announced and not isinstance(outcome, Exception)):
            self.app.post_message(CommandRan(self.command, self.subject, outcome))
        if not isinstance(result, Exception):
            self.close(result)  # the palette or the help may be open over this dialog
            return
        error = result
        text = Text.assemble(("✘ refused: ", "bold"), f"{type(error).__name__}: {error}")
        self.query_one("#form-error", Static).update(text)
        self.query_one("#form-keys", Static).update("escape close")
