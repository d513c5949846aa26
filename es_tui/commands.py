"""The scripting subcommands of `es-tui`: each runs one operation and prints JSON."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from domain.bootstrap import System, bootstrap
from domain.core.errors import (
    ConcurrencyError,
    StorageFullError,
    StoreReadOnlyError,
    StreamNotFoundError,
)
from domain.core.handler import Outcome
from domain.core.protocol import EventStore
from domain.core.records import SnapshotPolicy
from domain.core.shredding.erasure import Secrets
from domain.core.shredding.integrity import check_events, check_store
from domain.core.transfer import (
    TransferError,
    check_import,
    export_events,
    import_file,
    iter_log,
    read_lines,
)
from domain.core.versioning import VersioningError
from es_tui.cli import in_memory, is_reading, open_failure, open_system, print_warnings
from es_tui.cli_parts import (
    CliPart,
    CliVerb,
    ForeignVerbError,
    ImportCodec,
    ImportsEvents,
    cli_part,
    verb_owner,
)
from es_tui.domain_front import NoDomainError, command_handler, domain_outcome_json
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
from es_tui.output import emit, emit_lines, event_json, stream_json


class NotFound(Exception):
    """A stream or aggregate the command names does not exist."""


def _streams(system: System) -> int:
    emit_lines(stream_json(i) for i in system.store.list_streams())
    return EXIT_OK


def _events(system: System, args: argparse.Namespace) -> int:
    if system.store.stream_info(args.stream_id) is None:
        raise NotFound(f"stream {args.stream_id} does not exist")
    emit_lines(event_json(system, e) for e in system.store.read_stream(args.stream_id))
    return EXIT_OK


def _log(system: System, args: argparse.Namespace) -> int:
    records = system.store.read_all(args.from_position, args.limit)
    emit_lines(event_json(system, e) for e in records)
    return EXIT_OK


def _export(system: System, args: argparse.Namespace) -> int:
    return export_to(system.store, args.file)


def export_to(store: EventStore, file: str) -> int:
    """Write every event of `store` to `file` (JSON lines) and report the count."""
    target = Path(file)
    # Write beside the target and rename, so a failed export never leaves half a file.
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or Path("."))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                count = export_events(store, out)
            # mkstemp makes the file private (0600); give it the mode a plain open would.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        # Name the file asked for, not the temporary one beside it.
        return _fail(EXIT_USAGE, f"cannot write {target}: {exc.strerror or exc}")
    emit({"exported": count, "file": str(target)})
    return EXIT_OK


def _import(system: System, args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise TransferError(str(path), 0, "no such file")
    importer = importer_for(system)
    forgotten = command_handler(system).domain.forgotten_types
    count = import_file(system.store, path, importer.decode, forgotten, importer.prepare)
    importer.after()
    sealed = check_events(iter_log(system.store), system.keys)
    emit(
        {
            "imported": count,
            "file": str(path),
            "sealed": sealed.sealed,
            "unreadable": {"no key": sealed.no_key, "tampered": sealed.tampered},
        }
    )
    if sealed.no_key:
        print(
            f"es-tui: {sealed.no_key} of {sealed.sealed} sealed event(s) have no key in this "
            "store's key store: their private fields read ⟦shredded⟧. To read them, import "
            "again into an empty store with --key-store naming the key store of the store "
            "exported (e.g. --key-store ideas.db.keys); those of aggregates forgotten since "
            "the export stay shredded.",
            file=sys.stderr,
        )
    if sealed.tampered:
        print(
            f"es-tui: {sealed.tampered} sealed event(s) fail authentication (tampered with or "
            "damaged): they read ⟦corrupted⟧; `es-tui verify` lists them.",
            file=sys.stderr,
        )
    return EXIT_OK


def importer_for(system: System) -> ImportCodec:
    """How `import` reads an export into this system: its domain's part's own way, or the
    domain's codec, private fields found in clear sealed under the stream's key."""
    part = cli_part(system.domain.name if system.domain else None)
    if isinstance(part, ImportsEvents):
        return part.importer(system)
    codec = command_handler(system).codec
    views = list(system.views.values())

    def after() -> None:
        for view in views:
            view.catch_up()

    return ImportCodec(decode=codec.decode, prepare=codec.seal_clear, after=after)


def _verify(system: System, args: argparse.Namespace) -> int:
    private = system.handler.codec.private if system.handler is not None else None
    report = check_store(system.store, system.keys, private)
    emit(
        {
            "sealed": report.sealed,
            "no key": report.no_key,
            "tampered": report.tampered,
            "in clear": len(report.in_clear),
            "unreadable": [u.as_dict() for u in report.unopened]
            + [c.as_dict() for c in report.in_clear],
        }
    )
    return EXIT_OK if report.tampered == 0 and not report.in_clear else EXIT_RESIDUE


def _forget(system: System, args: argparse.Namespace) -> int:
    outcome, report = system.eraser.forget(args.aggregate_id)
    emit({**_outcome_json(system, outcome), "erasure": report.as_dict()})
    return EXIT_OK if report.clean else EXIT_RESIDUE


def _outcome_json(system: System, outcome: object) -> dict[str, Any]:
    """A command outcome in the shape the domain's CLI part gives, else the generic one."""
    part = cli_part(system.domain.name if system.domain else None)
    if part is not None:
        return part.outcome_json(system, outcome)
    if not isinstance(outcome, Outcome):
        raise TypeError(f"not a command outcome: {outcome!r}")
    return domain_outcome_json(command_handler(system), outcome)


