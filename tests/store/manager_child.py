"""A process running the ideas creation manager on a store until it is killed (the crash
tests run it). Its decisions get RANDOM event ids, so the store's idempotency cannot hide a
second decision: only the tracking record, written with each decision, keeps it from
answering a request twice. Each answer is logged, one line, after its commit.

Usage: python -m tests.store.manager_child URL LOG_FILE"""

from __future__ import annotations

import sys
import time
import uuid

from domain.backends import open_store
from domain.bootstrap import DELETED_TYPES
from domain.core.records import RecordedEvent
from domain.ideas import IdeaCommandHandler, PlainCodec, idea_registry
from domain.ideas.handler import CommandOutcome
from domain.ideas.process_manager import CreationProcessManager


class RandomIdsManager(CreationProcessManager):
    """The manager with random reaction ids (a test switch, not product behaviour)."""

    def reaction_ids(self, trigger: RecordedEvent) -> tuple[uuid.UUID, ...]:
        return (uuid.uuid4(),)


def main(url: str, log_path: str) -> None:
    store = open_store(url, deleted_types=DELETED_TYPES)
    handler = IdeaCommandHandler(store, PlainCodec(idea_registry()))
    manager = RandomIdsManager(handler, probability=0.5, seed=3)
    manager.page_size = 7  # several pages, so kills land between pages too
    with open(log_path, "a", encoding="utf-8") as log:

        def report(result: CommandOutcome | Exception, trigger: RecordedEvent) -> None:
            kind = "answered" if isinstance(result, CommandOutcome) else type(result).__name__
            log.write(f"{kind} {trigger.stream_id}\n")
            log.flush()

        manager.on_reaction(report)
        print("ready", flush=True)
        while True:
            if not manager.catch_up():
                time.sleep(0.005)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
