"""A virtual list that renders only the visible lines and loads its rows a page at a time.

A store may hold millions of events, so a pane never builds a widget (or even a row object)
per event: `LineList` asks its `RowSource` how many rows there are and for the pages the
viewport shows, in worker threads, and draws lines with the Line API. Its height is virtual:
a change of row count never asks the screen for a new layout, and a jump to rows not loaded
yet is drawn once, when they arrive, rather than as placeholders first.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar, Generic, Literal

from textual import events, work
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.signal import Signal
from textual.strip import Strip
from textual.timer import Timer

from es_tui.widgets.bars import bar_repaint, scroll_view_to
from es_tui.widgets.columns import Column
from es_tui.widgets.line_drawing import LineDrawer
from es_tui.widgets.virtual import PAGE, Row, RowSource, set_virtual_height

__all__ = ["PAGE", "Column", "LineList", "RowSource", "set_virtual_height"]

PLACEHOLDERS_AFTER = 0.15
"""Seconds a jump waits for its rows before drawing placeholders (a slow store)."""

PAGES_KEPT = 16
"""Loaded pages a list keeps: those farthest from the cursor go first, so scrolling through
millions of rows holds a few thousand, whatever the store's size."""


class LineList(ScrollView, Generic[Row], can_focus=True):
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
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        background: $surface;
    }
    LineList > .line-list--header { text-style: bold; color: $text-accent; }
    LineList > .line-list--cursor { background: $boost; text-style: bold; }
    LineList:focus > .line-list--cursor { background: $accent 40%; }
    LineList > .line-list--loading { color: $text-muted; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)
    """The highlighted row; the list repaints when its rows are ready (see `watch_cursor`)."""

    class Highlighted(Message):
        """The row under the cursor changed (another row, or the same row with new data)."""

        def __init__(self, line_list: LineList[Any], index: int, row: Any) -> None:
            super().__init__()
            self.line_list = line_list
            self.index = index
            self.row = row

        @property
        def control(self) -> LineList[Any]:
            return self.line_list

    class Selected(Message):
        """Enter was pressed on the row under the cursor."""

        def __init__(self, line_list: LineList[Any], index: int, row: Any) -> None:
            super().__init__()
            self.line_list = line_list
            self.index = index
            self.row = row

        @property
        def control(self) -> LineList[Any]:
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
        source: RowSource[Row] | None = None,
        *,
        empty: str = "nothing here yet",
        follow: bool = True,
        paint_with_highlight: bool = False,
        announce: bool = True,
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
        self._pages: dict[int, list[Row]] = {}
        self._pending: set[int] = set()
        self._last_key: Hashable = None
        self._cursor_target: Literal["keep", "start", "end"] = "keep"
        self._follow = False
        self._loading = False
        """A count-and-fetch is in flight: later refreshes wait for it (at most one runs)."""
        self._dirty = False
        self._reveal: int | None = None
        self._held: int | None = None
        """A cursor whose rows are on their way: drawn when they arrive."""
        self._hold_timer: Timer | None = None
        self.cursor_drawn: Signal[None] = Signal(self, "cursor_drawn")
        """Published when the list draws its cursor: an owner subscribed with `immediate`
        changes its title in the same repaint."""
        self.paint_with_highlight = paint_with_highlight
        """Wait (briefly) for the owner to show what the highlighted row is about, so this
        list and those panes are painted together; the owner ends the wait with
        `painted()`."""
        self.announce = announce
        """Post `Highlighted` when the row under the cursor changes (off for a list nobody
        follows: each message would travel up to the app for nothing)."""
        self.drawer = LineDrawer(self)
        self._stale = True
        """Rows changed since the list was last drawn."""
        self._drawn_cursor = -1

    # -- data ----------------------------------------------------------------------------

    def set_source(
        self, source: RowSource[Row] | None, cursor: Literal["keep", "start", "end"] = "end"
    ) -> None:
        """Show rows from another source; the cursor goes to its start or end."""
        self.source = source
        self._last_key = None
        self._pages = {}  # rows of the old source must never be drawn by the new one
        self.drawer.forget()
        self._loading = False  # what is in flight answers for the old source: ignored
        self.reload(cursor)

    def show_rows(
        self,
        source: RowSource[Row] | None,
        rows: list[Row],
        cursor: Literal["start", "end"] = "end",
    ) -> None:
        """Show rows already read from `source` (a short list), without a worker."""
        self.source = source
        self._last_key = None
        self.drawer.forget()
        self._loading = self._dirty = False
        self._generation += 1
        self._pending.clear()
        self._cursor_target = cursor
        pages = {i // PAGE: rows[i : i + PAGE] for i in range(0, len(rows), PAGE)}
        self._apply(self._generation, len(rows), pages)

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
        if cursor == "start":
            return {0}
        pages = self._visible_pages(int(self.scroll_y))
        if cursor == "keep":
            pages.add(self.cursor // PAGE)
        return pages

    def _visible_pages(self, top: int) -> set[int]:
        return {top // PAGE, (top + max(self.size.height, 1)) // PAGE}

    @work(thread=True, group="line-list", exit_on_error=False)
    def _load(self, source: RowSource[Row], generation: int, pages: set[int], to_end: bool) -> None:
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
    def _load_pages(self, source: RowSource[Row], generation: int, pages: list[int]) -> None:
        try:
            rows = {page: source.fetch(page * PAGE, PAGE) for page in pages}
        except Exception as error:
            self.post_message(self.LoadFailed(generation, error, full=False))
            return
        self.post_message(self.PageLoaded(generation, -1, rows))

    def on_line_list_page_loaded(self, message: PageLoaded) -> None:
        message.stop()
        self._apply(message.generation, message.count, message.pages)

    def on_line_list_load_failed(self, message: LoadFailed) -> None:
        message.stop()
        if message.generation == self._generation:
            self.error = f"{type(message.error).__name__}: {message.error}"
            self._release()
            self.refresh()
            if message.full:
                self._loaded()

    def _loaded(self) -> None:
        """The load in flight is done; run the one that waited for it, if any."""
        self._loading = False
        if self._dirty:
            self._dirty = False
            self.reload()

    def _apply(self, generation: int, count: int, pages: dict[int, list[Row]]) -> None:
        if generation != self._generation:
            return  # a stale answer to an older question
        for page in pages:
            self._pending.discard(page)
        self.drawer.forget()
        self._stale = True
        if count < 0:  # more pages of an unchanged count
            self._pages.update(pages)
            self._drop_far_pages()
            if self._held is not None:
                self._settle_hold()
            else:
                self.refresh()
                self._announce()
            return
        self.error = None
        self._pages = dict(pages)
        self.row_count = count  # the height follows when the cursor is drawn (one repaint)
        target = self._cursor_target
        self._cursor_target = "keep"
        self._held = None
        if target == "start":
            self.cursor = 0
        elif target == "end" or self._follow:
            self.cursor = max(count - 1, 0)
        else:
            self.cursor = min(self.cursor, max(count - 1, 0))
        if self._reveal is not None and self._reveal < count:
            self.cursor, self._reveal = self._reveal, None
        self._loaded()

    def _drop_far_pages(self) -> None:
        """Keep at most `PAGES_KEPT` pages: those nearest the cursor (what is drawn, and what
        the cursor waits for, always stays)."""
        if len(self._pages) <= PAGES_KEPT:
            return
        cursor = self._held if self._held is not None else self.cursor
        needed = self._visible_pages(self._top_for(cursor)) | {cursor // PAGE}
        needed |= self._visible_pages(int(self.scroll_y))
        near = sorted(self._pages, key=lambda page: abs(page - cursor // PAGE))
        for page in near[PAGES_KEPT:]:
            if page not in needed:
                del self._pages[page]

    def row_at(self, index: int) -> Row | None:
        """The row at `index` if its page is loaded."""
        page = self._pages.get(index // PAGE)
        if page is None:
            return None
        offset = index % PAGE
        return page[offset] if offset < len(page) else None

    @property
    def highlighted(self) -> Row | None:
        """The row under the cursor, if loaded."""
        return self.row_at(self.cursor) if self.row_count else None

    def request_pages(self, pages: set[int]) -> None:
        """Load these pages (those not loaded or on their way) in a worker."""
        if self.source is None:
            return
        wanted = sorted(p for p in pages if p not in self._pending and p * PAGE < self.row_count)
        if wanted:
            self._pending.update(wanted)
            self._load_pages(self.source, self._generation, wanted)

    # -- cursor --------------------------------------------------------------------------

    def _top_for(self, cursor: int) -> int:
        """The first row shown once `cursor` is in view."""
        visible = max(self.size.height - 1, 1)
        top = int(self.scroll_y)
        if cursor < top:
            return cursor
        if cursor >= top + visible:
            return cursor - visible + 1
        return top

    def _missing(self, cursor: int) -> set[int]:
        """Pages needed to draw the viewport around `cursor` that are not loaded."""
        pages = self._visible_pages(self._top_for(cursor)) | {cursor // PAGE}
        return {p for p in pages if p not in self._pages and p * PAGE < self.row_count}

    def watch_cursor(self, old: int, new: int) -> None:
        self._held = new
        missing = self._missing(new)
        if missing and self.source is not None:
            self.request_pages(missing)
        self._settle_hold()
        if self._held is not None and self._hold_timer is None:
            # Still waiting (a slow store): placeholders rather than nothing. (A cursor drawn
            # at once starts no timer.)
            self._hold_timer = self.set_timer(PLACEHOLDERS_AFTER, self._release)

    def _settle_hold(self) -> None:
        """Draw the held cursor once nothing it waits for is missing: its rows, and — when
        painting with the highlight — the owner's panes about the highlighted row."""
        if self._held is None:
            return
        if self.source is not None and self._missing(self._held):
            return  # its rows are on their way
        if self.paint_with_highlight and self._announce():
            return  # the owner calls `painted()` when its panes are ready
        self._release()

    def painted(self) -> None:
        """The owner has shown what the highlighted row is about: draw the cursor now, in
        the same repaint."""
        self._release()

    def _release(self) -> None:
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        if self._held is not None:
            self._held = None
            self._show_cursor()

    def _show_cursor(self) -> None:
        with bar_repaint(self):  # the bar's new length and position: one repaint of it
            set_virtual_height(self, self.row_count + 1)
            top = self._top_for(self.cursor)
            scrolled = top != int(self.scroll_y)
            if scrolled:
                scroll_view_to(self, top)  # repaints
        if scrolled:
            pass  # the scroll repainted the list
        elif self._stale:
            self.refresh()
        elif self.cursor != self._drawn_cursor:
            self._refresh_rows(self._drawn_cursor, self.cursor)  # only what the move changed
        self._stale = False
        self._drawn_cursor = self.cursor
        self.request_pages(self._missing(self.cursor))
        self.cursor_drawn.publish(None)
        self._announce()

    def _refresh_rows(self, *indexes: int) -> None:
        """Repaint the lines of these rows (those in view): a whole-list repaint per cursor
        move cost a few milliseconds a key."""
        top, width = int(self.scroll_y), self.size.width
        lines = [index - top + 1 for index in indexes]  # line 0 is the header
        self.refresh(*(Region(0, y, width, 1) for y in lines if 0 < y < self.size.height))

    def _announce(self) -> bool:
        """Post `Highlighted` if the row under the cursor changed; whether it did."""
        if not self.announce:
            return False
        row = self.highlighted
        if row is None or self.source is None:
            if self.row_count == 0 and self._last_key is not None:
                self._last_key = None
                self.post_message(self.Highlighted(self, -1, None))
                return True
            return False
        key = (self.cursor, self.source.key(row))
        if key == self._last_key:
            return False
        self._last_key = key
        self.post_message(self.Highlighted(self, self.cursor, row))
        return True

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

    def render_line(self, y: int) -> Strip:
        return self.drawer.line(y)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.drawer.restyle()  # focus and theme change how the lines look

    def visible_text(self) -> str:
        """The lines the list shows now, as plain text (what a reader of the screen sees)."""
        return "\n".join(self.render_line(y).text for y in range(self.size.height))

    def on_resize(self) -> None:
        self.drawer.forget()
        with bar_repaint(self):
            set_virtual_height(self, self.row_count + 1)
            top = self._top_for(self.cursor)
            if top != int(self.scroll_y):
                scroll_view_to(self, top)
