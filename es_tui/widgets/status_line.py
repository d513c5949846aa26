"""A one-line status whose text changes often (the read model's checkpoint, the traffic
figures): changing it repaints the line only, where a `Static` would ask the screen for a new
layout each time."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static


class StatusLine(Widget):
    """One line of text; `update` repaints it."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
    }
    """

    def __init__(
        self, text: Text | str = "", *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.text = Text(text) if isinstance(text, str) else text

    def update(self, text: Text | str) -> None:
        """Show `text` instead."""
        text = Text(text) if isinstance(text, str) else text
        if text != self.text:
            self.text = text
            self.refresh()

    @property
    def content(self) -> Text:
        """What the line shows (as a `Static`'s `content`)."""
        return self.text

    def render(self) -> RenderableType:
        line = self.text.copy()
        line.no_wrap = True
        line.overflow = "ellipsis"
        return line


class SteadyLabel(Static):
    """A `Static` (sized by its text) whose updates ask the screen for a new layout only
    when its shape changes: its number of lines or its widest line. A layout of the whole
    screen costs tens of milliseconds, and labels updated a few times a second under traffic
    asked for one at every update."""

    def __init__(
        self, content: Text | str = "", *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(content, id=id, classes=classes)
        self._shape: tuple[int, int] | None = None

    def show(self, content: Text | str) -> None:
        """Show `content` instead (laid out again only if its size can differ)."""
        lines = (content if isinstance(content, str) else content.plain).split("\n")
        shape = (len(lines), max(cell_len(line) for line in lines))
        wraps = shape[1] > self.content_region.width  # a wrapped text's height can differ
        self.update(content, layout=shape != self._shape or wraps)
        self._shape = shape
