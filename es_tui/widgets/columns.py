"""Columns of a virtual list and laying one row out in a given width."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text


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


def visible_columns(columns: Sequence[Column], width: int) -> list[tuple[int, Column, int]]:
    """(index, column, cell width) of the columns that fit in `width`."""
    shown = list(enumerate(columns))
    while True:
        fixed = sum(c.width or 0 for _, c in shown) + len(shown)
        flex = sum(1 for _, c in shown if c.width is None)
        share = (width - fixed) // max(flex, 1)
        optional = [i for i, (_, c) in enumerate(shown) if c.optional]
        if share >= FLEX_MIN or not optional:
            break
        del shown[optional[-1]]
    share = max(share, 1)
    return [(i, c, c.width if c.width is not None else share) for i, c in shown]


def layout_row(layout: list[tuple[int, Column, int]], cells: Sequence[Text | str]) -> Text:
    """One line: each cell cut (with an ellipsis) or padded to its column's width."""
    line = Text(no_wrap=True, overflow="crop")
    for index, column, cell_width in layout:
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


def row_segments(
    layout: list[tuple[int, Column, int]],
    cells: Sequence[Text | str],
    base: Style,
    *,
    plain: bool = False,
) -> list[Segment] | None:
    """The segments of one line, built directly: each cell is plain text or a `Text` of one
    style, so Rich's rendering (the bulk of drawing a line) is not needed. None when a cell
    carries spans of several styles (the caller then lays the line out with `layout_row`).
    `plain` draws every cell in `base` (a cursor line, whose colour the cells must not fight)."""
    out: list[Segment] = []
    for index, column, cell_width in layout:
        cell = cells[index] if index < len(cells) else ""
        style = base
        if isinstance(cell, Text):
            if cell.spans:
                return None
            if cell.style and not plain:
                style = base + (
                    Style.parse(cell.style) if isinstance(cell.style, str) else cell.style
                )
            cell = cell.plain
        if cell_len(cell) > cell_width:
            cell = set_cell_size(cell, max(cell_width - 1, 0)) + "…"
        elif column.justify == "right":
            cell = " " * (cell_width - cell_len(cell)) + cell
        else:
            cell = set_cell_size(cell, cell_width)
        out.append(Segment(" ", base))
        out.append(Segment(cell, style))
    return out
