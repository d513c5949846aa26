"""The explorer at scale: a generated store of a million events in memory, driven headless.

    python benchmarks/explorer.py [--events N] [--repeat R] [--traffic]

Generates N events (default 1,000,000) with `--demo-events`' generator, then opens the
explorer with Pilot at 160x48 and measures: generation time and resident memory, start-up
(until the main screen shows the newest events), and the CPU time of key presses — `end`,
`home`, `pagedown` on `$all`, on the longest stream, on the streams list and on the read
model, selecting another stream, and typing a timeline filter — each the median of R presses
(default 15), from the key (posted to the app as a terminal sends it) to the moment every pane
has settled (no worker running, no page pending). CPU time is `time.process_time()`: every
thread of the process counts. Each figure is
printed with its target.

`--traffic` measures instead keys while the traffic generator runs at 200 commands a second on
a store of N events (default 100,000): arrows in Streams and in the timeline, `?` until help
is painted, and the generator's sustained commits a second (see `_explorer_traffic.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _explorer_traffic import drive_traffic
from textual import events
from textual.pilot import Pilot

from domain.bootstrap import System, bootstrap
from domain.core.records import StreamStatus
from es_tui.app import LONG_LIVED_WORKERS, ExplorerApp
from es_tui.ideas.demo_events import fill
from es_tui.screens.main import MainScreen
from es_tui.timeline_filter import FilteredSource
from es_tui.widgets.line_list import LineList

START_TARGET_S = 2.0
KEY_TARGET_MS = 16.0
"""Median CPU per key on every list."""
KEY_P95_TARGET_MS = 25.0
RSS_TARGET_MB = 1000.0
TICK = 0.003
TRAFFIC_EVENTS = 100_000


def rss_mb() -> float:
    """Resident memory of this process now (Linux), else its peak."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        import os

        return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def verdict(value: float, target: float) -> str:
    return "✓" if value <= target else "✗"


def line(name: str, value: float, unit: str, target: float) -> None:
    within = verdict(value, target)
    print(f"  {name:<44} {value:>9.1f} {unit:<3} (target <= {target:g} {unit}) {within}")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


_lists: dict[int, list[LineList]] = {}


def busy(app: ExplorerApp) -> bool:
    """Whether anything the user would wait for is still under way."""
    if any(w.is_running for w in app.workers if w.group not in LONG_LIVED_WORKERS):
        return True
    if not app.main_screen.requests.idle:  # the long-lived inspector is still at work
        return True
    screen = app.screen
    if id(screen) not in _lists:  # found once per screen: a query per check would be measured
        _lists[id(screen)] = list(screen.query(LineList))
    return any(ll._pending or ll._loading or ll._held is not None for ll in _lists[id(screen)])


async def settle(pilot: Pilot[None], timeout: float = 30.0) -> None:
    """Until the app has been idle for a few event-loop ticks in a row: no worker running, no
    page pending. (Sleeping lets the app process what workers post, and costs no CPU, so the
    measurement is the app's own work.)"""
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 3 and time.monotonic() < deadline:
        await asyncio.sleep(TICK)
        quiet = 0 if busy(pilot.app) else quiet + 1


async def cpu_ms(pilot: Pilot[None], act: Callable[[], Awaitable[object]]) -> float:
    """CPU milliseconds from `act` until the app settles."""
    gc.collect()
    started = time.process_time()
    await act()
    await settle(pilot)
    return (time.process_time() - started) * 1000


async def keys(pilot: Pilot[None], *names: str, repeat: int) -> dict[str, list[float]]:
    """Press each of `names` in turn, `repeat` rounds; the CPU ms of each press."""
    out: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(repeat):
        for name in names:
            out[name].append(await cpu_ms(pilot, lambda n=name: posted(pilot, n)))
    return out


def report(title: str, samples: dict[str, list[float]]) -> list[float]:
    """Print each key's median and p95 against their targets; the medians."""
    medians = []
    for name, values in samples.items():
        median = statistics.median(values)
        medians.append(median)
        line(f"{title}: {name} (median of {len(values)})", median, "ms", KEY_TARGET_MS)
        line(f"{title}: {name} (p95)", p95(values), "ms", KEY_P95_TARGET_MS)
        _p95s.append(p95(values))
    return medians


_p95s: list[float] = []
"""Every p95 reported (for the closing count)."""


def longest_stream(system: System) -> tuple[str, int]:
    live = [s for s in system.store.list_streams() if s.status is StreamStatus.ACTIVE]
    best = max(live, key=lambda s: s.event_count)
    return best.stream_id, best.event_count


