"""The accounts fold every load uses: stored records decoded, then folded in one pass."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from domain.accounts.messages import Message
from domain.accounts.state import BankState, evolve_many
from domain.core.handler import DomainFold
from domain.core.records import RecordedEvent


class AccountsFold(DomainFold[BankState]):
    """The accounts domain's fold with an `evolve_all` for loads: linear in the events
    where `evolve` applied to each costs the square of an account's transfers (see
    `domain.accounts.state.evolve_many`). `evolve` stays the reference, event by event."""

    def evolve_all(self, state: BankState, events: Sequence[RecordedEvent]) -> BankState:
        """The state after `events`: the same as applying `evolve` to each in turn."""
        return evolve_many(state, self._decoded(events))

    def _decoded(self, events: Sequence[RecordedEvent]) -> Iterator[tuple[Message, datetime]]:
        decode = self.codec.decode
        for record in events:
            event = decode(record)
            if not isinstance(event, Message):  # as `evolve` refuses it
                raise TypeError(f"{type(event).__name__} is not an accounts event")
            yield event, record.recorded_at
