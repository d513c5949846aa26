"""The `es-tui` command: the explorer by default, or one scripting subcommand on any store.

Subcommands print JSON on stdout (one object, or JSON lines for lists) and a one-line error on
stderr. Exit codes: 0 ok · 1 a residue of a forgotten idea was found · 2 bad usage or input ·
3 concurrency conflict · 4 a domain rule refused the command · 5 not found · 6 the store file
is damaged · 7 the disk cannot take the write (full, or read-only).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from domain.core.records import SnapshotPolicy
from domain.domains import BUILT_IN
from es_tui.cli_parser import PM_DELAY_DEFAULT, build_parser

# The exit codes live in es_tui.exits (the commands and the HTTP layer import them without
# importing this module); they stay importable from here.
from es_tui.exits import (
    EXIT_CONFLICT,
    EXIT_DAMAGED,
    EXIT_NO_SPACE,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_RESIDUE,
    EXIT_USAGE,
)

__all__ = [
    "EXIT_CONFLICT",
    "EXIT_DAMAGED",
    "EXIT_NOT_FOUND",
    "EXIT_NO_SPACE",
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_RESIDUE",
    "EXIT_USAGE",
    "build_parser",
    "is_reading",
    "main",
    "open_failure",
    "open_system",
    "print_warnings",
    "unhonoured_option",
]

READING_COMMANDS = frozenset({"streams", "events", "log", "export", "verify"})
"""Generic subcommands that only read: they open the store and its keys read-only
(verify-erasure also reads, but opens as usual so that the read models kept in the store
file catch up before it checks them; where the store cannot be written it checks them
read-only, as they are). A domain's own verbs say whether they read (`CliVerb.reading`)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `es-tui` and `python -m es_tui`."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already reported on stderr
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    refused = unhonoured_option(args)
    if refused is not None:
        print(f"es-tui: {refused}", file=sys.stderr)
        return EXIT_USAGE
    policy = SnapshotPolicy(args.snapshot_every, args.keep_snapshots)
    if args.command is None:
        return _run_explorer(args, policy)
    if args.command == "send":
        from es_tui.send import run_send

        return run_send(args, policy)
    if args.command == "serve":
        from es_tui.http.server import run_serve

        return run_serve(args, policy)
    from es_tui.commands import run_command

    return run_command(args, policy)


def unhonoured_option(args: argparse.Namespace) -> str | None:
    """Why a given option cannot be honoured by this front end (None: all can). Every
    option means the same on every front end; one that would be ignored is refused."""
    front = "the explorer" if args.command is None else f"'{args.command}'"
    if args.command is not None and args.demo_events is not None:
        return f"--demo-events applies to the explorer only, not to {front}"
    if args.command is not None and args.http is not None:
        hint = " (use --host/--port)" if args.command == "serve" else ""
        return f"--http applies to the explorer only, not to {front}{hint}"
    if args.command not in (None, "serve") and args.pm_delay is not None:
        return f"--pm-delay applies to the explorer and serve, not to {front}"
    if args.key_store is not None and in_memory(args.store):
        return "--key-store does not apply to memory: (its keys live in this process)"
    if args.demo_events is not None and args.demo:
        return "--demo and --demo-events exclude each other (both fill the store)"
    spec = str(args.domain).strip()
    if args.demo_events is not None and (spec in BUILT_IN or spec.lower() == "none"):
        refused = no_demo_events(None if spec.lower() == "none" else spec)
        if refused is not None:  # known before the store is opened (or created)
            return refused
    if args.explore_imports and (args.command is not None or "eventsourcing+" not in args.store):
        return "--import before a subcommand applies to the explorer of an eventsourcing+ store"
    return None


def no_demo_events(domain_name: str | None) -> str | None:
    """Why `--demo-events` cannot fill a store of the domain named (None: it can)."""
    from es_tui.cli_parts import demo_filler, demo_fillers

    if demo_filler(domain_name) is not None:
        return None
    running = f"the {domain_name} domain" if domain_name else "raw mode (no domain)"
    able = ", ".join(demo_fillers()) or "none"
    return f"--demo-events: {running} has no generator of demo events (those that do: {able})"


def is_reading(command: str | None) -> bool:
    """Whether a subcommand only reads (a generic one, or a domain's own verb)."""
    from es_tui.cli_parts import verb_owner

    if command in READING_COMMANDS:
        return True
    owned = verb_owner(command)
    return owned is not None and owned[1].reading


def in_memory(url: str) -> bool:
    """Whether the store a URL names lives in this process only (a bad URL: no; opening it
    says why)."""
    from domain.backends import backend_for
    from domain.core.errors import StoreUrlError

    try:
        return not backend_for(url).durable
    except StoreUrlError:
        return False