async def drive(system: System, repeat: int) -> list[float]:
    app = ExplorerApp(system)
    started = time.perf_counter()
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        timeline = main.timeline.events
        head = system.store.head_position()
        while not (timeline.row_count == head and str(head) in timeline.visible_text()):
            await pilot.pause(0.01)
        startup = time.perf_counter() - started
        print("start-up")
        line("main screen shows the newest event", startup, "s", START_TARGET_S)
        print(f"  read model catching up: lag {system.view.lag():,} events")
        while system.view.lag() or system.process_manager.lag():
            await pilot.pause(0.1)
        await settle(pilot)
        print(f"  read model caught up after {time.perf_counter() - started:.1f} s")

        medians: list[float] = []
        print("$all (global log)")
        await pilot.press("2")
        await settle(pilot)
        medians += report("$all", await keys(pilot, "end", "home", repeat=repeat))
        medians += report("$all", await keys(pilot, "pagedown", repeat=repeat))

        print("streams list")
        await pilot.press("1")
        await settle(pilot)
        medians += report("streams", await keys(pilot, "down", repeat=repeat))
        medians += report("streams", await keys(pilot, "end", "home", repeat=repeat))
        medians += report("streams", await keys(pilot, "pagedown", repeat=repeat))

        stream_id, count = longest_stream(system)
        print(f"longest stream ({stream_id}, {count:,} events)")
        main.select_stream(stream_id)
        while main.timeline.stream_id != stream_id:
            await pilot.pause(0.01)
        await pilot.press("2")
        await settle(pilot)
        medians += report("long stream", await keys(pilot, "end", "home", repeat=repeat))
        medians += report("long stream", await keys(pilot, "pagedown", repeat=repeat))

        print("read model")
        await pilot.press("4")
        await settle(pilot)
        medians += report("projection", await keys(pilot, "end", "home", repeat=repeat))
        medians += report("projection", await keys(pilot, "pagedown", repeat=repeat))

        print("timeline filter on $all")
        await pilot.press("1", "home")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        medians += await measure_filter(pilot, main, repeat)
    return medians


async def measure_filter(pilot: Pilot[None], main: MainScreen, repeat: int) -> list[float]:
    """Typing a filter stays instant; the scan runs in a worker, shows matches as it finds
    them and is cancelled by a new query. Keys pressed during a scan are timed by the UI
    thread's CPU and by their latency (the scan's own CPU is another thread's)."""
    timeline = main.timeline
    await pilot.press("slash")
    await settle(pilot)
    typing: list[float] = []
    word = "IdeaDeleted"
    while len(typing) < repeat:
        for char in word:
            typing.append(await cpu_ms(pilot, lambda c=char: posted(pilot, c)))
        await pilot.press(*["backspace"] * len(word))
        await settle(pilot)
    medians = [statistics.median(typing)]
    line(f"filter: a keystroke (median of {len(typing)})", medians[0], "ms", KEY_TARGET_MS)
    line("filter: a keystroke (p95)", p95(typing), "ms", KEY_P95_TARGET_MS)
    _p95s.append(p95(typing))

    async def scan(query: str) -> tuple[float, float, float]:
        """Enter `query`: (seconds to the first match on screen, to the end, CPU seconds).
        The key is posted, not pressed through Pilot: Pilot waits for the app to go quiet,
        which a scan reporting its progress is not, until it ends."""
        await pilot.press("slash", *["backspace"] * 20, *query)
        await settle(pilot)
        began, cpu = time.perf_counter(), time.process_time()
        send(pilot, "enter")
        first = None
        while True:
            source, rows = timeline.events.source, timeline.events.row_count
            shown = (
                timeline.filter_query.text == query
                and isinstance(source, FilteredSource)
                and source.matches is timeline.matches
                and rows <= len(timeline.matches)
            )
            if first is None and shown and rows:
                first = time.perf_counter() - began
            if shown and not timeline.filtering:
                break
            await asyncio.sleep(TICK)
        total = time.perf_counter() - began
        return first if first is not None else total, total, time.process_time() - cpu

    for query in ("IdeaDeleted", "AcceptIdeaCreation"):
        first, total, cpu = await scan(query)
        count = len(timeline.matches)
        print(
            f"  filter {query!r}: first match on screen after {1000 * first:.0f} ms, "
            f"{count:,} matches, whole scan {total:.1f} s ({cpu:.1f} s CPU, all threads)"
        )
    await settle(pilot)
    medians += report("filtered", await keys(pilot, "end", "home", repeat=repeat))

    # Keys during a scan: the UI thread's CPU and the latency until the list has drawn.
    await pilot.press("slash", *["backspace"] * 20, *"IdeaUpdated")
    await settle(pilot)
    send(pilot, "enter")
    # Keys once the scan has shown a few matches: on a list still empty a `down` does
    # nothing, and waiting for it to move would time the whole scan.
    while not (timeline.filtering and timeline.events.row_count > repeat + 1):
        await asyncio.sleep(TICK)
    during: list[float] = []
    latency: list[float] = []
    while timeline.filtering and len(during) < repeat:
        began, cpu = time.perf_counter(), time.thread_time()
        cursor = timeline.events.cursor
        send(pilot, "down")
        await settle_ui(pilot, lambda c=cursor: timeline.events.cursor != c)
        during.append((time.thread_time() - cpu) * 1000)
        latency.append((time.perf_counter() - began) * 1000)
    if during:
        ui = statistics.median(during)
        line(f"during a scan: down, UI thread (median of {len(during)})", ui, "ms", KEY_TARGET_MS)
        print(f"  during a scan: down drawn after {statistics.median(latency):.0f} ms (median)")
        medians.append(ui)
    scanned = timeline.matches.scanned
    await pilot.press("slash", *["backspace"] * 20, *"IdeaDeleted")
    began = time.perf_counter()
    send(pilot, "enter")
    while timeline.filter_query.text != "IdeaDeleted" or timeline.filtering:
        await asyncio.sleep(TICK)
    print(
        f"  a new query cancelled that scan at position {scanned:,}; the new one took "
        f"{time.perf_counter() - began:.1f} s"
    )
    await pilot.press("escape")
    await settle(pilot)
    return medians


