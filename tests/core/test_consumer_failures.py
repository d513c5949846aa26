"""A consumer whose catch-up fails says so in one line (what failed and why) and goes on
consuming later commits; the traceback is logged only when debugging is asked for."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest

from domain.backends import open_store
from domain.core.consumer import LogConsumer
from domain.core.records import NO_STREAM, NewEvent, RecordedEvent


class Fussy(LogConsumer):
    """Refuses the first event it is given, then takes everything."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.position = 0
        self.refused = False

    @property
    def checkpoint(self) -> int:
        return self.position

    def handle(self, events: Sequence[RecordedEvent]) -> None:
        if not self.refused:
            self.refused = True
            raise ValueError("a payload this consumer cannot read")
        self.position = events[-1].position


def new(n: int) -> list[NewEvent]:
    return [NewEvent(type="Happened", data={"n": n})]


@pytest.mark.parametrize(("level", "traceback"), [(logging.INFO, False), (logging.DEBUG, True)])
def test_a_failed_catch_up_is_one_line_and_later_commits_are_consumed(
    caplog: pytest.LogCaptureFixture, level: int, traceback: bool
) -> None:
    store = open_store("memory:")
    consumer = Fussy(store)
    consumer.start()
    try:
        with caplog.at_level(level, logger="domain.core.consumer"):
            store.append("s-1", new(1), expected_version=NO_STREAM)
        failures = [r for r in caplog.records if "failed to catch up" in r.getMessage()]
        assert len(failures) == 1
        message = failures[0].getMessage()
        assert (
            message == "Fussy failed to catch up: ValueError: a payload this consumer cannot read"
        )
        assert bool(failures[0].exc_info) is traceback
        store.append("s-1", new(2), expected_version=1)
        assert consumer.checkpoint == store.head_position() == 2
    finally:
        consumer.stop()
        store.close()
