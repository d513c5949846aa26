"""The Domain port: everything a front end may know about one event-sourced system.

A domain is plain data (frozen dataclasses of functions and models), so it is written once,
in the domain's own package, and read by every front end: the explorer's forms, the CLI's
`send`, the HTTP command routes, the generic command handler, read models and process
managers. Nothing here knows a storage backend or a UI.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from domain.core.aggregate import BatchFold
from domain.core.records import RecordedEvent
from domain.core.versioning import EventRegistry

if TYPE_CHECKING:
    from domain.core.codec import DomainCodec
    from domain.core.handler import DomainHandler

S = TypeVar("S", bound=BaseModel)

REACTION_NAMESPACE = uuid.UUID("0c7c2f0e-3a5b-4f7e-9a61-6f1d2b8e4c90")


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command model and the aggregate it targets."""

    model: type[BaseModel]
    target: Callable[[Any], str] | None = None
    """The aggregate id the command names (e.g. `lambda c: c.idea_id`); None: the command
    creates a new aggregate under a freshly drawn id (the stream must not exist yet)."""
    forgets: bool = False
    """A forget: `decide` only checks the rules; the stream is replaced by the tombstone."""
    label: str = ""
    """A short verb for menus and refusals ("publish", "edit"); default: the model's name."""
    internal: bool = False
    """Issued by the domain's process managers (a saga's steps): front ends leave it out of
    the menus and forms a person uses, but run it like any other command."""
    stream_prefix: str | None = None
    """For a creating command whose aggregate is of another kind than the domain's main one
    (one of `Domain.other_prefixes`): its id is `<stream_prefix>-<fresh id>`."""

    @property
    def name(self) -> str:
        """The command's name as front ends show and route it (the model's class name)."""
        return self.model.__name__

    @property
    def creates(self) -> bool:
        """Whether the command starts a new aggregate under a fresh id."""
        return self.target is None


@dataclass(frozen=True, slots=True)
class StateField:
    """One field of the aggregate state, as a state pane shows and diffs it."""

    name: str
    label: str = ""
    private: bool = False
    """Personal data: sealed in snapshots under the stream's key, shredded by forget."""


@dataclass(frozen=True, slots=True)
class FoldSpec(Generic[S]):
    """How events become the aggregate's state."""

    state: type[S]
    """The state model (a frozen pydantic model): snapshots are its JSON dump."""
    initial: Callable[[str], S]
    """The state of an aggregate with no events, from its aggregate id."""
    evolve: Callable[[S, Any, datetime], S]
    """The pure fold of one decoded event (recorded at the given time) into the state."""
    id_field: str
    """The state field holding the aggregate id (public: snapshots are restored by it)."""
    schema_version: int = 1
    """The snapshot state's schema version; bump it on an incompatible state change."""
    fast: Callable[[DomainCodec[S]], BatchFold[S]] | None = None
    """Optional: a fold with a faster `evolve_all` (same result as evolving each event)."""


@dataclass(frozen=True, slots=True)
class Upsert:
    """Insert or replace a read-model row."""

    key: str
    values: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Remove:
    """Delete a read-model row."""

    key: str


