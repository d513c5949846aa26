"""Storage backends behind one `Backend` port, chosen once per store URL by `backend_for`:
the only place that looks at a URL's scheme."""

from __future__ import annotations

from collections.abc import Iterable

from domain.backends.base import Backend
from domain.core.errors import StoreUrlError
from domain.core.protocol import EventStore
from domain.core.records import SnapshotPolicy
from domain.core.row_sealing import RowSealer, SealedRowStorage

__all__ = ["Backend", "RowSealer", "SealedRowStorage", "backend_for", "open_store"]


def backend_for(url: str) -> Backend:
    """The backend of a store URL: `memory:`, `sqlite:///path.db`, `postgresql://...`, or
    (read-only) `eventsourcing+sqlite:///app.db`, `eventsourcing+postgresql://...`."""
    if not isinstance(url, str) or not url:
        raise StoreUrlError(str(url), "a store URL is required (e.g. memory:)")
    scheme = url.split(":", 1)[0].lower()
    if scheme == "memory":
        from domain.backends.memory import MemoryBackend

        return MemoryBackend(url)
    if scheme == "sqlite":
        try:
            from domain.backends.sqlite import SQLiteBackend
        except ImportError as exc:
            raise StoreUrlError(url, "the SQLite backend is not available") from exc
        return SQLiteBackend(url)
    if scheme in ("postgresql", "postgres"):
        from domain.backends.postgres import PostgresBackend

        return PostgresBackend(url)
    if scheme in ("eventsourcing+sqlite", "eventsourcing+postgresql"):
        from domain.backends.eventsourcing import ForeignBackend

        return ForeignBackend(url, scheme)
    raise StoreUrlError(
        url, f"unknown scheme {scheme!r}; use memory:, sqlite:///FILE or postgresql://..."
    )


def open_store(
    url: str = "memory:",
    *,
    snapshot_policy: SnapshotPolicy | None = None,
    deleted_types: Iterable[str] = (),
    read_only: bool = False,
) -> EventStore:
    """Open the store a URL names (see `backend_for`). `read_only` asks for a handle that
    only reads (an SQLite file is then opened `mode=ro` and nothing is written beside it)."""
    return backend_for(url).open_store(snapshot_policy, deleted_types, read_only)
