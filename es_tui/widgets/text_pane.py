"""A scrollable pane showing one Rich renderable, drawn with the Line API.

Panes whose content changes on every cursor move (the event details, the state) would ask
the screen for a new layout on each change if they were a `Static` of automatic height; this
pane renders its content into lines at its own width and only repaints itself.
"""

from __future__ import annotations

import io

from rich.console import Console, RenderableType
from textual.strip import Strip

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
        """Show `renderable` from its first line."""
        self.renderable = renderable
        self._width = -1
        if self.scroll_y:
            self.scroll_to(y=0, animate=False)
        self._render_lines()
        self.refresh()

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
