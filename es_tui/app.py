"""The explorer application: wires the system's notifications to the screens."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.signal import Signal
from textual.timer import Timer
from textual.widgets import Footer

from domain.core.handler import Outcome
from domain.core.protocol import Subscription
from domain.core.records import RecordedEvent
from es_tui.messages import AnyOutcome, CommandRan, StoreChanged, StoreChanges
from es_tui.screens.explore import numbers_of
from es_tui.screens.help import HelpScreen
from es_tui.screens.main import MainScreen
from es_tui.screens.quit import QuitConfirm
from es_tui.screens.send_command import summary

if TYPE_CHECKING:
    from domain.bootstrap import System
    from es_tui.http.in_app import ApiStatus

PALETTE: tuple[tuple[str, str, str], ...] = (
    ("Forget the selected stream", "Erase its history, keep a tombstone (f)", "forget"),
    ("Replay the selected stream", "From zero or a kept snapshot, step by step (r)", "replay"),
    ("Conflict lab", "Two writers, one stale: optimistic concurrency (c)", "conflict_lab"),
    ("Send a command", "Any of the domain's commands, as a generated form (n)", "send_command"),
    ("Filter the timeline", "Events whose type, stream or command match words (/)", "filter"),
    (
        "Start or stop the traffic generator",
        "Random commands: watch snapshots, lag and conflicts (g)",
        "traffic",
    ),
    ("Traffic faster", "More commands a second (+)", "traffic_faster"),
    ("Traffic slower", "Fewer commands a second (-)", "traffic_slower"),
    ("Pause or resume the read model", "Watch the projection lag and catch up (v)", "toggle_view"),
    ("Rebuild the read model", "Replay the whole log into the projection (b)", "rebuild_view"),
    ("Causation graph", "Everything the highlighted event's command set off (t)", "causation"),
    ("Mark a version / diff", "Mark, then mark another version: the diff (m)", "mark"),
    ("Event-type catalogue", "Types, counts, schema versions, upcasts; streams (K)", "catalogue"),
    ("Versioning lab", "Would the registry accept this model change? (V)", "versioning_lab"),
    (
        "Consumers",
        "Read models, process managers, tracking records: positions, lag, reset (u)",
        "consumers",
    ),
    ("Snapshot now", "Take a snapshot of the selected stream (s)", "snapshot"),
    ("Export a fixture", "The stream as given/when/then JSON (x)", "export_fixture"),
    ("Load a fixture", "Replay a given/when/then file (X)", "load_fixture"),
)
"""Command palette entries for the main screen's actions: title, help, action name (after
those of the domain's own explorer part, if any)."""

SWITCH_INTERVAL = 0.001
"""Seconds a busy thread may hold the interpreter before another waiting thread gets it
(Python's default is 0.005). The traffic generator and the read model run Python code in
threads; at the default, the UI thread waited up to 5 ms for each of the few hand-offs a key
takes (to a worker reading rows, to the inspector, back), about half of a key's latency under
traffic. The generator's throughput does not change."""


LONG_LIVED_WORKERS = frozenset({"inspector", "pulse"})
"""Worker groups that run as long as the main screen (the event inspector, the lag and
throughput sampler): an app is quiet when no other worker runs."""

COMPACT_FOOTER_BELOW = 120
"""Narrower than this, footers are compact and leave out the palette's entry (ctrl+p still
opens it), so that help, quit and back stay visible."""


