"""One place that wires the system: store, codec, command handler, process manager and the
read model. The explorer, the CLI and the tests all start from `bootstrap()`."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from domain.ideas.codec import IdeaFold, PlainCodec, idea_registry
from domain.ideas.demo import DemoSummary, seed_demo
from domain.ideas.handler import IdeaCommandHandler, new_idea_id
from domain.ideas.process_manager import CreationProcessManager
from domain.ideas.projection import IdeaView, MemoryViewStorage, ViewStorage
from domain.shredding.binding import DetachedKeyStore, open_postgres_keys, open_sqlite_keys
from domain.shredding.codec import ShreddingCodec
from domain.shredding.keystore import KeyStore, KeyStoreBindingError, MemoryKeyStore
from domain.shredding.service import Eraser
from domain.store import open_store
from domain.store.errors import EventStoreError
from domain.store.protocol import CommitListener, EventStore, Subscription
from domain.store.records import RecordedEvent, SnapshotPolicy
from domain.versioning import EventRegistry

DELETED_TYPES = frozenset({"IdeaDeleted"})
TOMBSTONE_TYPES = frozenset({"IdeaForgotten"})


@dataclass
class System:
    """Everything a front end needs, wired together."""

    store: EventStore
    registry: EventRegistry
    codec: ShreddingCodec
    fold: IdeaFold
    ideas: IdeaCommandHandler
    view: IdeaView
    process_manager: CreationProcessManager
    keys: KeyStore
    eraser: Eraser
    demo: DemoSummary | None = None
    warnings: list[str] = field(default_factory=list)
    """Why this system only reads, or reads without keys (for a front end to show)."""
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def subscribe(self, listener: CommitListener) -> Subscription:
        """Deliver every later commit to `listener` (possibly from another thread)."""
        return self.store.subscribe(listener)

    def close(self) -> None:
        """Stop the consumers and close the store."""
        self.process_manager.stop()
        self.view.stop()
        for closer in reversed(self._closers):
            closer()
        self.store.close()


def bootstrap(
    store_url: str = "memory:",
    *,
    store: EventStore | None = None,
    snapshot_policy: SnapshotPolicy | None = None,
    demo: bool = False,
    seed: int = 7,
    accept_probability: float = 0.9,
    pm_delay: float = 0.0,
    threaded: bool = False,
    start: bool = True,
    key_store: str | None = None,
    keys: KeyStore | None = None,
    read_only: bool = False,
    restoring: bool = False,
    react: bool = True,
) -> System:
    """Open (or take) a store and wire the ideas system on it.

    `demo` seeds the deterministic demo data into an empty store. `threaded` runs the process
    manager and the projection on background threads (as the explorer does); `pm_delay`
    seconds pass between a creation request and the manager's reaction. `key_store` is where
    the per-stream keys live (default: `<store file>.keys` for SQLite); `keys` passes an
    open key store instead (e.g. the one an imported export was written with).

    `read_only` opens the store and its keys for reading only: nothing is written to their
    files, the read model is kept in memory, and a key store that does not go with the
    store (KeyStoreBindingError) is replaced by no keys at all, with a warning in
    `System.warnings`. Otherwise that error is raised and nothing is written. `restoring`
    (an import into an empty store) lets the empty store take the id of the store whose
    key store it is given, as it becomes that store again. `react=False` leaves the
    process manager stopped (it never runs on a read-only system).
    """
    if store is None:
        store = open_store(
            store_url,
            snapshot_policy=snapshot_policy,
            deleted_types=DELETED_TYPES,
            read_only=read_only,
        )
    warnings: list[str] = []
    reason = getattr(store, "read_only", None)
    if isinstance(reason, str) and not read_only:  # asked to write, but it can only read
        read_only = True
        warnings.append(f"the store is open read-only: {reason}")
    damage = getattr(store, "damage", None)
    if isinstance(damage, str):
        warnings.append(f"the store file is damaged ({damage}): only what is readable is shown")
    registry = idea_registry()
    try:
        own_keys, storage, files = _backend_parts(
            store, key_store, keys is None, read_only, restoring
        )
    except KeyStoreBindingError as exc:
        if not read_only:
            store.close()
            raise
        own_keys, storage = DetachedKeyStore(exc), MemoryViewStorage()
        files = _scanned_files(store, key_store)
        warnings.append(f"{exc.where}: {exc.problem}; private values read as redacted")
    except BaseException:
        store.close()
        raise
    keys = keys or own_keys
    codec = ShreddingCodec(PlainCodec(registry), keys)
    if isinstance(storage, _SealedViewStorage):
        storage = storage.build(codec)
    seeding = demo and store.head_position() == 0
    # Seeded ids only for a store seeded now (so a fresh demo is reproducible, later ideas
    # included); on a reopened demo store they would replay the demo's ids and collide.
    id_rng = random.Random(seed)
    new_id = (lambda: f"{id_rng.getrandbits(24):06x}") if seeding else new_idea_id
    handler = IdeaCommandHandler(store, codec, new_id=new_id, before_forget=keys.destroy)
    summary = seed_demo(handler, seed) if seeding else None
    view = IdeaView(store, codec, storage, threaded=threaded)
    manager = CreationProcessManager(
        handler, probability=accept_probability, seed=seed, threaded=threaded, delay=pm_delay
    )
    eraser = Eraser(store, keys, codec, handler, view, files)
    system = System(
        store, registry, codec, handler.fold, handler, view, manager, keys, eraser, summary,
        warnings,
    )  # fmt: skip

    def drop_forgotten_keys(events: Sequence[RecordedEvent]) -> None:
        # Another process may have forgotten a stream: drop any copy of its key held here,
        # and the state (private fields in clear) the command handler kept.
        for event in events:
            if event.type in TOMBSTONE_TYPES:
                keys.forget_cached(event.stream_id)
                handler.forget_cached(event.stream_id)

    subscription = store.subscribe(drop_forgotten_keys)
    close_storage = getattr(storage, "close", None)
    if callable(close_storage):  # its own connection to the store file must not outlive it
        system._closers.append(close_storage)
    if keys is own_keys:
        system._closers.append(keys.close)
    system._closers.append(subscription.close)
    if start:
        view.start()
        if react and not read_only:  # the manager writes its decisions
            manager.start()
        if threaded:
            _start_watching(store, system)
    return system


@dataclass(frozen=True, slots=True)
class _SealedViewStorage:
    """A view storage that needs the codec (to seal private values) before it exists."""

    where: str
    """An SQLite file path, or a PostgreSQL URL."""

    def build(self, codec: ShreddingCodec) -> ViewStorage:
        if self.where.startswith("postgres"):
            from domain.ideas.projection_postgres import PostgresViewStorage

            return PostgresViewStorage(self.where, seal=codec.seal_text, unseal=codec.open_text)
        from domain.ideas.projection_sqlite import SQLiteViewStorage

        return SQLiteViewStorage(self.where, seal=codec.seal_text, unseal=codec.open_text)


def _scanned_files(store: EventStore, key_store: str | None) -> list[tuple[str, Path]]:
    """The files an erasure check scans for residues (SQLite: the store's and the keys')."""
    path = getattr(store, "path", None)
    if not store.url.startswith("sqlite") or path is None:
        return []
    db = Path(path)
    keys_path = Path(key_store) if key_store else db.with_name(db.name + ".keys")
    return [
        ("store file", db),
        ("store WAL", db.with_name(db.name + "-wal")),
        ("key store file", keys_path),
        ("key store WAL", keys_path.with_name(keys_path.name + "-wal")),
    ]


def _has_events(store: EventStore) -> bool:
    try:
        return store.head_position() > 0
    except EventStoreError:  # a damaged file: assume it holds sealed events
        return True


def _backend_parts(
    store: EventStore, key_store: str | None, open_keys: bool, read_only: bool, restoring: bool
) -> tuple[KeyStore, ViewStorage | _SealedViewStorage, list[tuple[str, Path]]]:
    """The key store, read-model storage and files to scan for erasure, per backend."""
    path = getattr(store, "path", None)
    if store.url.startswith("sqlite") and path is not None:
        db = Path(path)
        keys_path = Path(key_store) if key_store else db.with_name(db.name + ".keys")
        files = _scanned_files(store, key_store)
        keys: KeyStore = MemoryKeyStore()
        if open_keys:
            keys = open_sqlite_keys(
                keys_path,
                store_url=store.url,
                store_id=getattr(store, "store_id", None),
                has_events=_has_events(store),
                read_only=read_only,
                adopt=getattr(store, "adopt_id", None) if restoring else None,
            )
        # Read-only, the read model cannot be kept in the store file: it is rebuilt in memory.
        view: ViewStorage | _SealedViewStorage = (
            MemoryViewStorage() if read_only else _SealedViewStorage(str(db))
        )
        return keys, view, files
    if store.url.startswith("postgres"):
        from domain.store.postgres_schema import mask

        pg_keys: KeyStore = MemoryKeyStore()
        if open_keys:
            pg_keys = open_postgres_keys(
                key_store or store.url,
                store_url=getattr(store, "shown_url", store.url),
                where=mask(key_store) if key_store else "in the store's database",
                store_id=getattr(store, "store_id", None),
                has_events=_has_events(store),
            )
        return pg_keys, _SealedViewStorage(store.url), []
    return MemoryKeyStore(), MemoryViewStorage(), []


def _start_watching(store: EventStore, system: System) -> None:
    """Backends shared with other processes deliver those processes' commits too."""
    start_polling = getattr(store, "start_polling", None)
    if callable(start_polling):
        start_polling()
        stop = getattr(store, "stop_polling", None)
        if callable(stop):
            system._closers.append(stop)
