"""The parts `bootstrap()` wires: the key store a backend binds to its store, the ideas
domain's own handler, read model and process manager, and any other domain's generic ones."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from domain.backends import Backend, RowSealer, SealedRowStorage
from domain.backends.binding import DetachedKeyStore
from domain.core.errors import StoreReadOnlyError
from domain.core.handler import DomainHandler
from domain.core.managers import DomainProcessManager
from domain.core.port import Domain
from domain.core.protocol import EventStore
from domain.core.records import RecordedEvent
from domain.core.shredding.keys import KeyStore, KeyStoreBindingError
from domain.core.shredding.service import MARKERS, Eraser, ViewCheck, private_texts
from domain.core.versioning import EventRegistry
from domain.core.views import ReadModelView
from domain.ideas.codec import PlainCodec, idea_id_of, idea_registry, stream_id_of
from domain.ideas.demo import DemoSummary, seed_demo
from domain.ideas.domain import IDEAS
from domain.ideas.handler import CommandOutcome, IdeaCommandHandler, new_idea_id
from domain.ideas.process_manager import CreationProcessManager
from domain.ideas.projection import IdeaView, MemoryViewStorage, ViewStorage
from domain.ideas.projection_sealing import SealedViewStorage
from domain.ideas.sealing import STATE_PRIVATE, ShreddingCodec
from domain.ideas.storage import kept_view_for, view_storage_for

T = TypeVar("T")


class NoForgetCommandError(ValueError):
    """The domain has no forget command (or one not made from an aggregate id alone)."""

    def __init__(self, domain: str) -> None:
        self.domain = domain
        super().__init__(f"domain {domain} has no forget command taking only an aggregate id")


def open_keys(
    backend: Backend,
    store: EventStore,
    key_store: str | None,
    given: KeyStore | None,
    read_only: bool,
    restoring: bool,
    warnings: list[str],
) -> tuple[KeyStore, list[tuple[str, Path]]]:
    """The backend's key store for `store` (none opened when `given`) and the files an
    erasure check scans. Read-only, a key store that does not go with the store is replaced
    by no keys at all, with a warning; otherwise that error is raised and the store closed."""
    files = backend.erasure_files(key_store)
    if given is not None:
        return given, files
    try:
        return backend.open_keys(store, key_store, read_only, restoring), files
    except KeyStoreBindingError as exc:
        if not read_only:
            store.close()
            raise
        warnings.append(f"{exc.where}: {exc.problem}; private values read as redacted")
        return DetachedKeyStore(exc), files
    except BaseException:
        store.close()
        raise


@dataclass
class IdeasParts:
    """The ideas domain's own parts."""

    registry: EventRegistry
    codec: ShreddingCodec
    ideas: IdeaCommandHandler
    handler: DomainHandler[Any]
    view: IdeaView
    manager: CreationProcessManager
    eraser: Eraser[CommandOutcome]
    demo: DemoSummary | None
    closers: list[Callable[[], None]] = field(default_factory=list)


