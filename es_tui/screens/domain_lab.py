"""The conflict lab for any domain: two writers load one aggregate at the same version and
each sends a command; the second append is refused (optimistic concurrency), then reloads and
decides again. Beside it, what would happen without the expected-version check: both
decisions folded together, computed and never stored."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel
from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static

from domain.core.aggregate import Loaded
from domain.core.errors import ConcurrencyError
from domain.core.handler import DomainHandler, Outcome
from es_tui.screens.command_form import CommandForm
from es_tui.screens.lab import WRITERS, Result, TwoWriterLab

if TYPE_CHECKING:
    from domain.bootstrap import System


@dataclass(frozen=True, slots=True)
class LabPlan:
    """What the lab runs: how it finds its aggregate and what each writer sends."""

    title: str
    prepare: Callable[[DomainHandler[Any]], str]
    """Runs in a worker on each start: the aggregate id the writers load."""
    commands: Callable[[str], Mapping[str, BaseModel]]
    """The command of each writer, for the aggregate id."""
    invariant: Callable[[Any], str] | None = None
    """"" when a state keeps the domain's rule, else a line saying how it breaks it."""
    lede: str = ""
    fields: tuple[str, ...] = ()
    """The state fields the cards show (default: every public field with a value)."""


def generic_plan(aggregate_id: str, commands: Mapping[str, BaseModel]) -> LabPlan:
    """The selected aggregate, and the command each writer filled in."""
    return LabPlan(
        "optimistic concurrency",
        lambda handler: aggregate_id,
        lambda _: dict(commands),
        None,
        "Each writer appends with the version it loaded as its expected version. The store "
        "accepts the first append and refuses the stale one: nothing is lost, nothing is "
        "overwritten.",
    )


