"""A one-line status whose text changes often (the read model's checkpoint, the traffic
figures): changing it repaints the line only, where a `Static` would ask the screen for a new
layout each time."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget


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
