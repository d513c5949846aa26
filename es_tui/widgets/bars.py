"""A view's vertical scrollbar repainted only where its drawing changes.

Textual repaints a whole scrollbar whenever its length, window or position changes, and a
bar costs as much to draw as any line of text, a cell wide or not: a move in Streams changed
the bars of the timeline, the details and the state, dozens of lines of bar a key, where the
thumb's end had moved by a cell or two.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from math import ceil

from rich.segment import Segment
from textual.geometry import Region, clamp
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender

BarValues = tuple[int, int, float, int]
"""What a vertical bar's drawing depends on: its content length, window, position and
height."""


def bar_values(bar: ScrollBar) -> BarValues:
    """The values `bar` is drawn from now."""
    return (bar.window_virtual_size, bar.window_size, bar.position, bar.size.height)


def bar_cells(values: BarValues, thickness: int = 1) -> list[Segment]:
    """The cells of a vertical bar, one a line, as Textual draws them for `values` (in
    fixed colours: the colours do not change with the values; the mouse actions of each
    cell, up or down, are part of it), cut at the bar's end as it is drawn."""
    virtual, window, position, height = values
    drawn = ScrollBarRender.render_bar(
        size=height,
        virtual_size=ceil(virtual),
        window_size=ceil(window if window < virtual else 0),
        position=position,
        thickness=thickness,
        vertical=True,
    )
    return list(drawn.segments)[:height]


def repaint_changed_cells(bar: ScrollBar, before: BarValues) -> None:
    """Repaint the lines of `bar` whose cells differ from those drawn for `before` (its
    values before they were changed without a repaint)."""
    after = bar_values(bar)
    if after == before:
        return
    old, new = bar_cells(before, bar.thickness), bar_cells(after, bar.thickness)
    if len(old) != len(new):
        bar.refresh()
        return
    width = bar.size.width
    regions: list[Region] = []
    for y, (was, now) in enumerate(zip(old, new, strict=True)):
        if was == now:
            continue
        if regions and regions[-1].bottom == y:
            last = regions.pop()
            regions.append(Region(0, last.y, width, last.height + 1))
        else:
            regions.append(Region(0, y, width, 1))
    if regions:
        bar.refresh(*regions)


_open: dict[ScrollBar, BarValues] = {}
"""The bars being changed, with their values before the outermost change began."""


@contextmanager
def bar_repaint(view: ScrollView) -> Iterator[None]:
    """Within it, the view's bar changes without a repaint (`set_bar_window`,
    `scroll_view_to`); at its end the cells that differ from those before are repainted
    (nested, the outermost repaints: a thumb half moved between two changes is never drawn,
    and need not be compared)."""
    bar = view.vertical_scrollbar if view.show_vertical_scrollbar else None
    if bar is None or bar in _open:
        yield
        return
    _open[bar] = bar_values(bar)
    try:
        yield
    finally:
        repaint_changed_cells(bar, _open.pop(bar))


def set_bar_window(view: ScrollView, virtual: int, window: int) -> None:
    """Give the view's bar a new content length (`virtual`) and window."""
    bar = view.vertical_scrollbar
    with bar_repaint(view):
        bar.set_reactive(ScrollBar.window_virtual_size, virtual)
        bar.set_reactive(ScrollBar.window_size, window)


def scroll_view_to(view: ScrollView, y: float) -> None:
    """`view.scroll_to(y=y, animate=False)`, its bar repainting only the cells that change."""
    if not view.show_vertical_scrollbar:
        view.scroll_to(y=y, animate=False)
        return
    with bar_repaint(view):
        # The position Textual gives the bar as it scrolls (scroll_y clamped, then in
        # eighths), set first so that the bar is not repainted whole.
        target = clamp(y, 0, view.max_scroll_y)
        view.vertical_scrollbar.set_reactive(ScrollBar.position, int(target * 8) / 8)
        view.scroll_to(y=y, animate=False)
