"""Replay on a database the `eventsourcing` library wrote: an aggregate loaded from a stored
snapshot plus the events after it, beside a full replay of every event, both rebuilt by the
application's own classes, and whether the two agree."""

from __future__ import annotations

import json
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from domain.backends.eventsourcing.replay import ReplayError
from domain.backends.eventsourcing.snapshot_check import (
    ABSENT,
    SnapshotComparison,
    compare_with_snapshot,
)
from domain.backends.eventsourcing.store import EventsourcingStore
from domain.core.records import JsonObject
from es_tui.format import plural
from es_tui.screens.closing import dismiss_if_current
from es_tui.screens.replay import CURSOR, StartList
from es_tui.widgets.facts import Facts

NOT_IMPORTED = (
    "This database was written by the eventsourcing library and is shown as stored: open it "
    "with --import package.module (the application's module) so its own classes can load "
    "the aggregate from a snapshot and by a full replay."
)


def shown(value: object) -> str:
    """A state field's value as a person reads it (a missing field says so)."""
    if value is ABSENT:
        return str(ABSENT)
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(", ", ": "), ensure_ascii=False)
    return "—" if value is None else str(value)


def state_facts(state: JsonObject, differing: frozenset[str], every: list[str]) -> Facts:
    """`state`'s fields (in the order `every` lists them, missing ones said so), the ones
    that differ from the other load marked."""
    rows: list[tuple[Text | None, str, Text | str]] = []
    for name in every:
        value = state.get(name, ABSENT)
        if name in differing:
            rows.append((Text("✘", style="bold red"), name, Text(shown(value), style="bold red")))
        else:
            rows.append((Text(" "), name, shown(value)))
    return Facts(rows, gap=1)


