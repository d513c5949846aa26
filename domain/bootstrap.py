"""One place that wires the system: the backend a store URL names, its store and keys, and a
domain on them (command handler, read models, process managers). The explorer, the CLI, the
HTTP API and the tests all start from `bootstrap()`.

The ideas domain keeps its own handler, read model and process manager (`System.ideas`,
`view`, `process_manager`), with a generic `DomainHandler` beside them; any other domain is
run by the generic parts only. Without a domain (`domain=None`, a foreign store, or a store
holding event types the domain does not know) the system only reads: raw mode."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from domain.backends import Backend, backend_for
from domain.bootstrap_parts import (
    IdeasParts,
    generic_parts,
    ideas_parts,
    open_keys,
    raw_eraser,
)
from domain.core.handler import DomainHandler
from domain.core.managers import DomainProcessManager
from domain.core.port import Domain
from domain.core.protocol import CommitListener, EventStore, Subscription
from domain.core.records import RecordedEvent, SnapshotPolicy
from domain.core.shredding.keys import KeyStore
from domain.core.shredding.service import Eraser
from domain.core.versioning import EventRegistry
from domain.core.views import ReadModelView
from domain.domains import load_domain
from domain.ideas.codec import IdeaFold
from domain.ideas.demo import DemoSummary
from domain.ideas.domain import IDEAS
from domain.ideas.handler import IdeaCommandHandler
from domain.ideas.process_manager import CreationProcessManager
from domain.ideas.projection import IdeaView
from domain.ideas.sealing import ShreddingCodec

DELETED_TYPES = IDEAS.deleted_types
TOMBSTONE_TYPES = IDEAS.forgotten_types

T = TypeVar("T")

RAW_MODE = "raw mode: no domain; events shown as stored"
UNKNOWN_SHOWN = 10
"""At most this many unknown event types are named in the raw-mode warning."""


@dataclass
class System:
    """Everything a front end needs, wired together."""

    store: EventStore
    backend: Backend
    registry: EventRegistry
    keys: KeyStore
    eraser: Eraser[Any]
    domain: Domain[Any] | None = None
    """None: raw mode (events shown as stored, nothing written)."""
    handler: DomainHandler[Any] | None = None
    views: dict[str, ReadModelView] = field(default_factory=dict)
    """The domain's read models by name (empty for ideas: `view` is its read model)."""
    managers: list[DomainProcessManager] = field(default_factory=list)
    """The domain's process managers (empty for ideas: `process_manager` is its own)."""
    codec: ShreddingCodec | None = None
    fold: IdeaFold | None = None
    ideas: IdeaCommandHandler | None = None
    view: IdeaView | None = None
    process_manager: CreationProcessManager | None = None
    demo: DemoSummary | None = None
    """The ideas demo's summary (another domain's demo result is in `seeded`)."""
    seeded: object = None
    """What the domain's `seed_demo` returned, when the demo was seeded now."""
    warnings: list[str] = field(default_factory=list)
    """Why this system only reads, or reads without keys (for a front end to show)."""
    read_only: bool = False
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def subscribe(self, listener: CommitListener) -> Subscription:
        """Deliver every later commit to `listener` (possibly from another thread)."""
        return self.store.subscribe(listener)

    def start(self, *, react: bool = True) -> None:
        """Start the read models, and (`react`, unless read-only) the process managers."""
        if self.view is not None:
            self.view.start()
        for view in self.views.values():
            view.start()
        if react and not self.read_only:  # the managers write their decisions
            if self.process_manager is not None:
                self.process_manager.start()
            for manager in self.managers:
                manager.start()

    def close(self) -> None:
        """Stop the consumers and close the store."""
        if self.process_manager is not None:
            self.process_manager.stop()
        if self.view is not None:
            self.view.stop()
        for manager in self.managers:
            manager.stop()
        for view in self.views.values():
            view.stop()
        for closer in reversed(self._closers):
            closer()
        self.store.close()


