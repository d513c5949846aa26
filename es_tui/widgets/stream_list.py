"""The Streams pane's list and its name filter: `/` with the pane focused opens the filter,
typing narrows the list live, escape clears it."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static

from es_tui.sources import StreamRow, StreamsSource
from es_tui.stream_filter import FilteredStreams
from es_tui.widgets.line_list import LineList


class StreamList(LineList[StreamRow]):
    """Every stream, "$all" first; or, while a filter is set, the streams it names."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # In the footer only where it has room (a narrow footer keeps help and quit).
        Binding("slash", "filter_streams('footer')", "Filter streams"),
        Binding("slash", "filter_streams", "Filter streams", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    class FilterAsked(Message):
        """`/` was pressed on the list."""

    class ClearAsked(Message):
        """Escape was pressed on a filtered list."""

    def __init__(
        self, source: StreamsSource, *, paint_with_highlight: bool = False, id: str | None = None
    ) -> None:
        super().__init__(source, follow=False, paint_with_highlight=paint_with_highlight, id=id)
        self.all_streams = source
        """The unfiltered source (its index serves every filter)."""

    @property
    def stream_filter(self) -> FilteredStreams | None:
        """The filter in force, if any."""
        return self.source if isinstance(self.source, FilteredStreams) else None

    def set_filter(self, text: str) -> None:
        """List only the streams whose names contain `text` ("": every stream)."""
        current = self.stream_filter
        if text.strip() == (current.text if current else ""):
            return
        if text.strip():
            self.set_source(FilteredStreams(self.all_streams, text), "start")
        else:
            self.set_source(self.all_streams, "start")
        self._show_status()

    def filter_status(self) -> str:
        """How many streams the filter shows, e.g. "4 of 120 streams" (its text is in the
        input above the list)."""
        shown = self.stream_filter
        if shown is None:
            return ""
        return f"{self.row_count:,} of {shown.total:,} streams"

    def on_line_list_page_loaded(self, message: LineList.PageLoaded) -> None:
        super().on_line_list_page_loaded(message)
        message.prevent_default()  # handled here, once: the list's own handler ran above
        self._show_status()  # the count changes with the rows, in the same repaint

    def _show_status(self) -> None:
        status = self.filter_status()
        subtitle = f"{status} · esc clears" if status else ""
        if self.border_subtitle != subtitle:
            self.border_subtitle = subtitle

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return self.stream_filter is not None  # else escape goes on to the screen
        if action == "filter_streams" and parameters == ("footer",):
            return not self.screen.has_class("-narrow")
        return True

    def action_filter_streams(self, _where: str = "") -> None:
        self.post_message(self.FilterAsked())

    def action_clear_filter(self) -> None:
        self.post_message(self.ClearAsked())


class StreamFilterInput(Input):
    """The stream filter's input (letters type into it; escape clears, enter keeps)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close_filter", "Clear filter"),
        Binding("enter", "submit", "Keep filter"),
    ]

    class CloseAsked(Message):
        """Escape was pressed in the input."""

    def action_close_filter(self) -> None:
        self.post_message(self.CloseAsked())


class StreamFilterBar(Horizontal):
    """The filter line above the Streams pane; hidden until `/` is pressed there."""

    class Changed(Message):
        """The text to filter by changed ("": cleared)."""

        def __init__(self, text: str, done: bool) -> None:
            super().__init__()
            self.text = text
            self.done = done
            """Enter or escape: back to the list."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.input = StreamFilterInput(
            placeholder="part of a stream's name", compact=True, id="streams-filter"
        )

    def compose(self) -> ComposeResult:
        yield Static("streams ›", id="streams-filter-label")
        yield self.input

    def on_mount(self) -> None:
        self.display = False

    def open(self) -> None:
        """Show the input and give it the focus."""
        self.display = True
        self.input.focus()

    def clear(self) -> None:
        """Empty and hide the input (the list shows every stream again)."""
        self.display = False
        if self.input.value:
            with self.input.prevent(Input.Changed):
                self.input.value = ""
        self.post_message(self.Changed("", done=True))

    @on(Input.Changed, "#streams-filter")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(event.value, done=False))

    @on(Input.Submitted, "#streams-filter")
    def _kept(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.display = False
        self.post_message(self.Changed(event.value, done=True))

    def on_stream_filter_input_close_asked(self, message: StreamFilterInput.CloseAsked) -> None:
        message.stop()
        self.clear()
