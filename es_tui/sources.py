"""Row sources for the virtual lists: streams, a stream's events, the global log, snapshots
and a domain's read models. Each holds only immutable parameters and reads the store when a
worker asks, so a list never holds more rows than its loaded pages."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from rich.text import Text

from domain.core.port import Row
from domain.core.protocol import ALL_STREAM, EventStore
from domain.core.records import RecordedEvent, Snapshot, StreamInfo
from domain.core.views import ReadModelView
from es_tui.format import clock, compact, short_id, status_text
from es_tui.indexes import StreamIndex
from es_tui.widgets.columns import Column


@dataclass(frozen=True, slots=True)
class AllStreams:
    """The "$all" row: the global log as a pseudo-stream."""

    head: int
    events: int
    """Events stored now (the head minus the positions a forget erased)."""


@dataclass(frozen=True, slots=True)
class Erased:
    """A position of the global log whose event a forget removed."""

    position: int


StreamRow = AllStreams | StreamInfo
LogRow = RecordedEvent | Erased

SchemaOf = Callable[[str], int | None]
"""The schema version a reader builds for an event type (None: unknown type)."""


def schema_cell(record: RecordedEvent, read_version: SchemaOf) -> Text:
    """`v1`, or `v1→v2` when reading upgrades the stored payload."""
    read = read_version(record.type)
    if read is None or read == record.schema_version:
        return Text(f"v{record.schema_version}")
    return Text(f"v{record.schema_version}→v{read}", style="yellow")


class StreamsSource:
    """Every stream, with "$all" first (from a `StreamIndex`: a refresh reads only what was
    committed since the last one)."""

    columns: Sequence[Column] = (
        Column("stream"),
        Column("ver", 5, "right"),
        Column("events", 6, "right", optional=True),
        Column("stream is", 9),  # the stream's status, not its aggregate's
    )

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.index = StreamIndex(store)

    def count(self) -> int:
        self.index.refresh()
        return len(self.index) + 1

    def fetch(self, start: int, limit: int) -> list[StreamRow]:
        index = self.index
        rows: list[StreamRow] = []
        if start == 0:
            rows.append(AllStreams(index.head, index.stored))
            limit -= 1
        rows.extend(index.slice(max(start - 1, 0), max(start - 1, 0) + limit))
        return rows

    def index_of(self, stream_id: str) -> int | None:
        """The row of `stream_id`, if listed."""
        if stream_id == ALL_STREAM:
            return 0
        self.index.refresh()
        at = self.index.index_of(stream_id)
        return None if at is None else at + 1

    def names(self, info: StreamInfo) -> tuple[str, ...]:
        """What a filter on stream names looks in: the stream's id."""
        return (info.stream_id,)

    def cells(self, row: StreamRow) -> Sequence[Text | str]:
        if isinstance(row, AllStreams):
            name = Text(ALL_STREAM, style="bold")
            head, stored = compact(row.head, 5), compact(row.events, 6)
            return [name, head, stored, Text("log", style="cyan")]
        version, count = compact(row.version, 5), compact(row.event_count, 6)
        return [row.stream_id, version, count, status_text(row.status)]

    def key(self, row: StreamRow) -> Hashable:
        return row


POS_WIDTH = 7
"""The position column's width up to 9,999,999; wider once positions have more digits."""


def stream_events_columns(pos_width: int) -> tuple[Column, ...]:
    """The columns of a stream's events, its position column `pos_width` wide."""
    return (
        Column("ver", 6, "right"),
        Column("pos", pos_width, "right"),
        Column("type"),
        Column("schema", 6, optional=True),
        Column("recorded", 12, optional=True),
    )


def global_log_columns(pos_width: int) -> tuple[Column, ...]:
    """The columns of `$all`, its position column `pos_width` wide."""
    return (
        Column("pos", pos_width, "right"),
        Column("stream", 11),
        Column("ver", 5, "right"),
        Column("type"),
        Column("schema", 6, optional=True),
        Column("recorded", 12, optional=True),
    )


def pos_width(largest: int) -> int:
    """A position column wide enough for every position up to `largest`."""
    return max(POS_WIDTH, len(str(largest)))


class StreamEventsSource:
    """The events of one stream, by version."""

    def __init__(self, store: EventStore, stream_id: str, read_version: SchemaOf) -> None:
        self.store = store
        self.stream_id = stream_id
        self.read_version = read_version
        self.columns: Sequence[Column] = stream_events_columns(POS_WIDTH)

    def count(self) -> int:
        info = self.store.stream_info(self.stream_id)
        if info is not None and pos_width(info.last_position) != self.columns[1].width:
            self.columns = stream_events_columns(pos_width(info.last_position))
        return info.event_count if info else 0

    def fetch(self, start: int, limit: int) -> list[LogRow]:
        info = self.store.stream_info(self.stream_id)
        if info is None:
            return []
        if info.event_count == info.version:  # contiguous: row i is version i + 1
            return list(self.store.read_stream(self.stream_id, start + 1, start + limit))
        # A forgotten stream keeps counting versions but holds only its tombstone.
        return list(self.store.read_stream(self.stream_id)[start : start + limit])

    def cells(self, row: LogRow) -> Sequence[Text | str]:
        if isinstance(row, Erased):
            return ["", str(row.position), Text("erased", style="bright_black italic")]
        return [
            str(row.version),
            str(row.position),
            Text(row.type, style=event_style(row.type)),
            schema_cell(row, self.read_version),
            clock(row.recorded_at),
        ]

    def key(self, row: LogRow) -> Hashable:
        return row.event_id if isinstance(row, RecordedEvent) else row


