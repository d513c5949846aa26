"""The activity log: every committed event (read from the global log, so commits of other
processes appear too) and every command outcome, errors included."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.message import Message

from domain.core.records import COMMAND, RecordedEvent
from es_tui.format import clock, plural
from es_tui.messages import CommandRan
from es_tui.sources import event_style
from es_tui.widgets.log_view import LogView

if TYPE_CHECKING:
    from domain.bootstrap import System

BACKLOG = 40
"""Events of an existing store shown at start-up."""
BATCH = 200
"""Most events written per refresh; a larger burst is summarised."""


def decided_on(loaded_from: str) -> str:
    """What a command decided on, e.g. "decided on snapshot v20 + 3 events"."""
    if not loaded_from or loaded_from.startswith("replayed 0 "):
        return "new stream"
    return f"decided on {loaded_from}"


class LogPane(LogView):
    """A bounded, scrolling log; only visible lines are rendered."""

    class Read(Message, bubble=False):
        """New events from the global log (internal)."""

        def __init__(self, events: list[RecordedEvent], skipped: int, head: int) -> None:
            super().__init__()
            self.events = events
            self.skipped = skipped
            self.head = head

    def __init__(self, system: System, *, id: str | None = None) -> None:
        super().__init__(id=id, max_lines=2000)
        self.system = system
        self.seen = -1
        """The last position written (-1: not started)."""
        self.entries = 0
        self._written: dict[int, int] = {}
        """The entry number of each event written, by global position (the kept ones)."""
        self._reading = False
        self._again = False

    def on_mount(self) -> None:
        self.follow()

    def follow(self) -> None:
        """Write the events committed since the last call (one read at a time)."""
        if self._reading:
            self._again = True
            return
        self._reading = True
        self._read(self.seen)

    @work(thread=True, group="log", exit_on_error=False)
    def _read(self, seen: int) -> None:
        store = self.system.store
        try:
            head = store.head_position()
            start = max(head - BACKLOG, 0) if seen < 0 else seen
            skipped = max(head - start - BATCH, 0)
            events = store.read_all(start + skipped + 1, BATCH) if head > start else []
        except Exception:  # a store error must not stop the log; the next commit retries
            self.post_message(self.Read([], 0, seen))
            return
        self.post_message(self.Read(events, skipped, head))

    def on_log_pane_read(self, message: Read) -> None:
        skipped = message.skipped
        lines = [Text(f"… {plural(skipped, 'event')} not shown", style="dim")] if skipped else []
        number = self.next_number + len(lines)
        for event in message.events:
            if event.position > self.seen:
                self._written[event.position] = number
                lines.append(event_line(event))
                number += 1
        self._lines(lines)
        if len(self._written) > self.next_number - self.first_number + BATCH:
            first = self.first_number  # forget the entries dropped from the front
            self._written = {p: n for p, n in self._written.items() if n >= first}
        last = message.events[-1].position if message.events else 0
        self.seen = max(self.seen, message.head, last)
        self._reading = False
        if self._again:
            self._again = False
            self.follow()

    def write_outcomes(self, *ran: CommandRan) -> None:
        """Commands' outcomes or the errors that refused them. An outcome comes before the
        events it wrote: when the log already shows them (their commit reached it first),
        the outcome goes in just above the first of them."""
        later: list[Text] = []
        for one in ran:
            result = one.result
            shown = [] if isinstance(result, Exception) else result.events
            numbers = [self._written[e.position] for e in shown if e.position in self._written]
            if not numbers:
                later.append(outcome_line(one))
                continue
            first = min(numbers)
            self.entries += 1
            self.insert(first, outcome_line(one))
            self._written = {p: n + 1 if n >= first else n for p, n in self._written.items()}
        self._lines(later)

    def _lines(self, lines: list[Text]) -> None:
        self.entries += len(lines)
        self.write(*lines)


def event_line(event: RecordedEvent) -> Text:
    """The log's line of one committed event."""
    command = event.metadata.get(COMMAND)
    return Text.assemble(
        (clock(event.recorded_at), "dim"),
        f"  #{event.position:<5} {event.stream_id} v{event.version} ",
        (event.type, event_style(event.type)),
        (f"  ← {command}" if command else "", "dim"),
    )


def outcome_line(ran: CommandRan) -> Text:
    """The log's line of a command's outcome or of the error that refused it."""
    who = f"{ran.actor}: " if ran.actor else ""
    if not isinstance(ran.result, Exception):
        outcome = ran.result
        text = Text.assemble(
            ("✔ ", "bold green"),
            who,
            (outcome.command, "bold"),
            f" {outcome.stream_id} → v{outcome.version}",
            (f"  ({decided_on(outcome.loaded_from)})", "dim"),
        )
        if outcome.snapshot is not None:
            text.append(f"  snapshot taken at v{outcome.snapshot.version}", style="cyan")
    else:
        error = ran.result
        subject = f" {ran.subject}" if ran.subject else ""
        text = Text.assemble(
            ("✘ ", "bold red"),
            who,
            (ran.command, "bold"),
            subject,
            " refused: ",
            (f"{type(error).__name__}: {error}", "red"),
        )
    return text