def open_system(args: argparse.Namespace, policy: SnapshotPolicy, **options: Any) -> Any:
    """`bootstrap()` with every shared option of the command line, plus `options`."""
    from domain.bootstrap import bootstrap

    memory = in_memory(args.store)
    # A one-shot subcommand's manager reacts at once (--pm-delay is refused for it).
    delay = PM_DELAY_DEFAULT if options.get("threaded") else 0.0
    spec = str(args.domain).strip()
    return bootstrap(
        args.store,
        domain=None if spec.lower() == "none" else spec,
        snapshot_policy=policy,
        demo=options.pop("demo", memory or args.demo),
        seed=args.seed,
        accept_probability=args.accept_probability,
        pm_delay=delay if args.pm_delay is None else args.pm_delay,
        key_store=args.key_store,
        **options,
    )


def open_failure(exc: BaseException) -> int | None:
    """The exit code (its message printed on stderr) for a store or key store that cannot
    be opened or written, or None if `exc` is no such failure."""
    import sqlite3

    from domain.backends.sqlite.faults import is_damage
    from domain.core.errors import (
        EventStoreError,
        StorageFullError,
        StoreDamagedError,
        StoreReadOnlyError,
        UnreadableEventError,
    )
    from domain.core.loading import DomainLoadError
    from domain.core.shredding.keys import KeyStoreError

    if isinstance(exc, DomainLoadError):
        code = EXIT_USAGE
    elif isinstance(exc, StoreDamagedError | UnreadableEventError) or (
        isinstance(exc, sqlite3.Error) and is_damage(exc)
    ):
        code = EXIT_DAMAGED
    elif isinstance(exc, StorageFullError | StoreReadOnlyError):
        code = EXIT_NO_SPACE
    elif isinstance(exc, EventStoreError | KeyStoreError | ValueError | sqlite3.Error):
        code = EXIT_USAGE
    else:
        return None
    print(f"es-tui: {exc}", file=sys.stderr)
    return code


def print_warnings(warnings: Sequence[str]) -> None:
    """Each warning of an opened system on one line of stderr."""
    for warning in warnings:
        print(f"es-tui: warning: {warning}", file=sys.stderr)


def _open_explorer_system(args: argparse.Namespace, policy: SnapshotPolicy, demo: bool) -> Any:
    """The explorer's system: for writing, or, when the store or its keys can only be read
    (keys missing or another store's, a damaged file, a full disk), read-only with a warning."""
    from domain.core.errors import StorageFullError, StoreDamagedError
    from domain.core.shredding.keys import KeyStoreBindingError

    common = {"threaded": True, "react": not args.no_react}
    try:
        return open_system(args, policy, demo=demo, **common)
    except (KeyStoreBindingError, StoreDamagedError, StorageFullError) as exc:
        system = open_system(args, policy, demo=False, read_only=True, **common)
        if not any(str(exc) in w for w in system.warnings):
            system.warnings.insert(0, str(exc))
        return system


def _run_explorer(args: argparse.Namespace, policy: SnapshotPolicy) -> int:
    memory = in_memory(args.store)
    generated = args.demo_events is not None
    try:
        system = _open_explorer_system(args, policy, (memory or args.demo) and not generated)
    except Exception as exc:
        code = open_failure(exc)
        if code is None:
            raise
        return code
    print_warnings(system.warnings)
    if generated:
        from es_tui.cli_parts import demo_filler

        running = system.domain.name if system.domain else None
        filler = demo_filler(running)
        if filler is None:  # e.g. a store of types the domain does not know: raw mode
            system.close()
            print(f"es-tui: {no_demo_events(running)}", file=sys.stderr)
            return EXIT_USAGE
        try:
            filler.fill(system, args.demo_events, args.seed)
        except ValueError as exc:  # not an empty store
            system.close()
            print(f"es-tui: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except KeyboardInterrupt:  # whole chunks are stored; the filler said what
            system.close()
            return 130  # the code a shell gives a program Ctrl-C stopped
    if args.explore_imports:
        from domain.backends.eventsourcing.replay import ReplayError, import_modules

        try:
            import_modules(args.explore_imports)
        except ReplayError as exc:
            system.close()
            print(f"es-tui: {exc.reason}", file=sys.stderr)
            return EXIT_USAGE
    from es_tui.app import ExplorerApp

    app = ExplorerApp(system, http=args.http, imported=bool(args.explore_imports))
    try:
        app.run()
    finally:
        system.close()
    print_warnings(system.warnings)  # again: the explorer's screen covered them
    return app.return_code or EXIT_OK  # 1 when the explorer crashed
