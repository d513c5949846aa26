"""Forget with proof: capture what to look for, forget, then check every place.

The eraser knows no domain: it is given how to forget an aggregate, the stream an
aggregate lives in, the private values a stream holds, and the read models to check."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from domain.core.protocol import EventStore
from domain.core.records import JsonObject, RecordedEvent
from domain.core.shredding.cipher import CORRUPTED, REDACTED
from domain.core.shredding.erasure import ErasureReport, ErasureVerifier, Secrets
from domain.core.shredding.keys import KeyStore

Out = TypeVar("Out")

MARKERS = frozenset({REDACTED, CORRUPTED})


@dataclass(frozen=True, slots=True)
class ViewCheck:
    """What an erasure check asks of one read model."""

    holds: Callable[[str], bool]
    """Whether the read model still holds readable private data of the stream."""
    stored: Callable[[], Iterable[tuple[str, str]]]
    """(stream id, text) of every private value exactly as kept at rest."""
    catch_up: Callable[[], object]
    """Apply every committed event (so the forget has reached the read model)."""


def private_texts(
    store: EventStore,
    stream_id: str,
    *,
    event_values: Callable[[RecordedEvent], Iterable[object]],
    state_values: Callable[[str, JsonObject], Iterable[object]],
) -> set[str]:
    """Every private text a stream holds: from its events (`event_values` opens one and
    gives its private values) and its snapshots (`state_values` likewise for a state)."""
    texts: set[str] = set()
    for record in store.read_stream(stream_id):
        texts.update(v for v in event_values(record) if isinstance(v, str))
    for snap in store.snapshots(stream_id):
        texts.update(v for v in state_values(stream_id, snap.state) if isinstance(v, str))
    return texts - MARKERS


class Eraser(Generic[Out]):
    """Forgets aggregates and proves it."""

    def __init__(
        self,
        store: EventStore,
        keys: KeyStore,
        *,
        stream_of: Callable[[str], str],
        forget: Callable[[str], Out],
        secrets_of: Callable[[str], Iterable[str]],
        views: Sequence[ViewCheck] = (),
        files: Sequence[tuple[str, Path]] = (),
    ) -> None:
        """`stream_of(aggregate id)`: its stream; `forget(aggregate id)`: forget it (the
        outcome is handed back); `secrets_of(stream id)`: its private texts."""
        self.store = store
        self.keys = keys
        self.stream_of = stream_of
        self._forget = forget
        self._secrets_of = secrets_of
        self.views = list(views)
        self.files = list(files)
        self.verifier = ErasureVerifier(
            store,
            keys,
            view_row=lambda stream_id: any(v.holds(stream_id) for v in self.views),
            stored_view=lambda: (pair for v in self.views for pair in v.stored()),
            files=lambda: self.files,
        )

    def secrets(self, aggregate_id: str) -> Secrets:
        """Every private value the aggregate ever had, and its key: what must be gone after
        a forget."""
        stream_id = self.stream_of(aggregate_id)
        texts = set(self._secrets_of(stream_id)) - MARKERS
        return Secrets(tuple(sorted(texts)), self.keys.key_for(stream_id))

    def forget(
        self,
        aggregate_id: str,
        *,
        extra: Sequence[tuple[str, Iterable[str]]] = (),
        forgotten: Callable[[Out], None] | None = None,
    ) -> tuple[Out, ErasureReport]:
        """Forget the aggregate, then report on every place its private values could remain.
        `forgotten` hears the outcome as soon as the forget is committed, before the
        (longer) search of every place."""
        secrets = self.secrets(aggregate_id)
        outcome = self._forget(aggregate_id)
        if forgotten is not None:
            forgotten(outcome)
        for view in self.views:
            view.catch_up()
        return outcome, self.verify(aggregate_id, secrets, extra=extra)

    def verify(
        self,
        aggregate_id: str,
        secrets: Secrets | None = None,
        *,
        exports: Sequence[Path] = (),
        logs: Sequence[Path] = (),
        extra: Sequence[tuple[str, Iterable[str]]] = (),
    ) -> ErasureReport:
        """Check every place for `secrets` (values known before the forget, or given)."""
        return self.verifier.verify(
            self.stream_of(aggregate_id),
            secrets or Secrets(),
            exports=exports,
            logs=logs,
            extra=extra,
        )
