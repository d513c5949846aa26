"""The Streams pane filtered by name: the streams whose id (or aggregate's shown name, for a
library store) contains the typed text, ignoring case.

It reads the same `StreamIndex` as the full list, so filtering lists nothing again: streams
are kept in order of creation and a stream's id never changes, so the matches found so far
stay valid and only streams created since are checked on each refresh.
"""

from __future__ import annotations

import bisect
import threading
from array import array
from collections.abc import Hashable, Sequence

from rich.text import Text

from domain.core.records import StreamInfo
from es_tui.sources import StreamRow, StreamsSource
from es_tui.widgets.columns import Column


class FilteredStreams:
    """The rows of `base` whose names contain `text` (without the "$all" row)."""

    def __init__(self, base: StreamsSource, text: str) -> None:
        self.base = base
        self.text = text.strip()
        self.needle = self.text.lower()
        self.columns: Sequence[Column] = base.columns
        self._lock = threading.Lock()
        self._found = array("q")
        """Rows of the index that match, in order."""
        self._checked = 0
        self.total = 0
        """Streams in the store, matching or not (as of the last count)."""

    def matches(self, info: StreamInfo) -> bool:
        """Whether one stream's names contain the text."""
        return any(self.needle in name.lower() for name in self.base.names(info))

    def _catch_up(self) -> None:
        index = self.base.index
        index.refresh()
        with self._lock:
            new = index.slice(self._checked, len(index))
            self._found.extend(
                at for at, info in enumerate(new, start=self._checked) if self.matches(info)
            )
            self._checked += len(new)
            self.total = self._checked

    def count(self) -> int:
        self._catch_up()
        return len(self._found)

    def fetch(self, start: int, limit: int) -> list[StreamRow]:
        with self._lock:
            wanted = list(self._found[start : start + limit])
        index = self.base.index
        return [row for at in wanted for row in index.slice(at, at + 1)]

    def index_of(self, stream_id: str) -> int | None:
        """The row of `stream_id`, if it matches."""
        self._catch_up()
        at = self.base.index.index_of(stream_id)
        if at is None:
            return None
        with self._lock:
            row = bisect.bisect_left(self._found, at)
            found = row < len(self._found) and self._found[row] == at
        return row if found else None

    def cells(self, row: StreamRow) -> Sequence[Text | str]:
        return self.base.cells(row)

    def key(self, row: StreamRow) -> Hashable:
        return self.base.key(row)
