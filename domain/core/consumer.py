"""A checkpointed reader of the global log: the shape shared by projections and process
managers. It catches up from its checkpoint in pages, so it never depends on having seen a
commit notification — it recovers after a pause, a restart, or a missed wake-up."""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence

from domain.core.protocol import EventStore, Subscription
from domain.core.records import RecordedEvent

log = logging.getLogger(__name__)


class LogConsumer(ABC):
    """Reads `store`'s global log after `checkpoint` and hands each page to `handle`.

    Synchronous by default: a commit is handled inside the committing call. With
    `threaded=True` a daemon thread does the work, `delay` seconds after being woken, so a
    person watching can see the consumer lag behind and catch up.
    """

    page_size = 1000

    def __init__(self, store: EventStore, *, threaded: bool = False, delay: float = 0.0) -> None:
        self.store = store
        self.threaded = threaded or delay > 0
        self.delay = delay
        self._lock = threading.RLock()
        self._paused = False
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._subscription: Subscription | None = None

    @property
    @abstractmethod
    def checkpoint(self) -> int:
        """The position of the last event handled (0: none)."""

    @abstractmethod
    def handle(self, events: Sequence[RecordedEvent]) -> None:
        """Apply one page of events; must advance `checkpoint` to the page's last position."""

    # -- running ------------------------------------------------------------------------

    def catch_up(self, max_events: int | None = None) -> int:
        """Handle every committed event after the checkpoint (at most `max_events`); returns
        how many were read."""
        done = 0
        with self._lock:
            while max_events is None or done < max_events:
                want = (
                    self.page_size if max_events is None else min(self.page_size, max_events - done)
                )
                page = self.store.read_all(self.checkpoint + 1, want)
                if not page:
                    break
                self.handle(page)
                done += len(page)
        return done

    def lag(self) -> int:
        """How far behind the head of the log this consumer is, in positions."""
        return max(self.store.head_position() - self.checkpoint, 0)

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def running(self) -> bool:
        """Started and not stopped: it follows the commits (unless paused)."""
        return self._subscription is not None

    def pause(self) -> None:
        """Stop reacting to commits; they pile up as lag."""
        self._paused = True

    def resume(self) -> None:
        """React again, starting with everything missed while paused."""
        self._paused = False
        self._poke()

    def start(self) -> None:
        """Subscribe to commits and catch up with what is already stored."""
        if self._subscription is not None:
            return
        self._subscription = self.store.subscribe(self._on_commit)
        if self.threaded:
            self._stopping.clear()  # a stopped consumer may be started again
            self._thread = threading.Thread(
                target=self._run, name=f"{type(self).__name__}-worker", daemon=True
            )
            self._thread.start()
        self._poke()

    def stop(self) -> None:
        """Unsubscribe and end the worker thread."""
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None
        self._stopping.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None

    def _on_commit(self, events: Sequence[RecordedEvent]) -> None:
        self._poke()

    def _poke(self) -> None:
        if self._paused or self._subscription is None:
            return
        if self.threaded:
            self._wake.set()
        else:
            self._safe_catch_up()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait()
            if self._stopping.is_set():
                break
            if self.delay > 0 and self._stopping.wait(self.delay):
                break
            self._wake.clear()
            if not self._paused:
                self._safe_catch_up()

    def _safe_catch_up(self) -> None:
        try:
            self.catch_up()
        except Exception as error:  # keep consuming later commits; the failure is logged
            # One line saying what failed; the traceback only when debugging is asked for.
            log.error(
                "%s failed to catch up: %s: %s",
                type(self).__name__,
                type(error).__name__,
                error,
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
