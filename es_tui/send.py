"""`es-tui send COMMAND [AGGREGATE_ID] --field value …`: any command of the system's domain,
its fields taken from the command model, the outcome printed as JSON.

`--json '{…}'` (or `--json @file.json`) gives the whole body at once; `send COMMAND --help`
lists the command's fields with their kinds and constraints; `send --list` prints the
domain's commands as JSON lines.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from domain.core.errors import ConcurrencyError, StoreReadOnlyError, StreamForgottenError
from domain.core.fields import CommandLineError, describe, from_arguments, option_name
from domain.core.handler import DomainHandler, InvalidCommandError
from domain.core.loading import DomainLoadError
from domain.core.port import CommandSpec, Domain, UnknownCommandError
from domain.core.records import SnapshotPolicy
from domain.domains import DEFAULT, load_domain
from es_tui.cli import in_memory, open_failure, open_system, print_warnings
from es_tui.domain_front import domain_outcome_json, target_field
from es_tui.exits import (
    EXIT_CONFLICT,
    EXIT_NO_SPACE,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
)
from es_tui.output import emit, emit_lines

USAGE = (
    "es-tui [--domain D] --store URL send COMMAND [AGGREGATE_ID] --field value … "
    "[--json BODY|@FILE] [--expected-version N]"
)


class SendUsageError(ValueError):
    """The words after `send` do not make a command (a one-line message says why)."""


def add_send_command(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
) -> None:
    """Register `send` on the subcommands; its own words are read by `run_send`, since a
    command's options come from its model."""
    p = sub.add_parser(
        "send",
        help="run any command of the domain (send --list; send COMMAND --help)",
        parents=[common],
        add_help=False,
    )
    p.add_argument("-h", "--help", dest="send_help", action="store_true", help="this help")
    p.add_argument("--list", dest="send_list", action="store_true", help="list the commands")
    p.add_argument("words", nargs=argparse.REMAINDER, help="COMMAND [AGGREGATE_ID] --field value …")


def _domain_of(args: argparse.Namespace) -> Domain[Any]:
    return load_domain(args.domain or DEFAULT)


def _take(words: list[str], option: str, spec: CommandSpec | None, flag: bool = False) -> Any:
    """Remove `option` (and its value) from `words`, unless the command has such a field."""
    if spec is not None and option in {option_name(f.name) for f in describe(spec.model)}:
        return None
    for at, word in enumerate(words):
        if word == option and flag:
            del words[at]
            return True
        if word == option:
            if at + 1 >= len(words):
                raise SendUsageError(f"{option} needs a value")
            value = words[at + 1]
            del words[at : at + 2]
            return value
        if word.startswith(option + "=") and not flag:
            del words[at]
            return word.partition("=")[2]
    return None


