"""Generic read models: a `ReadModelSpec` applied to the global log, its rows kept by any
`RowStorage` (one storage per backend holds the rows of every read model)."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from domain.core.codec import DomainCodec
from domain.core.consumer import LogConsumer
from domain.core.port import Domain, ReadModelSpec, Remove, Row, Upsert
from domain.core.protocol import EventStore
from domain.core.records import RecordedEvent
from domain.core.versioning import VersioningError


class RowStorage(Protocol):
    """Rows of one read model and its checkpoint; `commit` writes both atomically."""

    def checkpoint(self) -> int: ...

    def get(self, key: str) -> Row | None: ...

    def rows(self) -> dict[str, Row]: ...

    def commit(
        self, upserts: Mapping[str, Row], removed: set[str], checkpoint: int, *, first: int
    ) -> bool:
        """Write the page unless the stored checkpoint already reached `first` (another
        process applied it): then write nothing and return False."""
        ...

    def reset(self) -> None: ...

    def close(self) -> None:
        """Release any connection the storage holds."""
        ...


class MemoryRowStorage:
    """Rows in this process's memory."""

    def __init__(self) -> None:
        self._rows: dict[str, Row] = {}
        self._checkpoint = 0
        self._lock = threading.Lock()

    def checkpoint(self) -> int:
        return self._checkpoint

    def get(self, key: str) -> Row | None:
        return self._rows.get(key)

    def rows(self) -> dict[str, Row]:
        with self._lock:
            return dict(self._rows)

    def commit(
        self, upserts: Mapping[str, Row], removed: set[str], checkpoint: int, *, first: int
    ) -> bool:
        with self._lock:
            if self._checkpoint >= first:
                return False
            self._rows.update(upserts)
            for key in removed:
                self._rows.pop(key, None)
            self._checkpoint = checkpoint
            return True

    def reset(self) -> None:
        with self._lock:
            self._rows.clear()
            self._checkpoint = 0

    def close(self) -> None:
        """Nothing to release."""


class ReadModelView(LogConsumer):
    """Keeps one read model of one domain up to date from the store's global log."""

    def __init__(
        self,
        store: EventStore,
        domain: Domain[Any],
        spec: ReadModelSpec,
        codec: DomainCodec[Any],
        storage: RowStorage | None = None,
        *,
        threaded: bool = False,
    ) -> None:
        super().__init__(store, threaded=threaded)
        self.domain = domain
        self.spec = spec
        self.codec = codec
        self.storage: RowStorage = storage if storage is not None else MemoryRowStorage()
        self.skipped: list[tuple[int, str]] = []
        """(position, reason) of events that could not be read (e.g. unknown types)."""

    @property
    def checkpoint(self) -> int:
        return self.storage.checkpoint()

    def rows(self) -> dict[str, Row]:
        """Every row, by key."""
        return self.storage.rows()

    def rebuild(self) -> int:
        """Drop every row and replay the whole log from position 1; returns how many events
        were read. Holds the consumer's lock, so no page lands between the drop and the replay."""
        with self._lock:
            self.storage.reset()
            self.skipped.clear()
            return self.catch_up()

    def handle(self, events: Sequence[RecordedEvent]) -> None:
        upserts: dict[str, Row] = {}
        removed: set[str] = set()

        def current(key: str) -> Row | None:
            if key in upserts:
                return upserts[key]
            return None if key in removed else self.storage.get(key)

        for record in events:
            if self.domain.aggregate_id(record.stream_id) is None:
                continue  # another domain's stream (or a foreign one)
            try:
                event = self.codec.decode(record)
            except (VersioningError, ValueError, TypeError) as exc:
                self.skipped.append((record.position, str(exc)))
                continue
            for change in self.spec.apply(event, record, current):
                if isinstance(change, Upsert):
                    upserts[change.key] = dict(change.values)
                    removed.discard(change.key)
                elif isinstance(change, Remove):
                    upserts.pop(change.key, None)
                    removed.add(change.key)
        self.storage.commit(upserts, removed, events[-1].position, first=events[0].position)
