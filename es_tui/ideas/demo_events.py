"""`es-tui --demo-events N`: fill an empty store with a large generated history before the
explorer opens, showing progress on stderr."""

from __future__ import annotations

import gc
import sys
import time
from typing import TYPE_CHECKING, TextIO

from domain.bootstrap import ideas_handler, ideas_manager, ideas_view
from domain.ideas.bulk import BulkSummary, FillInterrupted, generate

if TYPE_CHECKING:
    from domain.bootstrap import System

PHASES = {"events": "writing events", "forgets": "forgetting"}
BAR = 30


class ProgressLine:
    """One line of stderr rewritten in place: phase, bar, counts and elapsed time (not on a
    terminal: a line when a phase starts and at every tenth of it)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.started = time.perf_counter()
        self.tty = out.isatty()
        self._last_phase = ""
        self._last_tenth = -1

    def __call__(self, phase: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = round(share * BAR)
        bar = "█" * filled + "·" * (BAR - filled)
        elapsed = time.perf_counter() - self.started
        text = f"{PHASES.get(phase, phase):<17} {bar} {done:>11,}/{total:,} {elapsed:6.1f} s"
        if self.tty:
            self.out.write(f"\r{text}")
        elif phase != self._last_phase or int(share * 10) != self._last_tenth:
            self.out.write(f"{text}\n")  # a log file gets a line a phase and every tenth
        self._last_phase, self._last_tenth = phase, int(share * 10)
        self.out.flush()

    def interrupted(self, stop: FillInterrupted, where: str) -> None:
        """Say what an interrupted fill left: whole chunks, not the history asked for."""
        if self.tty:
            self.out.write("\n")
        if stop.committed < stop.planned:
            held = (
                f"the first {stop.committed:,} of the {stop.planned:,} events planned (whole "
                "chunks, each committed with its snapshots)"
            )
        else:
            held = f"all {stop.planned:,} events planned but not every forget"
        self.out.write(
            f"interrupted: {where} holds {held}: a partial history, not the one asked for; "
            "start again on an empty store\n"
        )
        self.out.flush()

    def finish(self, summary: BulkSummary) -> None:
        if self.tty:
            self.out.write("\n")
        self.out.write(
            f"{summary.events:,} events in {summary.seconds:.1f} s: {summary.ideas:,} ideas "
            f"({summary.rejected:,} rejected, {summary.deleted:,} deleted, "
            f"{summary.forgotten} forgotten), {summary.snapshots:,} snapshots\n"
        )
        self.out.flush()


def fill(system: System, events: int, *, seed: int = 7, out: TextIO = sys.stderr) -> BulkSummary:
    """Generate `events` events into the system's empty store, a chunk at a time (progress on
    `out`). The read model and the process manager wait meanwhile and catch up afterwards, as
    after any pause. Ctrl-C stops after whole chunks, says so on `out` and raises
    FillInterrupted: the store holds a valid but partial history."""
    view, manager = ideas_view(system), ideas_manager(system)
    view.pause()
    manager.pause()
    line = ProgressLine(out)
    # Long-lived objects by the million on a memory store: the collector would walk them again
    # and again, while generating and then during every pause of the explorer. What is
    # generated lives as long as the process, so it is left out of collections for good.
    gc.disable()
    try:
        summary = generate(ideas_handler(system), events, seed=seed, progress=line)
    except FillInterrupted as stop:
        line.interrupted(stop, system.backend.shown_url)
        raise
    finally:
        gc.collect()
        gc.freeze()
        gc.enable()
        view.resume()
        manager.resume()
    line.finish(summary)
    return summary
