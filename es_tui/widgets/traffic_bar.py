"""The traffic generator's status line: on or off, the chosen rate, and what it achieves —
commits, conflicts and snapshots per second, the read model's lag. It runs the generator in a
worker thread, which only posts messages."""

from __future__ import annotations

import threading
import time
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.message import Message

from es_tui.messages import CommandRan
from es_tui.traffic import (
    REPORT_EVERY,
    NoTrafficError,
    Ran,
    Traffic,
    TrafficReport,
    make_traffic,
)
from es_tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from domain.bootstrap import System

SETTLE_FOR = 30.0
"""Seconds after a stop that the line follows the read model's lag down (a slow store)."""


def describe(report: TrafficReport, width: int = 1_000) -> Text:
    """One line of state, rate and the live figures, as long as fits in `width` cells: the
    least useful words go first, the totals stay."""
    state = ("● traffic", "bold green") if report.running else ("○ traffic stopped", "dim")
    lag_style = "bold red" if report.lag > 50 else "yellow" if report.lag else "green"
    totals = f"{report.total:,} commands, {report.total_conflicts:,} conflicts"
    hint = ("  g stops" if report.running else "  g starts", "dim")
    shaped = _running_lines if report.running else _stopped_lines
    lines = (
        *shaped(report, state, lag_style, totals, hint),
        Text.assemble(
            (state[0][:1], state[1]),
            " lag ",
            (str(report.lag), lag_style),
            f" · {report.total:,} cmds, {report.total_conflicts:,} conflicts",
        ),
    )
    for line in lines:
        if line.cell_len <= width:
            return line
    return lines[-1]


def _stopped_lines(
    report: TrafficReport,
    state: tuple[str, str],
    lag_style: str,
    totals: str,
    hint: tuple[str, str],
) -> tuple[Text, ...]:
    """The line once stopped, longest first: no rates (the last run's would read as now)."""
    lag = (str(report.lag), lag_style)
    return (
        Text.assemble(
            state,
            f"  {report.rate} cmd/s when started (+ / - to change) · read model lag ",
            lag,
            f" · {totals}",
            hint,
        ),
        Text.assemble(state, f" {report.rate} cmd/s · lag ", lag, f" · {totals}"),
        Text.assemble(
            state,
            " · lag ",
            lag,
            f" · {report.total:,} cmds, {report.total_conflicts:,} conflicts",
        ),
    )


def _running_lines(
    report: TrafficReport,
    state: tuple[str, str],
    lag_style: str,
    totals: str,
    hint: tuple[str, str],
) -> tuple[Text, ...]:
    """The line while the generator runs, longest first, with its rates of the last seconds."""
    conflicts_style = "bold red" if report.conflicts else "bold"
    snapshots_style = "bold cyan" if report.snapshots else "bold"
    return (
        Text.assemble(
            state,
            f"  {report.rate} cmd/s asked (+ / - to change) · ",
            (f"{report.commits:.1f}", "bold"),
            " commits/s · ",
            (f"{report.conflicts:.1f}", conflicts_style),
            " conflicts/s · ",
            (f"{report.snapshots:.1f}", snapshots_style),
            " snapshots/s · read model lag ",
            (str(report.lag), lag_style),
            f" · {totals}",
            hint,
        ),
        Text.assemble(
            state,
            f" {report.rate} cmd/s · ",
            (f"{report.commits:.1f}", "bold"),
            " commits/s · ",
            (f"{report.conflicts:.1f}", conflicts_style),
            " conflicts/s · ",
            (f"{report.snapshots:.1f}", snapshots_style),
            " snapshots/s · lag ",
            (str(report.lag), lag_style),
            f" · {totals}",
        ),
        Text.assemble(
            state,
            " · ",
            (f"{report.commits:.1f}", "bold"),
            " commits/s · lag ",
            (str(report.lag), lag_style),
            f" · {report.total:,} cmds, {report.total_conflicts:,} conflicts",
        ),
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
        self.system = system
        self.unavailable: NoTrafficError | None = None
        """Why no traffic can run on this system (a domain without a traffic profile)."""
        try:
            self.traffic = make_traffic(system)
        except NoTrafficError as error:
            self.unavailable = error
            self.traffic = Traffic(system)  # never run: its rate still shows
        self.last: TrafficReport | None = None
        self._stop = threading.Event()
        self.running = False
        self._generation = 0
        """Counts the runs: figures of an older run never overwrite a newer one's."""

    def on_mount(self) -> None:
        self.display = False

    def _view_paused(self) -> bool:
        if self.system.view is not None:
            return self.system.view.paused
        return any(view.paused for view in self.system.views.values())

    def toggle(self) -> bool:
        """Start or stop the generator; whether it runs now."""
        if self.unavailable is not None:
            self.display = True
            self.update(Text(f"○ no traffic: {self.unavailable}", style="yellow"))
            return False
        if self.running:
            self._stop.set()
            self.running = False
        else:
            self._stop = threading.Event()
            self._generation += 1
            self.running = True
            self.display = True
            self.show(self.traffic.report(running=True))
            self._run(self._stop, self._generation)
        return self.running

    def change_rate(self, step: int) -> int:
        """One step faster (+1) or slower (-1); the new rate."""
        rate = self.traffic.faster() if step > 0 else self.traffic.slower()
        self.show(self.traffic.report(running=self.running))
        return rate

    def show(self, report: TrafficReport) -> None:
        """Show `report`, shortened to the line's width."""
        self.last = report
        self.update(describe(report, self.content_region.width or 1_000))

    def on_resize(self) -> None:
        if self.last is not None:
            self.show(self.last)

    @work(thread=True, group="traffic", exclusive=True, exit_on_error=False)
    def _run(self, stop: threading.Event, generation: int) -> None:
        report = partial(self._report, generation)
        self.traffic.run(stop.is_set, report, self._ran)
        # Stopped: the read model still applies the last commits. Follow its lag down to
        # zero, so the line never keeps a lag the read model no longer has.
        settle_until = time.monotonic() + SETTLE_FOR
        last = self.traffic.report(running=False)
        while last.lag > 0 and generation == self._generation:
            if time.monotonic() > settle_until or self._view_paused():
                break  # a paused read model keeps its lag: the line says so
            time.sleep(REPORT_EVERY)
            last = self.traffic.report(running=False)
            report(last)
        report(last)

    def _report(self, generation: int, report: TrafficReport) -> None:
        if generation == self._generation:
            self.post_message(self.Reported(report))

    def _ran(self, line: Ran) -> None:
        self.app.post_message(CommandRan(line.command, line.subject, line.result, "traffic"))

    def on_traffic_bar_reported(self, message: Reported) -> None:
        if message.report.running and not self.running:
            return  # a figure sent just before the stop
        self.show(message.report)

    def on_unmount(self) -> None:
        self._stop.set()
