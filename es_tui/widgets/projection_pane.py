"""The read side: the rows a projection keeps, its checkpoint and lag. A domain whose own
explorer part lists its read model (the ideas table) shows that; any other domain each of
`system.views` (`]` shows the next one), and for a ledger its totals and the law they keep."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message

from domain.core.port import Row
from domain.core.views import ReadModelView
from es_tui.fronts import running_part
from es_tui.sources import ViewRowsSource
from es_tui.widgets.columns import Column
from es_tui.widgets.line_list import LineList
from es_tui.widgets.status_line import StatusLine, SteadyLabel
from es_tui.widgets.virtual import RowSource

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
    totals: tuple[Text, ...] = ()
    """A ledger's totals per currency and whether its law holds (empty for other views)."""


FIGURES = ("deposits", "withdrawals", "balances", "in_flight")
"""The columns of a ledger read model's per-currency rows."""


def ledger_lines(rows: dict[str, Row]) -> tuple[Text, ...]:
    """Per currency: balances + in flight = deposits − withdrawals, and whether it holds
    (rows of kind "currency", as a ledger read model keeps them)."""
    lines: list[Text] = []
    for key, row in sorted(rows.items()):
        if row.get("kind") != "currency":
            continue
        figures = {n: Decimal(str(row.get(n) or 0)) for n in FIGURES}
        left = figures["balances"] + figures["in_flight"]
        right = figures["deposits"] - figures["withdrawals"]
        ok = left == right
        lines.append(
            Text.assemble(
                (f"{row.get('currency', key)}: ", "bold"),
                f"{figures['balances']} + {figures['in_flight']}",
                (" = " if ok else " ≠ ", "bold"),
                f"{figures['deposits']} − {figures['withdrawals']} ",
                ("✔" if ok else "✘ broken", "green" if ok else "bold red"),
            )
        )
    transfers = sum(1 for row in rows.values() if row.get("kind") == "transfer")
    if not lines:
        return ()
    law = Text.assemble(
        ("law: ", "bold"), "balances + in flight = deposits − withdrawals", style="italic"
    )
    held = all(line.plain.endswith("✔") for line in lines)
    tail = Text(
        f"transfers in flight: {transfers} · "
        + ("the law holds in every currency" if held else "the law is broken"),
        style="dim" if held else "bold red",
    )
    return (law, *lines, tail)


class ShownView(Protocol):
    """What v and b need of a read model (the ideas view and any domain's ReadModelView)."""

    @property
    def checkpoint(self) -> int: ...

    @property
    def paused(self) -> bool: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def rebuild(self) -> int: ...


class ListedRows(RowSource[Any], Protocol):
    """A read model's rows as the pane lists them."""

    def stream_of(self, row: Any) -> str | None:
        """The stream a row is about (enter on the row opens it), or None."""
        ...


@dataclass(frozen=True, slots=True)
class Listing:
    """A read model a domain's own explorer part lists in the pane."""

    source: ListedRows
    view: ShownView
    """What v pauses and b rebuilds."""
    empty: str
    """What the list says while it has no rows."""


@runtime_checkable
class ReadModelPart(Protocol):
    """What the pane needs of a domain's own explorer part: its read model's listing."""

    def listing(self, system: System) -> Listing | None:
        """The read model to list on `system` (None: list the domain's generic ones)."""
        ...


def own_listing(system: System) -> Listing | None:
    """The listing the running domain's own explorer part gives, if any."""
    part = running_part(system, "explorer")
    return part.listing(system) if isinstance(part, ReadModelPart) else None


class NoReadModelError(LookupError):
    """The running domain keeps no read model (raw mode, or a domain without any)."""


class NoRows:
    """No read-model rows to list: the domain keeps no read model (or none runs)."""

    columns: Sequence[Column] = (Column("row"),)

    def count(self) -> int:
        return 0

    def fetch(self, start: int, limit: int) -> list[object]:
        return []

    def cells(self, row: object) -> Sequence[Text | str]:
        return [str(row)]

    def key(self, row: object) -> Hashable:
        return id(row)

    def stream_of(self, row: object) -> str | None:
        return None


