"""Reading what is still readable from a damaged store file: a range of positions (or
versions) whose query meets a malformed page is split in halves until each unreadable row is
alone, and skipped. The caller notes what was skipped, so a front end can say so."""

from __future__ import annotations

from collections.abc import Callable

from domain.core.errors import StoreDamagedError
from domain.core.records import RecordedEvent

ReadRange = Callable[[int, int], list[RecordedEvent]]
"""Events whose position (or version) lies within lo..hi, in order; StoreDamagedError when a
page on the way is malformed."""


def salvage(read: ReadRange, lo: int, hi: int) -> tuple[list[RecordedEvent], list[int]]:
    """The events within lo..hi that can be read, in order, and the single positions (or
    versions) that could not be read at all."""
    found: list[RecordedEvent] = []
    lost: list[int] = []
    pending = [(lo, hi)]
    while pending:
        a, b = pending.pop()
        if a > b:
            continue
        try:
            found.extend(read(a, b))
        except StoreDamagedError:
            if a == b:
                lost.append(a)
                continue
            middle = (a + b) // 2
            pending += [(middle + 1, b), (a, middle)]  # the lower half is read first
    return found, lost