RowChange = Upsert | Remove
Row = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a read model."""

    name: str
    label: str = ""
    private: bool = False
    """Sealed at rest by a view storage (a per-stream key, shredded by forget)."""


@dataclass(frozen=True, slots=True)
class ReadModelSpec:
    """A read model any view storage can hold: rows of named columns under a string key.

    `apply(event, record, current)` returns the changes one decoded event makes; `current`
    gives a row as of the changes so far (None: no such row). A storage writes a page's
    changes and the checkpoint (the last position applied) in one step."""

    name: str
    columns: tuple[Column, ...]
    apply: Callable[[Any, RecordedEvent, Callable[[str], Row | None]], Sequence[RowChange]]


@dataclass(frozen=True, slots=True)
class ProcessManagerSpec:
    """Reacts to events by issuing commands, idempotently across processes.

    `react(event, record, seed)` returns the command to run (or None). The events the
    command appends get ids derived from the trigger's id (`reaction_id`), so two managers
    reacting to the same event append the same events and the store keeps one."""

    name: str
    reacts_to: frozenset[str]
    react: Callable[[Any, RecordedEvent, int], BaseModel | None]
    closes: frozenset[str] = frozenset()
    """Event types after which a pending trigger of the same stream needs no reaction."""
    reaction_id: Callable[[uuid.UUID], uuid.UUID] | None = None
    """Default: a UUIDv5 of the trigger id and the manager's name."""
    on_refused: Callable[[Any, RecordedEvent, Exception], BaseModel | None] | None = None
    """The command to issue when a domain rule refuses the reaction (a failure to record,
    a compensation), or None for nothing; its events get ids from `refusal_event_id`."""
    retries: int = 3
    """Reloads after a concurrency conflict before a reaction gives up (a saga whose steps
    land on busy aggregates wants more)."""
    every_trigger: bool = False
    """React to every trigger of a page; by default only the last trigger of each stream
    reacts (earlier ones are answered by `closes` or superseded)."""

    def refusal_event_id(self, trigger_id: uuid.UUID) -> uuid.UUID:
        """The id of the one event any manager appends when the reaction is refused."""
        return uuid.uuid5(REACTION_NAMESPACE, f"{trigger_id}:{self.name}:refused")

    def reaction_event_id(self, trigger_id: uuid.UUID) -> uuid.UUID:
        """The id of the one event any manager appends in reaction to `trigger_id`."""
        if self.reaction_id is not None:
            return self.reaction_id(trigger_id)
        return uuid.uuid5(REACTION_NAMESPACE, f"{trigger_id}:{self.name}")


def registry_of(*models: type[BaseModel]) -> Callable[[], EventRegistry]:
    """A registry factory for event models at schema version 1, each named by its class."""

    def make() -> EventRegistry:
        registry = EventRegistry()
        for model in models:
            registry.register(model)
        return registry

    return make


TrafficCommand = Callable[[random.Random, Sequence[str]], BaseModel | None]
"""Draws a random command given the aggregate ids known so far (None: nothing to do)."""


@dataclass(frozen=True, slots=True)
class TrafficProfile:
    """Weighted generators of random commands, for the traffic generator."""

    mix: tuple[tuple[float, TrafficCommand], ...]

    def draw(self, rng: random.Random, known: Sequence[str]) -> BaseModel | None:
        """One random command (None when the drawn generator has nothing to do)."""
        weights = [weight for weight, _ in self.mix]
        (_, make) = rng.choices(self.mix, weights=weights)[0]
        return make(rng, known)


