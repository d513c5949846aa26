"""The explorer's ways into what happened: the causation graph (`t`), following a cause
(`enter` in the event details), comparing two versions (`m`), the event-type catalogue
(`K`), the versioning lab (`V`), a snapshot on demand (`s`), and a quit that asks before
discarding an in-memory store's changes (`q`).

A base of the main screen: everything here works from the store port, the event registry and
a fold, so it serves every domain.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.screen import Screen

from domain.bootstrap import bootstrap
from domain.core.aggregate import load, take_snapshot
from domain.core.protocol import ALL_STREAM
from domain.core.records import RecordedEvent
from es_tui.causation import CorrelationIndex, causation_of, correlation_of
from es_tui.diff import diff_versions
from es_tui.fixtures import FixtureError, fixture_of, load_fixture, read_fixture, write_fixture
from es_tui.screens.catalogue import CatalogueScreen
from es_tui.screens.causation import CausationScreen, ShowEvent
from es_tui.screens.diff import DiffScreen
from es_tui.screens.fixture_form import FixtureForm, FixtureRequest
from es_tui.screens.quit import QuitConfirm
from es_tui.screens.replay import ReplayScreen
from es_tui.screens.versioning_lab import VersioningLab
from es_tui.widgets.pulse import Pulse
from es_tui.widgets.state_pane import plain_fields

if TYPE_CHECKING:
    from domain.bootstrap import System
    from es_tui.sources import LogRow
    from es_tui.widgets.line_list import LineList
    from es_tui.widgets.timeline_pane import TimelinePane


CHECKING = "checking the file: writes wait"
"""The title's note while a large store file's integrity check runs in the background."""
DAMAGED = "DAMAGED: writes are refused"
"""The title's note once the store file is known damaged."""


def durability(url: str, shown: str) -> str:
    """What the title bar says of the store: whether quitting keeps what was done."""
    if url.startswith("memory:"):
        return "memory — not saved; q discards"
    if url.startswith("sqlite:///"):
        return f"saved in {url.removeprefix('sqlite:///')}"
    return f"saved in {shown}"


def numbers_of(system: System) -> str:
    """This system's numbers, for the help: snapshot policy, process manager, store."""
    policy = system.store.snapshot_policy
    store = system.store
    return (
        f"**This store**: {durability(store.url, system.backend.shown_url)}. "
        f"**Snapshots**: every {policy.every} events, the last {policy.keep} kept per stream. "
        f"**Process manager**: {manager_rule(system)}.\n"
    )


def manager_rule(system: System) -> str:
    """What this system's process managers do, in words."""
    manager = system.process_manager
    if manager is not None:
        return (
            f"accepts a creation request with probability {manager.probability:g} "
            f"(else rejects it), {manager.delay:g} s after it"
        )
    if system.managers:
        return "; ".join(
            f"{m.spec.name} reacts to {', '.join(sorted(m.spec.reacts_to))}"
            for m in system.managers
        )
    return "none runs here"


def reaction_rule(system: System, trigger_type: str) -> str:
    """What reacted to an event of `trigger_type`, in words: the process managers that react
    to that type (not every type they react to)."""
    if system.process_manager is None:
        names = [m.spec.name for m in system.managers if trigger_type in m.spec.reacts_to]
        if names:
            return f"{', '.join(names)} reacts to {trigger_type}"
    return manager_rule(system)


def read_model_checkpoint(system: System) -> int:
    """The position the read models have applied (the slowest one's)."""
    if system.view is not None:
        return system.view.checkpoint
    if system.views:
        return min(view.checkpoint for view in system.views.values())
    return system.store.head_position()


RAW_MODE = "raw mode: no domain runs here, so no state is computed"


