"""Replay: rebuild a stream's state from zero or from a kept snapshot, one event at a time,
then compare the result with a full replay from version 1."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, OptionList, RichLog, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from domain.core.aggregate import load
from domain.core.records import RecordedEvent, Snapshot
from es_tui.format import clock, plural, short_id
from es_tui.screens.closing import dismiss_if_current
from es_tui.widgets.state_pane import (
    StateView,
    changed_fields,
    fold_of,
    plain_fields,
    render_state,
)

if TYPE_CHECKING:
    from domain.bootstrap import System

PLAY_INTERVAL = 0.3
PROGRESS_EVERY = 5000
"""A long replay reports its progress every this many events."""
PLAY_BATCH = 50
"""Most events one play tick applies (a long stream plays in bounded time per tick)."""


CURSOR = "▶ "
"""Marks the start row the cursor is on (colour alone does not tell every terminal)."""


class StartList(OptionList):
    """The starts to choose from. The cursor stops at either end: pressing `down` on the
    last snapshot must not wrap round to zero and start a replay nobody asked for."""

    def action_cursor_down(self) -> None:
        if self.highlighted is None or self.highlighted < self.option_count - 1:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.highlighted is None or self.highlighted > 0:
            super().action_cursor_up()


@dataclass(frozen=True, slots=True)
class Verdict:
    """The end of a replay compared with a full replay from version 1."""

    applied: int
    full_applied: int
    version: int
    equal: bool


class ReplayScreen(Screen[None]):
    """Step or play through a stream's events from a chosen start."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "step", "Step"),
        Binding("space", "play", "Play/pause"),
        Binding("a", "finish", "To the end"),
        Binding("s", "choose_start", "Start from…"),
        Binding("escape", "close", "Back"),
    ]

    class Prepared(Message, bubble=False):
        """Snapshots to start from (internal)."""

        def __init__(self, snapshots: list[Snapshot] | Exception, first: int = 1) -> None:
            super().__init__()
            self.snapshots = snapshots
            self.first = first

    class Started(Message, bubble=False):
        """The events to apply after the chosen start (internal)."""

        def __init__(self, start: Snapshot | None, state: Any, events: list[RecordedEvent]):
            super().__init__()
            self.start = start
            self.state = state
            self.events = events

    class Progressed(Message, bubble=False):
        """How far a long replay got (internal)."""

        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done = done
            self.total = total

    class Compared(Message, bubble=False):
        """The final comparison (internal)."""

        def __init__(
            self,
            verdict: Verdict | Exception,
            state: Any = None,
            changed: frozenset[str] = frozenset(),
        ) -> None:
            super().__init__()
            self.verdict = verdict
            self.state = state
            self.changed = changed
            """The fields the last event applied changed (as stepping to it shows them)."""

    def __init__(self, system: System, stream_id: str) -> None:
        super().__init__()
        self.system = system
        self.stream_id = stream_id
        self.kept: list[Snapshot] = []
        self.first = 1
        """The stream's first stored version (a forgotten stream keeps only its tombstone)."""
        self.chosen: int | None = None
        """The start row the replay runs from (None: nothing chosen yet)."""
        self.start: Snapshot | None = None
        self.state: Any = None
        self.events: list[RecordedEvent] = []
        self.applied = 0
        self.verdict: Verdict | None = None
        self.player: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="replay"):
            yield Static(f"Replay {self.stream_id}", id="replay-heading")
            yield Static(
                "Loading an aggregate = a snapshot's state + only the events after it (zero: "
                "every event of the stream). Pick a start, then apply the events one by one; "
                "at the end the result is compared with a full replay.",
                id="replay-help",
            )
            with Horizontal(id="replay-body"):
                with Vertical(id="replay-left"):
                    yield StartList(id="replay-start")
                    yield RichLog(id="replay-steps", wrap=False, markup=False, max_lines=5000)
                with VerticalScroll(id="replay-state"):
                    yield Static(id="replay-state-body")
            yield Static(id="replay-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#replay-start").border_title = "Start from (enter)"
        self.query_one("#replay-steps").border_title = "Events applied"
        self.query_one("#replay-state").border_title = "State"
        self._status(
            "Choose where to start (up/down, enter): zero, or a kept snapshot; ▶ marks the row."
        )
        self._list_snapshots()

    def _status(self, text: str | Text) -> None:
        self.query_one("#replay-status", Static).update(text)

    @work(thread=True, group="replay", exit_on_error=False)
    def _list_snapshots(self) -> None:
        store = self.system.store
        first = 1
        try:
            result: list[Snapshot] | Exception = store.snapshots(self.stream_id)
            info = store.stream_info(self.stream_id)
            if info is not None and info.event_count:
                # Versions are contiguous up to the head; a forget leaves only the last one.
                first = info.version - info.event_count + 1
        except Exception as error:
            result = error
        self.post_message(self.Prepared(result, first))

    def on_replay_screen_prepared(self, message: Prepared) -> None:
        if isinstance(message.snapshots, Exception):
            self._status(Text(f"Cannot read snapshots: {message.snapshots}", style="red"))
            return
        self.kept, self.first = message.snapshots, message.first
        options = self.query_one("#replay-start", StartList)
        options.add_option(Option(self._label(0), id="start-0"))
        for index, snap in enumerate(self.kept, start=1):
            options.add_option(Option(self._label(index), id=f"start-{snap.version}"))
        # The latest snapshot, as a load would pick: `enter` replays what loading does.
        options.highlighted = len(self.kept)
        options.focus()

    def _label(self, index: int, cursor: bool = False) -> str:
        """Row `index` of the start list (0: zero), marked in words, not only in colour."""
        mark = CURSOR if cursor else " " * len(CURSOR)
        if index == 0:
            label = f"zero — replay every event from v{self.first}"
        else:
            snap = self.kept[index - 1]
            label = (
                f"snapshot v{snap.version} · event {short_id(snap.last_event_id)} · "
                f"{clock(snap.taken_at)}"
            )
            if index == len(self.kept):
                label += " · latest (a load starts here)"
        if index == self.chosen:
            label += " (chosen)"
        return mark + label

    def _relabel(self) -> None:
        options = self.query_one("#replay-start", StartList)
        for index in range(options.option_count):
            label = self._label(index, cursor=index == options.highlighted)
            if str(options.get_option_at_index(index).prompt) != label:
                options.replace_option_prompt_at_index(index, label)

    @on(OptionList.OptionHighlighted, "#replay-start")
    def _cursor_moved(self) -> None:
        self._relabel()

    @on(OptionList.OptionSelected, "#replay-start")
    def _chosen(self, message: OptionList.OptionSelected) -> None:
        version = int((message.option.id or "start-0").removeprefix("start-"))
        start = next((s for s in self.kept if s.version == version), None)
        self.chosen = message.option_index
        self._relabel()
        self.choose(start)

    def choose(self, start: Snapshot | None) -> None:
        """Start (again) from `start` (None: from zero)."""
        self._stop_playing()
        self.verdict = None
        self.query_one("#replay-steps", RichLog).clear()
        self._begin(start)

    @work(thread=True, group="replay", exclusive=True, exit_on_error=False)
    def _begin(self, start: Snapshot | None) -> None:
        fold = fold_of(self.system)
        state = fold.restore(start.state) if start else fold.initial(self.stream_id)
        after = start.version + 1 if start else 1
        events = self.system.store.read_stream(self.stream_id, after)
        self.post_message(self.Started(start, state, events))

    def on_replay_screen_started(self, message: Started) -> None:
        self.start, self.state, self.events = message.start, message.state, message.events
        self.applied = 0
        origin = f"snapshot v{self.start.version}" if self.start else "zero (empty state)"
        log = self.query_one("#replay-steps", RichLog)
        log.write(Text(f"start: {origin}", style="bold"))
        self._show_state(frozenset(), None)
        self._status(
            f"Starting from {origin}: {plural(len(self.events), 'event')} to apply. "
            "n step · space play · a to the end"
        )
        self.query_one("#replay-steps").focus()
        if not self.events:
            self._compare()

    # -- stepping ------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self.applied >= len(self.events)

    def action_step(self) -> None:
        if self.state is None or self.done:
            return
        self._apply(1)

    def _apply(self, count: int) -> None:
        fold = fold_of(self.system)
        log = self.query_one("#replay-steps", RichLog)
        changed: frozenset[str] = frozenset()
        last = self.events[self.applied]
        for event in self.events[self.applied : self.applied + count]:
            before = self.state
            try:
                self.state = fold.evolve(self.state, event)
            except Exception as error:  # e.g. a stream that is not an idea
                self._stop_playing()
                self._status(Text(f"Cannot apply v{event.version}: {error}", style="red"))
                return
            changed = changed_fields(before, self.state)
            self.applied += 1
            last = event
            fields = ", ".join(sorted(changed)) or "nothing"
            log.write(Text.assemble(f"v{event.version} ", (event.type, "bold"), f" → {fields}"))
        self._show_state(changed, last.type)
        if self.done:
            self._stop_playing()
            self._compare()
        else:
            self._status(
                f"Applied {self.applied} of {len(self.events)} events after {self._origin()}. "
                "n step · space play · a to the end"
            )

    def _show_state(self, changed: frozenset[str], event_type: str | None) -> None:
        """The replay's state; `event_type` None: no event applied yet (the start itself)."""
        start = self.start.version if self.start else 0
        version = self.events[self.applied - 1].version if self.applied else start
        origin = f"snapshot v{start}" if self.start else "zero"
        last = self.events[-1].version if self.events else version
        if event_type is None:
            legend = (
                f"the state kept in snapshot v{start} — no event applied yet"
                if self.start
                else "the empty state — no event applied yet"
            )
            when = f"at the start ({origin}); the stream ends at v{last}"
        else:
            legend, when = None, f"after v{version} of {last}"
        view = StateView(
            stream_id=self.stream_id,
            version=version,
            head=version,
            event_type=event_type or "",
            how=f"{origin} + {plural(self.applied, 'event')}",
            from_snapshot=start if self.start else None,
            fields=plain_fields(self.state),
            changed=changed,
            when=when,
            legend=legend,
        )
        self.query_one("#replay-state-body", Static).update(render_state(view))

    def _origin(self) -> str:
        return f"snapshot v{self.start.version}" if self.start else "zero"

    def action_play(self) -> None:
        if self.player is not None:
            self._stop_playing()
            self._status(f"Paused at {self.applied} of {len(self.events)}.")
        elif self.state is not None and not self.done:
            self.player = self.set_interval(PLAY_INTERVAL, self._tick)

    def _tick(self) -> None:
        if not self.done:
            self._apply(max(1, min(PLAY_BATCH, (len(self.events) - self.applied) // 20)))

    def _stop_playing(self) -> None:
        if self.player is not None:
            self.player.stop()
            self.player = None

    def action_finish(self) -> None:
        if self.state is not None and not self.done:
            self._stop_playing()
            self._status("Applying the remaining events…")
            self._compare()

    def _compare(self) -> None:
        last = self.events[-1].version if self.events else (self.start.version if self.start else 0)
        self._finish(self.state, self.events[self.applied :], len(self.events), last)

    @work(thread=True, group="replay", exclusive=True, exit_on_error=False)
    def _finish(self, state: Any, rest: list[RecordedEvent], applied: int, version: int) -> None:
        fold = fold_of(self.system)
        worker = get_current_worker()
        changed: frozenset[str] = frozenset()
        try:
            for done, event in enumerate(rest, start=1):
                before = state
                state = fold.evolve(state, event)
                if done == len(rest):  # what the last event changed, as a step shows it
                    changed = changed_fields(before, state)
                if done % PROGRESS_EVERY == 0:
                    if worker.is_cancelled:
                        return
                    self.post_message(self.Progressed(done, len(rest)))
            full = load(self.system.store, self.stream_id, fold, snapshot=None, to_version=version)
            equal = plain_fields(full.state) == plain_fields(state)
            verdict: Verdict | Exception = Verdict(applied, full.events_applied, version, equal)
        except Exception as error:
            verdict = error
        self.post_message(self.Compared(verdict, state, changed))

    def on_replay_screen_progressed(self, message: Progressed) -> None:
        self._status(f"Applying the remaining events… {message.done:,} of {message.total:,}")

    def on_replay_screen_compared(self, message: Compared) -> None:
        verdict = message.verdict
        if isinstance(verdict, Exception):
            self._status(Text(f"Comparison failed: {verdict}", style="red"))
            return
        if self.applied < len(self.events):
            self.applied = len(self.events)
            self.state = message.state
            log = self.query_one("#replay-steps", RichLog)
            log.write(Text(f"… applied the rest, up to v{verdict.version}", style="dim"))
            self._show_state(message.changed, self.events[-1].type)
        self.verdict = verdict
        mark = ("equal ✔", "bold green") if verdict.equal else ("DIFFERENT ✘", "bold red")
        self._status(
            Text.assemble(
                f"Done at v{verdict.version}: {plural(verdict.applied, 'event')} applied from "
                f"{'snapshot v' + str(self.start.version) if self.start else 'zero'}; a full "
                f"replay from v{self.first} applies {verdict.full_applied}. States: ",
                mark,
            )
        )

    def action_choose_start(self) -> None:
        self._stop_playing()
        self.query_one("#replay-start").focus()

    def action_close(self) -> None:
        self._stop_playing()
        dismiss_if_current(self)