class ProjectionPane(Vertical):
    """The read model: a status line over a virtual list of its rows."""

    ALLOW_MAXIMIZE: ClassVar[bool | None] = True
    """Maximizing the list maximizes the pane, with its title and status."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Not `n`: on the main screen `n` sends a command, whichever pane has the focus.
        Binding("right_square_bracket", "next_view(1)", "Next read model"),
        Binding("left_square_bracket", "next_view(-1)", "Previous read model", show=False),
    ]

    DEFAULT_CSS = """
    ProjectionPane #projection-totals { height: auto; color: $text; }
    """

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
        self.totals = SteadyLabel(id="projection-totals")
        self.own = own_listing(system)
        """The read model the domain's own explorer part lists (None: the generic ones)."""
        self.names: list[str] = [] if self.own is not None else list(system.views)
        """The domain's generic read models (`]` and `[` step through them)."""
        self.current = self.names[0] if self.names else None
        self.source: ListedRows = self._source()
        # (Its name predates the other domains' read models: the screens know it by it.)
        self.ideas: LineList[Any] = LineList(
            self.source,
            empty=self.own.empty if self.own is not None else "no rows in the read model",
            id="projection-list",
        )

    def _source(self) -> ListedRows:
        if self.own is not None:
            return self.own.source
        if self.current is not None:
            return ViewRowsSource(self.system.views[self.current])
        return NoRows()

    def consumer(self) -> ShownView | None:
        """The read model shown (what v pauses and b rebuilds), or None if there is none."""
        if self.own is not None:
            return self.own.view
        return self.system.views[self.current] if self.current is not None else None

    def stream_of(self, row: object) -> str | None:
        """The stream a listed row is about (None: the row names none)."""
        return self.source.stream_of(row)

    def rebuild(self) -> int:
        """Drop the shown read model's rows and replay the log (call from a worker)."""
        view = self.consumer()
        if view is None:
            return 0
        return view.rebuild()

    def compose(self) -> ComposeResult:
        yield self.summary
        yield self.totals
        yield self.ideas

    def on_mount(self) -> None:
        self.ideas.reload("end")  # newest at the bottom; the cursor there follows new ideas
        self._start_measure()

    def title(self) -> str:
        """The pane's border title: which read model it shows."""
        if self.current is None:
            return "Projection · read model (CQRS)"
        if len(self.names) < 2:
            return f"Read model · {self.current} (CQRS)"
        after = self.names[(self.names.index(self.current) + 1) % len(self.names)]
        return f"Read model · {self.current} · ] → {after}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_view":
            return len(self.names) > 1  # the key shows only where there is another
        return True

    def action_next_view(self, step: int = 1) -> None:
        """Show the next (`step` 1) or previous (-1) of the domain's read models."""
        if len(self.names) < 2 or self.current is None:
            return
        at = self.names.index(self.current) + step
        self.current = self.names[at % len(self.names)]
        self.source = self._source()
        self.ideas.set_source(self.source, "start")
        self.border_title = self.title()
        self.totals.update("")
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
            view = self.consumer()
            if view is None:
                raise NoReadModelError("this domain keeps no read model")
            checkpoint = view.checkpoint
            head = self.system.store.head_position()
            totals = (
                ledger_lines(view.rows())
                if isinstance(view, ReadModelView) and view.spec.name == "ledger"
                else ()
            )
            status: ViewStatus | Exception = ViewStatus(
                checkpoint,
                head,
                max(head - checkpoint, 0),
                view.paused,
                self.source.count(),
                totals,
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
                f" · {status.rows} rows" if self.current is not None else "",
            )
        )
        self.totals.show(Text("\n").join(status.totals) if status.totals else "")
        self.totals.display = bool(status.totals)
        if self.current is not None:
            self.border_title = self.title()
