"""What the scripting CLI asks of a domain's own CLI part, found through `es_tui.fronts`.

Every subcommand of `es-tui` is generic, except the verbs a built-in domain adds of its own
(the ideas domain's `publish`, `ideas`…). A part is any object shaped as `CliPart`; it may
also generate a large history for `--demo-events` (`FillsDemoEvents`) and read an export in
its own way (`ImportsEvents`). A domain without a part, or a part without a hook, gets the
generic behaviour (or a usage error naming what it lacks).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from es_tui.fronts import front_part, front_parts

if TYPE_CHECKING:
    from domain.bootstrap import System
    from domain.core.records import RecordedEvent


@runtime_checkable
class CliVerb(Protocol):
    """One subcommand a domain adds."""

    @property
    def name(self) -> str:
        """The word after `es-tui`."""
        ...

    @property
    def help(self) -> str:
        """Its line in `es-tui --help`."""
        ...

    @property
    def reading(self) -> bool:
        """Whether it only reads (the store and its keys are then opened read-only)."""
        ...

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add its own arguments to its subparser (the shared options are there already)."""
        ...

    def run(self, system: System, args: argparse.Namespace) -> int:
        """Run it on a started system of the part's domain; the exit code."""
        ...


@runtime_checkable
class CliPart(Protocol):
    """A domain's own subcommands, and how its own failures map to exit codes."""

    @property
    def verbs(self) -> Sequence[CliVerb]:
        """The subcommands it adds, in `--help` order."""
        ...

    def exit_code(self, error: Exception, verb: str) -> int | None:
        """The exit code for one of the domain's own exceptions raised by `verb` (any
        subcommand on a system of this domain; the message is `str(error)`), or None to
        leave it to the generic mapping (the domain's `not_found` and `errors`)."""
        ...

    def outcome_json(self, system: System, outcome: object) -> dict[str, Any]:
        """A command outcome of this domain's own handler (e.g. what `forget` did) as JSON."""
        ...


@runtime_checkable
class FillsDemoEvents(Protocol):
    """A part that fills an empty store with a large generated history (`--demo-events`)."""

    def fill(self, system: System, events: int, seed: int) -> None:
        """Write about `events` generated events into the system's empty store (ValueError
        if it is not empty), progress on stderr."""
        ...


@dataclass(frozen=True)
class ImportCodec:
    """How `import` reads the events of an export for one system."""

    decode: Callable[[RecordedEvent], object]
    """Read one record as the domain would (raising on what it cannot read); writes nothing."""
    prepare: Callable[[RecordedEvent], RecordedEvent]
    """Check one record completely and return it as it is to be stored (e.g. private
    fields found in clear sealed under the stream's key)."""
    after: Callable[[], None]
    """Run once the events are stored (e.g. bring the read models up to date)."""


@runtime_checkable
class ImportsEvents(Protocol):
    """A part that reads an export its own way (its own codec and read models)."""

    def importer(self, system: System) -> ImportCodec:
        """The import codec for this system of the part's domain."""
        ...


class PartShapeError(TypeError):
    """A registered CLI part is not shaped as `CliPart` (a defect of that part)."""

    def __init__(self, domain: str, part: object) -> None:
        self.domain = domain
        super().__init__(f"the {domain} domain's CLI part is no CliPart: {part!r}")


def cli_part(domain_name: str | None) -> CliPart | None:
    """The CLI part the domain named adds (None: it adds none, or no domain runs)."""
    part = front_part(domain_name, "cli")
    if part is None:
        return None
    if not isinstance(part, CliPart):
        raise PartShapeError(str(domain_name), part)
    return part


def cli_parts() -> Mapping[str, CliPart]:
    """Every built-in domain's CLI part, by domain name (the parser lists their verbs)."""
    parts: dict[str, CliPart] = {}
    for name, part in front_parts("cli").items():
        if not isinstance(part, CliPart):
            raise PartShapeError(name, part)
        parts[name] = part
    return parts


def verb_owner(command: str | None) -> tuple[str, CliVerb] | None:
    """The domain whose part adds the subcommand `command`, and the verb (None: a generic
    subcommand)."""
    for name, part in cli_parts().items():
        for verb in part.verbs:
            if verb.name == command:
                return name, verb
    return None


def demo_filler(domain_name: str | None) -> FillsDemoEvents | None:
    """The `--demo-events` generator of the domain named (None: it has none)."""
    part = front_part(domain_name, "cli")
    return part if isinstance(part, FillsDemoEvents) else None


def demo_fillers() -> list[str]:
    """The domains that can generate demo events (for a refusal to name them)."""
    return [name for name, part in front_parts("cli").items() if isinstance(part, FillsDemoEvents)]


class ForeignVerbError(LookupError):
    """A domain's own subcommand was asked of a system running another domain (or none)."""

    def __init__(self, verb: str, owner: str, running: str | None) -> None:
        self.verb = verb
        self.owner = owner
        self.running = running
        where = f"the {running} domain" if running else "raw mode (no domain)"
        super().__init__(f"{verb} needs the {owner} domain; this system runs {where}")
