"""The erasure report shown after each forget (of an idea, an account's holder… any
domain's): every place the forgotten aggregate's private data could remain, checked one by
one — the events, the global log, snapshots, the read models, the key store, the store's
files and this explorer's own log."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from domain.core.shredding.erasure import ErasureReport
from es_tui.screens.closing import dismiss_if_current


def render_report(report: ErasureReport) -> RenderableType:
    """A verdict line, then one row per place: ✔ or ✘, the place, what was found."""
    if report.clean:
        verdict = Text.assemble(
            ("✔ clean", "bold green"),
            f" · no place holds anything of {report.stream_id} but its tombstone",
        )
    else:
        bad = sum(not f.clean for f in report.findings)
        verdict = Text.assemble(
            ("✘ residue found", "bold red"),
            f" · {bad} of {len(report.findings)} places still hold something of {report.stream_id}",
        )
    table = Table.grid(padding=(0, 1))
    table.add_column(width=1)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for finding in report.findings:
        mark = Text("✔", style="green") if finding.clean else Text("✘", style="bold red")
        detail = Text(finding.detail, style="" if finding.clean else "red")
        table.add_row(mark, finding.place, detail)
    return Group(verdict, Text(""), table)


class ErasureReportScreen(ModalScreen[None]):
    """Where the forgotten aggregate was looked for, and what each place holds."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", "Close"),
    ]

    def __init__(self, report: ErasureReport) -> None:
        super().__init__(classes="form")
        self.report = report

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="erasure"):
            yield Static(f"Erasure report · {self.report.stream_id}", id="form-heading")
            yield Static(
                "Forget erased the stream's events and snapshots, destroyed its key and left a "
                "tombstone. Then every place its private values could remain was searched for "
                "the values it held before:",
                id="form-help",
            )
            with VerticalScroll(id="erasure-places"):
                yield Static(render_report(self.report), id="erasure-report")
            yield Static("escape · enter close", id="form-keys")

    def action_close(self) -> None:
        dismiss_if_current(self)
