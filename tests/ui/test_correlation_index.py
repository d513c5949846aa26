"""The causation view's index: every event of a correlation, in log order, however the
correlation's events arrived (one, several in one batch, several across updates), and none
of a forgotten stream's."""

from __future__ import annotations

import uuid

from domain.backends import open_store
from domain.core.records import CORRELATION_ID, NO_STREAM, NewEvent
from es_tui.causation import CorrelationIndex


def _event(correlation: str | None, n: int) -> NewEvent:
    metadata = {} if correlation is None else {CORRELATION_ID: correlation}
    return NewEvent("Happened", {"n": n}, metadata=metadata)


def test_each_correlation_lists_its_events_in_log_order() -> None:
    store = open_store("memory:")
    index = CorrelationIndex(store)
    alone, pair, spread = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    store.append("a-1", [_event(alone, 1), _event(pair, 2), _event(pair, 3)], NO_STREAM)
    store.append("b-1", [_event(spread, 4), _event(None, 5)], NO_STREAM)
    assert index.update() == 5
    store.append("a-1", [_event(spread, 6)], 3)
    store.append("c-1", [_event(spread, 7)], NO_STREAM)
    assert index.update() == 7

    def numbers(correlation: str) -> list[int]:
        return [e.data["n"] for e in index.events_of(correlation)]

    assert numbers(alone) == [1]
    assert numbers(pair) == [2, 3]
    assert numbers(spread) == [4, 6, 7]
    assert numbers(str(uuid.uuid4())) == []


def test_a_forgotten_streams_events_leave_its_correlations() -> None:
    store = open_store("memory:")
    index = CorrelationIndex(store)
    both, gone = str(uuid.uuid4()), str(uuid.uuid4())
    store.append("a-1", [_event(both, 1), _event(gone, 2)], NO_STREAM)
    store.append("b-1", [_event(both, 3)], NO_STREAM)
    index.update()
    store.forget("a-1", NewEvent("Forgotten", {}))
    index.update()

    assert [e.data["n"] for e in index.events_of(both)] == [3]
    assert index.events_of(gone) == []
