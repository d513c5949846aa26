"""The `es-tui` command line: its options, subcommands and help (the parser alone).

Every usage error is one line on stderr with exit code 2, as every other failure of a
subcommand; values out of range name the range.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from es_tui.exits import EXIT_USAGE

T = TypeVar("T", int, float)

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
  6  the store file is damaged: an integrity check failed (writes are refused;
     reading commands print what is readable and exit 6 if they had to skip events),
     or an event's row no longer parses (the message names the event and the part)
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
