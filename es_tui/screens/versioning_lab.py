"""The versioning lab: propose a change to an event's model and see, before anything is
registered, whether the rule "the new version must be constructible from the previous one"
accepts it, why not if not, and how the stored events would read through it."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from pydantic import BaseModel
from rich.console import Group, RenderableType
from rich.json import JSON
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Select, Static

from domain.core.protocol import EventStore
from domain.core.records import RecordedEvent
from domain.core.versioning import EventRegistry
from es_tui.catalogue import model_fields
from es_tui.format import to_json
from es_tui.model_change import TYPES, Kind, Proposal, ProposalError, Verdict, check
from es_tui.screens.closing import dismiss_if_current

SAMPLE = 5
"""Stored events of the chosen type read through the proposal."""
BATCH = 2000

Decode = Callable[[RecordedEvent], BaseModel]


def render_verdict(verdict: Verdict) -> RenderableType:
    """The rule's answer and the stored events as they would read."""
    proposal = verdict.proposal
    if verdict.accepted:
        head = Text.assemble(
            ("✔ accepted", "bold green"),
            f": {proposal.describe()} — every payload of the current version builds the new one.",
        )
    else:
        head = Text.assemble(
            ("✘ refused", "bold red"), f": {proposal.describe()} — the registry would say:"
        )
    parts: list[RenderableType] = [head]
    parts += [Text(f"  • {problem}", style="red") for problem in verdict.problems]
    fields = model_fields(verdict.model)
    parts.append(
        Text("proposed fields: " + ", ".join(f"{k}: {v}" for k, v in fields.items()), style="dim")
    )
    parts.append(Text(""))
    if not verdict.read:
        parts.append(Text("No stored event of this type to read.", style="dim"))
    for record, read in verdict.read:
        where = f"{record.stream_id} v{record.version} (stored v{record.schema_version})"
        if isinstance(read, str):
            parts.append(Text.assemble((f"{where}: ", "bold"), (f"cannot read: {read}", "red")))
        else:
            parts.append(Text(f"{where} would read as:", style="bold"))
            parts.append(JSON(to_json(read)))
    return Group(*parts)


class VersioningLab(Screen[None]):
    """One proposal at a time, checked as it is typed."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    class Sampled(Message, bubble=False):
        """Stored events of the chosen type (internal)."""

        def __init__(self, event_type: str, events: list[RecordedEvent]) -> None:
            super().__init__()
            self.event_type, self.events = event_type, events

    def __init__(
        self, store: EventStore, registry: EventRegistry, decode: Decode, event_type: str = ""
    ) -> None:
        super().__init__()
        self.store = store
        self.registry = registry
        self.decode = decode
        types = registry.types()
        self.event_type = event_type if event_type in types else types[0]
        self.samples: dict[str, list[RecordedEvent]] = {}
        self.verdict: Verdict | None = None
        self.type_select: Select[str] = Select(
            [(t, t) for t in types], value=self.event_type, allow_blank=False, id="lab-type"
        )
        self.kind_select: Select[Kind] = Select(
            [(k.value, k) for k in Kind], value=Kind.ADD, allow_blank=False, id="lab-kind"
        )
        self.field_input = Input(placeholder="field", value="note", id="lab-field")
        self.type_name: Select[str] = Select(
            [(t, t) for t in TYPES], value="str", allow_blank=False, id="lab-type-name"
        )
        self.extra = Input(
            placeholder="default as JSON (empty: required) · or the new name",
            value='""',
            id="lab-extra",
        )
        self.current = Static("", id="lab-current")
        self.result = Static("", id="lab-verdict")

    def compose(self) -> ComposeResult:
        with Vertical(id="versioning-lab"):
            yield Static("Versioning lab", id="versioning-heading")
            yield Static(
                "Propose the next version of an event's model. The registry's rule: the new "
                "version must be constructible from every payload of the previous one. "
                "Nothing is registered here. tab moves between fields.",
                id="versioning-help",
            )
            with Horizontal(id="lab-form"):
                yield self.type_select
                yield self.kind_select
                yield self.field_input
                yield self.type_name
                yield self.extra
            yield self.current
            with VerticalScroll(id="lab-result"):
                yield self.result
        yield Footer()

    def on_mount(self) -> None:
        self._sample(self.event_type)
        self.recheck()
        self.field_input.focus()

    def proposal(self) -> Proposal:
        """The proposal the form describes."""
        kind = self.kind_select.value
        kind = kind if isinstance(kind, Kind) else Kind.ADD
        extra = self.extra.value.strip()
        type_name = self.type_name.value if isinstance(self.type_name.value, str) else "str"
        return Proposal(
            self.event_type,
            kind,
            self.field_input.value.strip(),
            type_name=type_name,
            default=(extra or None) if kind is Kind.ADD else None,
            new_name=extra if kind is Kind.RENAME else "",
        )

    def recheck(self) -> None:
        """Check the form's proposal and show the answer."""
        current = self.registry.model(self.event_type)
        version = self.registry.latest_version(self.event_type)
        fields = model_fields(current)
        self.current.update(
            Text.assemble(
                (f"{self.event_type} v{version} (current): ", "bold"),
                ", ".join(f"{k}: {v}" for k, v in fields.items()) or "(no fields)",
            )
        )
        try:
            proposal = self.proposal()
            self.verdict = check(
                current, proposal, self.samples.get(self.event_type, []), self.decode
            )
        except ProposalError as error:
            self.verdict = None
            self.result.update(Text(f"✘ cannot build this proposal: {error.reason}", "red"))
            return
        self.result.update(render_verdict(self.verdict))

    @on(Select.Changed)
    @on(Input.Changed)
    def _changed(self, message: Message) -> None:
        chosen = self.type_select.value
        if isinstance(chosen, str) and chosen != self.event_type:
            self.event_type = chosen
            self._sample(chosen)
        self.recheck()

    @work(thread=True, group="lab-sample", exclusive=True, exit_on_error=False)
    def _sample(self, event_type: str) -> None:
        if event_type in self.samples:
            return
        found: list[RecordedEvent] = []
        head, at = self.store.head_position(), 0
        while at < head and len(found) < SAMPLE:
            batch = self.store.read_all(at + 1, BATCH)
            if not batch:
                break
            found += [r for r in batch if r.type == event_type][: SAMPLE - len(found)]
            at = batch[-1].position
        self.post_message(self.Sampled(event_type, found))

    def on_versioning_lab_sampled(self, message: Sampled) -> None:
        self.samples[message.event_type] = message.events
        if message.event_type == self.event_type:
            self.recheck()

    def action_close(self) -> None:
        dismiss_if_current(self, None)
