"""The `es-tui` command: the explorer by default, or one scripting subcommand on any store.

Subcommands print JSON on stdout (one object, or JSON lines for lists) and a one-line error on
stderr. Exit codes: 0 ok · 1 a residue of a forgotten idea was found · 2 bad usage or input ·
3 concurrency conflict · 4 a domain rule refused the command · 5 not found · 6 the store file
is damaged · 7 the disk cannot take the write (full, or read-only).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TypeVar

from domain.core.records import SnapshotPolicy
from domain.domains import BUILT_IN

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

T = TypeVar("T", int, float)


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

PM_DELAY_DEFAULT = 0.8

EPILOG = """\
exit codes:
  0  ok
  1  verify-erasure (or forget's own check) found a residue of the forgotten idea;
     verify found a sealed payload that fails authentication (tampered with) or a
     private field stored in clear
  2  bad usage or input (nothing was written)
  3  concurrency conflict: the idea moved since the expected version (nothing was written)
  4  a domain rule refused the command (e.g. editing a deleted idea)
  5  not found (unknown idea or stream)
  6  the store file is damaged (an integrity check failed): writes are refused;
     reading commands print what is readable and exit 6 if they had to skip events
  7  the disk cannot take the write: it is full, or the file system, directory or file
     is read-only, or the log ends at the largest position (2**63-1) an import put an
     event at (nothing was written; reading commands still work)

A store whose key store is missing, empty or another store's is refused for writing
(exit 2, naming the key file); reading commands then show private values as redacted
with a warning on stderr.

store URLs:
  memory:                    in this process only, seeded with demo data (the default)
  sqlite:///path/to/file.db  a durable single file, shared with other processes
                             (its keys: file.db.keys beside it, or --key-store PATH)
  postgresql://user:pass@host:5432/db[?schema=NAME]
                             many processes and hosts (keys: same database, or
                             --key-store URL for a separate one)
"""


def _bounded(
    kind: Callable[[str], T], low: T, high: T | None, noun: str, unit: str = ""
) -> Callable[[str], T]:
    """An argparse type: `kind(text)` within `low..high`, or a one-line error saying why."""

    def parse(text: str) -> T:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {noun}: {text!r}") from None
        if value < low or (high is not None and value > high):
            span = f"at least {low}" if high is None else f"within {low}..{high}{unit}"
            raise argparse.ArgumentTypeError(f"must be {span}, got {value}")
        return value

    return parse


_positive_int = _bounded(int, 1, None, "an integer")
_probability = _bounded(float, 0.0, 1.0, "a number")
_seconds = _bounded(float, 0.0, 60.0, "a number", " seconds")
_port = _bounded(int, 0, 65535, "a TCP port number")


def _http_address(text: str) -> tuple[str, int]:
    """`PORT` (on 127.0.0.1) or `HOST:PORT`; another host only when named explicitly."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]") if sep else "127.0.0.1"
    if not host:
        raise argparse.ArgumentTypeError(f"no host before ':' in {text!r}")
    return host, _port(port)


