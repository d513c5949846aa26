"""Where the ideas read model keeps its rows: in the store's own file or database, by the
backend's scheme, when the backend has a home for rows (`Backend.rows_home`); otherwise in
this process's memory. The ideas package owns these storages; the backends know nothing
of ideas. A storage that keeps rows at rest seals their private values (`SealedViewStorage`)."""

from __future__ import annotations

from collections.abc import Callable

from domain.backends.base import Backend
from domain.ideas.projection import MemoryViewStorage, ViewStorage
from domain.ideas.projection_sealing import SealedViewStorage


def _sqlite(home: str) -> ViewStorage:
    from domain.ideas.projection_sqlite import SQLiteViewStorage

    return SQLiteViewStorage(home)


def _postgres(home: str) -> ViewStorage:
    from domain.ideas.projection_postgres import PostgresViewStorage

    return PostgresViewStorage(home)


AT_REST: dict[str, Callable[[str], ViewStorage]] = {"sqlite": _sqlite, "postgresql": _postgres}
"""The ideas read model's own storage per backend scheme (imported when used)."""


def view_storage_for(
    backend: Backend, seal: Callable[[str, str], str], unseal: Callable[[str, str], str]
) -> ViewStorage:
    """The ideas read model's storage on `backend`, its private values sealed at rest."""
    home = backend.rows_home()
    make = AT_REST.get(backend.scheme)
    if home is None or make is None:
        return MemoryViewStorage()
    return SealedViewStorage(make(home), seal, unseal)


def kept_view_for(
    backend: Backend, seal: Callable[[str, str], str], unseal: Callable[[str, str], str]
) -> Callable[[], SealedViewStorage] | None:
    """Opens the ideas read model's rows as kept with the store, for reading only, when this
    process keeps its own read model in memory because it may not write the store (the
    caller closes what it opens); None when there is no such place."""
    home = backend.kept_rows_home()
    if home is None or backend.scheme != "sqlite":
        return None
    from domain.ideas.projection_sqlite import SQLiteViewStorage

    return lambda: SealedViewStorage(SQLiteViewStorage(home, read_only=True), seal, unseal)
