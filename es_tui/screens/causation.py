"""The causation graph: every event one command set off, as a tree, across streams.

The command that started it, the events it wrote, the reactions of the process manager and
their events, each with stream, version, position, time offset and command. Moving through
the tree moves the explorer's timeline to the highlighted event (a `ShowEvent` message).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widgets import Footer, Static, Tree
from textual.widgets.tree import TreeNode

from domain.core.records import RecordedEvent
from es_tui.causation import (
    CommandNode,
    CorrelationIndex,
    causation_tree,
    correlation_of,
)
from es_tui.format import plural, short_id
from es_tui.screens.closing import dismiss_if_current
from es_tui.sources import event_style

Node = RecordedEvent | None


class ShowEvent(Message):
    """Show this event in the timeline (posted to the screen that opened the graph)."""

    def __init__(self, record: RecordedEvent) -> None:
        super().__init__()
        self.record = record


def offset_ms(record: RecordedEvent, start: RecordedEvent) -> str:
    """The time from `start` to `record`, e.g. "+52 ms"."""
    delta = (record.recorded_at - start.recorded_at).total_seconds() * 1000
    return f"+{delta:,.0f} ms"


class CausationScreen(Screen[RecordedEvent | None]):
    """The correlation of one event as a tree; `enter` closes it on the highlighted event."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,t", "close", "Close"),
    ]

    class Progressed(Message, bubble=False):
        """The correlation index caught up a little (internal)."""

        def __init__(self, indexed: int, head: int) -> None:
            super().__init__()
            self.indexed, self.head = indexed, head

    class Found(Message, bubble=False):
        """The correlation's events (internal)."""

        def __init__(self, events: list[RecordedEvent]) -> None:
            super().__init__()
            self.events = events

    def __init__(
        self,
        index: CorrelationIndex,
        record: RecordedEvent,
        follower: MessagePump | None = None,
        rule: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__()
        self.rule = rule
        """The reacting process's rule for a trigger's event type, shown on its reactions."""
        self.index = index
        self.record = record
        self.follower = follower
        self.correlation = correlation_of(record)
        self.graph: Tree[Node] = Tree("correlation", id="causation-tree")
        self.status = Static("", id="causation-status")
        self.events: list[RecordedEvent] = []
        self._moved = False

    def compose(self) -> ComposeResult:
        with Vertical(id="causation"):
            yield Static("Causation graph", id="causation-heading")
            yield Static(
                "What one command set off: its events, the reactions to them and theirs, "
                "across streams. Moving here moves the timeline; enter goes to the event.",
                id="causation-help",
            )
            yield self.status
            yield self.graph
        yield Footer()

    def on_mount(self) -> None:
        self.graph.show_root = True
        self.graph.guide_depth = 3
        if self.correlation is None:
            self.status.update("This event was written without a correlation id.")
            self.graph.root.set_label(Text("no correlation", style="dim"))
            return
        self.graph.root.set_label(Text(f"correlation {self.correlation}", style="bold"))
        self.status.update("indexing the log by correlation…")
        self._find(self.correlation)
        self.graph.focus()

    @work(thread=True, group="causation", exclusive=True, exit_on_error=False)
    def _find(self, correlation: str) -> None:
        self.index.update(lambda done, head: self.post_message(self.Progressed(done, head)))
        self.post_message(self.Found(self.index.events_of(correlation)))

    def on_causation_screen_progressed(self, message: Progressed) -> None:
        share = message.indexed / message.head if message.head else 1.0
        self.status.update(f"indexing the log by correlation… {share:.0%}")

    def on_causation_screen_found(self, message: Found) -> None:
        self.events = message.events
        roots = causation_tree(message.events)
        streams = {record.stream_id for record in message.events}
        self.status.update(
            f"{plural(len(message.events), 'event')} · {plural(len(streams), 'stream')} · "
            f"{plural(len(roots), 'command')} from outside"
        )
        start = min(message.events, key=lambda r: r.position) if message.events else None
        target: TreeNode[Node] | None = None
        for root in roots:
            target = self._add(self.graph.root, root, start) or target
        self.graph.root.expand_all()
        if target is not None:  # once the expanded tree has its lines
            self.call_after_refresh(self.graph.move_cursor, target)

    def _add(
        self,
        parent: TreeNode[Node],
        command: CommandNode,
        start: RecordedEvent | None,
        trigger: RecordedEvent | None = None,
    ) -> TreeNode[Node] | None:
        """Add `command` (a reaction to `trigger`, if given) and its events under `parent`;
        the node of `self.record` if there."""
        who = "from a user or script"
        if command.cause is not None:
            rule = self.rule(trigger.type) if self.rule and trigger else ""
            who = f"process manager: {rule}" if rule else "process manager"
        label = Text.assemble(("⌘ ", "bold"), (command.command, "bold cyan"), f"  ({who})")
        branch = parent.add(label, data=None)
        target: TreeNode[Node] | None = None
        for event in command.events:
            record = event.record
            node = branch.add(self._label(record, start), data=record, expand=True)
            if record.event_id == self.record.event_id:
                target = node
            for reaction in event.reactions:
                target = self._add(node, reaction, start, record) or target
            if not event.reactions:
                node.allow_expand = False
        return target

    @staticmethod
    def _label(record: RecordedEvent, start: RecordedEvent | None) -> Text:
        return Text.assemble(
            (record.type, f"bold {event_style(record.type)}"),
            f"  {record.stream_id} v{record.version} · pos {record.position}",
            (f" · {offset_ms(record, start) if start else ''}", "dim"),
            (f" · id {short_id(record.event_id)}", "dim"),
        )

    def on_tree_node_highlighted(self, message: Tree.NodeHighlighted[Node]) -> None:
        record = message.node.data
        if record is not None and self.follower is not None:
            self.follower.post_message(ShowEvent(record))

    def on_tree_node_selected(self, message: Tree.NodeSelected[Node]) -> None:
        """`enter` on an event closes the graph on it (on a command: folds it)."""
        if message.node.data is not None and self.app.screen is self:
            dismiss_if_current(self, message.node.data)

    def action_close(self) -> None:
        dismiss_if_current(self)