class _Parser(argparse.ArgumentParser):
    """Usage errors on one line of stderr, like every other failure of a subcommand, so a
    script can show or log it as is (argparse would print the usage block first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _add_common_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """Options every command shares. The top-level parser holds the defaults; each
    subcommand accepts the same options again (after its name) without defaults, so a value
    given there overrides one given before it and an absent one leaves it alone."""

    def add(*names: str, default: object = None, **kwargs: Any) -> None:
        parser.add_argument(*names, default=default if defaults else argparse.SUPPRESS, **kwargs)

    add("--store", default="memory:", metavar="URL", help="store URL")
    add(
        "--demo",
        action="store_true",
        default=False,
        help="seed the demo ideas into an empty durable store (memory: always has them)",
    )
    add(
        "--seed",
        type=int,
        default=7,
        help="seed of the demo and the process manager's decisions (default 7)",
    )
    add(
        "--snapshot-every",
        type=_positive_int,
        default=10,
        metavar="N",
        help="take a snapshot every N events (default 10)",
    )
    add(
        "--keep-snapshots",
        type=_positive_int,
        default=3,
        metavar="M",
        help="keep the latest M snapshots per stream (default 3)",
    )
    add(
        "--accept-probability",
        type=_probability,
        default=0.9,
        metavar="P",
        help="chance that the process manager accepts a new idea (default 0.9)",
    )
    add(
        "--pm-delay",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help=f"explorer and serve: pause before the process manager reacts "
        f"(default {PM_DELAY_DEFAULT})",
    )
    add(
        "--no-react",
        action="store_true",
        default=False,
        help="subcommands: do not run the process manager in this process",
    )
    add(
        "--domain",
        metavar="SPEC",
        default="ideas",
        help="the domain to run: a built-in name (ideas, accounts), package.module[:attr], "
        "a file path, or none (raw mode: events shown as stored, read-only; default ideas)",
    )
    add(
        "--key-store",
        metavar="PATH|URL",
        help="where the per-stream keys live (SQLite: a file, default STORE.keys; "
        "PostgreSQL: a database URL, default the store's own)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, subcommands included (they share the parser's class)."""
    from es_tui.cli_parts import demo_fillers

    parser = _Parser(
        prog="es-tui",
        description="A terminal workbench for event sourcing. Without a subcommand it opens "
        "the explorer; with one it runs that command on the store and prints JSON.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_common_options(parser, defaults=True)
    parser.add_argument(
        "--http",
        type=_http_address,
        metavar="[HOST:]PORT",
        help="explorer: also serve the HTTP API on PORT (on 127.0.0.1 unless HOST is given)",
    )
    parser.add_argument(
        "--demo-events",
        type=_positive_int,
        metavar="N",
        help="explorer: first fill an empty store with about N generated events, progress "
        "on stderr (domains with a generator: " + ", ".join(demo_fillers()) + ")",
    )
    parser.add_argument(
        "--import",
        dest="explore_imports",
        action="append",
        default=[],
        metavar="MODULE",
        help="explorer, eventsourcing+ stores: import the application's module (repeatable); "
        "the state pane then shows each aggregate as the library rebuilds it",
    )
    common = _Parser(add_help=False)
    _add_common_options(common, defaults=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=text, parents=[common])

    p = command("serve", "serve the HTTP API (the origin's routes and REST)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=3333, help="TCP port (default 3333; 0: any)")
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests addressed to NAME (repeatable; '*': any name); by default "
        "only the bound address and localhost, so other sites' pages cannot reach the API",
    )
    p.add_argument(
        "--max-body",
        type=_positive_int,
        default=64 * 1024,
        metavar="BYTES",
        help="largest request body accepted (default 65536); larger ones answer 413",
    )

    from es_tui.cli_parts import cli_parts  # each built-in domain's own verbs

    for part in cli_parts().values():
        for verb in part.verbs:
            verb.add_arguments(command(verb.name, verb.help))
    command(
        "forget", "forget an aggregate (e.g. an idea): erase it, keep a tombstone"
    ).add_argument("aggregate_id", metavar="ID")
    command("streams", "list streams (JSON lines)")
    command("events", "events of one stream (JSON lines)").add_argument(
        "stream_id", metavar="STREAM_ID"
    )
    p = command("log", "the global log (JSON lines)")
    p.add_argument(
        "--from", dest="from_position", type=_positive_int, default=1, metavar="POSITION"
    )
    p.add_argument("--limit", type=_positive_int, default=None, metavar="N")
    p = command(
        "verify-erasure",
        "check every place a forgotten aggregate (e.g. an idea) could remain (exit 1 on a residue)",
    )
    p.add_argument("aggregate_id", metavar="ID")
    p.add_argument(
        "--export",
        dest="exports",
        action="append",
        default=[],
        metavar="FILE",
        help="also check this export file (repeatable)",
    )
    p.add_argument(
        "--log",
        dest="logs",
        action="append",
        default=[],
        metavar="FILE",
        help="also check this text file, e.g. a server's access log (repeatable)",
    )
    p.add_argument(
        "--text",
        dest="texts",
        action="append",
        default=[],
        metavar="TEXT",
        help="a value the aggregate held, to look for in clear in every file (repeatable)",
    )
    command(
        "verify",
        "open every sealed payload: list those without a key or tampered with, and events"
        " keeping a private field in clear (exit 1)",
    )
    p = command(
        "state",
        "eventsourcing+ stores: an aggregate as of a version, rebuilt by the application's "
        "own classes",
    )
    p.add_argument("stream_id", metavar="STREAM_ID")
    p.add_argument("--version", dest="at_version", type=_positive_int, metavar="V")
    p.add_argument(
        "--import",
        dest="imports",
        action="append",
        default=[],
        metavar="MODULE",
        help="import the application's module first (repeatable), so its topics resolve",
    )
    command("export", "write every stored event to a JSON-lines file").add_argument(
        "file", metavar="FILE.jsonl"
    )
    command("import", "load a JSON-lines export into an empty store").add_argument(
        "file", metavar="FILE.jsonl"
    )
    from es_tui.send import add_send_command  # any command of the domain, fields from its model

    add_send_command(sub, common)
    return parser


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
    )
    from domain.core.loading import DomainLoadError
    from domain.core.shredding.keys import KeyStoreError

    if isinstance(exc, DomainLoadError):
        code = EXIT_USAGE
    elif isinstance(exc, StoreDamagedError) or (isinstance(exc, sqlite3.Error) and is_damage(exc)):
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
