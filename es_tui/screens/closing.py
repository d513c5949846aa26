"""Closing a modal screen from a worker's answer, safely.

`Screen.dismiss` pops whatever screen is on top. A command that finishes while the palette or
the help is open over its dialog would close that screen instead, and the next escape would
pop one screen too many (down to an empty stack: a crash). `ClosingScreen.close` dismisses
at once when the screen is on top, and otherwise when it is back on top.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from textual import events
from textual.screen import ModalScreen, Screen

ResultType = TypeVar("ResultType")


def dismiss_if_current(screen: Screen[ResultType], result: ResultType | None = None) -> None:
    """Dismiss `screen` if it is the active one. Keys queued before a close (enter then
    escape, escape twice) reach a screen after it has gone: dismissing again would pop the
    screen below it."""
    if screen.app.screen is screen:
        screen.dismiss(result)


class ClosingScreen(ModalScreen[ResultType], Generic[ResultType]):
    """A modal screen that closes itself only while it is the active screen."""

    _close_with: tuple[ResultType | None] | None = None

    def close(self, result: ResultType | None = None) -> None:
        """Dismiss with `result` now, or as soon as the screens opened over this one close."""
        if self.app.screen is self:
            self.dismiss(result)
        else:
            self._close_with = (result,)

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        super()._on_screen_resume(event)
        if self._close_with is not None:
            (result,) = self._close_with
            self._close_with = None
            self.call_after_refresh(self.close, result)
