"""The aggregate's state as of the highlighted event (time travel), how it was computed, and
which fields that event changed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, is_dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from rich.console import Group, RenderableType
from rich.text import Text

from domain.core.aggregate import Loaded, load
from domain.core.records import RecordedEvent
from es_tui.domain_front import command_handler
from es_tui.format import plural
from es_tui.widgets.facts import Facts
from es_tui.widgets.text_pane import TextPane

if TYPE_CHECKING:
    from domain.bootstrap import System


@dataclass(frozen=True, slots=True)
class StateView:
    """A state computed for display."""

    stream_id: str
    version: int
    head: int
    event_type: str
    how: str
    from_snapshot: int | None
    fields: dict[str, Any]
    changed: frozenset[str]
    when: str | None = None
    """Overrides the "as of vN" line (a replay says where it stands)."""
    legend: str | None = None
    """Overrides the "changed by" line (a replay's start has no event that changed it)."""


def plain_fields(state: Any) -> dict[str, Any]:
    """A state's fields in clear, as JSON values. (A fold's `dump` is the snapshot format,
    which may encrypt private fields: fine at rest, useless on screen or for comparing.)"""
    if isinstance(state, BaseModel):
        return state.model_dump(mode="json")
    if is_dataclass(state) and not isinstance(state, type):
        return asdict(state)
    return {"state": repr(state)}


def changed_fields(before: Any, after: Any) -> frozenset[str]:
    """The fields whose value differs between two states."""
    old, new = plain_fields(before), plain_fields(after)
    return frozenset(k for k, v in new.items() if old.get(k) != v)


LISTED = 8
"""Items of a list or mapping shown whole; a longer one is counted and its last few shown."""
LAST = 3


def describe(value: Any) -> str:
    """A state field as a person reads it. A long list or mapping (a state can keep one that
    grows with every event) is counted, with its newest items, never drawn whole: thousands
    of items took the state pane a tenth of a second to draw at every move."""
    if value is None:
        return "—"
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        return value[11:23].rstrip("Z")  # an ISO time: the time of day is what changes
    if isinstance(value, list | tuple) and len(value) > LISTED:
        newest = ", ".join(repr(item) for item in value[-LAST:])
        return f"{len(value):,} items, the last {LAST}: [… {newest}]"
    if isinstance(value, dict) and len(value) > LISTED:
        newest = ", ".join(f"{k!r}: {v!r}" for k, v in list(value.items())[-LAST:])
        return f"{len(value):,} entries, the last {LAST}: {{… {newest}}}"
    return str(value)


def fold_of(system: System) -> Any:
    """The fold states are computed with: the ideas fold under ideas, else the running
    domain's handler's (raw mode: NoDomainError says why there is none)."""
    return system.fold if system.fold is not None else command_handler(system).fold


def compute_state(system: System, record: RecordedEvent) -> StateView:
    """Load the stream as of `record` (latest usable snapshot + tail) and diff it with the
    state one version earlier."""
    fold = fold_of(system)  # raw mode: none, the error is shown
    store = system.store
    stream = record.stream_id
    before = (
        load(store, stream, fold, to_version=record.version - 1) if record.version > 1 else None
    )
    at_snapshot = any(
        s.version == record.version and s.state_schema_version == fold.state_schema_version
        for s in store.snapshots(stream)
    )
    loaded: Loaded[Any]
    if before is None or at_snapshot:  # a load as of `record` starts from its own snapshot
        loaded = load(store, stream, fold, to_version=record.version)
    else:  # one more event on the state before it: the same as loading again, half the work
        loaded = Loaded(
            stream,
            fold.evolve(before.state, record),
            record.version,
            record.event_id,
            before.snapshot,
            before.events_applied + 1,
        )
    now = plain_fields(loaded.state)
    old = plain_fields(before.state) if before else {}
    changed = frozenset(k for k, v in now.items() if old.get(k) != v)
    info = store.stream_info(record.stream_id)
    snap = loaded.snapshot.version if loaded.snapshot else None
    head = info.version if info else record.version
    return StateView(
        record.stream_id, loaded.version, head, record.type, loaded.how(), snap, now, changed
    )


class RawReason(Exception):
    """Raw mode: why no state is computed (shown plainly, not as a failure)."""


class StatePane(TextPane):
    """Shows a `StateView` (computed by the caller, in a worker)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            Text("Highlight an event to see the state it produced.", style="dim"), id=id
        )
        self.record: RecordedEvent | None = None
        self.view: StateView | None = None

    def show(self, record: RecordedEvent | None, view: StateView | Exception | None) -> None:
        """Show the state `record` produced (or why it cannot be computed)."""
        self.record = record
        self.view = view if isinstance(view, StateView) else None
        if record is None:
            self.update(Text("No event highlighted: no state to show.", style="dim"))
        elif isinstance(view, StateView):
            self.update(render_state(view))
        elif isinstance(view, RawReason):
            self.update(Text.assemble((record.stream_id, "bold"), "\n", (str(view), "dim")))
        else:
            text = f"Cannot compute a state for {record.stream_id}: {view}"
            self.update(Text(text, style="red"))


def render_state(view: StateView) -> RenderableType:
    """The state as a table with the changed fields marked."""
    when = view.when or (
        f"as of v{view.version} (latest)"
        if view.version >= view.head
        else f"as of v{view.version} of {view.head} (time travel)"
    )
    title = Text.assemble((view.stream_id, "bold"), f"  {when}")
    if view.from_snapshot is None:
        source = Text.assemble("computed: ", (view.how, "bold cyan"))
    else:
        source = Text.assemble(
            "computed: ",
            (view.how, "bold green"),
            ("\n(from a snapshot, not a replay from v1)", "dim"),
        )
    rows = []
    for name, value in view.fields.items():
        changed = name in view.changed
        mark = Text("●", style="bold yellow") if changed else Text(" ")
        rows.append((mark, name, Text(describe(value), style="bold yellow" if changed else "")))
    grid = Facts(rows, gap=1)
    legend = Text.assemble(  # the count first: it never wraps away from its noun
        ("● ", "bold yellow"),
        view.legend
        or f"{plural(len(view.changed), 'field')} changed by {view.event_type} (v{view.version})",
        style="dim",
    )
    return Group(title, source, Text(""), grid, Text(""), legend)
