"""The read side: the ideas table the `IdeaView` projection keeps, its checkpoint and lag."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message

from domain.bootstrap import ideas_view
from es_tui.sources import IdeasSource
from es_tui.widgets.columns import Column
from es_tui.widgets.line_list import LineList
from es_tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from domain.bootstrap import System


@dataclass(frozen=True, slots=True)
class ViewStatus:
    """Where the projection stands."""

    checkpoint: int
    head: int
    lag: int
    paused: bool
    rows: int


class NoRows:
    """No read-model rows to list: the ideas read model does not run (another domain)."""

    columns: Sequence[Column] = (Column("row"),)

    def count(self) -> int:
        return 0

    def fetch(self, start: int, limit: int) -> list[object]:
        return []

    def cells(self, row: object) -> Sequence[Text | str]:
        return [str(row)]

    def key(self, row: object) -> Hashable:
        return id(row)


class ProjectionPane(Vertical):
    """The read model: a status line over a virtual list of ideas."""

    ALLOW_MAXIMIZE: ClassVar[bool | None] = True
    """Maximizing the list maximizes the pane, with its title and status."""

    class Measured(Message, bubble=False):
        """A fresh status (internal)."""

        def __init__(self, status: ViewStatus | Exception) -> None:
            super().__init__()
            self.status = status

    def __init__(self, system: System, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.system = system
        self.status: ViewStatus | None = None
        self._measuring = False
        self._again = False
        self.summary = StatusLine(id="projection-status")
        self.source: IdeasSource | NoRows = (
            IdeasSource(system.view, system.store) if system.view is not None else NoRows()
        )
        self.ideas: LineList[Any] = LineList(
            self.source, empty="no ideas in the read model", id="projection-list"
        )

    def compose(self) -> ComposeResult:
        yield self.summary
        yield self.ideas

    def on_mount(self) -> None:
        self.ideas.reload("end")  # newest at the bottom; the cursor there follows new ideas
        self._start_measure()

    def refresh_view(self) -> None:
        """Re-read the rows and the checkpoint."""
        self.ideas.reload()
        self._start_measure()

    def _start_measure(self) -> None:
        if self._measuring:  # one at a time; the latest request runs after
            self._again = True
            return
        self._measuring = True
        self._measure()

    @work(thread=True, group="projection", exit_on_error=False)
    def _measure(self) -> None:
        try:
            view = ideas_view(self.system)
            checkpoint = view.checkpoint
            head = self.system.store.head_position()
            status: ViewStatus | Exception = ViewStatus(
                checkpoint, head, max(head - checkpoint, 0), view.paused, self.source.count()
            )
        except Exception as error:
            status = error
        self.post_message(self.Measured(status))

    def on_projection_pane_measured(self, message: Measured) -> None:
        status = message.status
        self._measuring = False
        if self._again:
            self._again = False
            self._start_measure()
        if isinstance(status, Exception):
            self.summary.update(Text(f"read model unavailable: {status}", style="red"))
            return
        self.status = status
        state = ("paused", "bold yellow") if status.paused else ("live", "green")
        lag_style = "bold red" if status.lag else "green"
        self.summary.update(
            Text.assemble(
                state,
                f" · checkpoint {status.checkpoint} · head {status.head} · lag ",
                (str(status.lag), lag_style),
            )
        )
