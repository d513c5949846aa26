"""The conflict lab: two writers load the same idea at the same version; whoever commits
second is refused (optimistic concurrency), then reloads and retries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static

from domain.bootstrap import ideas_handler
from domain.core.aggregate import Loaded
from domain.core.errors import ConcurrencyError
from domain.core.handler import Outcome
from domain.core.records import COMMAND, RecordedEvent, StreamInfo
from domain.ideas.codec import stream_id_of
from domain.ideas.fields import DESCRIPTION_MAX, TITLE_MAX
from domain.ideas.state import IdeaState
from es_tui.format import short_id
from es_tui.messages import CommandRan, StoreChanges
from es_tui.screens.lab import WRITERS, Result, TwoWriterLab

if TYPE_CHECKING:
    from domain.bootstrap import System

A_NOTE = " (edited by A)"


@dataclass(frozen=True, slots=True)
class Proposal:
    """What a writer wants to change, derived from what it loaded."""

    title: str | None = None
    description: str | None = None

    def describe(self) -> str:
        if self.title is not None:
            return f"set the title to {self.title!r}"
        return f"append {A_NOTE!r} to the description"


def propose(writer: str, state: IdeaState) -> Proposal:
    """A writes the description, B the title: different fields, so A's retry still changes
    something after B's commit."""
    if writer == "B":
        return Proposal(title=f"{(state.title or '')[: TITLE_MAX - 4]} (B)")
    base = (state.description or "")[: DESCRIPTION_MAX - len(A_NOTE)]
    return Proposal(description=f"{base}{A_NOTE}")


