"""A virtual list that renders only the visible lines and loads its rows a page at a time.

A store may hold millions of events, so a pane never builds a widget (or even a row object)
per event: `LineList` asks its `RowSource` how many rows there are and for the pages the
viewport shows, in worker threads, and draws lines with the Line API.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

PAGE = 128
"""Rows fetched per request."""


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a list: a title and a width in cells (None: takes the space left)."""

    title: str
    width: int | None = None
    justify: Literal["left", "right"] = "left"
    optional: bool = False
    """Dropped (rightmost first) when the flexible column would get too narrow."""


FLEX_MIN = 12
"""The narrowest a flexible column may get before optional columns make room."""


class RowSource(Protocol):
    """Where a LineList's rows come from. `count` and `fetch` run in worker threads, so a
    source holds only immutable parameters and a thread-safe store."""

    columns: Sequence[Column]

    def count(self) -> int:
        """How many rows there are now."""
        ...

    def fetch(self, start: int, limit: int) -> list[Any]:
        """Rows `start` to `start + limit - 1` (fewer at the end)."""
        ...

    def cells(self, row: Any) -> Sequence[Text | str]:
        """The cells of one row, one per column."""
        ...

    def key(self, row: Any) -> Hashable:
        """A stable identity for a row (to notice that the highlighted row changed)."""
        ...