class GlobalLogSource:
    """The global log ("$all"), one row per position; erased positions stay visible."""

    def __init__(self, store: EventStore, read_version: SchemaOf) -> None:
        self.store = store
        self.read_version = read_version
        self.columns: Sequence[Column] = global_log_columns(POS_WIDTH)

    def count(self) -> int:
        head = self.store.head_position()
        if pos_width(head) != self.columns[0].width:
            self.columns = global_log_columns(pos_width(head))
        return head

    def fetch(self, start: int, limit: int) -> list[LogRow]:
        first, last = start + 1, start + limit
        found = {e.position: e for e in self.store.read_all(first, limit) if e.position <= last}
        head = self.store.head_position()
        return [found.get(p) or Erased(p) for p in range(first, min(last, head) + 1)]

    def cells(self, row: LogRow) -> Sequence[Text | str]:
        if isinstance(row, Erased):
            gone = Text("erased by a forget", style="bright_black italic")
            return [str(row.position), Text("—", style="bright_black"), "", gone, "", ""]
        return [
            str(row.position),
            row.stream_id,
            str(row.version),
            Text(row.type, style=event_style(row.type)),
            schema_cell(row, self.read_version),
            clock(row.recorded_at),
        ]

    def key(self, row: LogRow) -> Hashable:
        return row.event_id if isinstance(row, RecordedEvent) else row


class SnapshotsSource:
    """The kept snapshots of one stream, oldest first."""

    columns: Sequence[Column] = (
        Column("ver", 5, "right"),
        Column("last event", 10),
        Column("schema", 6, optional=True),
        Column("taken", 12, optional=True),
    )

    def __init__(self, store: EventStore, stream_id: str) -> None:
        self.store = store
        self.stream_id = stream_id

    def count(self) -> int:
        return len(self.store.snapshots(self.stream_id))

    def fetch(self, start: int, limit: int) -> list[Snapshot]:
        return self.store.snapshots(self.stream_id)[start : start + limit]

    def cells(self, row: Snapshot) -> Sequence[Text | str]:
        return [
            f"v{row.version}",
            short_id(row.last_event_id),
            f"v{row.state_schema_version}",
            clock(row.taken_at),
        ]

    def key(self, row: Snapshot) -> Hashable:
        return (row.stream_id, row.version, row.last_event_id)


SHREDDED = "⟦shredded⟧"
"""How a private column whose value was erased (a forgotten aggregate) shows."""

ViewRow = tuple[str, Row]


class ViewRowsSource:
    """The rows of any domain's `ReadModelView`, by key: one column per column of its spec
    (private ones marked *, shown opened while the key lives, else ⟦shredded⟧)."""

    def __init__(self, view: ReadModelView) -> None:
        self.view = view
        specs = view.spec.columns
        self.columns: Sequence[Column] = (
            Column("key"),
            *(
                Column(
                    f"{c.label or c.name}{'*' if c.private else ''}",
                    max(len(c.label or c.name) + 1, 11 if c.private else 9),
                    optional=i >= 2,
                )
                for i, c in enumerate(specs)
            ),
        )

    def _sorted(self) -> list[ViewRow]:
        return sorted(self.view.rows().items())

    def count(self) -> int:
        return len(self.view.rows())

    def fetch(self, start: int, limit: int) -> list[ViewRow]:
        return self._sorted()[start : start + limit]

    def cells(self, row: ViewRow) -> Sequence[Text | str]:
        key, values = row
        cells: list[Text | str] = [key]
        for column in self.view.spec.columns:
            value = values.get(column.name)
            if column.private and value in (None, ""):
                cells.append(Text(SHREDDED, style="bright_black"))
            else:
                cells.append("" if value is None else str(value))
        return cells

    def key(self, row: ViewRow) -> Hashable:
        return (row[0], tuple(sorted((k, str(v)) for k, v in row[1].items())))

    def stream_of(self, row: ViewRow) -> str | None:
        """None: a row is keyed by the read model, not by one stream."""
        return None


def event_style(event_type: str) -> str:
    """A colour per kind of event, so a timeline reads at a glance."""
    if event_type.endswith("Rejected") or event_type.endswith("Deleted"):
        return "red"
    if event_type.endswith("Forgotten"):
        return "bright_black bold"
    if event_type.endswith("Accepted"):
        return "green"
    if event_type.endswith("Requested"):
        return "yellow"
    return ""