class LibraryReplayScreen(Screen[None]):
    """Snapshot plus tail beside a full replay, for one aggregate of a library database."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "choose_start", "Snapshot…"),
        Binding("escape", "close", "Back"),
    ]

    class Compared(Message, bubble=False):
        """The two loads, or why they could not be made (internal)."""

        def __init__(self, result: SnapshotComparison | Exception, kept: list[int]) -> None:
            super().__init__()
            self.result = result
            self.kept = kept

    def __init__(self, store: EventsourcingStore, stream_id: str, imported: bool) -> None:
        super().__init__()
        self.library = store
        self.stream_id = stream_id
        self.imported = imported
        """The application's modules were imported (`--import`): its classes can load."""
        self.kept: list[int] = []
        self.chosen: int | None = None
        """The snapshot version the shown comparison starts from (None: the latest)."""
        self.result: SnapshotComparison | Exception | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="replay"):
            yield Static(f"Replay {self.stream_id}", id="replay-heading")
            yield Static(
                "The library loads an aggregate from its latest snapshot + the events after "
                "it; beside it, a full replay of every event. Both by the application's classes.",
                id="replay-help",
            )
            yield StartList(id="replay-start")
            with Horizontal(id="replay-body"):
                with VerticalScroll(id="library-from-snapshot", classes="library-load"):
                    yield Static(id="library-from-snapshot-body")
                with VerticalScroll(id="library-full", classes="library-load"):
                    yield Static(id="library-full-body")
            yield Static(id="replay-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#replay-start").border_title = "Start from (enter)"
        self.query_one("#library-from-snapshot").border_title = "Snapshot + tail"
        self.query_one("#library-full").border_title = "Full replay"
        self._status(Text("Loading both ways…", style="dim"))
        self._compare(None)

    def _status(self, text: str | Text) -> None:
        self.query_one("#replay-status", Static).update(text)

    @work(thread=True, group="library-replay", exclusive=True, exit_on_error=False)
    def _compare(self, version: int | None) -> None:
        kept: list[int] = []
        try:
            kept = [s.version for s in self.library.snapshots(self.stream_id)]
            result: SnapshotComparison | Exception = (
                compare_with_snapshot(self.library, self.stream_id, version)
                if self.imported
                else ReplayError(self.stream_id, NOT_IMPORTED)
            )
        except Exception as error:  # the reason is shown, the screen stays
            result = error
        self.post_message(self.Compared(result, kept))

    def on_library_replay_screen_compared(self, message: Compared) -> None:
        self.result = message.result
        if message.kept != self.kept or not self.query_one("#replay-start", StartList).option_count:
            self._list_starts(message.kept)
        if isinstance(message.result, SnapshotComparison):
            self.chosen = message.result.snapshot_version
            self._show(message.result)
        else:
            self._show_reason(message.result)
        self._relabel()

    # -- the start list ------------------------------------------------------------------

    def _list_starts(self, kept: list[int]) -> None:
        self.kept = kept
        options = self.query_one("#replay-start", StartList)
        options.clear_options()
        if not kept:
            options.add_option(Option(self._label(None), id="start-none", disabled=True))
            return
        for version in reversed(kept):  # the latest first: the one a load starts from
            options.add_option(Option(self._label(version), id=f"start-{version}"))
        options.highlighted = 0
        options.focus()

    def _label(self, version: int | None, cursor: bool = False) -> str:
        mark = CURSOR if cursor else " " * len(CURSOR)
        if version is None:
            return mark + "no snapshot stored — the library replays every event"
        label = f"snapshot v{version}"
        if self.kept and version == self.kept[-1]:
            label += " · latest (the library's load starts here)"
        if version == self.chosen:
            label += " (shown)"
        return mark + label

    def _relabel(self) -> None:
        options = self.query_one("#replay-start", StartList)
        if not self.kept:
            return
        for index, version in enumerate(reversed(self.kept)):
            label = self._label(version, cursor=index == options.highlighted)
            if str(options.get_option_at_index(index).prompt) != label:
                options.replace_option_prompt_at_index(index, label)

    @on(OptionList.OptionHighlighted, "#replay-start")
    def _cursor_moved(self) -> None:
        self._relabel()

    @on(OptionList.OptionSelected, "#replay-start")
    def _chosen(self, message: OptionList.OptionSelected) -> None:
        version = (message.option.id or "").removeprefix("start-")
        if version.isdigit():
            self._status(Text(f"Loading from snapshot v{version}…", style="dim"))
            self._compare(int(version))

    # -- the two loads -------------------------------------------------------------------

    def _show(self, found: SnapshotComparison) -> None:
        differing = frozenset(d.name for d in found.differences)
        every = [*found.full, *(k for k in found.from_snapshot or {} if k not in found.full)]
        every.sort(key=lambda name: name.startswith("_"))  # the application's fields first
        heading = f"Replay {self.stream_id} · {found.aggregate.rpartition(':')[2]}"
        self.query_one("#replay-heading", Static).update(heading)
        full_title = f"Full replay · {plural(found.full_read, 'event')} read"
        self._pane("#library-full", full_title, state_facts(found.full, differing, every))
        if found.snapshot_version is None or found.from_snapshot is None:
            self._pane(
                "#library-from-snapshot",
                "Snapshot + tail · none stored",
                Text(
                    "No snapshot of this aggregate is stored: the library loads it by "
                    "replaying every event, as the full replay beside shows.",
                    style="dim",
                ),
            )
            self._status(
                Text.assemble(
                    f"No snapshot of {self.stream_id}: the full replay read "
                    f"{plural(found.full_read, 'event')}, up to v{found.version}.",
                )
            )
            return
        title = f"Snapshot v{found.snapshot_version} + {plural(found.tail_read, 'event')} after it"
        facts = state_facts(found.from_snapshot, differing, every)
        self._pane("#library-from-snapshot", title, facts)
        self._status(self._verdict(found))

    def _verdict(self, found: SnapshotComparison) -> Text:
        reads = (
            f"At v{found.version}: snapshot v{found.snapshot_version} + "
            f"{plural(found.tail_read, 'event')} read; a full replay read {found.full_read}. "
            "States: "
        )
        if found.equal:
            return Text.assemble(reads, ("equal ✔", "bold green"))
        names = ", ".join(d.name for d in found.differences)
        return Text.assemble(
            reads,
            ("DIFFERENT ✘", "bold red"),
            f" — {plural(len(found.differences), 'field')} differ ({names}): the snapshot "
            "no longer says what the events say (the classes changed after it was taken?)",
        )

    def _pane(self, pane: str, title: str, body: RenderableType) -> None:
        self.query_one(pane).border_title = title
        self.query_one(f"{pane}-body", Static).update(body)

    def _show_reason(self, error: Exception) -> None:
        reason = error.reason if isinstance(error, ReplayError) else str(error)
        said = Group(Text(self.stream_id, style="bold"), Text(reason, style="dim"))
        self._pane("#library-from-snapshot", "Snapshot + tail", said)
        self._pane("#library-full", "Full replay", Text("(cannot compute)", style="dim"))
        style = "yellow" if isinstance(error, ReplayError) else "red"
        self._status(
            Text("No comparison: the aggregate cannot be loaded here (why: above).", style)
        )

    def action_choose_start(self) -> None:
        self.query_one("#replay-start").focus()

    def action_close(self) -> None:
        dismiss_if_current(self)
