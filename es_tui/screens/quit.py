"""Asked once before quitting an in-memory store that holds changes: they are not saved."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from es_tui.screens.closing import dismiss_if_current


class QuitConfirm(ModalScreen[bool]):
    """`y` quits and discards the changes; anything else stays."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Quit, discard"),
        Binding("n,escape,q", "answer(False)", "Stay"),
    ]

    def __init__(self, changes: int) -> None:
        super().__init__()
        self.changes = changes

    def compose(self) -> ComposeResult:
        noun = "event" if self.changes == 1 else "events"
        with Vertical(id="quit-confirm"):
            yield Static("Quit and discard this store?", id="quit-heading")
            yield Static(
                f"The store is in memory: the {self.changes} {noun} committed since it "
                "opened are lost when the explorer quits. Press y to quit, n or escape to stay."
            )

    def action_answer(self, quit_now: bool) -> None:
        dismiss_if_current(self, quit_now)