def ideas_parts(
    backend: Backend,
    store: EventStore,
    keys: KeyStore,
    files: list[tuple[str, Path]],
    seed: int,
    seeding: bool,
    threaded: bool,
    accept_probability: float,
    pm_delay: float,
) -> IdeasParts:
    """The ideas handler, read model and creation process manager on `store`."""
    registry = idea_registry()
    codec = ShreddingCodec(PlainCodec(registry), keys)
    detached = isinstance(keys, DetachedKeyStore)
    storage: ViewStorage = (
        MemoryViewStorage()
        if detached
        else view_storage_for(backend, codec.seal_text, codec.open_text)
    )
    # Seeded ids only for a store seeded now (so a fresh demo is reproducible, later ideas
    # included); on a reopened demo store they would replay the demo's ids and collide.
    id_rng = random.Random(seed)
    new_id = (lambda: f"{id_rng.getrandbits(24):06x}") if seeding else new_idea_id
    ideas = IdeaCommandHandler(store, codec, new_id=new_id, before_forget=keys.destroy)
    summary = seed_demo(ideas, seed) if seeding else None
    view = IdeaView(store, codec, storage, threaded=threaded)
    manager = CreationProcessManager(
        ideas, probability=accept_probability, seed=seed, threaded=threaded, delay=pm_delay
    )

    def holds(stream_id: str) -> bool:
        idea_id = idea_id_of(stream_id)
        return idea_id is not None and view.storage.get(idea_id) is not None

    def stored() -> Iterable[tuple[str, str]]:
        # The values as kept at rest; a read model kept only in memory has no such form.
        texts = getattr(view.storage, "stored_texts", None)
        if callable(texts):
            for idea_id, text in texts():
                yield stream_id_of(idea_id), text

    def event_values(record: RecordedEvent) -> list[object]:
        event = codec.decode(record)
        return _private_values(event, type(event).PRIVATE)

    def secrets(stream_id: str) -> set[str]:
        return private_texts(
            store,
            stream_id,
            event_values=event_values,
            state_values=lambda s, data: _private_values(codec.load_state(s, data), STATE_PRIVATE),
        )

    # Read-only, the read model lives in memory: an erasure check reads the rows at rest.
    kept = kept_view_for(backend, codec.seal_text, codec.open_text)
    eraser: Eraser[CommandOutcome] = Eraser(
        store,
        keys,
        stream_of=stream_id_of,
        forget=ideas.forget,
        secrets_of=secrets,
        views=[_ideas_check(kept, view) if kept else ViewCheck(holds, stored, view.catch_up)],
        files=files,
    )
    handler = DomainHandler(IDEAS, store, keys=keys)
    parts = IdeasParts(registry, codec, ideas, handler, view, manager, eraser, summary)
    close = getattr(storage, "close", None)
    if callable(close):  # its own connection to the store must not outlive the system
        parts.closers.append(close)
    return parts


def _ideas_check(kept: Callable[[], SealedViewStorage], view: IdeaView) -> ViewCheck:
    """The erasure check of the ideas rows as kept at rest, opened read-only at each check."""

    def holds(stream_id: str) -> bool:
        idea_id = idea_id_of(stream_id)
        if idea_id is None:
            return False
        rows = kept()
        try:
            return rows.inner.get(idea_id) is not None
        finally:
            rows.close()

    def stored() -> list[tuple[str, str]]:
        rows = kept()
        try:
            return [(stream_id_of(i), text) for i, text in rows.stored_texts()]
        finally:
            rows.close()

    return ViewCheck(holds, stored, view.catch_up)


def _private_values(obj: object, names: Iterable[str]) -> list[object]:
    return [getattr(obj, name, None) for name in names]


@dataclass
class GenericParts:
    """Any domain's generic parts."""

    handler: DomainHandler[Any]
    views: dict[str, ReadModelView]
    managers: list[DomainProcessManager]
    eraser: Eraser[Any]
    seeded: object
    closers: list[Callable[[], None]] = field(default_factory=list)


