"""The explorer while the traffic generator runs: how long keys take and what the generator
still achieves (`benchmarks/explorer.py --traffic`).

With the generator at 200 commands a second, arrows in Streams and in the timeline are posted
as a terminal would (one every `GAP` seconds, as a person types) and each is timed from the key
to the moment the list has drawn the moved cursor: wall milliseconds, and the CPU milliseconds
of the UI thread (`time.thread_time()` of the event loop's thread; the generator's and the read
model's threads are not counted there, but they compete for the interpreter). `?` is timed until
the help screen has been painted. The generator's sustained rate is its commits over the whole
measurement.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from textual import events
from textual.pilot import Pilot

from domain.bootstrap import System
from es_tui.app import ExplorerApp
from es_tui.screens.help import HelpScreen
from es_tui.traffic import RATES
from es_tui.widgets.line_list import LineList

KEY_TARGET_MS = 20.0
HELP_TARGET_MS = 150.0
COMMITS_TARGET = 190.0
RATE = 200
GAP = 0.1
"""Seconds between two timed keys (a person's pace, so the generator runs between them)."""
WARM_UP = 3.0
TICK = 0.001


@dataclass
class Timings:
    """Wall and UI-thread CPU milliseconds of a series of keys."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def send(pilot: Pilot[None], key: str) -> None:
    """Post a key as a terminal would (Pilot's press waits for a quiet app, which an app under
    traffic never is)."""
    event = events.Key(key, "?" if key == "question_mark" else None)
    event.set_sender(pilot.app)
    pilot.app.post_message(event)


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll `condition` until true (generous deadline: a benchmark must not hang forever)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the explorer did not get there in 30 s")
        await asyncio.sleep(TICK)


async def painted(pilot: Pilot[None]) -> None:
    """Until the screen has been refreshed once more (what was changed is on screen)."""
    done = asyncio.get_running_loop().create_future()
    pilot.app.screen.call_after_refresh(lambda: done.done() or done.set_result(None))
    await asyncio.wait_for(done, 30.0)


async def arrows(pilot: Pilot[None], widget: LineList, key: str, count: int) -> Timings:
    """Press `key` `count` times in `widget`; each from the key until the cursor moved and
    every list has drawn it."""
    lists = list(pilot.app.screen.query(LineList))
    out = Timings()
    for _ in range(count):
        await asyncio.sleep(GAP)
        # The highlighted row, not the index: a cursor following new events moves by itself.
        before = widget.highlighted
        wall, cpu = time.perf_counter(), time.thread_time()
        send(pilot, key)
        await until(
            lambda b=before: (
                widget.highlighted is not b
                and not any(ll._pending or ll._held is not None for ll in lists)
            )
        )
        await painted(pilot)
        out.cpu.append((time.thread_time() - cpu) * 1000)
        out.wall.append((time.perf_counter() - wall) * 1000)
    return out


async def help_screens(pilot: Pilot[None], count: int) -> list[float]:
    """`?` until help is painted, then escape; wall milliseconds of each."""
    app = pilot.app
    main = app.screen
    out = []
    for _ in range(count):
        await asyncio.sleep(GAP)
        began = time.perf_counter()
        send(pilot, "question_mark")
        await until(lambda: isinstance(app.screen, HelpScreen))
        await painted(pilot)
        out.append((time.perf_counter() - began) * 1000)
        send(pilot, "escape")
        await until(lambda: app.screen is main)
        await painted(pilot)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def verdict(value: float, target: float, *, at_least: bool = False) -> str:
    ok = value >= target if at_least else value <= target
    return "✓" if ok else "✗"


def show(name: str, value: float, unit: str, target: float, *, at_least: bool = False) -> bool:
    sign = ">=" if at_least else "<="
    mark = verdict(value, target, at_least=at_least)
    print(f"  {name:<48} {value:>8.1f} {unit:<9} (target {sign} {target:g}) {mark}")
    return mark == "✓"


def show_keys(title: str, timings: Timings) -> list[bool]:
    wall, cpu = statistics.median(timings.wall), statistics.median(timings.cpu)
    n = len(timings.wall)
    results = [
        show(f"{title}: median wall (of {n})", wall, "ms", KEY_TARGET_MS),
        show(f"{title}: median UI-thread CPU", cpu, "ms", KEY_TARGET_MS),
    ]
    print(f"  {title}: p95 wall {p95(timings.wall):.1f} ms, p95 CPU {p95(timings.cpu):.1f} ms")
    return results


async def drive_traffic(system: System, repeat: int) -> list[bool]:
    """Open the explorer, start the generator at `RATE`, time keys; one ✓/✗ per figure."""
    app = ExplorerApp(system)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        head = system.store.head_position()
        await until(lambda: main.timeline.events.row_count >= head, timeout=120)
        await until(lambda: not system.view.lag() and not system.process_manager.lag(), 300)
        bar = main.traffic
        send(pilot, "g")
        await until(lambda: bar.running)
        while bar.traffic.rate < RATE and bar.traffic.rate != RATES[-1]:
            rate = bar.traffic.rate
            send(pilot, "plus")
            await until(lambda r=rate: bar.traffic.rate != r)
        print(f"traffic at {bar.traffic.rate} commands/s (warming up {WARM_UP:g} s)")
        await asyncio.sleep(WARM_UP)
        commits, began = bar.traffic.commits, time.perf_counter()

        results: list[bool] = []
        print("streams list, under traffic")
        send(pilot, "1")
        await until(lambda: app.focused is main.streams)
        timings = await arrows(pilot, main.streams, "down", repeat)
        more = await arrows(pilot, main.streams, "up", repeat)
        results += show_keys("streams: down/up", merge(timings, more))

        print("timeline ($all), under traffic")
        send(pilot, "home")  # back on $all
        await until(lambda: main.timeline.stream_id == "$all")
        send(pilot, "2")
        await until(lambda: app.focused is main.timeline.events)
        timings = await arrows(pilot, main.timeline.events, "up", repeat)
        more = await arrows(pilot, main.timeline.events, "down", repeat)
        results += show_keys("timeline: up/down", merge(timings, more))

        print("help, under traffic")
        shown = await help_screens(pilot, repeat)
        results.append(
            show("? until help is painted (median)", statistics.median(shown), "ms", HELP_TARGET_MS)
        )
        print(f"  ? p95 {p95(shown):.0f} ms")

        elapsed = time.perf_counter() - began
        rate = (bar.traffic.commits - commits) / elapsed
        print("generator")
        results.append(
            show("sustained commits/s", rate, "commits/s", COMMITS_TARGET, at_least=True)
        )
        print(f"  over {elapsed:.1f} s; read model lag now {system.view.lag():,} events")
        send(pilot, "g")
        await until(lambda: not bar.running)
    return results


def merge(a: Timings, b: Timings) -> Timings:
    return Timings(a.wall + b.wall, a.cpu + b.cpu)
