"""A form generated from a pydantic command model: one input per field, the model's own
constraints shown next to each, validation by the same model. Dismisses with the validated
command (or None when cancelled); running it is the caller's business (or a subclass's:
`submitted` receives the validated command)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import ClassVar, Literal

from pydantic import BaseModel, ValidationError
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, Switch, TextArea

from domain.core.fields import FieldSpec, describe, plain_reason
from es_tui.screens.closing import ClosingScreen, dismiss_if_current

InputType = Literal["integer", "number", "text"]


class CommandForm(ClosingScreen[BaseModel]):
    """Fill in one command. `values` prefill fields (e.g. the selected aggregate's id and
    state); `fixed` fields are shown but not editable; `ids` maps a field name to a widget
    id (default `field-<name>`), to keep the ids other code and tests already use."""

    DEFAULT_CSS = """
    CommandForm { align: center middle; background: $background 60%; }
    CommandForm #dialog {
        width: 80; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    CommandForm #form-heading { text-style: bold; color: $text-accent; }
    CommandForm #form-help, CommandForm #form-keys, CommandForm .field-hint { color: $text-muted; }
    CommandForm #fields { height: auto; max-height: 36; }
    CommandForm TextArea { height: 6; }
    CommandForm .field-error, CommandForm #form-error { color: $text-error; height: auto; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Submit", priority=True),
    ]

    def __init__(
        self,
        model: type[BaseModel],
        *,
        values: Mapping[str, object] | None = None,
        fixed: Collection[str] = (),
        ids: Mapping[str, str] | None = None,
        heading: str | None = None,
        help_text: str = "",
    ) -> None:
        super().__init__(classes="form")
        self.model = model
        self.specs = describe(model)
        self.values = dict(values or {})
        self.fixed = frozenset(fixed)
        self._ids = {
            spec.name: (ids or {}).get(spec.name, f"field-{spec.name}") for spec in self.specs
        }
        self.heading = heading or _words(model.__name__)
        doc = (model.__doc__ or "").strip().splitlines()
        self.help_text = help_text or (doc[0] if doc else "")

    def widget_id(self, name: str) -> str:
        """The id of the input for field `name`."""
        return self._ids[name]

    # -- building ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.heading, id="form-heading")
            if self.help_text:
                yield Static(self.help_text, id="form-help")
            with VerticalScroll(id="fields"):
                for spec in self.specs:
                    hint = spec.hint
                    yield Label(f"{spec.label} ({hint})" if hint else spec.label)
                    yield self._input(spec)
                    yield Static(id=f"{self._ids[spec.name]}-error", classes="field-error")
            yield Static(id="form-error")
            yield Static("ctrl+s submit · enter next/submit · escape cancel", id="form-keys")

    def _input(self, spec: FieldSpec) -> Widget:
        widget_id, value = self._ids[spec.name], self.values.get(spec.name, spec.default)
        disabled = spec.name in self.fixed
        if spec.kind == "bool":
            return Switch(value=bool(value), id=widget_id, disabled=disabled)
        if spec.kind == "choice":
            options = [(str(choice), choice) for choice in spec.choices]
            blank = spec.optional or (spec.required and value not in spec.choices)
            chosen = value if value in spec.choices else Select.NULL
            return Select(options, value=chosen, allow_blank=blank, id=widget_id, disabled=disabled)
        text = "" if value is None else str(value)
        if spec.kind == "long_text":
            return TextArea(text, id=widget_id, disabled=disabled, tab_behavior="focus")
        kind: InputType = (
            "integer" if spec.kind == "int" else "number" if spec.kind == "decimal" else "text"
        )
        limit = spec.constraints.get("max_length")
        # Twice the limit: a person sees "at most N characters" instead of silent truncation.
        return Input(
            text,
            type=kind,
            id=widget_id,
            disabled=disabled,
            max_length=limit * 2 if isinstance(limit, int) else 0,
            placeholder=spec.hint,
        )

    def on_mount(self) -> None:
        first = next((s for s in self.specs if s.name not in self.fixed), None)
        if first is not None:
            self._widget(first.name).focus()

    def _widget(self, name: str) -> Widget:
        return self.query_one(f"#{self._ids[name]}")

    # -- reading and checking ----------------------------------------------------------------

    def _raw(self, spec: FieldSpec) -> tuple[bool, object]:
        """(given?, value) of one field as typed: a blank optional field is None; an empty
        field is not given (the model's default applies, or it says "required")."""
        widget = self._widget(spec.name)
        if isinstance(widget, Switch):
            return True, widget.value
        if isinstance(widget, Select):
            return (False, None) if widget.value is Select.NULL else (True, widget.value)
        text = (
            widget.text
            if isinstance(widget, TextArea)
            else widget.value
            if isinstance(widget, Input)
            else ""
        )
        if text.strip() == "" and spec.optional:
            return True, None
        if text == "":  # not given: the model says "required", or its default applies
            return False, None
        return True, text

    def fields(self) -> dict[str, object]:
        """The values as typed, ready for the model."""
        out: dict[str, object] = {}
        for spec in self.specs:
            given, value = self._raw(spec)
            if given:
                out[spec.name] = value
        return out

    @on(Input.Changed)
    def _check_number(self, event: Input.Changed) -> None:
        # Numbers are checked as they are typed, against the field's own constraints.
        spec = next((s for s in self.specs if self._ids[s.name] == event.input.id), None)
        if spec is None or spec.kind not in ("int", "decimal"):
            return
        error = ""
        if event.value.strip():
            try:
                spec.adapter.validate_python(event.value)
            except ValidationError as exc:
                error = plain_reason(exc.errors()[0])
        self._show(spec.name, error)

    def _show(self, name: str, reason: str) -> None:
        self.query_one(f"#{self._ids[name]}-error", Static).update(
            Text(f"✘ {reason}") if reason else ""
        )

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        editable = [s for s in self.specs if s.name not in self.fixed]
        names = [self._ids[s.name] for s in editable]
        at = names.index(event.input.id) if event.input.id in names else len(names) - 1
        if at == len(names) - 1:
            self.action_submit()
        else:
            self.query_one(f"#{names[at + 1]}").focus()

    def action_cancel(self) -> None:
        dismiss_if_current(self)

    def action_submit(self) -> None:
        """Validate with the command model: dismiss with the command, or show what is wrong
        next to each field (and send nothing)."""
        self.clear_errors()
        try:
            command = self.model.model_validate(self.fields())
        except ValidationError as exc:
            self.show_errors(
                [(str(e["loc"][0]) if e["loc"] else "", plain_reason(e)) for e in exc.errors()]
            )
            return
        self.submitted(command)

    def submitted(self, command: BaseModel) -> None:
        """A valid command was submitted: close with it (subclasses run it instead)."""
        self.close(command)

    def clear_errors(self) -> None:
        """Take every error off the form."""
        for spec in self.specs:
            self._show(spec.name, "")
        self.query_one("#form-error", Static).update("")

    def show_errors(self, errors: list[tuple[str, str]]) -> None:
        """Show reasons next to their fields (others under the form) and focus the first."""
        known = {spec.name for spec in self.specs}
        general = [reason for name, reason in errors if name not in known]
        for name, reason in errors:
            if name in known:
                self._show(name, reason)
        if general:
            self.query_one("#form-error", Static).update(Text("✘ " + "; ".join(general)))
        first = next((name for name, _ in errors if name in known and name not in self.fixed), None)
        if first is not None:
            self._widget(first).focus()


def _words(name: str) -> str:
    """`OpenAccount` -> "Open account"."""
    out = "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip()
    return out[:1].upper() + out[1:]
