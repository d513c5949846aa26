"""A small form for a fixture file: its path and, when exporting, the versions to take."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from es_tui.screens.closing import dismiss_if_current


@dataclass(frozen=True, slots=True)
class FixtureRequest:
    """Where the fixture goes (or comes from) and which versions of the stream it takes."""

    path: Path
    first: int = 1
    last: int | None = None


def parse_range(text: str) -> tuple[int, int | None]:
    """ "" (every version), "5" (v5 to the end) or "5-12"; ValueError for anything else."""
    text = text.strip()
    if not text:
        return 1, None
    first, _, last = text.partition("-")
    low = int(first)
    high = int(last) if last.strip() else None
    if low < 1 or (high is not None and high < low):
        raise ValueError(f"not a range of versions: {text!r}")
    return low, high


class FixtureForm(ModalScreen[FixtureRequest | None]):
    """`enter` submits, `escape` cancels; an export also asks for a range of versions."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, path: str, *, export: bool) -> None:
        super().__init__()
        self.heading = title
        self.export = export
        self.path_input = Input(value=path, placeholder="path of the JSON file", id="fixture-path")
        self.range_input = Input(
            placeholder="versions: empty = all, 5-12, or 5", id="fixture-range"
        )
        self.error = Static("", id="fixture-error")

    def compose(self) -> ComposeResult:
        with Vertical(id="fixture-form"):
            yield Static(self.heading, id="fixture-heading")
            yield self.path_input
            if self.export:
                yield self.range_input
                yield Static(
                    "The last command of the range is the 'when', the events it wrote the "
                    "'then', the events before it the 'given'. Payloads are written as read: "
                    "private fields in clear.",
                    id="fixture-help",
                )
            yield self.error

    def on_mount(self) -> None:
        self.path_input.focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        path = self.path_input.value.strip()
        if not path:
            self.error.update("A path is needed.")
            return
        try:
            first, last = parse_range(self.range_input.value) if self.export else (1, None)
        except ValueError:
            self.error.update("Versions: empty for all, 5 (from v5), or 5-12.")
            return
        dismiss_if_current(self, FixtureRequest(Path(path).expanduser(), first, last))

    def action_cancel(self) -> None:
        dismiss_if_current(self, None)
