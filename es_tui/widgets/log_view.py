"""A bounded, scrolling log of one-line entries, drawn with the Line API: writing an entry
repaints this view only (a `RichLog` asks the screen for a new layout on every write, which
under a stream of commits is most of the explorer's work)."""

from __future__ import annotations

from collections import deque

from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip

from es_tui.widgets.scrolling import ScrollingPane
from es_tui.widgets.virtual import set_virtual_height


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
        self._drawn: dict[tuple[int, int], Strip] = {}
        self._first = 0
        """How many entries were ever dropped from the front (keys of drawn lines)."""

    def plain_lines(self) -> list[str]:
        """The entries kept, oldest first, as plain text."""
        return [entry.plain for entry in self._kept]

    def write(self, text: Text) -> None:
        """Append one entry (cut at the view's width, never wrapped)."""
        at_end = self.scroll_y >= self.max_scroll_y
        if len(self._kept) == self._kept.maxlen:
            self._first += 1
        self._kept.append(text)
        set_virtual_height(self, len(self._kept))
        if at_end:
            self.scroll_to(y=self.max_scroll_y, animate=False, force=True)
        self.refresh()

    def on_resize(self) -> None:
        self._drawn.clear()
        set_virtual_height(self, len(self._kept))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = int(self.scroll_y) + y
        if not 0 <= index < len(self._kept):
            return Strip.blank(width, self.rich_style)
        key = (self._first + index, width)
        strip = self._drawn.get(key)
        if strip is None:
            base = self.rich_style
            entry = self._kept[index]
            segments = [
                Segment(seg.text, base + seg.style if seg.style else base)
                for seg in entry.render(self.app.console)
                if not seg.control and seg.text != "\n"
            ]
            strip = Strip(segments).crop_extend(0, width, base)
            if len(self._drawn) > 400:
                self._drawn.clear()
            self._drawn[key] = strip
        return strip
