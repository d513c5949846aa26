"""The main screen: streams, timeline, snapshots, state, projection and log, all live."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Footer, Header, Tab, Tabs
from textual.worker import get_current_worker

from domain.core.port import CommandSpec
from domain.core.protocol import ALL_STREAM
from domain.core.records import RecordedEvent, Snapshot, StreamInfo
from es_tui.focus import Inspection, Requests, inspect
from es_tui.fronts import running_part
from es_tui.messages import CommandRan, StoreChanges
from es_tui.raw import library_store, streams_source
from es_tui.screens.confirm import ConfirmCommand, Result, outcome_of
from es_tui.screens.domain_lab import open_domain_lab
from es_tui.screens.erasure import ErasureReportScreen
from es_tui.screens.explore import Explore
from es_tui.screens.library_replay import LibraryReplayScreen
from es_tui.screens.replay import ReplayScreen
from es_tui.screens.send_command import CommandMenu, SendCommandForm, prefill
from es_tui.sources import LogRow, SnapshotsSource, StreamsSource
from es_tui.stream_filter import FilteredStreams
from es_tui.widgets.line_list import LineList
from es_tui.widgets.log_pane import LogPane
from es_tui.widgets.projection_pane import ProjectionPane
from es_tui.widgets.state_pane import StatePane
from es_tui.widgets.stream_list import StreamFilterBar, StreamList
from es_tui.widgets.timeline_pane import TimelinePane
from es_tui.widgets.traffic_bar import TrafficBar

if TYPE_CHECKING:
    from domain.bootstrap import System

NARROW_WIDTH = 120
SHORT_HEIGHT = 32
REFRESH_INTERVAL = 0.05
"""Commits arriving closer together than this are shown in one refresh."""
REFRESH_GAP = 0.25
"""Under a steady stream of commits, at most one refresh this often (live, but cheap)."""
KEYS_FIRST = 0.15
"""A refresh due while keys are being pressed waits until none came for this long: it
repaints every pane, and a key arriving meanwhile would wait for it."""
MAX_STALE = 1.0
"""…but panes never wait more than this for a refresh that is due."""

TABS = ("timeline", "state", "projection", "log")


PART_ONLY = frozenset({"publish", "edit", "delete"})
"""Actions only a domain's own explorer part runs: off (their keys hidden) where none takes
them over."""

ANY_DOMAIN = frozenset(
    {
        "traffic",
        "traffic_faster",
        "traffic_slower",
        "traffic_rate",
        "toggle_view",
        "rebuild_view",
        "conflict_lab",
    }
)
"""Actions on any domain's handler and read models: off in raw mode (no domain)."""

DOMAIN_KEYS = {
    "p": "publish",
    "e": "edit",
    "d": "delete",
    "f": "forget",
    "r": "replay",
    "c": "conflict_lab",
    "n": "send_command",
}
"""Keys of the actions that need a domain: hidden in raw mode, and explained when pressed."""
RAW_MODE = "raw mode: no domain runs here — open with --domain NAME to send commands"


@runtime_checkable
class ActionsPart(Protocol):
    """What the main screen needs of a domain's own explorer part: the actions it takes over
    (its own forms and lab instead of the generated ones), and how it runs them."""

    selection: str
    """How a warning names what to select first ("an idea stream")."""
    palette: tuple[tuple[str, str, str], ...]
    """Command palette entries for its actions: title, help, action name."""

    def actions(self, system: System) -> frozenset[str]:
        """The main screen's actions it takes over on `system` (of `PART_ONLY` and
        "conflict_lab"; empty: none)."""
        ...

    def act(self, action: str, screen: MainScreen) -> None:
        """Run `action`, one of `actions(screen.system)`, from the main screen."""
        ...


def actions_part(system: System) -> ActionsPart | None:
    """The running domain's own explorer part, if it takes over any action."""
    part = running_part(system, "explorer")
    return part if isinstance(part, ActionsPart) else None