def _verify_erasure(system: System, args: argparse.Namespace) -> int:
    stream_id = system.eraser.stream_of(args.aggregate_id)
    if system.store.stream_info(stream_id) is None:
        # never stored here (a typo, the wrong store): not found, rather than a residue
        noun = system.domain.stream_prefix if system.domain else "stream"
        raise NotFound(f"{noun} {args.aggregate_id} does not exist")
    missing = [f for f in args.exports if not Path(f).is_file()]
    if missing:
        raise TransferError(missing[0], 0, "no such export file")
    missing = [f for f in args.logs if not Path(f).is_file()]
    if missing:
        raise TransferError(missing[0], 0, "no such log file")
    report = system.eraser.verify(
        args.aggregate_id,
        Secrets(tuple(args.texts)),
        exports=[Path(f) for f in args.exports],
        logs=[Path(f) for f in args.logs],
    )
    emit(report.as_dict())
    return EXIT_OK if report.clean else EXIT_RESIDUE


COMMANDS: dict[str, Callable[[System, argparse.Namespace], int]] = {
    "forget": _forget,
    "verify-erasure": _verify_erasure,
    "streams": lambda s, a: _streams(s),
    "events": _events,
    "log": _log,
    "export": _export,
    "import": _import,
    "verify": _verify,
}
"""The generic subcommands that run on a system (a domain's part adds its own verbs)."""

DECIDING = frozenset({"forget"})
"""Generic subcommands that run a decision of the domain (its errors are refusals)."""


def _fail(code: int, message: str) -> int:
    print(f"es-tui: {message}", file=sys.stderr)
    return code


def _check_import_first(args: argparse.Namespace) -> int | None:
    """Check an import file completely before the target store is opened (or created), so a
    refused file leaves no empty store behind; None when the file is fine."""
    path = Path(args.file)
    # An empty memory system of the same domain: its codec, without any of the target's keys.
    spec = str(args.domain).strip()
    try:
        checker = bootstrap(start=False, domain=None if spec.lower() == "none" else spec)
    except Exception as exc:  # a domain that cannot be loaded
        code = open_failure(exc)
        if code is None:
            raise
        return code
    try:
        if not path.is_file():
            raise TransferError(str(path), 0, "no such file")
        if checker.handler is None:  # raw mode: the import is refused once the store opens
            return None
        # `prepare` decodes too, and refuses private fields both sealed and in clear
        importer = importer_for(checker)
        with path.open("rb") as handle:
            lines = read_lines(handle, str(path))
            check_import(lines, importer.prepare, checker.handler.domain.forgotten_types, str(path))
    except (TransferError, OSError) as exc:
        return _fail(EXIT_USAGE, str(exc))
    finally:
        checker.close()
    return None


