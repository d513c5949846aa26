"""The scripting subcommands of `es-tui`: each runs one operation and prints JSON."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from domain.bootstrap import (
    TOMBSTONE_TYPES,
    NotIdeasSystemError,
    System,
    bootstrap,
    ideas_codec,
    ideas_handler,
    ideas_view,
)
from domain.core.errors import (
    ConcurrencyError,
    StoreReadOnlyError,
    StreamNotFoundError,
)
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
from domain.ideas.codec import stream_id_of
from domain.ideas.errors import IdeaDeletedError, IdeaError, IdeaNotFoundError, InvalidFieldError
from domain.ideas.handler import CommandOutcome
from es_tui.cli import READING_COMMANDS, in_memory, open_failure, open_system, print_warnings
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
from es_tui.output import emit, emit_lines, event_json, outcome_json, stream_json


class NotFound(Exception):
    """A stream or idea the command names does not exist."""


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


def _ideas(system: System, args: argparse.Namespace) -> int:
    emit_lines(asdict(row) for row in ideas_view(system).list())
    return EXIT_OK


def _idea(system: System, args: argparse.Namespace) -> int:
    emit(asdict(ideas_view(system).get(args.idea_id)))
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
    count = import_file(
        system.store,
        path,
        ideas_codec(system).decode,
        TOMBSTONE_TYPES,
        ideas_codec(system).seal_clear,
    )
    ideas_view(system).catch_up()
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
            "store's key store: their titles and descriptions read ⟦shredded⟧. To read them, "
            "import again into an empty store with --key-store naming the key store of the "
            "store exported (e.g. --key-store ideas.db.keys); those of ideas forgotten since "
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


def _verify(system: System, args: argparse.Namespace) -> int:
    report = check_store(system.store, system.keys)
    emit(
        {
            "sealed": report.sealed,
            "no key": report.no_key,
            "tampered": report.tampered,
            "unreadable": [u.as_dict() for u in report.unopened],
        }
    )
    return EXIT_OK if report.tampered == 0 else EXIT_RESIDUE


COMMANDS: dict[str, Callable[[System, argparse.Namespace], int]] = {
    "publish": lambda s, a: _outcome(s, ideas_handler(s).publish(a.title, a.desc)),
    "edit": lambda s, a: _outcome(
        s, ideas_handler(s).edit(a.idea_id, a.title, a.desc, expected_version=a.expected_version)
    ),
    "delete": lambda s, a: _outcome(s, ideas_handler(s).delete(a.idea_id)),
    "forget": lambda s, a: _forget(s, a),
    "verify-erasure": lambda s, a: _verify_erasure(s, a),
    "streams": lambda s, a: _streams(s),
    "events": _events,
    "log": _log,
    "ideas": _ideas,
    "idea": _idea,
    "export": _export,
    "import": _import,
    "verify": _verify,
}


def _forget(system: System, args: argparse.Namespace) -> int:
    outcome, report = system.eraser.forget(args.idea_id)
    emit({**outcome_json(outcome, system), "erasure": report.as_dict()})
    return EXIT_OK if report.clean else EXIT_RESIDUE


def _verify_erasure(system: System, args: argparse.Namespace) -> int:
    if system.store.stream_info(stream_id_of(args.idea_id)) is None:
        # never stored here (a typo, the wrong store): not found, rather than a residue
        raise NotFound(f"idea {args.idea_id} does not exist")
    missing = [f for f in args.exports if not Path(f).is_file()]
    if missing:
        raise TransferError(missing[0], 0, "no such export file")
    missing = [f for f in args.logs if not Path(f).is_file()]
    if missing:
        raise TransferError(missing[0], 0, "no such log file")
    report = system.eraser.verify(
        args.idea_id,
        Secrets(tuple(args.texts)),
        exports=[Path(f) for f in args.exports],
        logs=[Path(f) for f in args.logs],
    )
    emit(report.as_dict())
    return EXIT_OK if report.clean else EXIT_RESIDUE


def _outcome(system: System, outcome: CommandOutcome) -> int:
    emit(outcome_json(outcome, system))
    return EXIT_OK


def _fail(code: int, message: str) -> int:
    print(f"es-tui: {message}", file=sys.stderr)
    return code


def _check_import_first(args: argparse.Namespace) -> int | None:
    """Check an import file completely before the target store is opened (or created), so a
    refused file leaves no empty store behind; None when the file is fine."""
    path = Path(args.file)
    checker = bootstrap(start=False)  # an empty memory system: the codec, without any key
    try:
        if not path.is_file():
            raise TransferError(str(path), 0, "no such file")
        with path.open("rb") as handle:
            lines = read_lines(handle, str(path))
            # seal_clear decodes too, and refuses private fields both sealed and in clear
            check_import(lines, ideas_codec(checker).seal_clear, TOMBSTONE_TYPES, str(path))
    except (TransferError, OSError) as exc:
        return _fail(EXIT_USAGE, str(exc))
    finally:
        checker.close()
    return None


def run_command(args: argparse.Namespace, policy: SnapshotPolicy) -> int:
    """Run the subcommand `args.command`; returns the exit code."""
    from es_tui.foreign_commands import FOREIGN_ONLY, is_foreign, run_foreign_command

    if is_foreign(args.store) or args.command in FOREIGN_ONLY:
        # another library's store: read-only, no ideas system
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
    reading = args.command in READING_COMMANDS and not memory and not args.demo
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
        code = open_failure(exc)
        if code is None:
            raise
        return code
    why = system.backend.read_only_reason(system.store)
    if not reading and why is not None and args.command != "verify-erasure":
        system.close()  # a write on a store that can only be read here: refuse it at once
        return _fail(EXIT_NO_SPACE, str(StoreReadOnlyError(system.store.url, why)))
    print_warnings(system.warnings)
    try:
        system.start(react=not args.no_react and not reading and not system.warnings)
        code = COMMANDS[args.command](system, args)
        skipped = system.backend.unreadable(system.store)
        if skipped:  # what was shown is incomplete: say so, and not with exit 0
            print_warnings([f"{skipped} event(s) in damaged pages could not be read: skipped"])
            return EXIT_DAMAGED if code == EXIT_OK else code
        return code
    except (InvalidFieldError, NotIdeasSystemError) as exc:
        return _fail(EXIT_USAGE, str(exc))
    except ConcurrencyError as exc:
        return _fail(EXIT_CONFLICT, str(exc))
    except (IdeaNotFoundError, StreamNotFoundError, NotFound) as exc:
        return _fail(EXIT_NOT_FOUND, str(exc))
    except IdeaDeletedError as exc:
        # Reading a deleted idea from the view is "not found"; commands on it are refusals.
        return _fail(EXIT_NOT_FOUND if args.command == "idea" else EXIT_REFUSED, str(exc))
    except IdeaError as exc:
        return _fail(EXIT_REFUSED, str(exc))
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error of ours; keep stderr quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except (TransferError, VersioningError, OSError) as exc:
        return _fail(EXIT_USAGE, str(exc))
    except Exception as exc:  # the store or its keys failed: damaged, full, read-only...
        code = open_failure(exc)
        if code is None:
            raise
        return code
    finally:
        system.close()
