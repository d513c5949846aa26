"""App-wide messages. Threads (store listeners, workers) only ever post these."""

from __future__ import annotations

from typing import Any

from textual.message import Message
from textual.signal import Signal

from domain.core.handler import Outcome

AnyOutcome = Outcome[Any]
"""What a command did, from any domain's handler (the ideas handler's outcome is one)."""


class StoreChanged(Message, bubble=False):
    """Something was committed (or the read model moved): the one app-wide message for it,
    posted to the app by the committing threads. Carries nothing: panes re-read the store, so
    a burst of commits collapses into one refresh. The app then publishes its `StoreChanges`
    signal to the screens that subscribed."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StoreChanged)


class CommandRan(Message):
    """A command finished: its outcome, or the error that refused it."""

    def __init__(
        self, command: str, subject: str, result: AnyOutcome | Exception, actor: str = "you"
    ) -> None:
        super().__init__()
        self.command = command
        self.subject = subject
        """The stream the command was about (empty for a creating command that failed)."""
        self.result = result
        self.actor = actor
        """Who issued it: "you", "process manager", a conflict-lab writer…"""

    @property
    def ok(self) -> bool:
        return not isinstance(self.result, Exception)


StoreChanges = Signal[None]
"""The app's signal, published once per burst of commits: screens that show the store
subscribe to it (screens that do not are never woken)."""