class ExplorerApp(App[None]):
    """A keyboard-driven explorer of an event-sourced system."""

    CSS_PATH = [
        "styles/app.tcss",
        "styles/forms.tcss",
        "styles/labs.tcss",
        "styles/explore.tcss",
    ]
    TITLE = "es-tui"
    SUB_TITLE = "event sourcing, live"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        system: System,
        *,
        http: tuple[str, int] | None = None,
        imported: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.system = system
        self.http = http
        """Also serve the HTTP API on this (host, port), on this app's event loop."""
        self.api: ApiStatus | None = None
        """Where that API listens, or why it cannot (None: not asked for)."""
        self.sub_title = system.backend.shown_url  # no password
        if system.warnings:  # opened read-only: the keys are missing, the file damaged...
            self.sub_title += " · READ-ONLY: " + "; ".join(system.warnings)
        self.store_changes: StoreChanges = Signal(self, "store-changes")
        """Published once per burst of commits (see `StoreChanged`)."""
        self._file_check: Timer | None = None
        """Watches a large store file's background check until it is done."""
        self.main_screen = MainScreen(system, self.store_changes)
        self.main_screen.imported = imported  # --import: the library rebuilds aggregates
        self._subscription: Subscription | None = None
        self._change_posted = threading.Event()
        self._switch_interval = sys.getswitchinterval()
        """A `StoreChanged` is on its way to the app: commits meanwhile need no other."""

    def on_mount(self) -> None:
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.screen_change_signal.subscribe(self, self._screen_changed)
        self.push_screen(self.main_screen)
        # Listeners run on whichever thread commits: they only post a message.
        self._subscription = self.system.subscribe(self._on_commit)
        if self.system.view is not None:
            self.system.view.on_change(self._on_view_change)
        # Every process manager's reactions go to the log, as "process manager: …".
        if self.system.process_manager is not None:
            self.system.process_manager.on_reaction(
                partial(self._on_reaction, "AcceptOrRejectCreation")
            )
        for manager in self.system.managers:
            manager.on_reaction(partial(self._on_reaction, f"{manager.spec.name} reaction"))
        if self.system.backend.checking(self.system.store):  # the title says so meanwhile
            self._file_check = self.set_interval(0.5, self._watch_file_check)
        if self.http is not None:
            from es_tui.http.in_app import start_api  # the web stack loads only when asked

            self.api = start_api(self, self.system, *self.http)

    def on_resize(self, _event: events.Resize) -> None:
        self._fit_footers(self.screen)

    def _screen_changed(self, screen: Screen[Any]) -> None:
        self._fit_footers(screen)
        self.call_after_refresh(self._fit_footers, screen)  # a new screen's footer, composed

    def _fit_footers(self, screen: Screen[Any]) -> None:
        narrow = self.size.width < COMPACT_FOOTER_BELOW
        for footer in screen.query(Footer):
            footer.compact = narrow
            footer.show_command_palette = not narrow

    def on_unmount(self) -> None:
        sys.setswitchinterval(self._switch_interval)
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None

    def _on_commit(self, _events: Sequence[RecordedEvent]) -> None:
        self._changed()

    def _on_view_change(self, _view: object) -> None:
        self._changed()

    def _changed(self) -> None:
        """Post one `StoreChanged` per burst: at 200 commits a second, a message per commit
        woke the event loop for each and queued work behind the keys."""
        if not self._change_posted.is_set():
            self._change_posted.set()
            self.post_message(StoreChanged())

    def _watch_file_check(self) -> None:
        """Until the store file's background check is done; then say what it found."""
        backend, store = self.system.backend, self.system.store
        if backend.checking(store):
            return
        if self._file_check is not None:
            self._file_check.stop()
        self.main_screen.say_title()
        damage = backend.damage(store)
        if damage is None:
            self.notify("The store file was checked: it is sound.", timeout=3)
            return
        self.notify(
            f"The store file is damaged ({damage}): every write is refused; what is "
            "readable is still shown.",
            severity="error",
            timeout=15,
        )

    def _on_reaction(
        self, refused_as: str, result: AnyOutcome | Exception, trigger: RecordedEvent
    ) -> None:
        """A process manager reacted to `trigger` (from its thread); `refused_as` names the
        reaction when it was refused before a command was built."""
        command = result.command if isinstance(result, Outcome) else refused_as
        self.post_message(CommandRan(command, trigger.stream_id, result, "process manager"))

    def on_store_changed(self, _message: StoreChanged) -> None:
        self._change_posted.clear()  # commits from now on post a new one
        self.store_changes.publish(None)

    def on_command_ran(self, message: CommandRan) -> None:
        self.main_screen.log_command(message)

    async def action_quit(self) -> None:
        """Quit, asking first when an in-memory store holds changes (from any screen)."""
        if isinstance(self.screen, QuitConfirm):
            return
        self.main_screen.action_quit_checked()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            # Installed once: later opens reuse its widgets, styles and layout.
            if not self.is_screen_installed("help"):
                self.install_screen(HelpScreen(numbers_of(self.system), self.system.domain), "help")
            self.push_screen("help")

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "What each pane and key shows (?)", self.action_help)
        from es_tui.screens.consumers import ConsumersScreen

        if isinstance(screen, ConsumersScreen):
            yield SystemCommand(
                "Reset the selected consumer",
                "Rebuild a read model / start a process manager again from 0 (R)",
                screen.action_reset,
            )
        if screen is self.main_screen:
            part = self.main_screen.part
            for title, help_text, action in (*(part.palette if part else ()), *PALETTE):
                if not self.main_screen.check_action(action, ()):
                    continue  # e.g. forget, on a domain without a forget command
                yield SystemCommand(title, help_text, getattr(self.main_screen, f"action_{action}"))
            domain = self.system.domain
            for spec in domain.person_commands if domain else ():
                yield SystemCommand(
                    f"Send {spec.name}",
                    f"{summary(spec)} (a form; n lists every command)",
                    partial(self.main_screen.send_command, spec.name),
                )
