"""The ideas read model's private values at rest: `SealedViewStorage` wraps any view storage
that writes somewhere (an SQLite file, a PostgreSQL table), sealing each row's title and
description under its idea's key on the way in and opening them on the way out. The
storages themselves only store text; forgetting an idea destroys its key, so whatever copy of
its row a file or a backup still holds reads as ciphertext."""

from __future__ import annotations

from collections.abc import Callable

from domain.ideas.projection import IdeaRow, ViewStorage

Seal = Callable[[str, str], str]
"""(idea_id, plaintext) -> the sealed text to store."""
Unseal = Callable[[str, str], str]
"""(idea_id, stored text) -> the plaintext (a marker once the key is gone)."""


class SealedViewStorage:
    """A ViewStorage whose rows' private values are sealed in `inner`."""

    def __init__(self, inner: ViewStorage, seal: Seal, unseal: Unseal) -> None:
        self.inner = inner
        self._seal = seal
        self._unseal = unseal

    def _opened(self, row: IdeaRow) -> IdeaRow:
        return self._with(row, self._unseal)

    def _sealed(self, row: IdeaRow) -> IdeaRow:
        return self._with(row, self._seal)

    @staticmethod
    def _with(row: IdeaRow, change: Seal) -> IdeaRow:
        # Built whole (not dataclasses.replace): a rebuild passes every changed row here.
        idea_id = row.idea_id
        return IdeaRow(
            idea_id,
            change(idea_id, row.title),
            change(idea_id, row.description),
            row.status,
            row.version,
            row.created_at,
            row.updated_at,
        )

    def checkpoint(self) -> int:
        return self.inner.checkpoint()

    def get(self, idea_id: str) -> IdeaRow | None:
        row = self.inner.get(idea_id)
        return None if row is None else self._opened(row)

    def is_deleted(self, idea_id: str) -> bool:
        return self.inner.is_deleted(idea_id)

    def rows(self) -> list[IdeaRow]:
        return [self._opened(row) for row in self.inner.rows()]

    def stored_texts(self) -> list[tuple[str, str]]:
        """(idea id, title and description) exactly as `inner` holds them (sealed): for an
        erasure check that must see a value stored in clear, too."""
        return [(row.idea_id, f"{row.title}\n{row.description}") for row in self.inner.rows()]

    def commit(
        self,
        upserts: dict[str, IdeaRow],
        deleted: set[str],
        dropped: set[str],
        checkpoint: int,
        *,
        first_position: int,
    ) -> bool:
        sealed = {idea_id: self._sealed(row) for idea_id, row in upserts.items()}
        return self.inner.commit(
            sealed, deleted, dropped, checkpoint, first_position=first_position
        )

    def reset(self) -> None:
        self.inner.reset()

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if callable(close):
            close()