class ConflictLab(TwoWriterLab):
    """Writers A and B side by side, each step explained in one line."""

    SUBJECT = "the idea"
    ORDER = "b commits B, then a commits A"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "commit('B')", "Commit B"),
        Binding("a", "commit('A')", "Commit A"),
        Binding("r", "retry", "Reload & retry"),
        Binding("s", "start", "Start over"),
        Binding("escape", "close", "Back"),
    ]

    class Staged(Message, bubble=False):
        """Writers loaded the idea (internal)."""

        def __init__(self, loads: dict[str, Loaded[IdeaState]] | Exception, retry: bool):
            super().__init__()
            self.loads = loads
            self.retry = retry

    class Committed(Message, bubble=False):
        """A writer's commit finished (internal)."""

        def __init__(self, writer: str, result: Result, info: StreamInfo | None) -> None:
            super().__init__()
            self.writer = writer
            self.result = result
            self.info = info

    class StreamRead(Message, bubble=False):
        """The stream's version and last event (internal)."""

        def __init__(self, info: StreamInfo | None, last: RecordedEvent | None) -> None:
            super().__init__()
            self.info = info
            self.last = last

    def __init__(self, system: System, idea_id: str, changes: StoreChanges | None = None) -> None:
        super().__init__()
        self.system = system
        self.changes = changes
        """The app's signal of commits, to follow the stream as others move it."""
        self.idea_id = idea_id
        self.stream_id = stream_id_of(idea_id)

    def heading(self) -> str:
        return f"Conflict lab · {self.stream_id} — optimistic concurrency"

    def lede(self) -> str:
        return (
            "Each writer appends with the version it loaded as its expected version. The "
            "store accepts the first append and refuses the stale one: nothing is lost, "
            "nothing is overwritten."
        )

    def on_mount(self) -> None:
        self._title_panes()
        if self.changes is not None:
            self.changes.subscribe(self, self.store_changed)
        self.action_start()
        self._read_stream()

    def store_changed(self, _: None = None) -> None:
        """Show the stream as the store has it now (other writers may move it too)."""
        self._read_stream()

    @work(thread=True, group="lab-stream", exclusive=True, exit_on_error=False)
    def _read_stream(self) -> None:
        store = self.system.store
        info = store.stream_info(self.stream_id)
        last = store.read_stream(self.stream_id, info.version) if info else []
        self.post_message(self.StreamRead(info, last[-1] if last else None))

    def on_conflict_lab_stream_read(self, message: StreamRead) -> None:
        info, last = message.info, message.last
        if info is None or last is None:
            text = Text(f"{self.stream_id} is not in the store", style="red")
        else:
            who = last.metadata.get(COMMAND, "")
            text = Text.assemble(
                ("In the store: ", "bold"),
                f"{self.stream_id} at ",
                (f"v{info.version}", "bold"),
                f" · last event {short_id(last.event_id)} {last.type}",
                (f" ({who})" if who else "", "dim"),
            )
        self.query_one("#lab-stream", Static).update(text)

    # -- loading -------------------------------------------------------------------------

    def action_start(self) -> None:
        self._notice("s", "start over")
        self.results.clear()
        self.load_error = None
        self.writers_loading = True
        self._stage(WRITERS, retry=False)

    @work(thread=True, group="lab", exclusive=True, exit_on_error=False)
    def _stage(self, writers: tuple[str, ...], retry: bool) -> None:
        try:
            loads: dict[str, Loaded[IdeaState]] | Exception = {
                w: ideas_handler(self.system).stage(self.idea_id) for w in writers
            }
        except Exception as error:
            loads = error
        self.post_message(self.Staged(loads, retry))

    def on_conflict_lab_staged(self, message: Staged) -> None:
        if not message.retry:
            self.writers_loading = False
        if isinstance(message.loads, Exception):
            self.pending.clear()
            self.load_error = message.loads
            self._explain(Text(f"Could not load the idea: {message.loads}", style="red"))
            return
        self.staged.update(message.loads)
        for writer in message.loads:
            self.results.pop(writer, None)
        version = next(iter(message.loads.values())).version
        if message.retry:
            (writer,) = message.loads
            self._explain(f"{writer} reloads the idea: now at v{version}; it retries its edit.")
            self._commit(writer)
        else:
            self._explain(
                f"A and B both load {self.stream_id} at v{version}: each will append with "
                f"expected version v{version}. Press b to commit B, then a to commit A."
            )
        self._show_writers()

    # -- committing ----------------------------------------------------------------------

    def _reload(self, writer: str) -> None:
        self._stage((writer,), retry=True)

    @work(thread=True, group="lab-commit", exit_on_error=False)
    def _commit(self, writer: str) -> None:
        staged = self.staged[writer]
        proposal = propose(writer, staged.state)
        try:
            result: Result = ideas_handler(self.system).commit_edit(
                staged, title=proposal.title, description=proposal.description
            )
        except Exception as error:
            result = error
        info = self.system.store.stream_info(self.stream_id)
        self.post_message(self.Committed(writer, result, info))

    def on_conflict_lab_committed(self, message: Committed) -> None:
        writer, result = message.writer, message.result
        self.results[writer] = result
        self.pending.discard(writer)
        self.app.post_message(CommandRan("EditIdea", self.stream_id, result, f"writer {writer}"))
        loaded = self.staged[writer].version
        if isinstance(result, Outcome):
            self._explain(
                f"{writer} commits: expected v{loaded} matches the stream, so the append "
                f"succeeds: v{loaded} → v{result.version}."
            )
        elif isinstance(result, ConcurrencyError):
            now = message.info.version if message.info else None
            self._explain(self._refused_by_version(writer, result, now))
        else:
            self._explain(Text(f"{writer} is refused: {result}", style="red"))
        self._show_writers()

    def _show_writers(self) -> None:
        for writer in WRITERS:
            self.query_one(f"#writer-{writer.lower()}", Static).update(self._writer_card(writer))

    def _writer_card(self, writer: str) -> Group:
        staged = self.staged.get(writer)
        if staged is None:
            return Group(Text("loading…", style="dim"))
        state = staged.state
        return Group(
            Text.assemble("loaded ", (f"v{staged.version}", "bold"), f" ({staged.how()})"),
            Text.assemble("title: ", (state.title or "—", "")),
            Text(f"wants: {propose(writer, state).describe()}"),
            self._status(writer),
        )
