"""A pane's border title or subtitle changed by repainting only the border line it sits on.

Textual's `border_title` repaints the whole widget: for a pane holding other widgets (the
timeline holds its list and the event details) every line of the pane is drawn again for a
title that changed on one line, on every move in Streams.
"""

from __future__ import annotations

from textual.geometry import Region
from textual.widget import Widget


def set_border_text(widget: Widget, text: str, *, subtitle: bool = False) -> None:
    """Give `widget` the border title (or, with `subtitle`, subtitle) `text`, as setting
    `border_title` does (markup included), repainting only the line it is drawn on."""
    if (widget.border_subtitle if subtitle else widget.border_title) == text:
        return
    height, width = widget.outer_size.height, widget.outer_size.width
    if not widget.is_mounted or not height or not width:
        if subtitle:
            widget.border_subtitle = text
        else:
            widget.border_title = text
        return
    # What the `border_title` descriptor stores (Textual's own conversion), without its
    # repaint of the whole widget.
    content = widget.render_str(text).expand_tabs(4).split()[0]
    if subtitle:
        widget._border_subtitle = content
    else:
        widget._border_title = content
    # `refresh` takes regions relative to the content: the border lies outside it.
    left, top = widget.content_offset
    line = height - 1 if subtitle else 0
    widget.refresh(Region(-left, line - top, width, 1))
