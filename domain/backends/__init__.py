"""Storage backends behind one `Backend` port, chosen once per store URL by `backend_for`:
the only place that looks at a URL's scheme."""

from __future__ import annotations

from domain.backends.base import Backend
from domain.backends.sealing import RowSealer, SealedRowStorage
from domain.store.errors import StoreUrlError

__all__ = ["Backend", "RowSealer", "SealedRowStorage", "backend_for"]


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
        from domain.backends.foreign import ForeignBackend

        return ForeignBackend(url, scheme)
    raise StoreUrlError(
        url, f"unknown scheme {scheme!r}; use memory:, sqlite:///FILE or postgresql://..."
    )
