"""The ideas read model's rows for the projection pane, oldest first."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from rich.text import Text

from domain.core.protocol import EventStore
from domain.ideas.codec import stream_id_of
from domain.ideas.projection import IdeaRow, IdeaView
from es_tui.format import status_text
from es_tui.ideas.indexes import IdeaIndex, Unlisted
from es_tui.widgets.columns import Column


class IdeasSource:
    """The ideas read model's rows, oldest first (from an `IdeaIndex`: the order is kept up
    to date from the log, and only the rows of a page are read)."""

    columns: Sequence[Column] = (
        Column("idea", 11),
        Column("idea is", 9),  # the idea's status, not its stream's (see StreamsSource)
        Column("ver", 4, "right", optional=True),
        Column("title"),
    )

    def __init__(self, view: IdeaView, store: EventStore) -> None:
        self.view = view
        self.index = IdeaIndex(view, store)

    def count(self) -> int:
        self.index.refresh()
        return len(self.index)

    def fetch(self, start: int, limit: int) -> list[IdeaRow | Unlisted]:
        return self.index.rows(start, start + limit)

    def cells(self, row: IdeaRow | Unlisted) -> Sequence[Text | str]:
        if isinstance(row, Unlisted):
            return [
                stream_id_of(row.idea_id),
                Text("—", style="dim"),
                "",
                Text("leaving the read model", style="dim"),
            ]
        return [stream_id_of(row.idea_id), status_text(row.status), str(row.version), row.title]

    def key(self, row: IdeaRow | Unlisted) -> Hashable:
        return row

    def stream_of(self, row: IdeaRow | Unlisted) -> str:
        """The idea's stream (enter on its row opens it)."""
        return stream_id_of(row.idea_id)
