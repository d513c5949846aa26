"""The explorer on a large SQLite file or PostgreSQL database: its memory follows the screen.

    python benchmarks/explorer_sqlite.py [--events N] [--file PATH] [--jumps J]
    python benchmarks/explorer_sqlite.py --postgres URL [--events N] [--jumps J]

Generates the store once (`--demo-events`' generator into an empty SQLite store, or into the
empty PostgreSQL database at URL, then the read model and the process manager catch up and
save their positions; the time is printed), unless PATH exists already (or the database holds
events already). Then, in a fresh process, opens the explorer on it headless at 160x48 and
measures the time until the first screen shows the newest event and the resident memory then;
then scrolls `$all` end to end — `end`, `home`, J jumps spread evenly over the log, a run of
`pagedown`s — sampling resident memory after every step. Each figure is printed with its
target and ✓/✗.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.pilot import Pilot

from domain.backends import open_store
from domain.bootstrap import bootstrap, ideas_manager, ideas_view
from domain.ideas.bulk import BulkSummary
from es_tui.app import ExplorerApp
from es_tui.ideas.demo_events import fill

FIRST_SCREEN_TARGET_S = 2.0
RSS_TARGET_MB = 400.0
DEFAULT_FILE = Path("/tmp/es-tui-explorer-bench.sqlite")
URL_VARIABLE = "ES_TUI_EXPLORE_URL"
"""How the fresh process exploring the store is told its URL."""
KEPT_BESIDE = (".keys",)
"""Files kept beside the store file once it is closed (its key store)."""


def rss_mb() -> float:
    """Resident memory of this process now (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def show(name: str, value: float, unit: str, target: float) -> None:
    mark = "✓" if value <= target else "✗"
    print(f"  {name:<52} {value:>9.1f} {unit:<3} (target <= {target:g} {unit}) {mark}")


def fill_and_catch_up(url: str, events: int) -> tuple[BulkSummary, float]:
    """Fill the empty store at `url` with `events` generated events and let its consumers
    catch up; the summary and the seconds spent writing."""
    began = time.perf_counter()
    system = bootstrap(url, threaded=True, pm_delay=0.0)
    try:
        summary = fill(system, events)
        wrote = time.perf_counter() - began
        view, manager = ideas_view(system), ideas_manager(system)
        while view.lag() or manager.lag():
            time.sleep(0.5)
    finally:
        system.close()
    return summary, wrote


def report_generation(summary: BulkSummary, where: str, began: float, wrote: float) -> None:
    took = time.perf_counter() - began
    print("generation")
    print(f"  {summary.events:,} events, {summary.ideas:,} ideas into {where}")
    print(
        f"  generation time {took:.0f} s in all ({1e6 * took / summary.events:.0f} µs/event): "
        f"writing {wrote:.0f} s, the read model and process manager catching up "
        f"{took - wrote:.0f} s"
    )


def generate(path: Path, events: int) -> None:
    """Fill a new SQLite file with `events` generated events and let its consumers catch up.
    It is written under another name and takes `path` only once complete, so an interrupted
    run (Ctrl-C stops after whole chunks) never leaves a file a later run would take as made."""
    began = time.perf_counter()
    partial = path.with_name(path.name + ".partial")
    for leftover in path.parent.glob(glob.escape(partial.name) + "*"):
        leftover.unlink()  # an earlier run's, stopped before the end
    summary, wrote = fill_and_catch_up(f"sqlite:///{partial.resolve()}", events)
    for suffix in KEPT_BESIDE:  # the key store goes with the file
        if partial.with_name(partial.name + suffix).exists():
            partial.with_name(partial.name + suffix).rename(path.with_name(path.name + suffix))
    partial.rename(path)
    size = path.stat().st_size / 1e6
    report_generation(summary, f"{path} ({size:,.0f} MB)", began, wrote)


def stored_events(url: str) -> int:
    """How many positions the store at `url` holds (0: empty)."""
    store = open_store(url)
    try:
        return store.head_position()
    finally:
        store.close()


def generate_postgres(url: str, events: int) -> None:
    """Fill the empty PostgreSQL database at `url` (an interrupted run leaves a partial
    history there: start again on an empty database)."""
    began = time.perf_counter()
    summary, wrote = fill_and_catch_up(url, events)
    report_generation(summary, "the PostgreSQL database", began, wrote)


async def until(pilot: Pilot[None], condition: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("the explorer did not get there")
        await pilot.pause(0.005)


async def explore(url: str, jumps: int) -> None:
    """Open the explorer on the store at `url`, time the first screen, scroll `$all`; print
    figures."""
    before = rss_mb()
    began = time.perf_counter()
    system = bootstrap(url, threaded=True)
    app = ExplorerApp(system)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            main = app.main_screen
            timeline = main.timeline.events
            head = system.store.head_position()
            await until(
                pilot,
                lambda: timeline.row_count == head and str(head) in timeline.visible_text(),
            )
            first = time.perf_counter() - began
            print(f"explorer on {head:,} positions (the process held {before:.0f} MB before)")
            show("first screen shows the newest event", first, "s", FIRST_SCREEN_TARGET_S)
            show("resident memory then", rss_mb(), "MB", RSS_TARGET_MB)
            peak = rss_mb()

            async def at(index: int) -> None:
                nonlocal peak
                timeline.move_to(index)
                await until(
                    pilot, lambda: getattr(timeline.highlighted, "position", None) == index + 1
                )
                peak = max(peak, rss_mb())

            await pilot.press("2")
            scrolled = time.perf_counter()
            await at(head - 1)
            await at(0)
            step = max(head // jumps, 1)
            for index in [*range(step, head, step), head - 1]:
                await at(index)
            for _ in range(200):
                await pilot.press("pagedown")
                peak = max(peak, rss_mb())
            print(
                f"  scrolled $all end to end: {jumps} jumps and 200 pagedowns in "
                f"{time.perf_counter() - scrolled:.1f} s; pages kept {len(timeline._pages)}"
            )
            show("resident memory, highest while scrolling", peak, "MB", RSS_TARGET_MB)
    finally:
        system.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument(
        "--postgres", metavar="URL", help="a PostgreSQL database instead of the SQLite file"
    )
    parser.add_argument("--jumps", type=int, default=100)
    parser.add_argument("--explore-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.explore_only:
        asyncio.run(explore(os.environ[URL_VARIABLE], args.jumps))
        return 0
    if args.postgres:
        url = args.postgres
        held = stored_events(url)
        if held:
            print(f"the database holds {held:,} positions already: explored as it is")
        else:
            print(f"generating {args.events:,} events into the empty PostgreSQL database")
            generate_postgres(url, args.events)
    else:
        url = f"sqlite:///{args.file.resolve()}"
        if not args.file.exists():
            print(f"generating {args.events:,} events (once: later runs reuse {args.file})")
            generate(args.file, args.events)
    # A fresh process: the explorer's memory without what generating left behind.
    # The URL goes by the environment: a database URL's password stays out of `ps`.
    command = [sys.executable, __file__, "--jumps", str(args.jumps), "--explore-only"]
    return subprocess.call(command, env={**os.environ, URL_VARIABLE: url})


if __name__ == "__main__":
    raise SystemExit(main())