class DomainLab(TwoWriterLab):
    """Writers A and B, what they would do without the check, each step in one line."""

    CARDS = (*TwoWriterLab.CARDS, ("lab-unchecked", "Without the check"))

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "commit('A')", "Commit A"),
        Binding("b", "commit('B')", "Commit B"),
        Binding("r", "retry", "Reload & retry"),
        Binding("s", "start", "Start over"),
        Binding("escape", "close", "Back"),
    ]

    class Staged(Message, bubble=False):
        """Writers loaded the aggregate (internal)."""

        def __init__(self, loads: dict[str, Loaded[Any]] | Exception, retry: bool) -> None:
            super().__init__()
            self.loads = loads
            self.retry = retry

    class Committed(Message, bubble=False):
        """A writer's append finished (internal)."""

        def __init__(self, writer: str, result: Result) -> None:
            super().__init__()
            self.writer = writer
            self.result = result

    def __init__(self, system: System, handler: DomainHandler[Any], plan: LabPlan) -> None:
        super().__init__()
        self.system = system
        self.handler = handler
        self.plan = plan
        self.aggregate_id: str | None = None
        self.commands: dict[str, BaseModel] = {}
        self.retried: set[str] = set()
        self.unchecked: Any = None
        """The state both decisions folded together give (never stored)."""
        self.unchecked_error: Exception | None = None

    def heading(self) -> str:
        return f"Conflict lab · {self.handler.domain.name} — {self.plan.title}"

    def lede(self) -> str:
        return self.plan.lede

    def on_mount(self) -> None:
        self._title_panes()
        self.action_start()

    # -- lines ---------------------------------------------------------------------------

    def _describe(self, state: Any) -> str:
        wanted = self.plan.fields
        return " · ".join(
            f"{f.label or f.name}: {v}"
            for f, v in self.handler.domain.state_values(state)
            if not f.private and v not in (None, "", ()) and (not wanted or f.name in wanted)
        )

    def _command(self, writer: str) -> str:
        command = self.commands.get(writer)
        if command is None:
            return "—"
        fields = ", ".join(
            f"{k}={v}"
            for k, v in command.model_dump().items()
            if v != self.aggregate_id  # the aggregate: named above
        )
        return f"{type(command).__name__}({fields})"

    # -- loading -------------------------------------------------------------------------

    def action_start(self) -> None:
        self._notice("s", "start over")
        self.results.clear()
        self.retried.clear()
        self.load_error = None
        self.writers_loading = True
        self._prepare()

    @work(thread=True, group="domain-lab", exclusive=True, exit_on_error=False)
    def _prepare(self) -> None:
        try:
            aggregate_id = self.plan.prepare(self.handler)
            self.aggregate_id = aggregate_id
            self.commands = dict(self.plan.commands(aggregate_id))
            loads: dict[str, Loaded[Any]] | Exception = {
                w: self.handler.load(aggregate_id) for w in WRITERS
            }
        except Exception as error:
            loads = error
        self.post_message(self.Staged(loads, retry=False))

    @work(thread=True, group="domain-lab-retry", exit_on_error=False)
    def _reload(self, writer: str) -> None:
        try:
            loads: dict[str, Loaded[Any]] | Exception = {
                writer: self.handler.load(self.aggregate_id or "")
            }
        except Exception as error:
            loads = error
        self.post_message(self.Staged(loads, retry=True))

    def on_domain_lab_staged(self, message: Staged) -> None:
        if not message.retry:
            self.writers_loading = False
        if isinstance(message.loads, Exception):
            self.pending.clear()
            self.load_error = message.loads
            self._explain(Text(f"Could not load the aggregate: {message.loads}", style="red"))
            return
        self.staged.update(message.loads)
        loaded = next(iter(message.loads.values()))
        if message.retry:
            (writer,) = message.loads
            self.results.pop(writer, None)
            self.retried.add(writer)
            self._explain(
                f"{writer} reloads {loaded.stream_id}: now at v{loaded.version} "
                f"({self._describe(loaded.state)}); it decides its command again on that."
            )
            self._commit(writer)
        else:
            self._explain(
                f"A and B both load {loaded.stream_id} at v{loaded.version} "
                f"({self._describe(loaded.state)}): each will append expecting "
                f"v{loaded.version}. Press a to commit A, then b to commit B."
            )
            self._fold_unchecked(loaded)
        self._show()

    def _fold_unchecked(self, loaded: Loaded[Any]) -> None:
        """Both writers' decisions on the same loaded state, folded one after the other:
        what the store would hold if it took appends without checking the version."""
        domain = self.handler.domain
        state, now = loaded.state, datetime.now(UTC)
        self.unchecked, self.unchecked_error = None, None
        try:
            for writer in WRITERS:
                for event in domain.decide(self.commands[writer], loaded.state):
                    state = domain.fold.evolve(state, event, now)
        except Exception as error:
            self.unchecked_error = error
            return
        self.unchecked = state
        broken = self.plan.invariant(state) if self.plan.invariant else ""
        self._explain(
            Text.assemble(
                ("Without the check: ", "bold magenta"),
                "both decisions pass on the same state and both would be stored: ",
                self._describe(state),
                (f" — {broken}" if broken else "", "bold red"),
                " (computed here, never stored).",
            )
        )

    # -- committing ----------------------------------------------------------------------

    @work(thread=True, group="domain-lab-commit", exit_on_error=False)
    def _commit(self, writer: str) -> None:
        staged = self.staged[writer]
        try:
            result: Result = self.handler.decide_and_append(
                staged, self.commands[writer], staged.version
            )
        except Exception as error:
            result = error
        self.post_message(self.Committed(writer, result))

    def on_domain_lab_committed(self, message: Committed) -> None:
        writer, result = message.writer, message.result
        self.results[writer] = result
        self.pending.discard(writer)
        loaded = self.staged[writer]
        if isinstance(result, Outcome):
            self._explain(
                f"{writer} commits: expected v{loaded.version} matches the stream, so the "
                f"append succeeds: v{loaded.version} → v{result.version} "
                f"({self._describe(result.state)})."
            )
        elif isinstance(result, ConcurrencyError):
            self._explain(self._refused_by_version(writer, result))
        elif writer in self.retried:
            self._explain(
                Text.assemble(
                    (f"{writer} is refused by the rule, not the version: ", "bold red"),
                    f"{type(result).__name__}: {result}. The invariant held.",
                )
            )
        else:
            self._explain(Text(f"{writer} is refused: {result}", style="red"))
        self._show()

    # -- cards ---------------------------------------------------------------------------

    def _show(self) -> None:
        for writer in WRITERS:
            self.query_one(f"#writer-{writer.lower()}", Static).update(self._card(writer))
        self.query_one("#lab-unchecked", Static).update(self._unchecked_card())

    def _card(self, writer: str) -> Group:
        staged = self.staged.get(writer)
        if staged is None:
            return Group(Text("loading…", style="dim"))
        return Group(
            Text.assemble("loaded ", (f"v{staged.version}", "bold"), f" ({staged.how()})"),
            Text(self._describe(staged.state)),
            Text(f"sends: {self._command(writer)}"),
            self._status(writer),
        )

    def _unchecked_card(self) -> Group:
        if self.unchecked_error is not None:
            return Group(Text(f"the decisions refuse: {self.unchecked_error}", style="yellow"))
        if self.unchecked is None:
            return Group(Text("…", style="dim"))
        broken = self.plan.invariant(self.unchecked) if self.plan.invariant else ""
        return Group(
            Text("both appends pass (a lost update):"),
            Text(self._describe(self.unchecked), style="bold"),
            Text(f"✘ {broken}" if broken else "", style="bold red"),
            Text("both decisions folded; never stored", style="dim"),
        )


def open_domain_lab(app: App[Any], system: System, stream_id: str | None) -> None:
    """Open the generic lab for the running domain (one whose explorer part has no lab of its
    own): on the selected aggregate, after a form per writer."""
    handler = system.handler
    if handler is None:
        app.notify("The conflict lab needs a domain (raw mode has none).", severity="warning")
        return
    domain = handler.domain
    aggregate_id = domain.aggregate_id(stream_id) if stream_id else None
    id_field = domain.fold.id_field
    specs = [
        s
        for s in domain.person_commands
        if not s.creates and not s.forgets and id_field in s.model.model_fields
    ]
    if aggregate_id is None or not specs:
        app.notify(
            f"Select a {domain.stream_prefix} stream to open the conflict lab on.",
            severity="warning",
        )
        return
    spec, chosen = specs[0], dict[str, BaseModel]()

    def ask(writer: str, then: Callable[[], None]) -> None:
        form = CommandForm(
            spec.model,
            values={id_field: aggregate_id},
            fixed=(id_field,),
            heading=f"Writer {writer}: {spec.label or spec.name} on {aggregate_id}",
            help_text=f"What writer {writer} sends, decided on the version both load.",
        )

        def filled(command: BaseModel | None) -> None:
            if command is not None:
                chosen[writer] = command
                then()

        app.push_screen(form, filled)

    def start() -> None:
        app.push_screen(DomainLab(system, handler, generic_plan(aggregate_id, chosen)))

    ask("A", lambda: ask("B", start))
