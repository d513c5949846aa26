"""Small formatting helpers shared by panes and screens: ids, times, JSON, statuses."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from rich.text import Text

STATUS_STYLES = {
    "active": "green",
    "requested": "yellow",
    "accepted": "green",
    "rejected": "red",
    "deleted": "magenta",
    "forgotten": "bright_black",
}
"""Colours for stream and idea statuses, used wherever a status is shown."""


def short_id(value: uuid.UUID | str | None, length: int = 8) -> str:
    """The first characters of an id: enough to tell events apart on screen."""
    if value is None:
        return "—"
    return str(value)[:length]


def clock(moment: datetime | None) -> str:
    """A time of day with milliseconds, in the moment's own zone (the store writes UTC)."""
    if moment is None:
        return "—"
    return moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def stamp(moment: datetime | None) -> str:
    """A full timestamp, e.g. 2024-05-01 12:30:05.120 UTC."""
    if moment is None:
        return "—"
    zone = moment.tzname() or ""
    return f"{moment:%Y-%m-%d} {clock(moment)} {zone}".rstrip()


def status_text(status: str) -> Text:
    """A status word in its colour."""
    return Text(status, style=STATUS_STYLES.get(status, ""))


def to_json(value: Any) -> str:
    """Indented JSON for a payload; anything JSON cannot encode is shown with str()."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str, sort_keys=False)


def fit(text: str, width: int) -> str:
    """`text` cut to `width` cells with an ellipsis, or padded to it."""
    if width <= 0:
        return ""
    if len(text) > width:
        return text[: max(width - 1, 0)] + "…"
    return text.ljust(width)


def plural(count: int, noun: str) -> str:
    """`3 events`, `1 event`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def compact(count: int, width: int) -> str:
    """`count` in at most `width` characters: 99999, then 100k, 1.2M, 3.4G."""
    text = str(count)
    if len(text) <= width:
        return text
    for unit, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if count >= unit:
            scaled = count / unit
            return f"{scaled:.1f}{suffix}" if scaled < 10 else f"{scaled:.0f}{suffix}"
    return text