def _json_body(text: str) -> dict[str, Any]:
    """`--json` as an object: inline, or `@path` to read it from a file. Numbers with a
    fraction stay exact decimals; NaN and Infinity are not JSON."""
    where = "--json"
    if text.startswith("@"):
        where = text[1:]
        try:
            text = Path(where).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SendUsageError(f"cannot read {where}: {exc}") from None

    def refuse(name: str) -> Any:
        raise SendUsageError(f"{where}: {name} is not a JSON number")

    try:
        body = json.loads(text, parse_float=Decimal, parse_constant=refuse)
    except json.JSONDecodeError as exc:
        raise SendUsageError(f"{where}: not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise SendUsageError(f"{where}: a JSON object of fields is required")
    return body


def command_help(domain: Domain[Any], spec: CommandSpec) -> str:
    """`send COMMAND --help`: the command's fields, their kinds and constraints."""
    aggregate = target_field(spec)
    head = f"usage: es-tui send {spec.name}" + (f" {aggregate.upper()}" if aggregate else "")
    lines = [head + " [--field value …] [--json BODY|@FILE] [--expected-version N]", ""]
    doc = (spec.model.__doc__ or "").strip()
    if doc and not doc.startswith(spec.model.__name__ + "("):
        lines += [doc.splitlines()[0], ""]
    lines.append(
        f"{domain.name}: {spec.label or spec.name}" + (" (creates)" if spec.creates else "")
    )
    lines.append("fields:")
    for field in describe(spec.model):
        need = "required" if field.required else ""
        opt = option_name(field.name) + ("" if field.kind == "bool" else " VALUE")
        words = ", ".join(w for w in (field.kind, field.hint, need) if w)
        where = " (or AGGREGATE_ID)" if field.name == aggregate else ""
        lines.append(f"  {opt:<28} {words}{where}")
    return "\n".join(lines) + "\n"


def _list(domain: Domain[Any]) -> None:
    emit_lines(
        {
            "domain": domain.name,
            "command": spec.name,
            "label": spec.label or spec.name,
            "creates": spec.creates,
            "aggregate_field": target_field(spec),
            "fields": [
                {"name": f.name, "kind": f.kind, "required": f.required, "hint": f.hint}
                for f in describe(spec.model)
            ],
        }
        for spec in domain.person_commands
    )


def _fail(code: int, message: str) -> int:
    print(f"es-tui: send: {message}", file=sys.stderr)
    return code


def _fields(spec: CommandSpec, words: list[str], body: dict[str, Any] | None) -> dict[str, Any]:
    """The command's fields: the aggregate id, `--field value` options and the JSON body."""
    fields: dict[str, Any] = dict(body or {})
    aggregate = target_field(spec)
    if words and not words[0].startswith("-"):
        if aggregate is None:
            raise SendUsageError(f"{spec.name} takes no AGGREGATE_ID (got {words[0]!r})")
        fields.setdefault(aggregate, words.pop(0))
    for name, value in from_arguments(spec.model, words).items():
        if name in fields and body is not None and name in body:
            raise SendUsageError(f"{name} is given both in --json and as {option_name(name)}")
        fields[name] = value
    return fields


def run_send(args: argparse.Namespace, policy: SnapshotPolicy) -> int:
    """Run `es-tui send …`; returns the exit code."""
    try:
        return _run(args, policy)
    except BrokenPipeError:  # the reader went away (e.g. `| head`): keep stderr quiet
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def _run(args: argparse.Namespace, policy: SnapshotPolicy) -> int:
    words = list(args.words)
    try:
        domain = _domain_of(args)
    except DomainLoadError as exc:
        return _fail(EXIT_USAGE, str(exc))
    name = words.pop(0) if words and not words[0].startswith("-") else None
    if args.send_list or (name is None and "--list" in words):
        _list(domain)
        return EXIT_OK
    try:
        spec = domain.command(name) if name is not None else None
    except UnknownCommandError as exc:
        known = ", ".join(s.name for s in domain.person_commands)
        return _fail(EXIT_USAGE, f"{exc} (known: {known}; see es-tui send --list)")
    try:
        asked_help = args.send_help or _take(words, "--help", spec, flag=True)
        asked_help = asked_help or _take(words, "-h", spec, flag=True)
        if asked_help:
            sys.stdout.write(command_help(domain, spec) if spec else _overview(domain))
            return EXIT_OK
        if spec is None:
            raise SendUsageError(f"a COMMAND is required: {USAGE}")
        raw_body = _take(words, "--json", spec)
        expected = _take(words, "--expected-version", spec)
        body = _json_body(raw_body) if raw_body is not None else None
        fields = _fields(spec, words, body)
        version = _version(expected) if expected is not None else None
    except (SendUsageError, CommandLineError) as exc:
        return _fail(EXIT_USAGE, str(exc))
    return _send(args, policy, domain, spec, fields, version)


def _version(text: str) -> int:
    if not text.isdigit():
        raise SendUsageError(f"--expected-version: not a version (0 or more): {text!r}")
    return int(text)


def _overview(domain: Domain[Any]) -> str:
    names = "\n".join(f"  {s.name:<24} {s.label or ''}" for s in domain.person_commands)
    return f"usage: {USAGE}\n\n{domain.name} commands (send COMMAND --help):\n{names}\n"


def _send(
    args: argparse.Namespace,
    policy: SnapshotPolicy,
    domain: Domain[Any],
    spec: CommandSpec,
    fields: dict[str, Any],
    expected: int | None,
) -> int:
    memory = in_memory(args.store)
    try:
        system = open_system(args, policy, demo=memory or args.demo, start=False)
    except Exception as exc:
        code = open_failure(exc)
        if code is None:
            raise
        return code
    why = system.backend.read_only_reason(system.store)
    if why is not None:
        system.close()
        return _fail(EXIT_NO_SPACE, str(StoreReadOnlyError(system.store.url, why)))
    print_warnings(system.warnings)
    if system.handler is None:  # raw mode: the store holds types this domain does not know
        system.close()
        return _fail(EXIT_USAGE, "; ".join(system.warnings) or "no domain: nothing to send")
    handler: DomainHandler[Any] = system.handler
    # The system's own copy of the domain: a domain loaded from a file twice is two modules,
    # and only the copy that runs the handler raises the classes caught below.
    domain = handler.domain
    refusals: tuple[type[Exception], ...] = (*domain.errors, StreamForgottenError)
    try:
        # Read models and process managers react as they do for `publish`.
        system.start(react=not args.no_react and not system.warnings)
        command = handler.build(spec.name, fields)
        outcome = handler.execute(command, expected_version=expected)
        emit(domain_outcome_json(handler, outcome))
        return EXIT_OK
    except InvalidCommandError as exc:
        return _fail(EXIT_USAGE, str(exc))
    except ConcurrencyError as exc:
        return _fail(EXIT_CONFLICT, str(exc))
    except domain.not_found as exc:
        return _fail(EXIT_NOT_FOUND, str(exc))
    except refusals as exc:
        return _fail(EXIT_REFUSED, str(exc))
    except Exception as exc:  # the store or its keys failed: damaged, full, read-only...
        code = open_failure(exc)
        if code is None:
            raise
        return code
    finally:
        system.close()
