"""The consumers of the log: each read model and process manager with its position, the
head it follows and its lag, live; a selected one can be reset and watched catching up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Static

from es_tui.consumers import (
    PROCESS_MANAGER,
    ConsumerRow,
    PositionSource,
    consumer_rows,
    reset,
    running_consumers,
)
from es_tui.screens.closing import dismiss_if_current

if TYPE_CHECKING:
    from domain.bootstrap import System

REFRESH_EVERY = 0.25
"""Seconds between two readings of the positions (cheap: one head, one checkpoint each)."""
COLUMNS = ("consumer", "kind", "position", "head", "lag", "state", "position is")


class ResetConfirm(ModalScreen[bool]):
    """`y` resets the consumer; anything else leaves it."""

    DEFAULT_CSS = """
    ResetConfirm { align: center middle; }
    #reset-confirm { width: 64; height: auto; padding: 1 2; border: thick $warning;
                     background: $surface; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Reset"),
        Binding("n,escape", "answer(False)", "Keep"),
    ]

    def __init__(self, row: ConsumerRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        if self.row.kind == PROCESS_MANAGER:
            what = (
                "It processes the whole log again from position 0 (its position saved in the "
                "store stays until it gets past it; watch the live one catch up). Its "
                "reactions get ids derived from their triggers, so nothing it already "
                "appended is appended twice."
            )
        else:
            what = "Its rows are dropped and rebuilt by replaying the whole log from position 1."
        with Vertical(id="reset-confirm"):
            yield Static(Text(f"Reset {self.row.kind} {self.row.name}?", style="bold"))
            yield Static(f"{what} Press y to reset, n or escape to keep it.")

    def action_answer(self, answer: bool) -> None:
        dismiss_if_current(self, answer)


class ConsumersScreen(Screen[None]):
    """Every consumer of the store's log, refreshed live."""

    DEFAULT_CSS = """
    ConsumersScreen #consumers { height: 1fr; }
    ConsumersScreen #consumers-note { height: auto; padding: 0 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,u", "close", "Close"),
        Binding("R", "reset", "Reset"),
        Binding("space", "toggle_pause", "Pause/resume"),
    ]

    def __init__(self, system: System, positions: dict[str, PositionSource] | None = None) -> None:
        super().__init__()
        self.system = system
        self.positions = positions
        """Where a consumer's position is read from, by name (default: its checkpoint)."""
        self.rows: list[ConsumerRow] = []
        self.table: DataTable[Text | str] = DataTable(
            id="consumers", cursor_type="row", zebra_stripes=True
        )
        self.note = Static("", id="consumers-note")

    def compose(self) -> ComposeResult:
        yield Header()
        yield self.table
        yield self.note
        yield Footer()

    def on_mount(self) -> None:
        self.table.add_columns(*COLUMNS)
        self.note.update(
            "R resets the selected read model or process manager (after a confirmation); "
            "space pauses or resumes it. Positions are global-log positions; lag is how "
            "many events of the log it has not processed yet. A process manager's position "
            "is the one saved in the store (where a restart resumes), its live one beside it."
        )
        self.read_rows()
        self.set_interval(REFRESH_EVERY, self.read_rows)

    @work(thread=True, group="consumers-read", exclusive=True, exit_on_error=False)
    def read_rows(self) -> None:
        rows = consumer_rows(self.system, self.positions)
        self.app.call_from_thread(self.show_rows, rows)

    def show_rows(self, rows: Sequence[ConsumerRow]) -> None:
        """Repaint the table with `rows`, keeping the cursor on its row."""
        self.rows = list(rows)
        at = self.table.cursor_row
        self.table.clear()
        for row in rows:
            lag = row.lag
            lag_text = Text(
                "—" if lag is None else str(lag),
                style="bold yellow" if lag else "green",
                justify="right",
            )
            style = {"running": "green", "paused": "yellow", "stopped": "red"}.get(row.state, "")
            self.table.add_row(
                row.name,
                row.kind,
                Text(str(row.position), justify="right"),
                Text("—" if row.head is None else str(row.head), justify="right"),
                lag_text,
                Text(row.state, style=style),
                Text(row.kept, style="cyan" if row.kept.startswith("replaying") else ""),
                key=row.name,
            )
        if rows:
            self.table.move_cursor(row=min(at, len(rows) - 1))

    @property
    def selected(self) -> ConsumerRow | None:
        """The consumer under the cursor."""
        at = self.table.cursor_row
        return self.rows[at] if 0 <= at < len(self.rows) else None

    def action_close(self) -> None:
        dismiss_if_current(self)

    def action_reset(self) -> None:
        row = self.selected
        if row is None:
            return
        if not row.resettable:
            self.notify(f"{row.name}: a tracking record of the library is shown as stored")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.notify(f"Resetting {row.name}: watch its lag fall to 0")
                self.run_reset(row.name)

        self.app.push_screen(ResetConfirm(row), answered)

    @work(thread=True, group="consumers-reset", exit_on_error=False)
    def run_reset(self, name: str) -> None:
        read = reset(self.system, name)
        self.app.call_from_thread(self.notify, f"{name} caught up: {read} events read again")

    def action_toggle_pause(self) -> None:
        row = self.selected
        for entry in running_consumers(self.system):
            if row is not None and entry.name == row.name:
                consumer = entry.consumer
                if consumer.paused:
                    consumer.resume()
                else:
                    consumer.pause()
                self.read_rows()
