"""A yes/no dialog that runs a command (delete, forget) once the user presses `y`."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from domain.ideas.handler import CommandOutcome
from es_tui.messages import CommandRan


class ConfirmCommand(ModalScreen[CommandOutcome | None]):
    """Ask before running `run`; show its refusal inline if it fails."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Yes"),
        Binding("n,escape", "cancel", "No"),
    ]

    class Done(Message, bubble=False):
        """The command ran (internal)."""

        def __init__(self, result: CommandOutcome | Exception) -> None:
            super().__init__()
            self.result = result

    def __init__(
        self,
        command: str,
        subject: str,
        question: str,
        explanation: str,
        run: Callable[[], CommandOutcome],
    ) -> None:
        super().__init__(classes="form")
        self.command = command
        self.subject = subject
        self.question = question
        self.explanation = explanation
        self.runner = run
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, id="form-heading")
            yield Static(self.explanation, id="form-help")
            yield Static(id="form-error")
            yield Static("y yes · n / escape no", id="form-keys")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_confirm(self) -> None:
        if not self.busy:
            self.busy = True
            self._run()

    @work(thread=True, group="confirm", exit_on_error=False)
    def _run(self) -> None:
        try:
            result: CommandOutcome | Exception = self.runner()
        except Exception as error:  # shown inline and in the log
            result = error
        self.post_message(self.Done(result))

    def on_confirm_command_done(self, message: Done) -> None:
        self.busy = False
        self.app.post_message(CommandRan(self.command, self.subject, message.result))
        if isinstance(message.result, CommandOutcome):
            self.dismiss(message.result)
            return
        error = message.result
        text = Text.assemble(("✘ refused: ", "bold"), f"{type(error).__name__}: {error}")
        self.query_one("#form-error", Static).update(text)
        self.query_one("#form-keys", Static).update("escape close")
