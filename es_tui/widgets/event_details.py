"""The details of the highlighted event: ids, version, position, schema versions, metadata
and the payload as stored and as read."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.json import JSON
from rich.text import Text

from domain.core.records import CAUSATION_ID, COMMAND, CORRELATION_ID, RecordedEvent
from es_tui.format import stamp, to_json
from es_tui.sources import Erased, LogRow, event_style
from es_tui.widgets.facts import Facts
from es_tui.widgets.text_pane import TextPane


class EventDetails(TextPane):
    """Everything about one event; the payload as read comes from an `Inspection`."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("Highlight an event to see it here.", style="dim"), id=id)
        self.record: RecordedEvent | None = None

    def show(self, row: LogRow | None, read: Any = None, read_version: int | None = None) -> None:
        """Show `row` (an event with its payload as read, an erased position, or nothing)."""
        self.record = row if isinstance(row, RecordedEvent) else None
        if row is None:
            self.update(Text("No event.", style="dim"))
        elif isinstance(row, Erased):
            self.update(
                Text.assemble(
                    (f"position {row.position}", "bold"),
                    "\nThe event stored here was erased when its stream was forgotten. "
                    "Positions are never reused, so the hole stays in the global log.",
                )
            )
        else:
            self.update(self._describe(row, read, read_version))

    def _describe(
        self, record: RecordedEvent, read: Any, read_version: int | None
    ) -> RenderableType:
        title = Text.assemble(
            (record.type, f"bold {event_style(record.type)}"),
            f"  {record.stream_id} v{record.version} · position {record.position}",
        )
        shown = f"v{read_version}" if read_version else "unknown type"
        rows: list[tuple[None, str, str]] = [
            (None, "event id", str(record.event_id)),
            (None, "recorded", stamp(record.recorded_at)),
            (None, "schema", f"stored v{record.schema_version} · read {shown}"),
        ]
        meta = record.metadata
        for key in (COMMAND, CORRELATION_ID, CAUSATION_ID):
            if key in meta:
                rows.append((None, key.replace("_", " "), str(meta[key])))
        for key, value in meta.items():
            if key not in (COMMAND, CORRELATION_ID, CAUSATION_ID):
                rows.append((None, key, str(value)))
        parts: list[RenderableType] = [title, Facts(rows)]
        if isinstance(read, Exception):
            parts.append(Text(f"unreadable: {read}", style="red"))
        readable = not isinstance(read, Exception)
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
