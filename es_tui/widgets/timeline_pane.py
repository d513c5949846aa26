"""The timeline: the events of the selected stream (or of the global log), and the details of
the highlighted one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical

from domain.store.protocol import ALL_STREAM
from es_tui.sources import GlobalLogSource, LogRow, StreamEventsSource
from es_tui.widgets.event_details import EventDetails
from es_tui.widgets.line_list import LineList

if TYPE_CHECKING:
    from domain.bootstrap import System


class TimelinePane(Vertical):
    """A virtual list of events over the details of the highlighted one."""

    def __init__(self, system: System, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.system = system
        self.stream_id = ALL_STREAM
        self.events = LineList(empty="no events yet", id="timeline-list")
        self.events.paint_with_highlight = True  # with the details, state and snapshots
        self.details = EventDetails(id="event-details")

    def compose(self) -> ComposeResult:
        yield self.events
        yield self.details

    def on_mount(self) -> None:
        self.show_stream(ALL_STREAM)

    def _schema_of(self, event_type: str) -> int | None:
        try:
            return self.system.registry.latest_version(event_type)
        except LookupError:
            return None

    def show_stream(self, stream_id: str) -> None:
        """List the events of `stream_id` ("$all": the global log), cursor on the newest."""
        self.stream_id = stream_id
        store = self.system.store
        if stream_id == ALL_STREAM:
            self.events.set_source(GlobalLogSource(store, self._schema_of))
            self.border_title = "Timeline · $all (global log, by position)"
        else:
            self.events.set_source(StreamEventsSource(store, stream_id, self._schema_of))
            self.border_title = f"Timeline · {stream_id} (by version)"

    def refresh_rows(self) -> None:
        """Re-read after a commit; a cursor on the newest event follows new ones."""
        self.events.reload()

    @property
    def highlighted(self) -> LogRow | None:
        """The event under the cursor."""
        row = self.events.highlighted
        return row if row is not None else None
