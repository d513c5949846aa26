"""What a forget with its erasure report costs in a large store: the longest live idea of a
generated store (`--events`, default 100,000) is forgotten and every place checked.

Usage: python -m benchmarks.forget_scale [--events N] [--store sqlite|memory]
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

from domain.bootstrap import System, bootstrap
from domain.core.records import StreamStatus
from es_tui.ideas.demo_events import fill


def longest_live(system: System) -> tuple[str, int]:
    """The stream id and event count of the live idea with the most events."""
    live = [s for s in system.store.list_streams() if s.status is StreamStatus.ACTIVE]
    best = max(live, key=lambda s: s.event_count)
    return best.stream_id, best.event_count


def run(system: System, events: int) -> None:
    """Fill the empty `system`, then time one forget of its longest idea."""
    fill(system, events, out=io.StringIO())
    assert system.view is not None
    system.view.catch_up()
    stream_id, count = longest_live(system)
    idea_id = stream_id.removeprefix("idea-")
    started = time.perf_counter()
    committed: list[float] = []
    _, report = system.eraser.forget(
        idea_id, forgotten=lambda _: committed.append(time.perf_counter())
    )
    checked = time.perf_counter()
    forgotten = committed[0]
    verdict = "clean" if report.clean else "RESIDUE"
    print(f"{system.store.head_position():,} events; forgot {stream_id} ({count:,} events)")
    print(f"  forget with its erasure report: {checked - started:.2f} s")
    print(f"    capturing the values and the forget itself {forgotten - started:.2f} s")
    print(f"    the read models and the erasure check      {checked - forgotten:.2f} s")
    print(f"  report {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--store", choices=("sqlite", "memory"), default="sqlite")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}" if args.store == "sqlite" else "memory:"
        system = bootstrap(url, start=False, accept_probability=1.0)
        try:
            run(system, args.events)
        finally:
            system.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
