"""Opening every sealed payload of a store: which cannot be read, and why.

Loading an idea opens only what its state needs (the latest value of each field), so a
payload that fails authentication in the middle of a stream goes unseen there. This check
opens every one — each event's and each snapshot's — and tells apart the payloads without a
key (shredded: forgotten, or a key store that is not theirs) from those whose ciphertext
fails authentication (tampered with, or damaged). Given the domain's private fields, it
also finds events that keep one in clear: es-tui always seals them, so such an event was
written by hand into the store (its value never authenticated, and out of forget's reach).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from domain.core.protocol import EventStore
from domain.core.records import RecordedEvent
from domain.core.shredding.cipher import (
    CORRUPTED,
    REDACTED,
    Unreadable,
    aad_for_event,
    aad_for_state,
    is_sealed,
    open_sealed,
)
from domain.core.shredding.keys import KeyStore
from domain.core.transfer import iter_log


@dataclass(frozen=True, slots=True)
class Unopened:
    """One sealed payload that could not be opened."""

    stream_id: str
    version: int
    position: int | None
    """The event's position in the log; None for a snapshot's state."""
    problem: Unreadable

    def as_dict(self) -> dict[str, object]:
        """As JSON-ready data."""
        return {
            "stream_id": self.stream_id,
            "version": self.version,
            "what": "event" if self.position is not None else "snapshot",
            "position": self.position,
            "problem": "no key" if self.problem is Unreadable.NO_KEY else "tampered",
        }


@dataclass(frozen=True, slots=True)
class InClear:
    """One event that keeps private fields in clear, outside any sealed envelope."""

    stream_id: str
    version: int
    position: int
    fields: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        """As JSON-ready data, in the shape of an `Unopened`'s."""
        return {
            "stream_id": self.stream_id,
            "version": self.version,
            "what": "event",
            "position": self.position,
            "problem": "in clear",
            "fields": list(self.fields),
        }


@dataclass(slots=True)
class SealedReport:
    """How many sealed payloads were opened, those that could not be, and the events that
    keep private fields in clear."""

    sealed: int = 0
    unopened: list[Unopened] = field(default_factory=list)
    in_clear: list[InClear] = field(default_factory=list)

    def count(self, problem: Unreadable) -> int:
        """How many payloads could not be opened for `problem`."""
        return sum(1 for u in self.unopened if u.problem is problem)

    @property
    def tampered(self) -> int:
        """Payloads whose ciphertext fails authentication."""
        return self.count(Unreadable.TAMPERED)

    @property
    def no_key(self) -> int:
        """Payloads whose stream has no key here."""
        return self.count(Unreadable.NO_KEY)


_NOT_SECRET = frozenset({REDACTED, CORRUPTED})


def check_events(
    records: Iterable[RecordedEvent],
    keys: KeyStore,
    private: Mapping[str, frozenset[str]] | None = None,
) -> SealedReport:
    """Open the sealed payload of each of `records` with `keys`; with `private` (the
    private fields of each event type), also note the events keeping one in clear."""
    report = SealedReport()
    for record in records:
        wanted = private.get(record.type, frozenset()) if private is not None else ()
        clear = tuple(
            sorted(
                f
                for f in wanted
                if record.data.get(f) is not None and record.data.get(f) not in _NOT_SECRET
            )
        )
        if clear:
            report.in_clear.append(
                InClear(record.stream_id, record.version, record.position, clear)
            )
        if not is_sealed(record.data):
            continue
        report.sealed += 1
        aad = aad_for_event(record.stream_id, record.version, str(record.event_id))
        _, problem = open_sealed(keys.key_for(record.stream_id), aad, record.data)
        if problem is not None:
            report.unopened.append(
                Unopened(record.stream_id, record.version, record.position, problem)
            )
    return report


def check_store(
    store: EventStore, keys: KeyStore, private: Mapping[str, frozenset[str]] | None = None
) -> SealedReport:
    """Open every sealed payload of the store: every event's, then every snapshot's (and
    with `private`, find the events keeping a private field in clear)."""
    report = check_events(iter_log(store), keys, private)
    for info in store.list_streams():
        for snap in store.snapshots(info.stream_id):
            if not is_sealed(snap.state):
                continue
            report.sealed += 1
            key = keys.key_for(info.stream_id)
            _, problem = open_sealed(key, aad_for_state(info.stream_id), snap.state)
            if problem is not None:
                report.unopened.append(Unopened(info.stream_id, snap.version, None, problem))
    return report