def generic_parts(
    domain: Domain[Any],
    backend: Backend,
    store: EventStore,
    keys: KeyStore,
    files: list[tuple[str, Path]],
    seed: int,
    seeding: bool,
    threaded: bool,
    pm_delay: float,
) -> GenericParts:
    """A DomainHandler, one read model per `domain.read_models` on the backend's row
    storage, one process manager per `domain.process_managers`, and the eraser."""
    handler: DomainHandler[Any] = DomainHandler(domain, store, keys=keys)
    seeded = domain.seed_demo(handler, seed) if seeding and domain.seed_demo else None
    codec = handler.codec
    views: dict[str, ReadModelView] = {}
    closers: list[Callable[[], None]] = []
    checks: list[ViewCheck] = []
    detached = isinstance(keys, DetachedKeyStore)
    for spec in domain.read_models:
        private = frozenset(c.name for c in spec.columns if c.private)
        sealer = None
        if private and not detached:
            # Rows with private columns are keyed by the aggregate they describe.
            sealer = RowSealer(private, domain.stream_id, codec.seal_text, codec.open_text)
        storage = backend.row_storage(spec.name, sealer)
        closers.append(storage.close)
        view = ReadModelView(store, domain, spec, codec, storage, threaded=threaded)
        views[spec.name] = view
        if isinstance(storage, SealedRowStorage):
            if backend.kept_rows_home() is None:
                checks.append(_row_check(storage, view))
            else:  # read-only, the rows live in memory: check those kept at rest
                checks.append(_kept_row_check(backend, spec.name, storage.sealer, view))
    managers = [
        DomainProcessManager(handler, spec, seed=seed, threaded=threaded, delay=pm_delay)
        for spec in domain.process_managers
    ]

    def secrets(stream_id: str) -> set[str]:
        def event_values(record: RecordedEvent) -> list[object]:
            data = codec.open(record)
            return [data.get(name) for name in domain.private.get(record.type, ())]

        return private_texts(
            store,
            stream_id,
            event_values=event_values,
            state_values=lambda s, data: _private_values(
                codec.load_state(s, data), domain.state_private
            ),
        )

    eraser: Eraser[Any] = Eraser(
        store,
        keys,
        stream_of=domain.stream_id,
        forget=lambda aggregate_id: handler.execute(forget_command(domain, aggregate_id)),
        secrets_of=secrets,
        views=checks,
        files=files,
    )
    return GenericParts(handler, views, managers, eraser, seeded, closers)


def _holds_private(storage: SealedRowStorage, stream_id: str) -> bool:
    # A row may stay after a forget (a tombstone's figures); its private values may not.
    for key, row in storage.rows().items():
        if storage.sealer.stream_of(key) != stream_id:
            continue
        for name in storage.sealer.columns:
            value = row.get(name)
            if value not in (None, "") and value not in MARKERS:
                return True
    return False


def _row_check(storage: SealedRowStorage, view: ReadModelView) -> ViewCheck:
    return ViewCheck(
        lambda stream_id: _holds_private(storage, stream_id), storage.stored_texts, view.catch_up
    )


def _kept_row_check(
    backend: Backend, name: str, sealer: RowSealer, view: ReadModelView
) -> ViewCheck:
    """The erasure check of read model `name`'s rows as kept at rest, opened read-only at
    each check."""

    def read(use: Callable[[SealedRowStorage], T]) -> T | None:
        rows = backend.kept_rows(name)
        if rows is None:
            return None
        kept = SealedRowStorage(rows, sealer)
        try:
            return use(kept)
        finally:
            kept.close()

    def holds(stream_id: str) -> bool:
        return bool(read(lambda kept: _holds_private(kept, stream_id)))

    def stored() -> list[tuple[str, str]]:
        return read(lambda kept: list(kept.stored_texts())) or []

    return ViewCheck(holds, stored, view.catch_up)


def forget_command(domain: Domain[Any], aggregate_id: str) -> Any:
    """The domain's forget command for one aggregate (its one required field set to the id)."""
    for spec in domain.commands:
        if not spec.forgets:
            continue
        required = [n for n, f in spec.model.model_fields.items() if f.is_required()]
        if len(required) == 1:
            return spec.model.model_validate({required[0]: aggregate_id})
    raise NoForgetCommandError(domain.name)


def raw_eraser(store: EventStore, keys: KeyStore, files: list[tuple[str, Path]]) -> Eraser[Any]:
    """An eraser that forgets nothing (raw mode writes nothing) but still verifies."""

    def refuse(aggregate_id: str) -> Any:
        raise StoreReadOnlyError(store.url, f"raw mode: no domain to forget {aggregate_id} with")

    return Eraser(
        store, keys, stream_of=lambda s: s, forget=refuse, secrets_of=lambda s: (), files=files
    )
