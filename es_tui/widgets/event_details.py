"""The details of the highlighted event: ids, version, position, schema versions, metadata
and the payload as stored and as read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.json import JSON
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from domain.store.records import CAUSATION_ID, COMMAND, CORRELATION_ID, RecordedEvent
from es_tui.format import stamp, to_json
from es_tui.sources import Erased, LogRow, event_style

if TYPE_CHECKING:
    from domain.bootstrap import System


class EventDetails(VerticalScroll):
    """Everything about one event. Decoding runs in a worker (a codec may read keys)."""

    class Decoded(Message, bubble=False):
        """The payload of `record` as read (internal)."""

        def __init__(self, record: RecordedEvent, read: Any, read_version: int | None) -> None:
            super().__init__()
            self.record = record
            self.read = read
            self.read_version = read_version

    def __init__(self, system: System, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.system = system
        self.record: RecordedEvent | None = None
        self.body = Static(Text("Highlight an event to see it here.", style="dim"))

    def compose(self) -> ComposeResult:
        yield self.body

    def show(self, row: LogRow | None) -> None:
        """Show `row` (an event, an erased position, or nothing)."""
        if row is None:
            self.record = None
            self.body.update(Text("No event.", style="dim"))
            return
        if isinstance(row, Erased):
            self.record = None
            self.body.update(
                Text.assemble(
                    (f"position {row.position}", "bold"),
                    "\nThe event stored here was erased when its stream was forgotten. "
                    "Positions are never reused, so the hole stays in the global log.",
                )
            )
            return
        self.record = row
        self.body.update(self._describe(row, None, None, pending=True))
        self._decode(row)

    @work(thread=True, group="event-details", exclusive=True, exit_on_error=False)
    def _decode(self, record: RecordedEvent) -> None:
        read_version: int | None = None
        try:
            read_version = self.system.registry.latest_version(record.type)
            read: Any = self.system.codec.decode(record).model_dump(mode="json")
        except Exception as error:  # a shredded or unknown payload: say so, never crash
            read = error
        self.post_message(self.Decoded(record, read, read_version))

    def on_event_details_decoded(self, message: Decoded) -> None:
        if message.record is self.record:
            self.body.update(self._describe(message.record, message.read, message.read_version))

    def _describe(
        self, record: RecordedEvent, read: Any, read_version: int | None, pending: bool = False
    ) -> RenderableType:
        title = Text.assemble(
            (record.type, f"bold {event_style(record.type)}"),
            f"  {record.stream_id} v{record.version} · position {record.position}",
        )
        facts = Table.grid(padding=(0, 2))
        facts.add_column(style="dim", no_wrap=True)
        facts.add_column(overflow="fold")
        facts.add_row("event id", str(record.event_id))
        facts.add_row("recorded", stamp(record.recorded_at))
        shown = "…" if pending else f"v{read_version}" if read_version else "unknown type"
        facts.add_row("schema", f"stored v{record.schema_version} · read {shown}")
        meta = record.metadata
        for key in (COMMAND, CORRELATION_ID, CAUSATION_ID):
            if key in meta:
                facts.add_row(key.replace("_", " "), str(meta[key]))
        for key, value in meta.items():
            if key not in (COMMAND, CORRELATION_ID, CAUSATION_ID):
                facts.add_row(key, str(value))
        parts: list[RenderableType] = [title, facts]
        if pending:
            parts.append(Text("reading…", style="dim"))
        elif isinstance(read, Exception):
            parts.append(Text(f"unreadable: {read}", style="red"))
        readable = not pending and not isinstance(read, Exception)
        if readable and read == record.data:
            parts.append(Text("data", style="bold"))
            parts.append(JSON(to_json(record.data)))
        else:
            if readable:
                parts.append(Text(f"data as read (v{read_version})", style="bold"))
                parts.append(JSON(to_json(read)))
            sealed = " (private fields encrypted at rest)" if "$sealed" in record.data else ""
            parts.append(Text(f"data as stored{sealed}", style="bold"))
            parts.append(JSON(to_json(record.data)))
        return Group(*parts)
