"""The traffic generator (`g`): random commands from a worker thread, shown live, stopped by
`g` again; `+` and `-` change its rate."""

from __future__ import annotations

from domain.bootstrap import System
from es_tui.app import ExplorerApp
from es_tui.traffic import DEFAULT_RATE, RATES
from tests.ui.conftest import text_of, wait_for, wait_text


async def test_g_starts_traffic_whose_commits_show_live_and_g_stops_it(
    app: ExplorerApp, system: System
) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        timeline = main.timeline.events
        head = system.store.head_position()
        await wait_for(pilot, lambda: timeline.row_count == head, "the log")
        assert not main.traffic.display
        await pilot.press("g")
        assert main.traffic.display and main.traffic.running
        # Commits arrive from the generator's thread and every pane follows.
        await wait_for(pilot, lambda: system.store.head_position() >= head + 30, "commits", 60)
        await wait_for(pilot, lambda: timeline.row_count >= head + 30, "the timeline", 60)
        await wait_text(pilot, lambda: main.traffic, "commits/s")
        report = main.traffic.last
        assert report is not None and report.running and report.commits > 0
        assert report.rate == DEFAULT_RATE
        await wait_text(pilot, lambda: main.log_pane, "IdeaUpdated")

        await pilot.press("plus")
        faster = RATES[RATES.index(DEFAULT_RATE) + 1]
        await wait_text(pilot, lambda: main.traffic, f"{faster} cmd/s")
        await pilot.press("minus", "minus")
        slower = RATES[RATES.index(DEFAULT_RATE) - 1]
        await wait_text(pilot, lambda: main.traffic, f"{slower} cmd/s")

        await pilot.press("g")
        await wait_text(pilot, lambda: main.traffic, "traffic stopped")
        # Stopped means its thread has ended: nothing more can come from it.
        await wait_for(
            pilot,
            lambda: not any(w.is_running for w in app.workers if w.group == "traffic"),
            "the generator's thread to end",
            30,
        )
        assert not main.traffic.running
        total = main.traffic.traffic.total
        assert f"{total:,} commands" in text_of(main.traffic)


async def test_traffic_takes_snapshots_and_makes_conflicts(system: System) -> None:
    from es_tui.ideas.traffic import IdeasTraffic

    traffic = IdeasTraffic(system, seed=3)
    traffic.rate = 200
    logged = []
    for _ in range(400):
        logged += traffic.step()
    report = traffic.report(running=False)
    assert traffic.total_conflicts > 0  # two writers staged at one version: one refused
    assert any(line.result.__class__.__name__ == "ConcurrencyError" for line in logged)
    assert any(getattr(line.result, "snapshot", None) is not None for line in logged)
    assert report.total == traffic.total >= 400
    assert len(system.store.list_streams()) > 20  # it published new ideas too