class Explore(Screen[None]):
    """Actions of the main screen that look across events and versions."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "causation", "Causes", show=False),
        Binding("enter", "follow_cause", "Go to cause", show=False),
        Binding("m", "mark", "Mark/diff", show=False),
        Binding("K", "catalogue", "Catalogue", show=False),
        Binding("V", "versioning_lab", "Versioning lab", show=False),
        Binding("s", "snapshot", "Snapshot", show=False),
        Binding("x", "export_fixture", "Export fixture", show=False),
        Binding("X", "load_fixture", "Load fixture", show=False),
        Binding("u", "consumers", "Consumers", show=False),
    ]

    if TYPE_CHECKING:
        system: System
        stream_id: str
        event: RecordedEvent | None
        timeline: TimelinePane
        snapshots: LineList[Any]

        def select_stream(self, stream_id: str) -> None: ...
        def store_changed(self) -> None: ...

    def explore_setup(self, system: System) -> None:
        """Called once by the screen's constructor."""
        self.correlations = CorrelationIndex(system.store)
        self.marked: RecordedEvent | None = None
        """The version `m` marked, to compare with the next one marked."""
        self._jump: tuple[str, int] | None = None
        """A row to put the timeline's cursor on once it lists that stream."""
        self.opened_at = system.store.head_position()

    def say_title(self) -> None:
        """The store's durability in the title bar, whether it is read-only and why, and
        what its file's check is doing or found."""
        store, backend = self.system.store, self.system.backend
        title = durability(store.url, backend.shown_url)
        if self.system.read_only:  # nothing is written: say so, and why
            why = "; ".join(self.system.warnings) or backend.read_only_reason(store)
            title = f"READ-ONLY · {backend.shown_url}" + (f" · {why}" if why else "")
        if backend.checking(store):
            title += f" · {CHECKING}"
        elif backend.damage(store) is not None and "damaged" not in title:
            title += f" · {DAMAGED}"
        self.app.sub_title = title

    def say_numbers(self) -> None:
        """The title bar (`say_title`), the snapshot policy on its pane."""
        store = self.system.store
        self.say_title()
        policy = store.snapshot_policy
        self.snapshots.border_subtitle = f"every {policy.every} events · keep {policy.keep}"
        system = self.system
        self.query_one("#right").mount(
            Pulse(store, lambda: read_model_checkpoint(system), id="pulse")
        )

    # -- the causation graph ---------------------------------------------------------------

    def action_causation(self) -> None:
        """The correlation of the highlighted event, as a tree."""
        record = self.event
        if record is None:
            self.notify("Highlight an event in the timeline first.", severity="warning")
            return
        rule = partial(reaction_rule, self.system)
        screen = CausationScreen(self.correlations, record, follower=self, rule=rule)
        self.app.push_screen(screen, self._chosen)

    def _chosen(self, record: RecordedEvent | None) -> None:
        if record is not None:
            self.show_event(record)
            self.call_after_refresh(self.timeline.events.focus)

    def on_show_event(self, message: ShowEvent) -> None:
        self.show_event(message.record)

    def show_event(self, record: RecordedEvent) -> None:
        """Put the timeline's cursor on `record`, listing its stream first if needed."""
        index = record.version - 1
        info = self.system.store.stream_info(record.stream_id)
        if info is not None and info.event_count != info.version:
            index = 0  # a forgotten stream: its tombstone is its one row
        if self.timeline.stream_id == record.stream_id:
            self.timeline.events.reveal(index)
            return
        self._jump = (record.stream_id, index)
        self.stream_id = record.stream_id
        self.timeline.show_stream(record.stream_id)
        self.select_stream(record.stream_id)

    def land(self, row: LogRow | None) -> None:
        """The timeline highlighted `row`: finish a jump waiting for its stream."""
        jump = self._jump
        if jump is None or not isinstance(row, RecordedEvent) or row.stream_id != jump[0]:
            return
        self._jump = None
        if row.version - 1 != jump[1]:
            self.timeline.events.reveal(jump[1])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "follow_cause":
            return self.focused is self.timeline.details
        return super().check_action(action, parameters)

    def action_follow_cause(self) -> None:
        """From the event in the details, go to its cause (or its correlation's start)."""
        record = self.timeline.details.record
        if record is None:
            return
        if correlation_of(record) is None:
            self.notify("This event has no correlation id.", severity="warning")
            return
        self._find_cause(record)

    @work(thread=True, group="follow-cause", exclusive=True, exit_on_error=False)
    def _find_cause(self, record: RecordedEvent) -> None:
        self.correlations.update()
        events = self.correlations.events_of(correlation_of(record) or "")
        cause = causation_of(record)
        if cause is not None:
            found = [r for r in events if str(r.event_id) == cause]
            what = "its cause"
        else:
            found = events[:1]
            what = "the start of its correlation"
        if found:
            self.post_message(ShowEvent(found[0]))
            self.app.call_from_thread(self.notify, f"Went to {what}: {found[0].type}.")
        else:
            self.app.call_from_thread(
                self.notify, f"{what.capitalize()} is no longer stored.", severity="warning"
            )

    # -- two versions ----------------------------------------------------------------------

    def action_mark(self) -> None:
        """Mark the highlighted version; marking another of the same stream compares them."""
        record = self.event
        if record is None:
            self.notify("Highlight an event of a stream to mark it.", severity="warning")
            return
        marked = self.marked
        if marked is None or marked.stream_id != record.stream_id:
            self.marked = record
            self.notify(
                f"Marked {record.stream_id} v{record.version}. Move to another version and "
                "press m to compare them."
            )
            return
        if marked.version == record.version:
            self.marked = None
            self.notify("Mark removed.")
            return
        self.marked = None
        self._diff(record.stream_id, marked.version, record.version)

    @work(thread=True, group="diff", exclusive=True, exit_on_error=False)
    def _diff(self, stream_id: str, first: int, second: int) -> None:
        store, handler = self.system.store, self.system.handler
        if handler is None:
            self.app.call_from_thread(self.notify, RAW_MODE, severity="warning")
            return
        fold = handler.fold

        def state_at(stream: str, version: int) -> dict[str, Any]:
            return plain_fields(load(store, stream, fold, to_version=version).state)

        found = diff_versions(store, state_at, stream_id, first, second)
        self.app.call_from_thread(self.app.push_screen, DiffScreen(found))

    # -- types and versions ----------------------------------------------------------------

    def action_consumers(self) -> None:
        """Every consumer of the log: position, head, lag, running or paused; reset."""
        from es_tui.screens.consumers import ConsumersScreen

        self.app.push_screen(ConsumersScreen(self.system))

    def action_catalogue(self) -> None:
        """Every event type, its counts, versions, fields and upcasts; a stream filter."""
        store, registry = self.system.store, self.system.registry
        self.app.push_screen(CatalogueScreen(store, registry, self.stream_id), self._picked)

    def _picked(self, stream_id: str | None) -> None:
        if stream_id is not None and stream_id != ALL_STREAM:
            self.stream_id = stream_id
            self.timeline.show_stream(stream_id)
            self.select_stream(stream_id)

    def action_versioning_lab(self) -> None:
        """Propose a change to an event's model and see what the registry would say."""
        event_type = self.event.type if self.event else ""
        handler = self.system.handler
        if handler is None:
            self.notify(RAW_MODE, severity="warning")
            return
        lab = VersioningLab(
            self.system.store, self.system.registry, handler.codec.decode, event_type
        )
        self.app.push_screen(lab)

    # -- snapshots and quitting ------------------------------------------------------------

    @work(thread=True, group="snapshot", exclusive=True, exit_on_error=False)
    def action_snapshot(self) -> None:
        """Take a snapshot of the selected stream now, whatever the policy says."""
        stream_id = self.stream_id if self.stream_id != ALL_STREAM else None
        if stream_id is None and self.event is not None:
            stream_id = self.event.stream_id
        if stream_id is None:
            self.app.call_from_thread(
                self.notify, "Select a stream to snapshot.", severity="warning"
            )
            return
        store, handler = self.system.store, self.system.handler
        if handler is None or self.system.read_only:
            why = RAW_MODE if handler is None else "the store is open read-only"
            self.app.call_from_thread(self.notify, why, severity="warning")
            return
        fold = handler.fold
        try:
            snap = take_snapshot(store, fold, load(store, stream_id, fold))
        except Exception as error:  # a forgotten or empty stream: say why, keep running
            self.app.call_from_thread(
                self.notify, f"No snapshot of {stream_id}: {error}", severity="error"
            )
            return
        keep = store.snapshot_policy.keep
        self.app.call_from_thread(
            self.notify, f"Snapshot of {stream_id} at v{snap.version} kept (the last {keep} stay)."
        )
        self.app.call_from_thread(self.store_changed)

    def unsaved_changes(self) -> int:
        """Events committed since the explorer opened an in-memory store (0 for a durable one)."""
        store = self.system.store
        if not store.url.startswith("memory:"):
            return 0
        return max(store.head_position() - self.opened_at, 0)

    def action_quit_checked(self) -> None:
        """Quit; on an in-memory store with changes, ask once first."""
        changes = self.unsaved_changes()
        if changes == 0:
            self.app.exit()
            return

        def answered(quit_now: bool | None) -> None:
            if quit_now:
                self.app.exit()

        self.app.push_screen(QuitConfirm(changes), answered)

    # -- given/when/then fixtures ----------------------------------------------------------

    def _fixture_stream(self) -> str | None:
        if self.stream_id != ALL_STREAM:
            return self.stream_id
        return self.event.stream_id if self.event else None

    def action_export_fixture(self) -> None:
        """Write the selected stream (or a range of it) as a given/when/then fixture."""
        stream_id = self._fixture_stream()
        if stream_id is None:
            self.notify("Select a stream to export as a fixture.", severity="warning")
            return
        form = FixtureForm(
            f"Export {stream_id} as a given/when/then fixture",
            f"fixture-{stream_id}.json",
            export=True,
        )
        self.app.push_screen(form, lambda asked: self._export(stream_id, asked))

    def _export(self, stream_id: str, asked: FixtureRequest | None) -> None:
        if asked is not None:
            self._write_fixture(stream_id, asked)

    @work(thread=True, group="fixture", exclusive=True, exit_on_error=False)
    def _write_fixture(self, stream_id: str, asked: FixtureRequest) -> None:
        handler, registry = self.system.handler, self.system.registry
        if handler is None:
            self.app.call_from_thread(self.notify, RAW_MODE, severity="warning")
            return
        codec = handler.codec

        def read(record: RecordedEvent) -> tuple[int, dict[str, Any]]:
            return registry.latest_version(record.type), codec.decode(record).model_dump(
                mode="json"
            )

        try:
            fixture = fixture_of(self.system.store, read, stream_id, asked.first, asked.last)
            write_fixture(fixture, asked.path)
        except (FixtureError, ValueError) as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(
            self.notify,
            f"Fixture written to {asked.path}: {len(fixture.given)} given, "
            f"when {fixture.when}, {len(fixture.then)} then.",
        )

    def action_load_fixture(self) -> None:
        """Load a fixture file into a store of its own and replay it."""
        form = FixtureForm("Load a fixture into a replay", "", export=False)
        self.app.push_screen(form, self._load)

    def _load(self, asked: FixtureRequest | None) -> None:
        if asked is None:
            return
        try:
            fixture = read_fixture(asked.path)
        except FixtureError as error:
            self.notify(str(error), severity="error")
            return
        # A store of its own: the fixture is replayed, never mixed into this store.
        system = bootstrap("memory:", start=False)
        try:
            load_fixture(system.store, fixture)
        except Exception as error:  # a fixture the store refuses: say why
            system.close()
            self.notify(f"{asked.path}: {error}", severity="error")
            return
        self.app.push_screen(ReplayScreen(system, fixture.stream_id), lambda _: system.close())
