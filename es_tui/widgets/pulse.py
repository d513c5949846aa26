"""Lag and throughput over time: sparklines of a consumer's lag and of commits per second."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Sparkline
from textual.worker import get_current_worker

from domain.core.protocol import EventStore
from es_tui.widgets.status_line import SteadyLabel

SAMPLE_EVERY = 0.5
"""Seconds between two samples."""
SAMPLES = 60
"""Samples kept (half a minute)."""


class Pulse(Horizontal):
    """`lag` and `commits/s` over the last half minute, sampled in a worker."""

    DEFAULT_CSS = """
    Pulse { height: 1; }
    Pulse > Static { width: auto; color: $text-muted; padding: 0 1 0 0; }
    Pulse > Sparkline { width: 1fr; margin-right: 1; }
    """

    class Sampled(Message, bubble=False):
        """A new sample (internal)."""

        def __init__(self, lag: int, rate: float) -> None:
            super().__init__()
            self.lag, self.rate = lag, rate

    def __init__(
        self, store: EventStore, checkpoint: Callable[[], int], *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.store = store
        self.checkpoint = checkpoint
        """The consumer's checkpoint (the last position it has applied)."""
        self._stop = threading.Event()
        self.lags: deque[float] = deque([0.0], maxlen=SAMPLES)
        self.rates: deque[float] = deque([0.0], maxlen=SAMPLES)
        self.lag_label = SteadyLabel("lag 0", id="pulse-lag-label")
        self.rate_label = SteadyLabel("0.0 commits/s", id="pulse-rate-label")
        self.lag_line = Sparkline(list(self.lags), id="pulse-lag")
        self.rate_line = Sparkline(list(self.rates), id="pulse-rate")

    def compose(self) -> ComposeResult:
        yield self.lag_label
        yield self.lag_line
        yield self.rate_label
        yield self.rate_line

    def on_mount(self) -> None:
        self._sample()

    def on_unmount(self) -> None:
        self._stop.set()

    @work(thread=True, group="pulse", exclusive=True, exit_on_error=False)
    def _sample(self) -> None:
        worker = get_current_worker()
        last = self.store.head_position()
        while not worker.is_cancelled and not self._stop.wait(SAMPLE_EVERY):
            try:
                head = self.store.head_position()
                lag = max(head - self.checkpoint(), 0)
            except Exception:  # a store closing while the app quits: stop sampling
                return
            self.post_message(self.Sampled(lag, (head - last) / SAMPLE_EVERY))
            last = head

    def on_pulse_sampled(self, message: Sampled) -> None:
        self.lags.append(float(message.lag))
        self.rates.append(message.rate)
        self.lag_line.data = list(self.lags)
        self.rate_line.data = list(self.rates)
        self.lag_label.show(f"lag {message.lag}")
        self.rate_label.show(f"{message.rate:.1f} commits/s")
