"""The traffic generator's status line: on or off, the chosen rate, and what it achieves —
commits, conflicts and snapshots per second, the read model's lag. It runs the generator in a
worker thread, which only posts messages."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.message import Message

from es_tui.messages import CommandRan
from es_tui.traffic import Ran, Traffic, TrafficReport
from es_tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from domain.bootstrap import System


def describe(report: TrafficReport) -> Text:
    """One line: state, rate and the live figures."""
    state = ("● traffic", "bold green") if report.running else ("○ traffic stopped", "dim")
    lag_style = "bold red" if report.lag > 50 else "yellow" if report.lag else "green"
    return Text.assemble(
        state,
        f"  {report.rate} cmd/s asked (+ / - to change) · ",
        (f"{report.commits:.1f}", "bold"),
        " commits/s · ",
        (f"{report.conflicts:.1f}", "bold red" if report.conflicts else "bold"),
        " conflicts/s · ",
        (f"{report.snapshots:.1f}", "bold cyan" if report.snapshots else "bold"),
        " snapshots/s · read model lag ",
        (str(report.lag), lag_style),
        f" · {report.total:,} commands, {report.total_conflicts:,} conflicts",
        ("  g stops" if report.running else "  g starts", "dim"),
    )


class TrafficBar(StatusLine):
    """Shows and drives the traffic generator (hidden until it is first started)."""

    class Reported(Message, bubble=False):
        """Fresh figures from the generator (internal)."""

        def __init__(self, report: TrafficReport) -> None:
            super().__init__()
            self.report = report

    def __init__(self, system: System, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.traffic = Traffic(system)
        self.last: TrafficReport | None = None
        self._stop = threading.Event()
        self.running = False

    def on_mount(self) -> None:
        self.display = False

    def toggle(self) -> bool:
        """Start or stop the generator; whether it runs now."""
        if self.running:
            self._stop.set()
            self.running = False
        else:
            self._stop = threading.Event()
            self.running = True
            self.display = True
            self.update(describe(self.traffic.report(running=True)))
            self._run(self._stop)
        return self.running

    def change_rate(self, step: int) -> int:
        """One step faster (+1) or slower (-1); the new rate."""
        rate = self.traffic.faster() if step > 0 else self.traffic.slower()
        self.update(describe(self.traffic.report(running=self.running)))
        return rate

    @work(thread=True, group="traffic", exclusive=True, exit_on_error=False)
    def _run(self, stop: threading.Event) -> None:
        self.traffic.run(stop.is_set, self._report, self._ran)

    def _report(self, report: TrafficReport) -> None:
        self.post_message(self.Reported(report))

    def _ran(self, line: Ran) -> None:
        self.app.post_message(CommandRan(line.command, line.subject, line.result, "traffic"))

    def on_traffic_bar_reported(self, message: Reported) -> None:
        self.last = message.report
        self.update(describe(message.report))

    def on_unmount(self) -> None:
        self._stop.set()
