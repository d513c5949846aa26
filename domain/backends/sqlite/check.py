"""The integrity check of a store file opened for writing, and when it runs.

`PRAGMA quick_check` reads every page, so it takes time in proportion to the file (about
1–2 s a gigabyte on a small machine, more from a cold disk). A file up to `CHECK_AT_OPEN_BYTES`
is checked before `open` returns, as it always was. A larger one opens at once and is checked
on a thread of its own, on its own read-only connection: reads go ahead meanwhile (a damaged
page they meet is reported as it always is), and every write waits for the verdict — a file
found damaged refuses them all, so nothing is ever written into a file not yet known sound.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Final

from domain.backends.sqlite.faults import quick_check
from domain.backends.sqlite.schema import connect

CHECK_AT_OPEN_BYTES: Final = 64 * 1024 * 1024
"""Up to this size a file is checked before `open` returns (well under a second)."""


class BackgroundCheck:
    """`PRAGMA quick_check` of one file on a daemon thread; `verdict()` waits for it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.damage: str | None = None
        """What the check found wrong (None: sound, or not finished)."""
        self.seconds: float | None = None
        """How long the check took, once it is done."""
        self._done = threading.Event()
        self._cancelled = False
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._run, name=f"es-tui check {path.name}", daemon=True
        )
        self._thread.start()

    @property
    def running(self) -> bool:
        return not self._done.is_set()

    def verdict(self) -> str | None:
        """Wait until the check is done; what it found (None: the file is sound)."""
        self._done.wait()
        return self.damage

    def cancel(self) -> None:
        """Stop a check under way (the store is closing): writes waiting return at once."""
        with self._lock:
            self._cancelled = True
            if self._conn is not None:
                self._conn.interrupt()
        self._thread.join(timeout=5.0)

    def _run(self) -> None:
        began = time.perf_counter()
        try:
            with self._lock:
                if self._cancelled:
                    return
                self._conn = connect(self.path, read_only=True)
            found = quick_check(self._conn)
            with self._lock:
                if not self._cancelled:  # an interrupted check found nothing
                    self.damage = found
        except sqlite3.Error as exc:
            if not self._cancelled:
                self.damage = str(exc)
        finally:
            with self._lock:
                if self._conn is not None:
                    self._conn.close()
                    self._conn = None
            self.seconds = time.perf_counter() - began
            self._done.set()
