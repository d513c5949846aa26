"""A bounded, scrolling log of entries, drawn with the Line API: writing an entry repaints this
view only (a `RichLog` asks the screen for a new layout on every write, which under a stream
of commits is most of the explorer's work). An entry longer than the view wraps onto more
lines, indented under its first."""

from __future__ import annotations

from bisect import bisect_left
from collections import deque

from rich.segment import Segment
from rich.text import Text
from textual.cache import LRUCache
from textual.strip import Strip

from es_tui.widgets.scrolling import ScrollingPane
from es_tui.widgets.virtual import set_virtual_height

HANGING_INDENT = 2
"""Cells a wrapped entry's later lines are indented by."""
STRIPS_KEPT = 400
"""Drawn lines kept for redrawing."""


class LogView(ScrollingPane):
    """Keeps the last `max_lines` entries; follows the newest while scrolled to the end."""

    def __init__(
        self,
        *,
        max_lines: int = 2000,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._kept: deque[Text] = deque(maxlen=max_lines)
        self._rows: list[tuple[int, int, Text]] = []
        """The lines, wrapped at `_width`: (entry number, line of the entry, its text)."""
        self._width = 0
        self._first = 0
        """How many entries were ever dropped from the front (numbers of entries)."""
        self._drawn: LRUCache[tuple[int, int, int], Strip] = LRUCache(STRIPS_KEPT)
        self._following = True
        """Whether the view shows the newest lines, so it keeps showing them as entries come
        and as it grows or shrinks (a maximized log, then restored)."""

    def plain_lines(self) -> list[str]:
        """The entries kept, oldest first, as plain text (whole, however they wrap)."""
        return [entry.plain for entry in self._kept]

    def visible_text(self) -> str:
        """The lines the view shows now, as plain text (what a reader of the screen sees)."""
        return "\n".join(self.render_line(y).text.rstrip() for y in range(self.size.height))

    def write(self, *entries: Text) -> None:
        """Append entries (each wrapped at the view's width): the view's height and scroll
        change once for all of them (under traffic a read brings dozens)."""
        if not entries:
            return
        at_end = self._following
        for text in entries:
            if len(self._kept) == self._kept.maxlen:
                self._drop_first()
            self._kept.append(text)
            if self._width:
                number = self._first + len(self._kept) - 1
                self._rows.extend((number, n, line) for n, line in enumerate(self._wrap(text)))
        set_virtual_height(self, len(self._rows))
        if at_end:
            self.scroll_to(y=self.max_scroll_y, animate=False, force=True)
        self.refresh()

    def insert(self, number: int, text: Text) -> None:
        """Put one entry before entry `number` (as counted by `next_number`); the entries
        from there on move down one."""
        index = number - self._first
        if not 0 <= index < len(self._kept):
            self.write(text)
            return
        at_end = self._following
        if len(self._kept) == self._kept.maxlen:
            self._kept.popleft()
            self._drop_first()
            index = max(index - 1, 0)
            number = self._first + index
        self._kept.insert(index, text)
        if self._width:
            at = bisect_left(self._rows, number, key=lambda row: row[0])
            moved = [(n + 1, part, line) for n, part, line in self._rows[at:]]
            wrapped = [(number, n, line) for n, line in enumerate(self._wrap(text))]
            self._rows[at:] = wrapped + moved
            self._drawn.clear()  # the entries below moved down: their numbers changed
        set_virtual_height(self, len(self._rows))
        if at_end:
            self.scroll_to(y=self.max_scroll_y, animate=False, force=True)
        self.refresh()

    @property
    def next_number(self) -> int:
        """The number the next entry written will have."""
        return self._first + len(self._kept)

    @property
    def first_number(self) -> int:
        """The number of the oldest entry kept."""
        return self._first

    def _drop_first(self) -> None:
        dropped = self._first
        self._first += 1
        cut = 0
        while cut < len(self._rows) and self._rows[cut][0] == dropped:
            cut += 1
        del self._rows[:cut]

    def _wrap(self, entry: Text) -> list[Text]:
        width = self._width
        if entry.cell_len <= width:
            return [entry]
        indent = HANGING_INDENT if width > HANGING_INDENT + 8 else 0
        first, *rest = entry.wrap(self.app.console, width, overflow="fold")
        if not rest:
            return [first]
        remainder = entry[len(first.plain) :]
        remainder = remainder[len(remainder.plain) - len(remainder.plain.lstrip(" ")) :]
        later = remainder.wrap(self.app.console, width - indent, overflow="fold")
        return [first, *(Text(" " * indent) + line for line in later)]

    def _rewrap(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or width == self._width:
            return
        self._width = width
        self._rows = [
            (self._first + number, n, line)
            for number, entry in enumerate(self._kept)
            for n, line in enumerate(self._wrap(entry))
        ]
        self._drawn.clear()
        set_virtual_height(self, len(self._rows))
        self._keep_in_view()

    def _keep_in_view(self) -> None:
        """After a change of size: still the newest lines when it showed them, and never
        scrolled past its last line (which would leave blank rows under it)."""
        if self._following or self.scroll_y > self.max_scroll_y:
            self.scroll_to(y=self.max_scroll_y, animate=False, force=True)

    def on_resize(self) -> None:
        following = self._following
        self._rewrap()
        self._following = following
        self._keep_in_view()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._following = new_value >= self.max_scroll_y

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn.clear()

    def render_line(self, y: int) -> Strip:
        self._rewrap()
        width = self.scrollable_content_region.width
        index = int(self.scroll_y) + y
        if not 0 <= index < len(self._rows):
            return Strip.blank(width, self.rich_style)
        number, part, line = self._rows[index]
        key = (number, part, width)
        strip = self._drawn.get(key)
        if strip is None:
            base = self.rich_style
            segments = [
                Segment(seg.text, base + seg.style if seg.style else base)
                for seg in line.render(self.app.console)
                if not seg.control and seg.text != "\n"
            ]
            strip = Strip(segments).crop_extend(0, width, base)
            self._drawn[key] = strip
        return strip
