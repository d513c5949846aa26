"""The ideas domain's own subcommands of `es-tui` (`publish`, `edit`, `delete`, `ideas`,
`idea`), the exit codes of its refusals, its outcome JSON, its `--demo-events` generator and
its import codec. `es_tui.cli` reaches them through the registry (`es_tui.fronts`) as
`PART`, shaped as `es_tui.cli_parts.CliPart`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from domain.bootstrap import System, ideas_codec, ideas_handler, ideas_view
from domain.ideas.errors import IdeaDeletedError, InvalidFieldError
from domain.ideas.handler import CommandOutcome
from es_tui.cli_parts import ImportCodec
from es_tui.exits import EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE
from es_tui.ideas.output import outcome_json
from es_tui.output import emit, emit_lines


def _non_negative_int(text: str) -> int:
    """An argparse type: a version (0 or more)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0, got {value}")
    return value


@dataclass(frozen=True)
class IdeasVerb:
    """One subcommand of the ideas domain."""

    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    runner: Callable[[System, argparse.Namespace], int]
    reading: bool = False

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add the verb's own arguments to its subparser."""
        self.arguments(parser)

    def run(self, system: System, args: argparse.Namespace) -> int:
        """Run the verb; the exit code."""
        return self.runner(system, args)


def _publish_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--title", required=True)
    parser.add_argument("--desc", required=True, help="the description")


def _edit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("idea_id", metavar="ID")
    parser.add_argument("--title")
    parser.add_argument("--desc", help="the description")
    parser.add_argument(
        "--expected-version",
        type=_non_negative_int,
        metavar="V",
        help="refuse (exit 3) unless the idea is still at version V",
    )


def _idea_id_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("idea_id", metavar="ID")


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    """The verb takes only the shared options."""


def _outcome(system: System, outcome: CommandOutcome) -> int:
    emit(outcome_json(outcome, system))
    return EXIT_OK


def _publish(system: System, args: argparse.Namespace) -> int:
    return _outcome(system, ideas_handler(system).publish(args.title, args.desc))


def _edit(system: System, args: argparse.Namespace) -> int:
    handler = ideas_handler(system)
    outcome = handler.edit(
        args.idea_id, args.title, args.desc, expected_version=args.expected_version
    )
    return _outcome(system, outcome)


def _delete(system: System, args: argparse.Namespace) -> int:
    return _outcome(system, ideas_handler(system).delete(args.idea_id))


def _ideas(system: System, args: argparse.Namespace) -> int:
    emit_lines(asdict(row) for row in ideas_view(system).list())
    return EXIT_OK


def _idea(system: System, args: argparse.Namespace) -> int:
    emit(asdict(ideas_view(system).get(args.idea_id)))
    return EXIT_OK


VERBS: tuple[IdeasVerb, ...] = (
    IdeasVerb("publish", "publish an idea", _publish_arguments, _publish),
    IdeasVerb("edit", "edit an idea's title and/or description", _edit_arguments, _edit),
    IdeasVerb("delete", "delete an idea (soft)", _idea_id_argument, _delete),
    IdeasVerb(
        "ideas",
        "the read model: every idea not deleted (JSON lines)",
        _no_arguments,
        _ideas,
        reading=True,
    ),
    IdeasVerb("idea", "one idea from the read model", _idea_id_argument, _idea, reading=True),
)


class IdeasCli:
    """The ideas domain's CLI part (see `es_tui.cli_parts`)."""

    @property
    def verbs(self) -> Sequence[IdeasVerb]:
        """publish, edit, delete, ideas, idea."""
        return VERBS

    def exit_code(self, error: Exception, verb: str) -> int | None:
        """Invalid fields are bad input; reading a deleted idea from the read model finds
        nothing (commands on it are refusals, as the domain's other errors are)."""
        if isinstance(error, InvalidFieldError):
            return EXIT_USAGE
        if isinstance(error, IdeaDeletedError) and verb == "idea":
            return EXIT_NOT_FOUND
        return None

    def outcome_json(self, system: System, outcome: object) -> dict[str, Any]:
        """An ideas command outcome (e.g. what `forget` did) in the ideas' own shape."""
        if not isinstance(outcome, CommandOutcome):
            raise TypeError(f"not an ideas command outcome: {outcome!r}")
        return outcome_json(outcome, system)

    def fill(self, system: System, events: int, seed: int) -> None:
        """`--demo-events N`: ideas with long lives, progress on stderr."""
        from es_tui.ideas.demo_events import fill

        fill(system, events, seed=seed, out=sys.stderr)

    def importer(self, system: System) -> ImportCodec:
        """Events read by the ideas codec, private fields found in clear sealed; the ideas
        read model brought up to date afterwards."""
        view = ideas_view(system)

        def after() -> None:
            view.catch_up()

        codec = ideas_codec(system)
        return ImportCodec(decode=codec.decode, prepare=codec.seal_clear, after=after)


PART = IdeasCli()
"""What `es_tui.fronts.front_part("ideas", "cli")` returns."""
