"""One sealing wrapper for any `RowStorage`: a read model's private columns are kept at rest
sealed under the key of the stream each row belongs to, so forgetting the stream (its key
destroyed) shreds them too. Storages themselves know nothing of keys."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from domain.core.port import Row
from domain.core.shredding.cipher import CORRUPTED
from domain.core.views import RowStorage


@dataclass(frozen=True, slots=True)
class RowSealer:
    """How one read model's private columns are sealed."""

    columns: frozenset[str]
    """The private columns."""
    stream_of: Callable[[str], str | None]
    """The stream a row key belongs to (None: the row holds no one's private data)."""
    seal: Callable[[str, str], str]
    """(stream id, text) -> the stored text."""
    unseal: Callable[[str, str], str]
    """(stream id, stored text) -> the text, or a redaction/corruption marker."""


class SealedRowStorage:
    """A RowStorage whose private columns are sealed on the way in, opened on the way out."""

    def __init__(self, inner: RowStorage, sealer: RowSealer) -> None:
        self.inner = inner
        self.sealer = sealer

    def _sealed(self, key: str, row: Row) -> Row:
        stream = self.sealer.stream_of(key)
        if stream is None:
            return row
        # An empty value holds nothing to protect (and a forgotten stream has no key to
        # seal under): it is kept as it is; a sealed value is never empty.
        return {
            name: self.sealer.seal(stream, json.dumps(value))
            if name in self.sealer.columns and value not in (None, "")
            else value
            for name, value in row.items()
        }

    def _opened(self, key: str, row: Row) -> Row:
        stream = self.sealer.stream_of(key)
        if stream is None:
            return row
        out: dict[str, object] = dict(row)
        for name in self.sealer.columns:
            stored = row.get(name)
            if stored == "":
                continue
            if isinstance(stored, str):
                text = self.sealer.unseal(stream, stored)
                try:
                    out[name] = json.loads(text)
                except ValueError:  # a marker: the value was shredded or is unreadable
                    out[name] = text
            elif stored is not None:
                out[name] = CORRUPTED
        return out

    def checkpoint(self) -> int:
        return self.inner.checkpoint()

    def get(self, key: str) -> Row | None:
        row = self.inner.get(key)
        return None if row is None else self._opened(key, row)

    def rows(self) -> dict[str, Row]:
        return {key: self._opened(key, row) for key, row in self.inner.rows().items()}

    def stored_texts(self) -> Iterable[tuple[str, str]]:
        """(stream id, value) of every private value exactly as kept (not opened)."""
        for key, row in self.inner.rows().items():
            stream = self.sealer.stream_of(key)
            for name in self.sealer.columns:
                value = row.get(name)
                if stream is not None and isinstance(value, str) and value:
                    yield stream, value

    def commit(
        self, upserts: Mapping[str, Row], removed: set[str], checkpoint: int, *, first: int
    ) -> bool:
        sealed = {key: self._sealed(key, row) for key, row in upserts.items()}
        return self.inner.commit(sealed, removed, checkpoint, first=first)

    def reset(self) -> None:
        self.inner.reset()

    def close(self) -> None:
        """Close the wrapped storage."""
        self.inner.close()
