"""Ordered, re-entrancy-safe delivery of commits to in-process listeners.

Writers enqueue each commit while they still hold their write lock (so the queue is in commit
order), together with the listeners subscribed at that moment, and deliver after releasing it.
Exactly one thread delivers at a time; a listener that appends from inside its callback just
enqueues, and the delivering loop picks it up after the current callback returns — so every
listener sees every commit made while it is subscribed once, in order, and no lock is held
while user code runs.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence

from domain.core.protocol import CommitListener
from domain.core.records import RecordedEvent

log = logging.getLogger(__name__)


class _Subscription:
    def __init__(self, hub: CommitHub, listener: CommitListener) -> None:
        self._hub = hub
        self.listener = listener
        self.active = True

    def close(self) -> None:
        self.active = False  # commits already queued are not delivered after this either
        self._hub.remove(self)


class CommitHub:
    """Fan-out of commits to listeners."""

    def __init__(self) -> None:
        self._listeners: list[_Subscription] = []
        # each commit with the listeners subscribed when it was made: a later subscriber must
        # not receive a commit that was made before it subscribed but is still queued
        self._queue: deque[tuple[Sequence[RecordedEvent], list[_Subscription]]] = deque()
        self._queue_lock = threading.Lock()
        self._deliver_lock = threading.Lock()

    def subscribe(self, listener: CommitListener) -> _Subscription:
        sub = _Subscription(self, listener)
        with self._queue_lock:
            self._listeners = [*self._listeners, sub]
        return sub

    def remove(self, sub: _Subscription) -> None:
        with self._queue_lock:
            self._listeners = [s for s in self._listeners if s is not sub]

    @property
    def has_listeners(self) -> bool:
        return bool(self._listeners)

    def enqueue(self, events: Sequence[RecordedEvent]) -> None:
        """Record a commit; call while holding the store's write lock."""
        if self._listeners:
            with self._queue_lock:
                self._queue.append((events, self._listeners))

    def deliver(self) -> None:
        """Deliver queued commits; call after releasing the store's write lock."""
        while self._queue:
            if not self._deliver_lock.acquire(blocking=False):
                return  # another thread (or an outer frame of this one) is delivering
            try:
                while True:
                    with self._queue_lock:
                        if not self._queue:
                            break
                        batch, listeners = self._queue.popleft()
                    for sub in listeners:
                        if not sub.active:
                            continue
                        try:
                            sub.listener(batch)
                        except Exception:  # a faulty listener must not break the writer
                            log.exception("commit listener %r failed", sub.listener)
            finally:
                self._deliver_lock.release()
