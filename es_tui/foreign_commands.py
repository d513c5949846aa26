"""Subcommands on a store another library wrote (`eventsourcing+sqlite:`...): it is opened
read-only and on its own — no ideas system is wired to it — so only the commands that read
or export stored events run; the others are refused with the reason."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from domain.backends import open_store
from domain.backends.eventsourcing.replay import (
    ReplayError,
    aggregate_at,
    import_modules,
    state_json,
)
from domain.backends.eventsourcing.store import EventsourcingStore
from domain.core.errors import EventStoreError, StoreUrlError
from domain.core.protocol import EventStore
from domain.core.records import SnapshotPolicy
from domain.core.transfer import TransferError, record_to_dict
from es_tui import commands as c
from es_tui.exits import EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE
from es_tui.output import emit, emit_lines, stream_json

READ_COMMANDS = ("streams", "events", "log", "export", "state")
FOREIGN_ONLY = frozenset({"state"})
"""Commands only a foreign store runs."""


def is_foreign(url: str) -> bool:
    """True for a store URL of another library's database (a bad URL: no; opening it says
    why)."""
    from domain.backends import backend_for

    try:
        return backend_for(url).raw_only
    except StoreUrlError:
        return False


def run_foreign_command(args: argparse.Namespace, policy: SnapshotPolicy) -> int:
    """Run a read subcommand on a foreign store; refuse the others (exit 2)."""
    if not is_foreign(args.store):
        return c._fail(
            EXIT_USAGE,
            f"{args.command} reads eventsourcing+sqlite: or eventsourcing+postgresql: stores only",
        )
    if args.command not in READ_COMMANDS:
        return c._fail(
            EXIT_USAGE,
            f"{args.command} is not available on {args.store.split(':', 1)[0]}: stores: they "
            f"are read-only and no domain of es-tui knows their events "
            f"(available: {', '.join(READ_COMMANDS)})",
        )
    try:
        store = open_store(args.store, snapshot_policy=policy)
    except (EventStoreError, ValueError) as exc:
        return c._fail(EXIT_USAGE, str(exc))
    run: Callable[[EventStore, argparse.Namespace], int] = _COMMANDS[args.command]
    try:
        return run(store, args)
    except c.NotFound as exc:
        return c._fail(EXIT_NOT_FOUND, str(exc))
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except (TransferError, EventStoreError, ReplayError, OSError) as exc:
        return c._fail(EXIT_USAGE, str(exc))
    finally:
        store.close()


def _streams(store: EventStore, args: argparse.Namespace) -> int:
    emit_lines(stream_json(i) for i in store.list_streams())
    return EXIT_OK


def _events(store: EventStore, args: argparse.Namespace) -> int:
    if store.stream_info(args.stream_id) is None:
        raise c.NotFound(f"stream {args.stream_id} does not exist")
    emit_lines(record_to_dict(e) for e in store.read_stream(args.stream_id))
    return EXIT_OK


def _log(store: EventStore, args: argparse.Namespace) -> int:
    emit_lines(record_to_dict(e) for e in store.read_all(args.from_position, args.limit))
    return EXIT_OK


def _export(store: EventStore, args: argparse.Namespace) -> int:
    return c.export_to(store, args.file)


def _state(store: EventStore, args: argparse.Namespace) -> int:
    if not isinstance(store, EventsourcingStore):
        raise ReplayError(args.stream_id, "only an eventsourcing store can rebuild its aggregates")
    if store.stream_info(args.stream_id) is None:
        raise c.NotFound(f"stream {args.stream_id} does not exist")
    import_modules(args.imports)
    aggregate = aggregate_at(store, args.stream_id, args.at_version)
    emit(
        {
            "stream_id": args.stream_id,
            "version": aggregate.version,
            "aggregate": f"{type(aggregate).__module__}:{type(aggregate).__qualname__}",
            "state": state_json(aggregate),
        }
    )
    return EXIT_OK


_COMMANDS: dict[str, Callable[[EventStore, argparse.Namespace], int]] = {
    "streams": _streams,
    "events": _events,
    "log": _log,
    "export": _export,
    "state": _state,
}