def bootstrap(
    store_url: str = "memory:",
    *,
    domain: Domain[Any] | str | None = "ideas",
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
    """Open (or take) a store and wire `domain` on it (a Domain, a spec `load_domain` reads,
    or None for raw mode; DomainLoadError when the spec names none).

    `demo` seeds the domain's deterministic demo into an empty store. `threaded` runs the
    process managers and read models on background threads (as the explorer does);
    `pm_delay` seconds pass between a trigger and a manager's reaction. `key_store` is where
    the per-stream keys live (default: `<store file>.keys` for SQLite); `keys` passes an
    open key store instead (e.g. the one an imported export was written with).

    `read_only` opens the store and its keys for reading only: nothing is written to their
    files, read models are kept in memory, and a key store that does not go with the store
    (KeyStoreBindingError) is replaced by no keys at all, with a warning in
    `System.warnings`. Otherwise that error is raised and nothing is written. `restoring`
    (an import into an empty store) lets the empty store take the id of the store whose
    key store it is given, as it becomes that store again. `react=False` leaves the
    process managers stopped (they never run on a read-only system).

    Raw mode (no domain; a foreign store; or a store holding event types the domain does
    not know, named in a warning) opens read-only and wires no handler, read model or
    process manager."""
    chosen = load_domain(domain) if isinstance(domain, str) else domain
    backend = backend_for(store.url if store is not None else store_url)
    warnings: list[str] = []
    if chosen is not None and backend.raw_only:
        chosen = None
    if chosen is None:
        read_only = True
        warnings.append(RAW_MODE)
    if store is None:
        deleted = chosen.deleted_types if chosen is not None else frozenset[str]()
        store = backend.open_store(snapshot_policy, deleted, read_only)
    else:
        backend.bind(store, read_only)
    try:
        reason = backend.read_only_reason(store)
        if reason is not None and not read_only:  # asked to write, but it can only read
            read_only = True
            backend.bind(store, read_only)
            warnings.append(f"the store is open read-only: {reason}")
        damage = backend.damage(store)
        if damage is not None:
            warnings.append(f"the store file is damaged ({damage}): only what is readable is shown")
        if chosen is not None:
            unknown = _unknown_types(backend, store, chosen)
            if unknown:
                chosen, read_only = None, True
                backend.bind(store, read_only)
                warnings.append(unknown)
    except BaseException:
        store.close()
        raise
    if chosen is None:
        return _raw_system(store, backend, key_store, keys, restoring, warnings)
    own_keys, files = open_keys(backend, store, key_store, keys, read_only, restoring, warnings)
    used_keys = keys or own_keys
    held = store.head_position() if demo else 0
    seeding = demo and held == 0 and not read_only
    if demo and held:
        warnings.append(
            f"the demo was not seeded: the store already holds {held:,} events "
            "(it seeds only an empty store)"
        )
    if chosen is IDEAS:
        parts: IdeasParts | None = ideas_parts(
            backend, store, used_keys, files, seed, seeding, threaded, accept_probability,
            pm_delay,
        )  # fmt: skip
        assert parts is not None
        system = System(
            store, backend, parts.registry, used_keys, parts.eraser, chosen, parts.handler,
            codec=parts.codec, fold=parts.ideas.fold, ideas=parts.ideas, view=parts.view,
            process_manager=parts.manager, demo=parts.demo, seeded=parts.demo,
            warnings=warnings, read_only=read_only,
        )  # fmt: skip
        system._closers.extend(parts.closers)
    else:
        generic = generic_parts(
            chosen, backend, store, used_keys, files, seed, seeding, threaded, pm_delay
        )
        system = System(
            store, backend, chosen.events(), used_keys, generic.eraser, chosen,
            generic.handler, generic.views, generic.managers, seeded=generic.seeded,
            warnings=warnings, read_only=read_only,
        )  # fmt: skip
        system._closers.extend(generic.closers)
    forgotten = chosen.forgotten_types

    def drop_forgotten_keys(events: Sequence[RecordedEvent]) -> None:
        # Another process may have forgotten a stream: drop any copy of its key held here,
        # and the state (private fields in clear) the command handler kept.
        for event in events:
            if event.type in forgotten:
                used_keys.forget_cached(event.stream_id)
                if system.ideas is not None:
                    system.ideas.forget_cached(event.stream_id)

    subscription = store.subscribe(drop_forgotten_keys)
    if used_keys is own_keys:
        system._closers.append(own_keys.close)
    system._closers.append(subscription.close)
    if start:
        system.start(react=react)
        if threaded:
            _watch(system)
    return system


def _unknown_types(backend: Backend, store: EventStore, domain: Domain[Any]) -> str | None:
    """The raw-mode warning for a store holding event types `domain` does not know."""
    stored = backend.event_types(store)
    if not stored:
        return None
    unknown = sorted(stored - set(domain.events().types()))
    if not unknown:
        return None
    shown = ", ".join(unknown[:UNKNOWN_SHOWN])
    more = f" and {len(unknown) - UNKNOWN_SHOWN} more" if len(unknown) > UNKNOWN_SHOWN else ""
    return (
        f"{RAW_MODE}: the store holds {len(unknown)} event type(s) the {domain.name} domain "
        f"does not know ({shown}{more}); it is open read-only"
    )


def _raw_system(
    store: EventStore,
    backend: Backend,
    key_store: str | None,
    keys: KeyStore | None,
    restoring: bool,
    warnings: list[str],
) -> System:
    """A system that only shows the store: no domain, no handler, nothing written."""
    own_keys, files = open_keys(backend, store, key_store, keys, True, restoring, warnings)
    used = keys or own_keys
    system = System(
        store, backend, EventRegistry(), used, raw_eraser(store, used, files), None,
        warnings=warnings, read_only=True,
    )  # fmt: skip
    if used is own_keys:
        system._closers.append(own_keys.close)
    return system


def _watch(system: System) -> None:
    """Backends shared with other processes deliver those processes' commits too."""
    stop = system.backend.start_watching(system.store)
    if stop is not None:
        system._closers.append(stop)


class NotIdeasSystemError(LookupError):
    """An ideas-only part was asked of a system running another domain (or none)."""

    def __init__(self, part: str, domain: str | None) -> None:
        self.part = part
        self.domain = domain
        running = f"the {domain} domain" if domain else "raw mode (no domain)"
        super().__init__(f"{part} needs the ideas domain; this system runs {running}")


def _need(system: System, part: str, value: T | None) -> T:
    if value is None:
        raise NotIdeasSystemError(part, system.domain.name if system.domain else None)
    return value


def ideas_handler(system: System) -> IdeaCommandHandler:
    """The ideas command handler (NotIdeasSystemError on another domain)."""
    return _need(system, "the ideas handler", system.ideas)


def ideas_view(system: System) -> IdeaView:
    """The ideas read model (NotIdeasSystemError on another domain)."""
    return _need(system, "the ideas read model", system.view)


def ideas_manager(system: System) -> CreationProcessManager:
    """The ideas creation process manager (NotIdeasSystemError on another domain)."""
    return _need(system, "the ideas process manager", system.process_manager)


def ideas_codec(system: System) -> ShreddingCodec:
    """The ideas codec (NotIdeasSystemError on another domain)."""
    return _need(system, "the ideas codec", system.codec)


def ideas_fold(system: System) -> IdeaFold:
    """The ideas fold (NotIdeasSystemError on another domain)."""
    return _need(system, "the ideas fold", system.fold)
