"""A scrollable pane showing one Rich renderable, drawn with the Line API.

Panes whose content changes on every cursor move (the event details, the state) would ask
the screen for a new layout on each change if they were a `Static` of automatic height; this
pane renders its content into lines at its own width and only repaints itself.
"""

from __future__ import annotations

import io

from rich.console import Console, RenderableType
from textual.geometry import Region, Size
from textual.strip import Strip

from es_tui.widgets.bars import bar_repaint, scroll_view_to
from es_tui.widgets.scrolling import ScrollingPane
from es_tui.widgets.virtual import set_virtual_height


class TextPane(ScrollingPane):
    """Shows a renderable; `update` replaces it and scrolls back to the top."""

    def __init__(
        self,
        renderable: RenderableType = "",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.renderable = renderable
        self._lines: list[Strip] = []
        self._width = -1
        self._blank: Strip | None = None

    def update(self, renderable: RenderableType) -> None:
        """Show `renderable` from its first line. Only the lines in view that differ from
        those shown are repainted (a move to a similar event or state changes a few)."""
        self.renderable = renderable
        shown, width = self._lines, self._width
        self._width = -1
        scrolled = bool(self.scroll_y)
        with bar_repaint(self):  # its new length and position: one repaint of the bar
            if scrolled:
                scroll_view_to(self, 0)
            self._render_lines()
        if scrolled or width <= 0 or width != self._width:
            self.refresh()
            return
        changed = changed_lines(shown, self._lines, self.scrollable_content_region.size)
        if changed:  # (no region at all would repaint everything)
            self.refresh(*changed)

    def _render_lines(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or width == self._width:
            return
        self._width = width
        console = self.app.console
        options = console.options.update(width=width, height=None, no_wrap=False)
        base = self.rich_style
        lines = console.render_lines(self.renderable, options, style=base, pad=True)
        self._lines = [Strip(line, width) for line in lines]
        set_virtual_height(self, len(self._lines))

    def on_resize(self) -> None:
        self._render_lines()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._width = -1  # the background is part of the drawn lines
        self._blank = None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        self._render_lines()
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if 0 <= index < len(self._lines):
            return self._lines[index]
        if self._blank is None or self._blank.cell_length != width:
            self._blank = Strip.blank(width, self.rich_style)
        return self._blank

    def rendered_lines(self) -> list[str]:
        """Every line as drawn at the pane's width (scrolled out of view or not)."""
        self._render_lines()
        return [strip.text.rstrip() for strip in self._lines]

    def plain_text(self, width: int = 240) -> str:
        """The content as plain text, unwrapped up to `width` columns."""
        console = Console(width=width, record=True, file=io.StringIO())
        console.print(self.renderable)
        return console.export_text()


def changed_lines(old: list[Strip], new: list[Strip], view: Size) -> list[Region]:
    """The regions of the lines in `view` (from the first line) where `new` differs from
    `old` (a line past the end of either is drawn blank), consecutive lines in one."""
    regions: list[Region] = []
    start = None
    last = min(view.height, max(len(old), len(new)))
    for y in range(last + 1):
        same = y == last or (y < len(old) and y < len(new) and old[y] == new[y])
        if not same and start is None:
            start = y
        elif same and start is not None:
            regions.append(Region(0, start, view.width, y - start))
            start = None
    return regions
