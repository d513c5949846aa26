"""The timeline: the events of the selected stream (or of the global log), the details of the
highlighted one, and a filter (`/`) that scans for matching events in a worker."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from domain.core.protocol import ALL_STREAM
from es_tui.log_vocabulary import LogVocabulary
from es_tui.sources import GlobalLogSource, LogRow, StreamEventsSource
from es_tui.timeline_filter import FilteredSource, Matches, Query, scan, scan_types
from es_tui.widgets.event_details import EventDetails
from es_tui.widgets.line_list import LineList
from es_tui.widgets.titles import set_border_text

if TYPE_CHECKING:
    from domain.bootstrap import System

TYPING_PAUSE = 0.25
"""Seconds of no typing before a filter starts scanning (no scan per keystroke)."""
PROGRESS_EVERY = 0.1
"""Seconds between two progress reports of a scan (each shows the matches found so far)."""


class FilterInput(Input):
    """The filter's input: its footer shows how to leave it (letters type into it)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close_filter", "Close filter"),
        Binding("enter", "submit", "Keep filter"),
    ]

    class CloseAsked(Message):
        """Escape was pressed in the input."""

    def action_close_filter(self) -> None:
        self.post_message(self.CloseAsked())


class TimelinePane(Vertical):
    """A virtual list of events over the details of the highlighted one."""

    ALLOW_MAXIMIZE: ClassVar[bool | None] = True
    """Maximizing the list or the details maximizes the pane: title, filter, list, details."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    class Scanned(Message, bubble=False):
        """A filter scan made progress (internal)."""

        def __init__(self, generation: int, done: bool) -> None:
            super().__init__()
            self.generation = generation
            self.done = done

    def __init__(self, system: System, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.system = system
        self.stream_id = ALL_STREAM
        self.filter_query = Query.parse("")
        """The filter in force (empty: every event)."""
        self.matches = Matches()
        self.filtering = False
        """A filter scan is under way."""
        self._generation = 0
        self._progress_queued = False
        """A scan's progress report is on its way to the UI: the scan sends no other until
        it is handled (a busy UI must not fall behind a queue of them, keys waiting)."""
        self._total = 0
        self.vocabulary = LogVocabulary(system.store)
        """The log's types, streams and commands, learned when the filter is first opened."""
        self._scan_learns = False
        """A scan of the log teaches the vocabulary: the learner leaves it the work."""
        self.read_types: frozenset[str] | None = None
        """The types the last filter step read through the type index (None: a full scan)."""
        self._typing: Timer | None = None
        self.filter_input = FilterInput(
            placeholder="words of a type, stream or command",  # the keys: in the footer
            compact=True,
            id="timeline-filter",
        )
        self.events: LineList[LogRow] = LineList(
            empty="no events yet",
            paint_with_highlight=True,  # with the details, state and snapshots
            id="timeline-list",
        )
        self.details = EventDetails(id="event-details")

    def compose(self) -> ComposeResult:
        with Horizontal(id="timeline-filter-bar"):
            yield Static("filter ›", id="timeline-filter-label")
            yield self.filter_input
        yield self.events
        yield self.details

    def on_mount(self) -> None:
        self.filter_bar = self.query_one("#timeline-filter-bar")
        self.filter_bar.display = False
        # The title changes in the repaint that draws the list's cursor.
        self.events.cursor_drawn.subscribe(self, lambda _: self._show_title(), immediate=True)
        self.show_stream(ALL_STREAM)
        self._show_title()

    def _schema_of(self, event_type: str) -> int | None:
        try:
            return self.system.registry.latest_version(event_type)
        except LookupError:
            return None

    def show_stream(self, stream_id: str) -> None:
        """List the events of `stream_id` ("$all": the global log), cursor on the newest (the
        first match when filtering)."""
        self.stream_id = stream_id
        if self.filter_query:
            self._start_filter()
            return
        store = self.system.store
        if stream_id == ALL_STREAM:
            self.events.set_source(GlobalLogSource(store, self._schema_of))
        else:
            self.events.set_source(StreamEventsSource(store, stream_id, self._schema_of))

    def _show_title(self) -> None:
        """The title says what is listed; set when the list paints, so both change at once
        (only the border lines are repainted: the list and the details repaint themselves)."""
        if self.stream_id == ALL_STREAM:
            title = "Timeline · $all (global log, by position)"
        else:
            title = f"Timeline · {self.stream_id} (by version)"
        set_border_text(self, title)
        set_border_text(self, self._filter_status(), subtitle=True)

    def _filter_status(self) -> str:
        if not self.filter_query:
            return ""
        count = len(self.matches)
        found = f"{count:,} match" if count == 1 else f"{count:,} matches"
        how = ""
        if (types := self.read_types) is not None:
            named = ", ".join(sorted(types)) if len(types) <= 2 else f"{len(types)} types"
            how = f" · by type index ({named or 'no such type'})"
        if not self.filtering:
            return f"filter “{self.filter_query.text}” · {found}{how} · escape clears"
        share = self.matches.scanned / self._total if self._total else 1.0
        return f"filter “{self.filter_query.text}” · {found}{how} · reading {share:.0%}"

    def refresh_rows(self) -> None:
        """Re-read after a commit; a cursor on the newest event follows new ones."""
        if self.filter_query and not self.filtering:
            self._scan_more()
        elif not self.filter_query:
            self.events.reload()

    @property
    def highlighted(self) -> LogRow | None:
        """The event under the cursor."""
        return self.events.highlighted

    # -- filter ----------------------------------------------------------------------------

    def open_filter(self) -> None:
        """Show the filter input and give it the focus."""
        self.filter_bar.display = True
        self.filter_input.focus()
        self.learn_vocabulary()

    def learn_vocabulary(self) -> None:
        """Learn the log's words in the background (once; a scan of the log also teaches
        them), so that later filters naming event types read those types by index."""
        if not self.vocabulary.learned:
            self._scan_learns = False
            self._learn()

    @work(thread=True, group="log-vocabulary", exclusive=True, exit_on_error=False)
    def _learn(self) -> None:
        worker = get_current_worker()
        self.vocabulary.learn(
            self.system.store.head_position(),
            lambda: worker.is_cancelled or self._scan_learns,
        )

    @on(Input.Changed, "#timeline-filter")
    def _typed(self) -> None:
        if self._typing is not None:
            self._typing.stop()
        self._typing = self.set_timer(TYPING_PAUSE, self._apply_typed)

    @on(Input.Submitted, "#timeline-filter")
    def _submitted(self) -> None:
        self._apply_typed()
        self.events.focus()

    def _apply_typed(self) -> None:
        if self._typing is not None:
            self._typing.stop()
            self._typing = None
        query = Query.parse(self.filter_input.value)
        if query.words != self.filter_query.words:
            self.set_filter(query.text)

    def set_filter(self, text: str) -> None:
        """Show only the events matching `text` ("": every event)."""
        self.filter_query = Query.parse(text)
        if self.filter_input.value.strip() != self.filter_query.text:
            self.filter_input.value = self.filter_query.text
        if self.filter_query:
            self._start_filter()
        else:
            self._generation += 1  # a scan under way stops at its next step
            self.filtering = False
            self.events.follow = True
            self.show_stream(self.stream_id)
            self._show_title()

    def on_filter_input_close_asked(self, message: FilterInput.CloseAsked) -> None:
        message.stop()
        self.action_clear_filter()

    def action_clear_filter(self) -> None:
        if self._typing is not None:
            self._typing.stop()
            self._typing = None
        had_focus = self.filter_input.has_focus
        self.filter_bar.display = False
        if self.filter_query or self.filter_input.value:
            self.filter_input.value = ""
            self.set_filter("")
        if had_focus:
            self.events.focus()

    def _start_filter(self) -> None:
        self._generation += 1
        self.events.follow = False  # the cursor stays on the first matches while they come
        self.matches = Matches()
        self.read_types = None
        source = FilteredSource(self.system.store, self.stream_id, self._schema_of, self.matches)
        self.events.set_source(source, "start")
        self._scan_more()

    def _scan_more(self) -> None:
        self.filtering = True
        self._show_title()
        self._scan(self._generation, self.stream_id, self.filter_query, self.matches)

    @work(thread=True, group="timeline-filter", exclusive=True, exit_on_error=False)
    def _scan(self, generation: int, stream_id: str, query: Query, matches: Matches) -> None:
        store = self.system.store
        worker = get_current_worker()
        reported = time.monotonic()
        while True:
            if stream_id == ALL_STREAM:
                end = store.head_position()
            else:
                info = store.stream_info(stream_id)
                end = info.version if info else 0
            self._total = end
            if matches.scanned >= end:
                break
            start = matches.scanned + 1
            types = self._typed_plan(query, end) if stream_id == ALL_STREAM else None
            self.read_types = types
            if types is None:
                # A scan of the log reads every event anyway: it teaches the vocabulary too
                # (instead of the learner reading the same events again).
                learn = self.vocabulary.take if stream_id == ALL_STREAM else None
                if learn is not None:
                    self._scan_learns = True  # the learner stops at its next chunk
                steps = scan(store, stream_id, query, start, end, learn)
            else:
                steps = scan_types(store, types, query, start, end)
            for found, last in steps:
                if worker.is_cancelled or generation != self._generation:
                    return
                matches.add(found, last)
                if not self._progress_queued and time.monotonic() - reported >= PROGRESS_EVERY:
                    reported = time.monotonic()
                    self._progress_queued = True
                    self.post_message(self.Scanned(generation, done=False))
        if stream_id == ALL_STREAM and self.vocabulary.seen >= self._total:
            self.vocabulary.learned = True
        self.post_message(self.Scanned(generation, done=True))

    def _typed_plan(self, query: Query, end: int) -> frozenset[str] | None:
        """The types to read by index for `query` up to `end`, when that provably finds
        what a full scan finds (see `LogVocabulary.types_for`); None: scan."""
        if not self.vocabulary.catch_up(end):
            return None
        return self.vocabulary.types_for(query.words, end)

    def on_timeline_pane_scanned(self, message: Scanned) -> None:
        if not message.done:
            self._progress_queued = False
        if message.generation != self._generation:
            return
        if message.done:
            self.filtering = False
            self.events.follow = True  # from now on, new matching events are followed
        self.events.reload()
        self._show_title()
