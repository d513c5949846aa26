"""Screenshot scenarios of the explorer on the accounts domain: its main screen, the
conflict lab after the refusal by funds, and a compensated transfer with its saga (see
`es_tui.screenshots`)."""

from __future__ import annotations

from textual.pilot import Pilot

from domain.bootstrap import System, bootstrap
from domain.core.errors import ConcurrencyError
from domain.core.records import SnapshotPolicy
from es_tui.app import ExplorerApp
from es_tui.screens.causation import CausationScreen
from es_tui.screens.domain_lab import DomainLab
from es_tui.screenshots import longest_stream, select, settle

COMPENSATED = "TransferCompensated"


def accounts_system() -> System:
    """The accounts demo (its saga run synchronously), the same at every run."""
    return bootstrap(
        "memory:", domain="accounts", demo=True, seed=7, snapshot_policy=SnapshotPolicy(10, 3)
    )


def compensated_transfer(system: System) -> str:
    """The demo's transfer whose credit was refused and whose source was refunded."""
    for info in system.store.list_streams():
        if not info.stream_id.startswith("transfer-"):
            continue
        if any(e.type == COMPENSATED for e in system.store.read_stream(info.stream_id)):
            return info.stream_id
    raise LookupError("the accounts demo has no compensated transfer")


async def accounts_main(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """The busiest account, two events before its end; the balances read model."""
    await select(app, pilot, longest_stream(app.system))
    await pilot.press("2", "up", "up")
    main = app.main_screen
    await settle(
        pilot, lambda: main.state_pane.view is not None and main.projection.status is not None
    )


async def accounts_ledger(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """The ledger read model: totals per currency and the law they keep."""
    await accounts_main(app, pilot)
    main = app.main_screen
    await pilot.press("4", "right_square_bracket")
    await settle(pilot, lambda: main.projection.current == "ledger")
    await settle(pilot, lambda: bool(main.projection.status and main.projection.status.totals))


async def accounts_lab(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """A commits, B is refused by the version, reloads and is refused by the funds."""
    await pilot.press("c")
    await settle(pilot, lambda: isinstance(app.screen, DomainLab))
    lab = app.screen
    assert isinstance(lab, DomainLab)
    await settle(pilot, lambda: len(lab.staged) == 2 and lab.unchecked is not None)
    await pilot.press("a")
    await settle(pilot, lambda: "A" in lab.results)
    await pilot.press("b")
    await settle(pilot, lambda: isinstance(lab.results.get("B"), ConcurrencyError))
    await pilot.press("r")
    await settle(
        pilot,
        lambda: "B" in lab.retried and isinstance(lab.results.get("B"), Exception),
    )


async def accounts_transfer(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """The compensated transfer's stream selected, its events in the timeline."""
    await select(app, pilot, compensated_transfer(app.system))
    await pilot.press("2")
    main = app.main_screen
    await settle(pilot, lambda: main.event is not None)


async def accounts_saga(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """The causation graph of the compensated transfer: request, debit, credit refused,
    refund, compensated, across three streams."""
    await accounts_transfer(app, pilot)
    main = app.main_screen
    main.timeline.events.move_to(0)
    await settle(pilot, lambda: main.event is not None and main.event.version == 1)
    await pilot.press("t")
    await settle(pilot, lambda: isinstance(app.screen, CausationScreen))
    graph = app.screen
    assert isinstance(graph, CausationScreen)
    await settle(pilot, lambda: bool(graph.events) and graph.graph.cursor_node is not None)
