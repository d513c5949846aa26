"""Raw mode: a store shown without a domain. Events are shown as stored; a state is computed
only for a store of the `eventsourcing` library whose application modules were imported
(`--import`), by the library's own classes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text

from domain.backends.eventsourcing.store import EventsourcingStore
from domain.core.records import RecordedEvent, StreamInfo
from es_tui.sources import AllStreams, StreamRow, StreamsSource
from es_tui.widgets.columns import Column
from es_tui.widgets.state_pane import RawReason, StateView

if TYPE_CHECKING:
    from domain.bootstrap import System
    from domain.core.protocol import EventStore


def is_raw(system: System) -> bool:
    """The system runs no domain: nothing decodes its payloads or folds its streams."""
    return system.domain is None and system.handler is None and system.codec is None


def library_store(system: System) -> EventsourcingStore | None:
    """The store, if the `eventsourcing` library wrote it."""
    store = system.store
    return store if isinstance(store, EventsourcingStore) else None


def raw_state(system: System, record: RecordedEvent, imported: bool) -> StateView:
    """The aggregate of `record`'s stream as of `record`, rebuilt by the library's classes
    (a library store whose modules were imported); otherwise RawReason says why not."""
    store = library_store(system)
    if store is None:
        raise RawReason(
            "raw mode: no domain — the events are shown as stored; no fold is known to "
            "compute a state (open the store with --domain NAME to see one)."
        )
    if not imported:
        raise RawReason(
            "raw mode: no domain — this database was written by the eventsourcing library "
            "and is shown as stored; open it with --import package.module (the "
            "application's module) to see each aggregate as the library rebuilds it."
        )
    from domain.backends.eventsourcing.replay import aggregate_at, state_json

    stream, version = record.stream_id, record.version
    now = state_json(aggregate_at(store, stream, version))
    old = state_json(aggregate_at(store, stream, version - 1)) if version > 1 else {}
    changed = frozenset(k for k, v in now.items() if old.get(k) != v)
    info = store.stream_info(stream)
    kind = str(record.metadata.get("aggregate", "the aggregate")).rpartition(":")[2]
    how = f"rebuilt by the eventsourcing library ({kind}, {version} events)"
    head = info.version if info else version
    return StateView(stream, version, head, record.type, how, None, now, changed)


class LibraryStreamsSource(StreamsSource):
    """The streams of a library store, each with its aggregate's class."""

    columns: Sequence[Column] = (
        Column("stream"),
        Column("aggregate", 11, optional=True),
        Column("ver", 5, "right"),
        Column("events", 6, "right", optional=True),
        Column("stream is", 9, optional=True),  # all active, unless a deleted type says not
    )

    def __init__(self, store: EventsourcingStore) -> None:
        super().__init__(store)
        self.library = store
        self._classes: dict[str, str] = {}
        """Aggregate class by stream: a stream's first event never changes."""

    def aggregate_of(self, stream_id: str) -> str:
        """The class name of the stream's aggregate (empty when unknown)."""
        found = self._classes.get(stream_id)
        if found is None:
            topic = self.library.stream_aggregate(stream_id) or ""
            found = self._classes[stream_id] = topic.rpartition(":")[2]
        return found

    def names(self, info: StreamInfo) -> tuple[str, ...]:
        """The stream's id and its aggregate's class name."""
        return (info.stream_id, self.aggregate_of(info.stream_id))

    def cells(self, row: StreamRow) -> Sequence[Text | str]:
        cells = list(super().cells(row))
        name = "" if isinstance(row, AllStreams) else self.aggregate_of(row.stream_id)
        return [cells[0], Text(name, style="magenta"), *cells[1:]]  # the columns' order


def streams_source(store: EventStore) -> StreamsSource:
    """The streams list's source: with aggregate classes for a library store."""
    if isinstance(store, EventsourcingStore):
        return LibraryStreamsSource(store)
    return StreamsSource(store)


def payload_as_stored(record: RecordedEvent) -> Any:
    """Raw mode reads a payload as it is stored (nothing knows its type)."""
    return record.data
