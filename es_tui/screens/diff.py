"""The diff view: one stream's state at two versions side by side, changed fields marked
old → new, and the events between them."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from es_tui.diff import ABSENT, VersionDiff
from es_tui.format import clock
from es_tui.screens.closing import dismiss_if_current
from es_tui.sources import event_style
from es_tui.widgets.state_pane import describe


def shown(value: object) -> str:
    """A value in the diff (an absent field says so)."""
    return "(absent)" if value is ABSENT else describe(value)


def render_diff(diff: VersionDiff) -> RenderableType:
    """The two states side by side and the events that lead from one to the other."""
    changed = {change.name for change in diff.changes}
    table = Table(expand=True, show_edge=False, pad_edge=False)
    table.add_column("", width=2)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column(f"v{diff.old}", ratio=1)
    table.add_column(f"v{diff.new}", ratio=1)
    names = [*diff.after, *(name for name in diff.before if name not in diff.after)]
    for name in names:
        old, new = diff.before.get(name, ABSENT), diff.after.get(name, ABSENT)
        if name in changed:
            table.add_row(
                Text("●", style="yellow"),
                Text(name, style="bold yellow"),
                Text(shown(old), style="red"),
                Text(f"→ {shown(new)}", style="green"),
            )
        else:
            table.add_row("", name, Text(shown(old), style="dim"), Text(shown(new), style="dim"))
    count = len(diff.changes)
    summary = Text.assemble(
        (f"{diff.stream_id}  v{diff.old} → v{diff.new}", "bold"),
        f"  ·  {count} field{'s' if count != 1 else ''} changed: ",
        (", ".join(change.name for change in diff.changes) or "none", "yellow"),
    )
    between = Table(show_edge=False, pad_edge=False)
    between.add_column("ver", justify="right", width=6)
    between.add_column("pos", justify="right", width=8)
    between.add_column("type")
    between.add_column("recorded", width=12)
    for record in diff.between:
        between.add_row(
            str(record.version),
            str(record.position),
            Text(record.type, style=event_style(record.type)),
            clock(record.recorded_at),
        )
    heading = Text(
        f"{len(diff.between)} event(s) between them (after v{diff.old}, up to v{diff.new})",
        style="bold",
    )
    return Group(summary, Text(""), table, Text(""), heading, between)


class DiffScreen(Screen[None]):
    """Two versions of one stream compared."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,m", "close", "Close")]

    def __init__(self, diff: VersionDiff) -> None:
        super().__init__()
        self.diff = diff

    def compose(self) -> ComposeResult:
        with Vertical(id="diff"):
            yield Static("Diff of two versions", id="diff-heading")
            yield Static(
                "The state is a fold of the events: each side is the state as of its version; "
                "● marks a field that differs (old → new).",
                id="diff-help",
            )
            with VerticalScroll(id="diff-body"):
                yield Static(render_diff(self.diff), id="diff-content")
        yield Footer()

    def action_close(self) -> None:
        dismiss_if_current(self, None)