class LineList(ScrollView, can_focus=True):
    """A scrolling table of rows with a cursor, backed by a paged `RowSource`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump('start')", "First", show=False),
        Binding("end", "jump('end')", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "line-list--header",
        "line-list--cursor",
        "line-list--loading",
    }

    DEFAULT_CSS = """
    LineList {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        background: $surface;
    }
    LineList > .line-list--header { text-style: bold; color: $text-accent; }
    LineList > .line-list--cursor { background: $boost; text-style: bold; }
    LineList:focus > .line-list--cursor { background: $accent 40%; }
    LineList > .line-list--loading { color: $text-muted; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The row under the cursor changed (another row, or the same row with new data)."""

        def __init__(self, line_list: LineList, index: int, row: Any) -> None:
            super().__init__()
            self.line_list = line_list
            self.index = index
            self.row = row

        @property
        def control(self) -> LineList:
            return self.line_list

    class Selected(Message):
        """Enter was pressed on the row under the cursor."""

        def __init__(self, line_list: LineList, index: int, row: Any) -> None:
            super().__init__()
            self.line_list = line_list
            self.index = index
            self.row = row

        @property
        def control(self) -> LineList:
            return self.line_list

    class PageLoaded(Message, bubble=False):
        """Rows arrived from a worker (internal)."""

        def __init__(self, generation: int, count: int, pages: dict[int, list[Any]]) -> None:
            super().__init__()
            self.generation = generation
            self.count = count
            self.pages = pages

    class LoadFailed(Message, bubble=False):
        """A worker could not read the rows (internal)."""

        def __init__(self, generation: int, error: Exception, full: bool) -> None:
            super().__init__()
            self.generation = generation
            self.error = error
            self.full = full

    def __init__(
        self,
        source: RowSource | None = None,
        *,
        empty: str = "nothing here yet",
        follow: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.source = source
        self.empty = empty
        self.follow = follow
        """Keep the cursor on the last row as rows arrive, when it is there already."""
        self.row_count = 0
        self.error: str | None = None
        self._generation = 0
        self._pages: dict[int, list[Any]] = {}
        self._pending: set[int] = set()
        self._last_key: Hashable = None
        self._cursor_target: Literal["keep", "start", "end"] = "keep"
        self._follow = False
        self._loading = False
        """A count-and-fetch is in flight: later refreshes wait for it (at most one runs)."""
        self._dirty = False
        self._reveal: int | None = None

    # -- data ----------------------------------------------------------------------------

    def set_source(
        self, source: RowSource | None, cursor: Literal["keep", "start", "end"] = "end"
    ) -> None:
        """Show rows from another source; the cursor goes to its start or end."""
        self.source = source
        self._last_key = None
        self._pages = {}  # rows of the old source must never be drawn by the new one
        self._loading = False  # what is in flight answers for the old source: ignored
        self.reload(cursor)

    def reload(self, cursor: Literal["keep", "start", "end"] = "keep") -> None:
        """Count and fetch the visible rows again (the data changed)."""
        if cursor != "keep":  # a plain refresh must not cancel a move still on its way
            self._cursor_target = cursor
        if self._loading:  # a burst of commits on a slow store: one more load afterwards
            self._dirty = True
            return
        self._generation += 1
        self._pending.clear()
        target = self._cursor_target
        # Follow the tail when the cursor sits on the last row, as a log viewer does.
        self._follow = self.follow and self.row_count > 0 and self.cursor >= self.row_count - 1
        if self.source is None:
            self._apply(self._generation, 0, {})
            return
        wanted = self._wanted_pages(target)
        self._loading = True
        self._load(self.source, self._generation, wanted, target == "end" or self._follow)

    def _wanted_pages(self, cursor: str) -> set[int]:
        top = int(self.scroll_y)
        pages = {top // PAGE, (top + max(self.size.height, 1)) // PAGE}
        if cursor == "keep":
            pages.add(self.cursor // PAGE)
        return pages

    @work(thread=True, group="line-list", exit_on_error=False)
    def _load(self, source: RowSource, generation: int, pages: set[int], to_end: bool) -> None:
        try:
            count = source.count()
            if to_end:
                last = max(count - 1, 0) // PAGE
                pages = pages | {last, max(last - 1, 0)}
            loaded = {p: source.fetch(p * PAGE, PAGE) for p in sorted(pages) if p * PAGE < count}
        except Exception as error:  # shown in the pane, never a crash
            self.post_message(self.LoadFailed(generation, error, full=True))
            return
        self.post_message(self.PageLoaded(generation, count, loaded))

    @work(thread=True, group="line-list-page", exit_on_error=False)
    def _load_page(self, source: RowSource, generation: int, page: int) -> None:
        try:
            rows = source.fetch(page * PAGE, PAGE)
        except Exception as error:
            self.post_message(self.LoadFailed(generation, error, full=False))
            return
        self.post_message(self.PageLoaded(generation, -1, {page: rows}))

    def on_line_list_page_loaded(self, message: PageLoaded) -> None:
        message.stop()
        self._apply(message.generation, message.count, message.pages)

    def on_line_list_load_failed(self, message: LoadFailed) -> None:
        message.stop()
        if message.generation == self._generation:
            self.error = f"{type(message.error).__name__}: {message.error}"
            self.refresh()
            if message.full:
                self._loaded()

    def _loaded(self) -> None:
        """The load in flight is done; run the one that waited for it, if any."""
        self._loading = False
        if self._dirty:
            self._dirty = False
            self.reload()

    def _apply(self, generation: int, count: int, pages: dict[int, list[Any]]) -> None:
        if generation != self._generation:
            return  # a stale answer to an older question
        for page in pages:
            self._pending.discard(page)
        if count < 0:  # one more page of an unchanged count
            self._pages.update(pages)
            self.refresh()
            self._announce()
            return
        self.error = None
        self._pages = dict(pages)
        self.row_count = count
        self.virtual_size = Size(self.size.width, count + 1)
        target = self._cursor_target
        self._cursor_target = "keep"
        if target == "start":
            self.cursor = 0
        elif target == "end" or self._follow:
            self.cursor = max(count - 1, 0)
        else:
            self.cursor = min(self.cursor, max(count - 1, 0))
        if self._reveal is not None and self._reveal < count:
            self.cursor, self._reveal = self._reveal, None
        self.refresh()
        self._loaded()

    def row_at(self, index: int) -> Any | None:
        """The row at `index` if its page is loaded."""
        page = self._pages.get(index // PAGE)
        if page is None:
            return None
        offset = index % PAGE
        return page[offset] if offset < len(page) else None

    @property
    def highlighted(self) -> Any | None:
        """The row under the cursor, if loaded."""
        return self.row_at(self.cursor) if self.row_count else None

    def _request(self, page: int) -> None:
        if self.source is None or page in self._pending or page * PAGE >= self.row_count:
            return
        self._pending.add(page)
        self._load_page(self.source, self._generation, page)

    # -- cursor --------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self._request(new // PAGE)
        self.refresh()
        self._announce()

    def _announce(self) -> None:
        row = self.highlighted
        if row is None or self.source is None:
            if self.row_count == 0 and self._last_key is not None:
                self._last_key = None
                self.post_message(self.Highlighted(self, -1, None))
            return
        key = (self.cursor, self.source.key(row))
        if key != self._last_key:
            self._last_key = key
            self.post_message(self.Highlighted(self, self.cursor, row))

    def _scroll_to_cursor(self) -> None:
        visible = max(self.size.height - 1, 1)
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)

    def move_to(self, index: int) -> None:
        """Put the cursor on row `index` (clamped)."""
        self.cursor = max(0, min(index, self.row_count - 1))

    def reveal(self, index: int) -> None:
        """Put the cursor on row `index`, once the list has that many rows (a row that the
        store has but this list has not counted yet)."""
        if index < self.row_count:
            self._reveal = None
            self.move_to(index)
        else:
            self._reveal = index
            self.reload()

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(self.size.height - 2, 1))

    def action_jump(self, where: str) -> None:
        self.move_to(0 if where == "start" else self.row_count - 1)

    def action_select(self) -> None:
        row = self.highlighted
        if row is not None:
            self.post_message(self.Selected(self, self.cursor, row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        index = int(self.scroll_y) + offset.y - 1
        if index < self.row_count:
            self.move_to(index)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.row_count + 1)
        self._scroll_to_cursor()

    # -- drawing -------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width  # without the scrollbar
        base = self.rich_style
        if y == 0:
            return self._strip(self._header(width), width, base, "line-list--header")
        index = int(self.scroll_y) + y - 1
        if index >= self.row_count:
            if index == 0:
                message = self.error or self.empty
                return self._strip(Text(" " + message), width, base, "line-list--loading")
            return Strip.blank(width, base)
        row = self.row_at(index)
        if row is None or self.source is None:
            self._request(index // PAGE)
            return self._strip(Text(" …"), width, base, "line-list--loading")
        try:
            line = self._layout(self.source.cells(row), width)
        except Exception as error:  # one unreadable row must not take the explorer down
            line = Text(f" row {index + 1}: {error!r}", style="red")
        component = "line-list--cursor" if index == self.cursor else None
        return self._strip(line, width, base, component)

    def _strip(self, text: Text, width: int, base: Style, component: str | None) -> Strip:
        style = base + self.get_component_rich_style(component) if component else base
        segments = [
            Segment(seg.text, style + seg.style if seg.style else style)
            for seg in text.render(self.app.console)
            if not seg.control
        ]
        return Strip(segments).crop_extend(0, width, style)

    def _visible_columns(self, width: int) -> list[tuple[int, Column, int]]:
        """(index, column, cell width) of the columns that fit in `width`."""
        columns = list(enumerate(self.source.columns if self.source else []))
        while True:
            fixed = sum(c.width or 0 for _, c in columns) + len(columns)
            flex = sum(1 for _, c in columns if c.width is None)
            share = (width - fixed) // max(flex, 1)
            optional = [i for i, (_, c) in enumerate(columns) if c.optional]
            if share >= FLEX_MIN or not optional:
                break
            del columns[optional[-1]]
        share = max(share, 1)
        return [(i, c, c.width if c.width is not None else share) for i, c in columns]

    def _header(self, width: int) -> Text:
        if self.source is None:
            return Text("")
        return self._layout([c.title for c in self.source.columns], width)

    def _layout(self, cells: Sequence[Text | str], width: int) -> Text:
        line = Text(no_wrap=True, overflow="crop")
        for index, column, cell_width in self._visible_columns(width):
            cell = cells[index] if index < len(cells) else ""
            text = cell.copy() if isinstance(cell, Text) else Text(str(cell))
            text.no_wrap = True
            if text.cell_len > cell_width:
                text.truncate(max(cell_width - 1, 0))
                text.append("…")
            text.align(column.justify, cell_width)
            line.append(" ")
            line.append_text(text)
        return line

    def visible_text(self) -> str:
        """The lines the list shows now, as plain text (what a reader of the screen sees)."""
        return "\n".join(self.render_line(y).text for y in range(self.size.height))