@dataclass(frozen=True, slots=True)
class Domain(Generic[S]):
    """One event-sourced system behind a single port."""

    name: str
    stream_prefix: str
    """Streams are `<prefix>-<aggregate id>`."""
    events: Callable[[], EventRegistry]
    """A new registry of the domain's event types and versions (with upcasting)."""
    commands: tuple[CommandSpec, ...]
    decide: Callable[[Any, S], Sequence[BaseModel]]
    """The pure decision: the events a command produces on a state, or a domain error."""
    fold: FoldSpec[S]
    state_fields: tuple[StateField, ...]
    private: Mapping[str, frozenset[str]]
    """Event type -> its private fields (sealed per stream, shredded by forget)."""
    deleted_types: frozenset[str]
    forgotten_types: frozenset[str]
    """Tombstone types: a forgotten stream keeps only one of these."""
    tombstone: Callable[[S, int], BaseModel]
    """The tombstone for a state, given how many events the erasure removes."""
    new_id: Callable[[], str]
    """A fresh aggregate id, for commands that create an aggregate."""
    errors: tuple[type[Exception], ...] = (ValueError,)
    """The domain's refusals: front ends show these as "refused", not as a failure."""
    not_found: tuple[type[Exception], ...] = ()
    """Those refusals that mean "no such aggregate" (HTTP 404, CLI exit code for unknown)."""
    read_models: tuple[ReadModelSpec, ...] = ()
    process_managers: tuple[ProcessManagerSpec, ...] = ()
    seed_demo: Callable[[DomainHandler[S], int], object] | None = None
    """Fills an empty store with a deterministic demo (the same for the same seed)."""
    traffic: TrafficProfile | None = None
    description: str = ""
    other_prefixes: tuple[str, ...] = ()
    """Further kinds of aggregate of the domain (e.g. a saga's own streams): the aggregate id
    of such a stream is the whole stream id, `<prefix>-<id>`."""
    _by_name: dict[str, CommandSpec] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        if self.stream_prefix in self.other_prefixes:
            raise ValueError(f"domain {self.name}: {self.stream_prefix} is its main prefix")
        for spec in self.commands:
            if spec.stream_prefix is not None and spec.stream_prefix not in self.other_prefixes:
                raise ValueError(
                    f"domain {self.name}: {spec.name} creates under an unknown prefix "
                    f"{spec.stream_prefix}"
                )
            if spec.name in self._by_name:
                raise ValueError(f"domain {self.name} has two commands named {spec.name}")
            self._by_name[spec.name] = spec

    def command(self, name_or_model: str | type[BaseModel] | BaseModel) -> CommandSpec:
        """The command spec by name, model class or instance (KeyError if unknown)."""
        if isinstance(name_or_model, str):
            name = name_or_model
        elif isinstance(name_or_model, BaseModel):
            name = type(name_or_model).__name__
        else:
            name = name_or_model.__name__
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownCommandError(self.name, name) from None

    def stream_id(self, aggregate_id: str) -> str:
        """The stream holding an aggregate's events."""
        if self._other_kind(aggregate_id):
            return aggregate_id
        return f"{self.stream_prefix}-{aggregate_id}"

    def _other_kind(self, stream_id: str) -> bool:
        return any(
            stream_id.startswith(f"{p}-") and len(stream_id) > len(p) + 1
            for p in self.other_prefixes
        )

    def aggregate_id(self, stream_id: str) -> str | None:
        """The aggregate id of one of this domain's streams, or None for any other."""
        if self._other_kind(stream_id):
            return stream_id
        head = f"{self.stream_prefix}-"
        if stream_id.startswith(head) and len(stream_id) > len(head):
            return stream_id[len(head) :]
        return None

    def state_values(self, state: S) -> list[tuple[StateField, object]]:
        """The state's fields in display order, with their values."""
        return [(f, getattr(state, f.name, None)) for f in self.state_fields]

    def state_changes(self, before: S, after: S) -> list[tuple[StateField, object, object]]:
        """The fields whose value differs between two states: (field, before, after)."""
        return [
            (f, old, new)
            for (f, old), (_, new) in zip(
                self.state_values(before), self.state_values(after), strict=True
            )
            if old != new
        ]

    @property
    def person_commands(self) -> tuple[CommandSpec, ...]:
        """The commands a person issues (those not marked internal), in order."""
        return tuple(spec for spec in self.commands if not spec.internal)

    def knows(self, event_types: Iterable[str]) -> bool:
        """Whether every one of these stored event types is one of this domain's."""
        return set(event_types) <= set(self.events().types())

    @property
    def state_private(self) -> frozenset[str]:
        """The state fields sealed in snapshots."""
        return frozenset(f.name for f in self.state_fields if f.private)


class UnknownCommandError(KeyError):
    """The domain has no command of this name."""

    def __init__(self, domain: str, command: str) -> None:
        self.domain = domain
        self.command = command
        super().__init__(f"domain {domain} has no command {command}")

    def __str__(self) -> str:
        return str(self.args[0])