class MainScreen(Explore):
    """Every pane of the explorer. At small sizes the right-hand panes become tabs."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "publish", "Publish"),
        Binding("e", "edit", "Edit"),
        Binding("d", "delete", "Delete"),
        Binding("f", "forget", "Forget"),
        Binding("r", "replay", "Replay"),
        Binding("c", "conflict_lab", "Conflict"),
        # In the footer where no part's keys fill it (at 80 columns p e d f r c leave no room).
        Binding("n", "send_command('footer')", "Send"),
        Binding("n", "send_command", "Send", show=False),
        Binding("slash", "filter", "Filter", show=False),  # in help and the palette
        Binding("g", "traffic", "Traffic"),
        Binding("plus,equals_sign", "traffic_rate(1)", "Traffic faster", show=False),
        Binding("minus", "traffic_rate(-1)", "Traffic slower", show=False),
        Binding("v", "toggle_view", "Pause view", show=False),
        Binding("b", "rebuild_view", "Rebuild view", show=False),
        Binding("1", "show_pane('streams')", "Streams", show=False),
        Binding("2", "show_pane('timeline')", "Timeline", show=False),
        Binding("3", "show_pane('state')", "State", show=False),
        Binding("4", "show_pane('projection')", "Projection", show=False),
        Binding("5", "show_pane('log')", "Log", show=False),
    ]

    class Inspected(Message, bubble=False):
        """The highlighted event's details, state and snapshots (internal)."""

        def __init__(self, inspection: Inspection) -> None:
            super().__init__()
            self.inspection = inspection

    class StreamFound(Message, bubble=False):
        """The row of a stream to select (internal)."""

        def __init__(self, index: int | None) -> None:
            super().__init__()
            self.index = index

    def __init__(self, system: System, changes: StoreChanges) -> None:
        super().__init__()
        self.system = system
        self.part = actions_part(system)
        """The domain's own explorer part (None: every action is the generic one)."""
        self.part_actions = self.part.actions(system) if self.part is not None else frozenset()
        """The actions that part takes over."""
        self.changes = changes
        """Published once per burst of commits; this screen and the labs it opens follow it."""
        self.stream_id = ALL_STREAM
        """The stream selected in #streams."""
        self.event: RecordedEvent | None = None
        """The event highlighted in the timeline."""
        self.imported = False
        """Raw mode on a library store whose modules were imported: the library rebuilds
        its aggregates for the state pane."""
        self._refresh_due = False
        self._refreshed = 0.0
        self._due_since = 0.0
        self._key_at = 0.0
        self._outcomes: list[CommandRan] = []
        """Outcomes to write to #log with the next refresh."""
        self.streams = StreamList(
            streams_source(system.store), paint_with_highlight=True, id="streams"
        )
        self.streams_filter = StreamFilterBar(id="streams-filter-bar")
        self.snapshots: LineList[Snapshot] = LineList(
            empty="no snapshots kept", announce=False, id="snapshots"
        )
        self.timeline = TimelinePane(system, id="timeline")
        self.state_pane = StatePane(id="state")
        self.inspection: Inspection | None = None
        self.requests = Requests()
        """What the inspector thread is asked to inspect next."""
        """What the panes show about the highlighted event."""
        self._snapshots_shown: tuple[str | None, tuple[Snapshot, ...] | None] = (None, None)
        self.projection = ProjectionPane(system, id="projection")
        self.log_pane = LogPane(system, id="log")
        self.traffic = TrafficBar(system, id="traffic-status")
        self.explore_setup(system)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                yield self.streams_filter
                yield self.streams
                yield self.snapshots
            with Vertical(id="main"):
                yield Tabs(*(Tab(t.title(), id=f"tab-{t}") for t in TABS), id="pane-tabs")
                with Horizontal(id="upper"):
                    yield self.timeline
                    with Vertical(id="right"):
                        yield self.state_pane
                        yield self.projection
                yield self.log_pane
        yield self.traffic
        yield Footer()

    def on_mount(self) -> None:
        self.streams.border_title = "Streams"
        self.snapshots.border_title = "Snapshots"
        self.state_pane.border_title = "State"
        self.projection.border_title = self.projection.title()
        self.log_pane.border_title = "Log"
        self.changes.subscribe(self, self.store_changed)
        self._inspector()
        self.say_numbers()
        self.streams.reload("start")
        self.set_class(True, "-show-timeline")
        self.streams.focus()

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW_WIDTH or event.size.height < SHORT_HEIGHT
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")  # (the app fits every screen's footer)
            self.refresh_bindings()  # a wide footer has room for more keys

    # -- live updates --------------------------------------------------------------------

    def store_changed(self, _: None = None) -> None:
        """Something was stored (commits, a snapshot taken here): refresh every pane soon
        (bursts share one refresh)."""
        self._refresh_soon()

    def _refresh_soon(self) -> None:
        if not self._refresh_due:
            self._refresh_due = True
            self._due_since = time.monotonic()
            wait = max(REFRESH_INTERVAL, self._refreshed + REFRESH_GAP - self._due_since)
            self.set_timer(wait, self._refresh_panes)

    def on_key(self, event: events.Key) -> None:
        self._key_at = time.monotonic()  # seen on its way up; whoever binds it still does
        raw, key = self.system.domain is None, event.key
        if raw and key in DOMAIN_KEYS and not self.check_action(DOMAIN_KEYS[key], ()):
            self.notify(RAW_MODE, severity="warning")  # its binding is off: say why

    def _refresh_panes(self) -> None:
        now = time.monotonic()
        keys_stop = self._key_at + KEYS_FIRST - now
        if keys_stop > 0 and now - self._due_since < MAX_STALE:
            self.set_timer(keys_stop, self._refresh_panes)  # keys first
            return
        self._refresh_due = False
        self._refreshed = time.monotonic()
        outcomes, self._outcomes = self._outcomes, []
        self.log_pane.write_outcomes(*outcomes)
        self.streams.reload()
        self.timeline.refresh_rows()
        self.projection.refresh_view()
        self.log_pane.follow()
        self._inspect(self.timeline.highlighted, self.inspection)

    def log_command(self, ran: CommandRan) -> None:
        """Record a command's outcome in #log: yours at once; those of the process manager
        and the traffic generator with the next refresh (a repaint each, dozens a second
        under traffic, delayed the keys)."""
        if ran.actor == "you":
            self.log_pane.write_outcomes(ran)
            return
        self._outcomes.append(ran)
        self._refresh_soon()

    # -- selection -----------------------------------------------------------------------

    @on(LineList.Highlighted, "#streams")
    def _stream_highlighted(self, message: LineList.Highlighted) -> None:
        message.stop()  # handled: it need not travel on to the app
        row = message.row
        stream_id = row.stream_id if isinstance(row, StreamInfo) else ALL_STREAM
        self.stream_id = stream_id
        if stream_id != self.timeline.stream_id:
            self.timeline.show_stream(stream_id)  # painted with the timeline (see Inspected)
        else:
            self.streams.painted()

    @on(LineList.Selected, "#streams")
    def _stream_opened(self) -> None:
        self.timeline.events.focus()

    @on(LineList.Selected, "#projection-list")
    def _row_opened(self, message: LineList.Selected) -> None:
        stream_id = self.projection.stream_of(message.row)
        if stream_id:
            self.select_stream(stream_id)
            self.timeline.events.focus()

    @on(LineList.Highlighted, "#timeline-list")
    def _event_highlighted(self, message: LineList.Highlighted) -> None:
        message.stop()
        row = message.row
        self.land(row)
        self.event = row if isinstance(row, RecordedEvent) else None
        self._inspect(row, None)

    def _inspect(self, row: LogRow | None, before: Inspection | None) -> None:
        self.requests.ask(row, before)

    @work(thread=True, group="inspector", exit_on_error=False)
    def _inspector(self) -> None:
        """Inspects what the cursor lands on, for as long as the screen lives."""
        worker = get_current_worker()
        while not worker.is_cancelled:
            asked = self.requests.take(timeout=0.5)
            if asked is None:
                continue
            try:
                found = inspect(self.system, *asked, self.imported)
            except Exception as error:  # a closed store while quitting, say: keep serving
                found = Inspection(asked[0], read=error, state=error)
            if found is not None:
                self.post_message(self.Inspected(found))
            self.requests.done()

    def on_main_screen_inspected(self, message: Inspected) -> None:
        found = message.inspection
        if found.row is not self.timeline.highlighted:
            return  # the cursor moved on meanwhile; its own inspection follows
        self.inspection = found
        self.timeline.events.painted()
        self.streams.painted()
        self.timeline.details.show(found.row, found.read, found.read_version)
        self.state_pane.show(found.record, found.state)
        self._show_snapshots(found)

    def _show_snapshots(self, found: Inspection) -> None:
        record = found.record
        stream_id = record.stream_id if record else None
        shown = (stream_id, found.snapshots)
        if shown == self._snapshots_shown:
            return  # unchanged: no repaint
        self._snapshots_shown = shown
        if stream_id is None or found.snapshots is None:
            self.snapshots.show_rows(None, [])
            self.snapshots.border_title = "Snapshots"
            return
        source = SnapshotsSource(self.system.store, stream_id)
        self.snapshots.show_rows(source, list(found.snapshots))
        self.snapshots.border_title = f"Snapshots · {stream_id}"

    @property
    def focus_stream(self) -> str | None:
        """The stream commands act on: the selected one, or the highlighted event's."""
        if self.stream_id != ALL_STREAM:
            return self.stream_id
        return self.event.stream_id if self.event else None

    def current_aggregate(self) -> str | None:
        """The aggregate the next command is about: the read-model row's if the list has
        focus and its row names a stream, else the selected stream's (None: not one of the
        domain's streams)."""
        domain = self.system.domain
        if domain is None:
            return None
        stream = self.focus_stream
        if self.focused is self.projection.ideas:
            row = self.projection.ideas.highlighted
            stream = (self.projection.stream_of(row) if row is not None else None) or stream
        return domain.aggregate_id(stream) if stream else None

    def select_stream(self, stream_id: str) -> None:
        """Move the #streams cursor to `stream_id` (once the store lists it)."""
        self._find_stream(stream_id)

    @work(thread=True, group="find-stream", exclusive=True, exit_on_error=False)
    def _find_stream(self, stream_id: str) -> None:
        source = self.streams.source
        if isinstance(source, StreamsSource | FilteredStreams):
            self.post_message(self.StreamFound(source.index_of(stream_id)))

    def on_main_screen_stream_found(self, message: StreamFound) -> None:
        if message.index is not None:
            self.streams.reveal(message.index)

    # -- panes ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The part's own actions are off unless the domain's explorer part takes them over;
        the others unless some domain runs (raw mode); forget only where the domain has a
        forget command. Their bindings hide too."""
        if action in PART_ONLY:
            return action in self.part_actions
        if action == "replay" and library_store(self.system) is not None:
            return True  # the library's own classes replay its aggregates
        if (action in ANY_DOMAIN or action in DOMAIN_KEYS.values()) and self.system.domain is None:
            return False
        if action == "forget":
            return self._forget_spec() is not None
        if action == "send_command" and parameters == ("footer",):
            return not PART_ONLY & self.part_actions
        return True

    def action_show_pane(self, pane: str) -> None:
        """Focus a pane; in the narrow layout, bring its tab to the front."""
        if pane in TABS:
            self.query_one(Tabs).active = f"tab-{pane}"
        targets: dict[str, Widget] = {
            "streams": self.streams,
            "timeline": self.timeline.events,
            "state": self.state_pane,
            "projection": self.projection.ideas,
            "log": self.log_pane,
        }
        self.call_after_refresh(targets[pane].focus)

    @on(Tabs.TabActivated, "#pane-tabs")
    def _tab_activated(self, message: Tabs.TabActivated) -> None:
        chosen = (message.tab.id or "tab-timeline").removeprefix("tab-")
        for tab in TABS:
            self.set_class(tab == chosen, f"-show-{tab}")

    # -- the streams' filter (`/` on the Streams pane) ------------------------------------

    def on_stream_list_filter_asked(self) -> None:
        self.streams_filter.open()

    def on_stream_list_clear_asked(self) -> None:
        self.streams_filter.clear()

    def on_stream_filter_bar_changed(self, message: StreamFilterBar.Changed) -> None:
        self.streams.set_filter(message.text)
        if message.done:
            self.streams.focus()

    def action_filter(self) -> None:
        """Filter the timeline (by event type, stream or command words)."""
        self.query_one(Tabs).active = "tab-timeline"
        self.timeline.open_filter()

    def action_traffic(self) -> None:
        """Start or stop the traffic generator."""
        if self.traffic.toggle():
            self.notify(f"Traffic: {self.traffic.traffic.rate} random commands a second.")
        else:
            self.notify("Traffic stopped.")

    def action_traffic_faster(self) -> None:
        self.action_traffic_rate(1)

    def action_traffic_slower(self) -> None:
        self.action_traffic_rate(-1)

    def action_traffic_rate(self, step: int) -> None:
        rate = self.traffic.change_rate(step)
        self.notify(f"Traffic rate: {rate} commands a second.", timeout=1.5)

    def action_toggle_view(self) -> None:
        view = self.projection.consumer()
        if view is None:
            self.notify("This domain keeps no read model.", severity="warning")
            return
        if view.paused:
            view.resume()
            self.notify("Read model resumed: it catches up from its checkpoint.")
        else:
            view.pause()
            self.notify("Read model paused: new events pile up as lag.")
        self._refresh_soon()

    @work(thread=True, group="rebuild", exclusive=True, exit_on_error=False)
    def action_rebuild_view(self) -> None:
        count = self.projection.rebuild()
        self.app.call_from_thread(self.notify, f"Read model rebuilt from {count} events.")
        self.app.call_from_thread(self._refresh_soon)

    # -- commands ------------------------------------------------------------------------

    def after_command(self, result: Result | None) -> None:
        """Once a command's dialog closes: select its stream; show a forget's report."""
        if result is None:
            return
        self.select_stream(outcome_of(result).stream_id)
        if isinstance(result, tuple):
            self.app.push_screen(ErasureReportScreen(result[1]))

    def _part_act(self, action: str) -> bool:
        """Let the domain's explorer part run `action` if it takes it over."""
        if self.part is None or action not in self.part_actions:
            return False
        self.part.act(action, self)
        return True

    def action_publish(self) -> None:
        self._part_act("publish")

    def action_edit(self) -> None:
        self._part_act("edit")

    def action_delete(self) -> None:
        self._part_act("delete")

    def _forget_spec(self) -> CommandSpec | None:
        """The domain's forget command (None: it has none)."""
        domain = self.system.domain
        specs = domain.person_commands if domain else ()
        return next((spec for spec in specs if spec.forgets), None)

    def aggregate_or_warn(self, what: str) -> str | None:
        """The id of the aggregate to `what` (see `current_aggregate`), or None with a
        warning naming what to select."""
        aggregate_id = self.current_aggregate()
        if aggregate_id is None:
            domain = self.system.domain
            if self.part is not None:
                selection = self.part.selection
            else:
                selection = f"a stream of {domain.name if domain else 'domain'}"
            self.notify(f"Select {selection} to {what}.", severity="warning")
        return aggregate_id

    def action_forget(self) -> None:
        spec, domain = self._forget_spec(), self.system.domain
        if spec is None or domain is None:
            return
        if aggregate_id := self.aggregate_or_warn("forget"):
            eraser = self.system.eraser
            stream_id = domain.stream_id(aggregate_id)
            tombstone = ", ".join(sorted(domain.forgotten_types)) or "a tombstone"
            # What this explorer has shown is one more place to check (read here, on the UI
            # thread: the check itself runs in a worker).
            shown = self.log_pane.plain_lines()
            screen = ConfirmCommand(
                spec.name,
                stream_id,
                f"Forget {stream_id}? This cannot be undone.",
                "Right to be forgotten: every event of the stream and its snapshots are "
                f"erased, its key is destroyed and one tombstone ({tombstone}) remains. The "
                "stream refuses every later command and its id is never reused. Then every "
                "place is searched for what it held. Press y to forget.",
                lambda announce: eraser.forget(
                    aggregate_id, extra=[("explorer log", shown)], forgotten=announce
                ),
                busy_text="forgetting, then searching every place…",
            )
            self.app.push_screen(screen, self.after_command)

    # -- any domain's commands -------------------------------------------------------------

    def action_send_command(self, _where: str = "") -> None:
        """Choose one of the domain's commands, then fill in its generated form."""
        domain = self.system.domain
        if domain is None or self.system.handler is None:
            self.notify(RAW_MODE, severity="warning")
            return
        menu = CommandMenu(domain.name, domain.person_commands, self.focus_stream or "")
        self.app.push_screen(menu, self._command_chosen)

    def _command_chosen(self, name: str | None) -> None:
        if name is not None:
            self.send_command(name)

    def send_command(self, name: str) -> None:
        """Open the form of the command `name`, prefilled from the selected aggregate."""
        if self.system.handler is None:
            self.notify(RAW_MODE, severity="warning")
            return
        self._open_form(name, self.focus_stream)

    @work(thread=True, group="command-form", exclusive=True, exit_on_error=False)
    def _open_form(self, name: str, stream_id: str | None) -> None:
        handler = self.system.handler
        assert handler is not None  # checked by send_command
        spec = handler.domain.command(name)
        values = prefill(handler, spec, stream_id)
        self.app.call_from_thread(self._push_form, spec, values)

    def _push_form(self, spec: CommandSpec, values: dict[str, object]) -> None:
        handler = self.system.handler
        if handler is None:
            return
        form = SendCommandForm(handler, spec, values=values)

        def sent(_: object) -> None:
            if form.outcome is not None:
                self.select_stream(form.outcome.stream_id)

        self.app.push_screen(form, sent)

    def action_replay(self) -> None:
        stream_id = self.focus_stream
        if stream_id is None:
            self.notify("Select a stream (or an event) to replay.", severity="warning")
            return
        library = library_store(self.system)
        if library is not None and self.system.domain is None:
            self.app.push_screen(LibraryReplayScreen(library, stream_id, self.imported))
            return
        self.app.push_screen(ReplayScreen(self.system, stream_id))

    def action_conflict_lab(self) -> None:
        if not self._part_act("conflict_lab"):
            open_domain_lab(self.app, self.system, self.focus_stream)
