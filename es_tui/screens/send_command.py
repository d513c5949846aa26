"""Send any of the running domain's commands: a menu of the commands a person issues, then a
form generated from the chosen command's model, prefilled from the selected aggregate. The
command runs in a worker; a refusal is shown in the form and nothing is sent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from domain.core.handler import Outcome
from domain.core.port import CommandSpec
from es_tui.messages import CommandRan
from es_tui.screens.closing import ClosingScreen, dismiss_if_current
from es_tui.screens.command_form import CommandForm

if TYPE_CHECKING:
    from domain.core.handler import DomainHandler


def summary(spec: CommandSpec) -> str:
    """The first line of the command model's docstring (its label when it has none)."""
    doc = (spec.model.__doc__ or "").strip().splitlines()
    return doc[0] if doc else spec.label or spec.name


def target_field(spec: CommandSpec) -> str | None:
    """The command's field that names the aggregate it acts on (None for a creating one):
    the one field whose value the spec's `target` hands back."""
    if spec.target is None:
        return None
    for name, info in spec.model.model_fields.items():
        if info.annotation is not str and "str" not in str(info.annotation):
            continue
        marker = f"\x00{name}"
        try:
            if spec.target(spec.model.model_construct(None, **{name: marker})) == marker:
                return name
        except Exception:  # a target reading another field: not this one
            continue
    return None


def prefill(
    handler: DomainHandler[Any], spec: CommandSpec, stream_id: str | None
) -> dict[str, object]:
    """Values for the form: the selected aggregate's id in the target field and its current
    state's values where the names match. Loads the aggregate: run it off the UI thread."""
    domain = handler.domain
    field = target_field(spec)
    aggregate_id = domain.aggregate_id(stream_id) if stream_id else None
    if field is None or aggregate_id is None:
        return {}
    values: dict[str, object] = {}
    try:
        state = handler.load(aggregate_id).state
    except Exception:  # a stream the fold cannot read: the id alone is still a good guess
        state = None
    if state is not None:
        names = set(spec.model.model_fields)
        values.update(
            (f.name, value)
            for f, value in domain.state_values(state)
            if f.name in names and value is not None and not f.private
        )
    values[field] = aggregate_id
    return values


class CommandMenu(ClosingScreen[str]):
    """Choose one of the domain's commands: closes with its name (None when cancelled)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    DEFAULT_CSS = """
    CommandMenu #command-list { height: auto; max-height: 20; }
    """

    def __init__(self, domain_name: str, specs: tuple[CommandSpec, ...], subject: str) -> None:
        super().__init__(classes="form")
        self.domain_name = domain_name
        self.specs = specs
        self.subject = subject

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"Send a command · {self.domain_name}", id="form-heading")
            about = f"on {self.subject}" if self.subject else "no stream selected"
            yield Static(f"A form generated from the command's model ({about}).", id="form-help")
            yield OptionList(
                *(
                    Option(
                        Text.assemble((spec.name, "bold"), "  ", (summary(spec), "dim")),
                        id=spec.name,
                    )
                    for spec in self.specs
                ),
                id="command-list",
            )
            yield Static("enter choose · escape cancel", id="form-keys")

    def on_mount(self) -> None:
        self.query_one("#command-list").focus()

    @on(OptionList.OptionSelected, "#command-list")
    def _chosen(self, message: OptionList.OptionSelected) -> None:
        self.close(message.option.id)

    def action_cancel(self) -> None:
        dismiss_if_current(self)


class SendCommandForm(CommandForm):
    """The generated form of one command; submitting runs it with the domain's handler.
    Closes with the command once it ran (`outcome` holds what it did)."""

    class Done(Message, bubble=False):
        """The command ran (internal)."""

        def __init__(self, result: Outcome[Any] | Exception, stream_id: str) -> None:
            super().__init__()
            self.result = result
            self.stream_id = stream_id

    def __init__(
        self,
        handler: DomainHandler[Any],
        spec: CommandSpec,
        *,
        values: Mapping[str, object] | None = None,
    ) -> None:
        help_text = summary(spec)
        if spec.creates:
            help_text += "\nCreates a new stream under a fresh id (expected version: no stream)."
        else:
            help_text += "\nLoads the aggregate, decides, appends at the loaded version."
        super().__init__(
            spec.model, values=values, heading=f"Send {spec.name}", help_text=help_text
        )
        self.handler = handler
        self.spec = spec
        self.busy = False
        self.outcome: Outcome[Any] | None = None

    def on_mount(self) -> None:
        # After the form's own first focus: past a prefilled id, to where typing is due.
        empty = next((s for s in self.specs if s.name not in self.values), None)
        if empty is not None:
            self.call_after_refresh(self.query_one(f"#{self.widget_id(empty.name)}").focus)

    def submitted(self, command: BaseModel) -> None:
        if not self.busy:
            self.busy = True
            self._run(command)

    @work(thread=True, group="send-command", exit_on_error=False)
    def _run(self, command: BaseModel) -> None:
        try:
            result: Outcome[Any] | Exception = self.handler.execute(command)
        except Exception as error:  # refusals and store errors are shown, never raised
            result = error
        target = self.spec.target
        stream_id = self.handler.domain.stream_id(target(command)) if target else ""
        self.post_message(self.Done(result, stream_id))

    def on_send_command_form_done(self, message: Done) -> None:
        self.busy = False
        result = message.result
        if isinstance(result, Outcome):
            self.outcome = result
            self.app.post_message(CommandRan(self.spec.name, result.stream_id, result))
            self.close(None)
            return
        self.app.post_message(CommandRan(self.spec.name, message.stream_id, result))
        errors = getattr(result, "errors", None)
        if isinstance(errors, Mapping) and errors:
            self.show_errors([(str(name), str(reason)) for name, reason in errors.items()])
        else:
            text = Text.assemble(("✘ refused: ", "bold"), f"{type(result).__name__}: {result}")
            self.query_one("#form-error", Static).update(text)