def run_command(args: argparse.Namespace, policy: SnapshotPolicy) -> int:
    """Run the subcommand `args.command` (generic, or a domain's own verb); the exit code."""
    from es_tui.foreign_commands import FOREIGN_ONLY, is_foreign, run_foreign_command

    if is_foreign(args.store) or args.command in FOREIGN_ONLY:
        # another library's store: read-only, no domain wired to it
        return run_foreign_command(args, policy)
    if args.command == "import":
        refused = _check_import_first(args)
        if refused is not None:
            return refused
    # An import needs an empty store: no demo seeding then, even on memory:.
    memory = in_memory(args.store)
    seed_demo = (memory or args.demo) and args.command != "import"
    # Reading commands open the store and its keys read-only (they work on a full disk or a
    # read-only file system, and with a missing key store); seeding the demo is a write.
    reading = is_reading(args.command) and not memory and not args.demo
    try:
        system = open_system(
            args,
            policy,
            demo=seed_demo,
            start=False,
            restoring=args.command == "import",
            read_only=reading,
        )
    except Exception as exc:
        if args.command != "verify-erasure" or not isinstance(
            exc, StorageFullError | StoreReadOnlyError
        ):
            code = open_failure(exc)
            if code is None:
                raise
            return code
        # It opens for writing so that the read models kept in the file catch up first;
        # where nothing can be written it checks the store as it is, read-only (the rows
        # kept in the file are read as they are).
        reading = True
        try:
            system = open_system(args, policy, demo=False, start=False, read_only=True)
        except Exception as again:
            code = open_failure(again)
            if code is None:
                raise
            return code
        system.warnings.append(f"checked as the store is, read-only: {exc}")
    try:
        return _run_on(system, args, reading)
    finally:
        system.close()


def _run_on(system: System, args: argparse.Namespace, reading: bool) -> int:
    """Run the subcommand on the opened system (which the caller closes)."""
    why = system.backend.read_only_reason(system.store)
    if not reading and why is not None and args.command != "verify-erasure":
        # a write on a store that can only be read here: refuse it at once
        return _fail(EXIT_NO_SPACE, str(StoreReadOnlyError(system.store.url, why)))
    print_warnings(system.warnings)
    running = system.domain.name if system.domain else None
    owned = verb_owner(args.command)
    verb: CliVerb | None = None
    if owned is not None:
        owner, verb = owned
        if owner != running:  # a domain's own verb, on a system of another domain (or none)
            return _fail(EXIT_USAGE, str(ForeignVerbError(args.command, owner, running)))
    part = cli_part(running)
    try:
        system.start(react=not args.no_react and not reading and not system.warnings)
        run = verb.run if verb is not None else COMMANDS[args.command]
        code = run(system, args)
        skipped = system.backend.unreadable(system.store)
        if skipped:  # what was shown is incomplete: say so, and not with exit 0
            print_warnings([f"{skipped} event(s) in damaged pages could not be read: skipped"])
            return EXIT_DAMAGED if code == EXIT_OK else code
        return code
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error of ours; keep stderr quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        # The domain's refusals are those of a command it decides (not of an import...).
        decides = verb is not None or args.command in DECIDING
        failed = _exit_code(system, part, exc, args.command, decides)
        if failed is None:
            raise
        return failed


def _exit_code(
    system: System, part: CliPart | None, exc: Exception, command: str, decides: bool
) -> int | None:
    """The exit code of a failed subcommand (its message printed on stderr), or None for a
    failure no mapping knows (a defect: it propagates). `decides`: the command ran the
    domain's decisions, so the domain's errors are its refusals."""
    own = part.exit_code(exc, command) if part is not None else None
    if own is not None:
        return _fail(own, str(exc))
    # The system's own copy of the domain raises the classes its handler raises.
    domain = system.handler.domain if system.handler is not None and decides else None
    if isinstance(exc, ConcurrencyError):
        return _fail(EXIT_CONFLICT, str(exc))
    if isinstance(exc, StreamNotFoundError | NotFound):
        return _fail(EXIT_NOT_FOUND, str(exc))
    if domain is not None and isinstance(exc, domain.not_found):
        return _fail(EXIT_NOT_FOUND, str(exc))
    if domain is not None and isinstance(exc, domain.errors):
        return _fail(EXIT_REFUSED, str(exc))
    if isinstance(exc, TransferError | VersioningError | OSError | NoDomainError):
        return _fail(EXIT_USAGE, str(exc))
    # the store or its keys failed: damaged, full, read-only...
    return open_failure(exc)