def send(pilot: Pilot[None], key: str) -> None:
    """Post a key to the app as a terminal would, without waiting for anything."""
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(pilot.app)
    pilot.app.post_message(event)


async def posted(pilot: Pilot[None], key: str) -> None:
    """A key as a terminal sends it, for timing: posted to the app, which `cpu_ms` then lets
    settle. (Pilot's `press` would also wait on every widget of the screen in turn, about
    4 ms of the harness's own work a key at 160x48, which no user's key costs.)"""
    send(pilot, key)


async def settle_ui(pilot: Pilot[None], moved: Callable[[], bool]) -> None:
    """Until the key took effect (`moved`) and the lists have drawn it (a scan may go on)."""
    screen = pilot.app.screen
    if id(screen) not in _lists:
        _lists[id(screen)] = list(screen.query(LineList))
    for _ in range(3000):
        lists = _lists[id(screen)]
        drawn = not any(ll._pending or ll._held is not None for ll in lists)
        if moved() and drawn and pilot.app.main_screen.requests.idle:
            return
        await asyncio.sleep(TICK / 3)


def measure_forget(system: System) -> None:
    """What `f` costs at this size: the forget, then the erasure check of every place."""
    stream_id, count = longest_stream(system)
    idea_id = stream_id.removeprefix("idea-")
    started = time.perf_counter()
    _, report = system.eraser.forget(idea_id, extra=[("explorer log", [])])
    took = time.perf_counter() - started
    verdict = "clean" if report.clean else "RESIDUE"
    print("forget with its erasure report (a worker; the dialog says it is searching)")
    print(f"  {stream_id} ({count:,} events): {took:.1f} s, report {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--traffic",
        action="store_true",
        help="keys while the traffic generator runs at 200 commands/s (default 100,000 events)",
    )
    args = parser.parse_args(argv)
    if args.traffic:
        return under_traffic(args.events or TRAFFIC_EVENTS, args.repeat)
    args.events = args.events or 1_000_000

    before = rss_mb()
    system = bootstrap("memory:", threaded=True, pm_delay=0.8)
    print(f"generating {args.events:,} events")
    summary = fill(system, args.events)
    gc.collect()
    print("generation")
    print(f"  {summary.events:,} events, {summary.ideas:,} ideas, {summary.snapshots:,} snapshots")
    print(f"  time {summary.seconds:.1f} s ({1e6 * summary.seconds / args.events:.1f} µs/event)")
    after = rss_mb()
    line("resident memory after generation", after, "MB", RSS_TARGET_MB)
    per_event = (after - before) * 1e6 / max(summary.events, 1)
    print(f"  (the process held {before:.0f} MB before: {per_event:,.0f} B an event since;")
    print("   benchmarks/store_memory.py says where they go)")
    try:
        medians = asyncio.run(drive(system, args.repeat))
        measure_forget(system)
    finally:
        system.close()
    line("resident memory at the end", rss_mb(), "MB", RSS_TARGET_MB)
    missed = [m for m in medians if m > KEY_TARGET_MS]
    print(f"{len(medians) - len(missed)} of {len(medians)} key medians within {KEY_TARGET_MS:g} ms")
    late = [m for m in _p95s if m > KEY_P95_TARGET_MS]
    print(f"{len(_p95s) - len(late)} of {len(_p95s)} key p95s within {KEY_P95_TARGET_MS:g} ms")
    return 0


def under_traffic(count: int, repeat: int) -> int:
    """The `--traffic` mode: a `count`-event store, the generator at 200 commands/s."""
    system = bootstrap("memory:", threaded=True, pm_delay=0.8)
    print(f"generating {count:,} events")
    fill(system, count)
    try:
        results = asyncio.run(drive_traffic(system, repeat))
    finally:
        system.close()
    print(f"{sum(results)} of {len(results)} figures on target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
