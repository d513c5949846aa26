"""Replaying one account of the accounts domain against how many transfers it took part in.

    python benchmarks/accounts_replay.py [--transfers 20000 40000] [--runs 5] [--tree PATH]

For each N, an account with N transfers (credits from other accounts, debits to them, debits
refused for lack of funds, debits refunded when the credit was refused: about 1.25 events a
transfer) is written straight into a memory store, then loaded through the domain's handler
`--runs` times from its first event, and once more from a snapshot of its last event. It
prints the median time per event of the replays, and the ratio of each N's figure to the
first N's: close to 1 when a replay is linear in the account's events, about N/N₀ when
every event costs as much as the transfers before it. `--tree` names another checkout whose
`domain` package is measured instead (e.g. the code before a change).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BATCH = 1_000
"""Events appended a call while building the account."""


def transfer_events(account: str, transfers: int) -> list[Any]:
    """The account's history: opened, funded, then `transfers` transfers in a fixed mix."""
    from domain.accounts.messages import (
        AccountOpened,
        MoneyDeposited,
        TransferCredited,
        TransferDebited,
        TransferDebitRefused,
        TransferRefunded,
    )

    one = Decimal("1.00")
    events: list[Any] = [
        AccountOpened(account_id=account, holder="Ada", currency="EUR", overdraft_limit=one),
        MoneyDeposited(account_id=account, amount=Decimal(transfers)),
    ]
    for i in range(transfers):
        tid = f"transfer-{i:08x}"
        other = f"other-{i % 97}"
        match i % 4:
            case 0 | 1:
                events.append(
                    TransferCredited(
                        account_id=account,
                        transfer_id=tid,
                        from_account=other,
                        amount=one,
                        currency="EUR",
                    )
                )
            case 2:
                events.append(
                    TransferDebitRefused(account_id=account, transfer_id=tid, reason="funds")
                )
            case _:
                debited = TransferDebited(
                    account_id=account,
                    transfer_id=tid,
                    to_account=other,
                    amount=one,
                    currency="EUR",
                )
                refunded = TransferRefunded(
                    account_id=account, transfer_id=tid, amount=one, currency="EUR", reason="closed"
                )
                events.extend([debited, refunded])
    return events


def measure(transfers: int, runs: int) -> tuple[int, float, float, list[float]]:
    """Build one account with `transfers` transfers; (its events, the median seconds per
    event of `runs` replays, the seconds of a load from a snapshot, every replay's)."""
    from domain.accounts.domain import ACCOUNTS
    from domain.backends import open_store
    from domain.core import DomainHandler
    from domain.core.aggregate import take_snapshot
    from domain.core.ids import new_uuid
    from domain.core.records import NO_STREAM

    store = open_store("memory:")
    handler = DomainHandler(ACCOUNTS, store)
    account = f"bench-{transfers}"
    stream_id = ACCOUNTS.stream_id(account)
    events = transfer_events(account, transfers)
    version = 0
    for start in range(0, len(events), BATCH):
        batch = [
            handler.codec.encode(
                stream_id, event, metadata={}, event_id=new_uuid(), version=version + i + 1
            )
            for i, event in enumerate(events[start : start + BATCH])
        ]
        store.append(stream_id, batch, version if version else NO_STREAM)
        version += len(batch)
    per_event: list[float] = []
    loaded = None
    for _ in range(runs):
        gc.collect()
        began = time.perf_counter()
        loaded = handler.load(account, snapshot=None)
        per_event.append((time.perf_counter() - began) / len(events))
    if loaded is None or loaded.version != len(events):
        raise SystemExit(f"the replay of {account} stopped short of its {len(events)} events")
    take_snapshot(store, handler.fold, loaded)
    gc.collect()
    began = time.perf_counter()
    from_snapshot = handler.load(account)
    restored = time.perf_counter() - began
    if from_snapshot.state != loaded.state or from_snapshot.events_applied != 0:
        raise SystemExit(f"the load from the snapshot differs from the replay of {account}")
    store.close()
    return len(events), statistics.median(per_event), restored, per_event


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, nargs="+", default=[20_000, 40_000])
    parser.add_argument("--runs", type=int, default=5, help="replays per size (the median)")
    parser.add_argument("--tree", type=Path, help="a checkout to measure (default: this one)")
    args = parser.parse_args()
    if args.runs < 1 or any(n < 1 for n in args.transfers):
        parser.error("--runs and --transfers must be positive")
    sys.path.insert(0, str((args.tree or HERE.parent).resolve()))
    import domain

    where = Path(domain.__file__).resolve().parents[1]
    print(f"{where}: replays of one account from its first event, medians of {args.runs} runs")
    first: float | None = None
    for n in args.transfers:
        events, median, restored, runs = measure(n, args.runs)
        first = first or median
        spread = f"{min(runs) * 1e6:.1f}-{max(runs) * 1e6:.1f}"
        print(
            f"{n:>9,} transfers, {events:,} events: {median * 1e6:.1f} µs an event"
            f" ({spread}), {median * events:.3f} s a replay, ratio to the first size"
            f" {median / first:.2f}; from a snapshot of the last event: {restored * 1e3:.1f} ms"
        )


if __name__ == "__main__":
    main()
