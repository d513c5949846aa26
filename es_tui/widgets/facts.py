"""Label / value rows (an optional one-cell mark first), values wrapped under themselves (a
long single word, such as an id, on a line of its own rather than cut): what
a two-column `Table.grid` draws, at a fraction of its cost — the event details and the state
are drawn again on every cursor move."""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text


class Facts:
    """Rows of (mark, label, value); labels share one column, values wrap in theirs."""

    def __init__(
        self,
        rows: Iterable[tuple[Text | None, str, Text | str]],
        *,
        label_style: str = "dim",
        gap: int = 2,
    ) -> None:
        self.rows = [(m, label, v if isinstance(v, Text) else Text(v)) for m, label, v in rows]
        self.label_style = Style.parse(label_style)
        self.gap = gap
        self.marked = any(m is not None for m, _, _ in self.rows)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        label_width = max((cell_len(label) for _, label, _ in self.rows), default=0)
        indent = (2 if self.marked else 0) + label_width + self.gap
        room = max(width - indent, 8)
        newline = Segment.line()
        for mark, label, value in self.rows:
            if self.marked:
                yield from _segments(console, mark or Text(" "))
                yield Segment(" ")
            yield Segment(label.ljust(label_width + self.gap), self.label_style)
            if cell_len(value.plain) <= room and "\n" not in value.plain:
                yield from _segments(console, value)
                yield newline
                continue
            if " " not in value.plain.strip() and "\n" not in value.plain:
                # One long word (an id, a URL): never cut in the middle when it fits whole
                # on a line of its own, under the label.
                own = max(width - 2, 8)
                yield newline
                for line in value.wrap(console, own, overflow="fold"):
                    yield Segment("  ")
                    yield from _segments(console, line)
                    yield newline
                continue
            for n, line in enumerate(value.wrap(console, room, overflow="fold")):
                if n:
                    yield Segment(" " * indent)
                yield from _segments(console, line)
                yield newline


def _segments(console: Console, text: Text) -> Iterable[Segment]:
    """The text's segments with its own style under its spans' (`Text.render` leaves the
    text's style to its caller)."""
    base = console.get_style(text.style) if text.style else None
    for segment in text.render(console):
        if base is None:
            yield segment
        else:
            yield Segment(segment.text, base + segment.style if segment.style else base)
