"""The event-type catalogue screen, with a filter on stream names.

Every event type of the domain: its count in the store, the schema versions stored and the
current one, its fields per version, the upcast chain, and which events of the selected
stream are read through an upcast. The stream filter below picks a stream by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from domain.core.protocol import ALL_STREAM, EventStore
from domain.core.records import RecordedEvent
from domain.core.versioning import EventRegistry
from es_tui.catalogue import TypeEntry, catalogue, count_types, upcast_events
from es_tui.screens.closing import dismiss_if_current
from es_tui.sources import event_style

if TYPE_CHECKING:
    from collections import Counter

STREAMS_SHOWN = 200
"""Stream names listed at most by the filter (type more to narrow)."""


def render_catalogue(entries: list[TypeEntry]) -> RenderableType:
    """One block per event type."""
    parts: list[RenderableType] = []
    for entry in entries:
        stored = ", ".join(f"v{v}: {n:,}" for v, n in entry.stored_versions.items()) or "none"
        current = f"v{entry.current}" if entry.current else "—"
        parts.append(
            Text.assemble(
                (entry.type, f"bold {event_style(entry.type)}"),
                f"  {entry.count:,} stored ({stored}) · current {current}",
                (f" · {entry.upcast:,} read through an upcast" if entry.upcast else "", "yellow"),
            )
        )
        parts.append(Text(f"  upcast chain: {entry.chain}", style="dim"))
        for version, fields in entry.fields.items():
            table = Table.grid(padding=(0, 1))
            table.add_column(width=6)
            table.add_column(style="bold")
            table.add_column()
            first = True
            for name, kind in fields.items():
                table.add_row(f"  v{version}" if first else "", name, kind)
                first = False
            if not fields:
                table.add_row(f"  v{version}", "(no fields)", "")
            parts.append(table)
        parts.append(Text(""))
    return Group(*parts)


def render_upcasts(stream_id: str, events: list[RecordedEvent], registry: EventRegistry) -> Text:
    """Which events of `stream_id` are read through an upcast."""
    if stream_id == ALL_STREAM:
        return Text("Select a stream to see which of its events are upcast.", style="dim")
    upcast = upcast_events(registry, events)
    if not upcast:
        return Text(f"{stream_id}: every event is stored at its current version.", style="dim")
    versions = ", ".join(
        f"v{r.version} {r.type} (stored v{r.schema_version} · read "
        f"v{registry.latest_version(r.type)})"
        for r in upcast[:20]
    )
    more = f" and {len(upcast) - 20} more" if len(upcast) > 20 else ""
    return Text(f"{stream_id}: {len(upcast)} read through an upcast: {versions}{more}")


class CatalogueScreen(Screen[str | None]):
    """The catalogue; closes with the stream picked in the filter (or None)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("slash", "focus_filter", "Filter streams"),
    ]

    class Counted(Message, bubble=False):
        """The count over the log progressed or finished (internal)."""

        def __init__(self, done: int, head: int, counts: Counter[tuple[str, int]] | None) -> None:
            super().__init__()
            self.done, self.head, self.counts = done, head, counts

    def __init__(self, store: EventStore, registry: EventRegistry, stream_id: str) -> None:
        super().__init__()
        self.store = store
        self.registry = registry
        self.stream_id = stream_id
        self.entries: list[TypeEntry] = []
        self.status = Static("counting the log…", id="catalogue-status")
        self.content = Static("", id="catalogue-content")
        self.upcasts = Static("", id="catalogue-upcasts")
        self.filter = Input(placeholder="part of a stream name", compact=True, id="stream-filter")
        self.matches = OptionList(id="stream-matches")

    def compose(self) -> ComposeResult:
        with Vertical(id="catalogue"):
            yield Static("Event-type catalogue", id="catalogue-heading")
            yield self.status
            yield self.upcasts
            with Horizontal(id="catalogue-body"):
                with VerticalScroll(id="catalogue-types"):
                    yield self.content
                with Vertical(id="catalogue-streams"):
                    yield Static("streams › (enter selects)", id="stream-filter-label")
                    yield self.filter
                    yield self.matches
        yield Footer()

    def on_mount(self) -> None:
        self._count()
        self._streams("")
        self.query_one("#catalogue-types").focus()

    @work(thread=True, group="catalogue", exclusive=True, exit_on_error=False)
    def _count(self) -> None:
        counts = count_types(
            self.store, lambda done, head: self.post_message(self.Counted(done, head, None))
        )
        head = self.store.head_position()
        self.post_message(self.Counted(head, head, counts))
        if self.stream_id != ALL_STREAM:
            events = self.store.read_stream(self.stream_id)
            text = render_upcasts(self.stream_id, events, self.registry)
            self.app.call_from_thread(self.upcasts.update, text)
        else:
            self.app.call_from_thread(
                self.upcasts.update, render_upcasts(ALL_STREAM, [], self.registry)
            )

    def on_catalogue_screen_counted(self, message: Counted) -> None:
        if message.counts is None:
            share = message.done / message.head if message.head else 1.0
            self.status.update(f"counting the log… {share:.0%}")
            return
        self.entries = catalogue(self.registry, message.counts)
        total = sum(entry.count for entry in self.entries)
        self.status.update(
            f"{len(self.entries)} event types · {total:,} events in the store "
            f"(counted over the whole log up to position {message.head:,})"
        )
        self.content.update(render_catalogue(self.entries))

    @on(Input.Changed, "#stream-filter")
    def _filter_changed(self, message: Input.Changed) -> None:
        self._streams(message.value.strip().lower())

    @on(Input.Submitted, "#stream-filter")
    def _filter_submitted(self) -> None:
        if self.matches.option_count:
            self.matches.highlighted = 0
            self.matches.focus()

    @work(thread=True, group="catalogue-streams", exclusive=True, exit_on_error=False)
    def _streams(self, needle: str) -> None:
        names = [s.stream_id for s in self.store.list_streams() if needle in s.stream_id.lower()]
        self.app.call_from_thread(self._show_streams, names)

    def _show_streams(self, names: list[str]) -> None:
        self.matches.clear_options()
        shown = names[:STREAMS_SHOWN]
        self.matches.add_options([Option(name, id=name) for name in shown])
        if len(names) > len(shown):
            self.matches.add_option(Option(f"… {len(names) - len(shown)} more", disabled=True))

    @on(OptionList.OptionSelected, "#stream-matches")
    def _stream_chosen(self, message: OptionList.OptionSelected) -> None:
        dismiss_if_current(self, message.option.id)

    def action_focus_filter(self) -> None:
        self.filter.focus()

    def action_close(self) -> None:
        dismiss_if_current(self, None)
