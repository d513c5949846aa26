"""Help: each concept in a few lines, and the key that demonstrates it."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.markdown import Markdown
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from domain.core.port import Domain
from es_tui.screens.closing import dismiss_if_current

INTRO = """\
# es-tui — event sourcing, live

Every change is an **event** appended to a store; state is never overwritten, it is
*computed* by folding events. Every pane updates as commits arrive — from this app, its
process manager, or another process writing to the same store.
"""

CONCEPTS: tuple[tuple[str, str, str], ...] = (
    (
        "Stream",
        "The ordered events of one aggregate (`idea-<id>`), versions 1, 2, 3… The global log "
        "(`$all`) orders every event of every stream by *position*. A stream *is* active, "
        "deleted or forgotten (**Streams**); its idea *is* requested, accepted or rejected "
        "(**Projection**, and `status` in **State**).",
        "select a row in **Streams**",
    ),
    (
        "State (time travel)",
        "The aggregate's state is a fold of its events. Highlight any event to see the state "
        "*as of* that version, how it was computed, and the fields the event changed (●).",
        "move in **Timeline**",
    ),
    (
        "Snapshot",
        "Every N events the state is saved with its version; the last M are kept. Loading = "
        "latest snapshot + the events after it, never re-applying the snapshot's own event.",
        "edit an idea 10 times, then `r`; `s` takes one now",
    ),
    (
        "Replay",
        "Fold the events again from zero or from any kept snapshot, step by step, and compare "
        "the result with a full replay.",
        "`r`, `enter` (the latest snapshot is preselected), then `n` / `space` / `a`",
    ),
    (
        "Event versioning",
        "Stored payloads are never rewritten; readers build the newest schema version from "
        "what is stored. The timeline shows the stored and the read version. A new version "
        "must be constructible from the previous one (checked when it is registered).",
        "highlight an event; `K` catalogue, `V` versioning lab",
    ),
    (
        "Tombstone",
        "Forgetting (right to be forgotten) erases a stream's events and snapshots, destroys "
        "its key and leaves one `IdeaForgotten` event. The stream refuses every later command; "
        "its positions stay as holes in `$all`. An erasure report then shows every place "
        "searched for what the idea held.",
        "`f`, then `y`",
    ),
    (
        "CQRS",
        "Commands go to the write side (events); queries read a separate read model "
        "(**Projection**) built from the global log. It keeps a checkpoint, can lag, pause, "
        "catch up and be rebuilt.",
        "`v` pause/resume, `b` rebuild",
    ),
    (
        "Optimistic concurrency",
        "A writer appends with the version it loaded as *expected version*. If the stream "
        "moved meanwhile, the append is refused (expected vs actual) and nothing is written. "
        "Reload and retry.",
        "`c` conflict lab",
    ),
    (
        "Load",
        "The traffic generator sends random commands (publish, edit, delete, a conflicting "
        "pair of edits, rarely a forget) from a worker thread: watch snapshots being taken, "
        "the read model's lag rise and fall, and conflicts happen.",
        "`g`, then `+` / `-`",
    ),
    (
        "Process manager",
        "Reacts to events with commands: each `IdeaCreationRequested` is accepted or rejected "
        "a moment later, with `causation_id` = the request's event id.",
        "`p` publish, watch **Log**; `t` on the request",
    ),
    (
        "Correlation and causation",
        "Every event names the command that wrote it, a `correlation_id` shared by everything "
        "one command set off, and (for a reaction) the `causation_id` of the event it reacted "
        "to: together a tree across streams.",
        "`t` on any event; `enter` in its details goes to its cause",
    ),
    (
        "Diff of two versions",
        "The state at any two versions of a stream side by side, the fields that changed "
        "(old → new) and the events between them.",
        "`m` on one version, `m` on another",
    ),
    (
        "Given / when / then",
        "A stream's history as a test fixture: the events given, the command, the events "
        "expected. Loaded back, it replays on a store of its own.",
        "`x` export, `X` load into a replay",
    ),
)

KEYS: tuple[tuple[str, str], ...] = (
    ("`p`", "publish an idea"),
    ("`e`", "edit the selected idea (prefilled)"),
    ("`d`", "delete the selected idea (soft)"),
    ("`f`", "forget the selected idea (asks for `y`)"),
    ("`r`", "replay the selected stream"),
    ("`c`", "conflict lab on the selected idea"),
    ("`n`", "send any of the domain's commands: a form generated from its model, prefilled"),
    ("`/`", "filter the timeline by words of the type, stream or command (`escape` clears)"),
    ("Streams: `/`", "filter the streams by name: typing narrows the list, `escape` clears"),
    ("`g`", "start or stop the traffic generator; `+` / `-` change its rate"),
    ("`v` / `b`", "pause or resume / rebuild the read model"),
    ("`1`–`5`", "streams, timeline, state, projection, log (tabs when narrow)"),
    ("`tab`", "next pane"),
    ("`enter`", "on a stream or an idea: open its timeline"),
    ("in a form", "`enter` or `ctrl+s` submits, `tab` / `shift+tab` move, `escape` cancels"),
    ("`ctrl+p`", "command palette: every action"),
    ("`?`", "this help"),
    ("`t`", "causation graph of the highlighted event (moving in it moves the timeline)"),
    ("`enter`", "in the event details: go to the event's cause (or its correlation's start)"),
    ("`m`", "mark a version; `m` on another version of the stream: the diff of the two"),
    ("`K`", "event-type catalogue (counts, schema versions, fields, upcasts; stream filter)"),
    ("`V`", "versioning lab: propose a model change, see if the registry would accept it"),
    ("`s`", "take a snapshot of the selected stream now"),
    ("`u`", "consumers: read models, process managers, tracking records; lag, reset (`R`)"),
    ("`x` / `X`", "export the stream as a given/when/then fixture / load one into a replay"),
    ("`q`", "quit (an in-memory store with changes asks first: they are not saved)"),
)


ACCOUNTS_CONCEPTS: tuple[tuple[str, str, str], ...] = (
    (
        "Invariant under concurrency",
        "A rule the decision checks (balance ≥ −overdraft limit) holds only for the state it "
        "was decided on. Two writers withdrawing 80 from 100 each pass the check; without the "
        "expected-version check both would be stored (balance −60). With it the second is "
        "refused, reloads, decides again and is refused by the rule (insufficient funds).",
        "`c` (the accounts conflict lab), then `a`, `b`, `r`",
    ),
    (
        "Saga and compensation",
        "A transfer spans three streams: `TransferRequested` → debit the source → credit the "
        "target → completed. When the credit is refused (a closed account), the saga "
        "compensates: it refunds the source and ends `TransferCompensated`. Each step's "
        "`causation_id` is the event it reacted to.",
        "select a `transfer-` stream, `t` on its request",
    ),
    (
        "Ledger law",
        "The **ledger** read model keeps, per currency, balances + money in flight = deposits "
        "− withdrawals, at every checkpoint, whatever traffic and sagas run.",
        "`4`, then `n` (the ledger); `g` traffic",
    ),
)

GENERIC_KEYS: tuple[tuple[str, str], ...] = (
    (
        "`c`",
        "conflict lab (accounts: two withdrawals; else: two commands on the selected aggregate)",
    ),
    (
        "`g`",
        "start or stop the traffic generator (the domain's traffic profile); `+` / `-` "
        "change its rate",
    ),
    (
        "`v` / `b`",
        "pause or resume / rebuild the shown read model; `]` / `[` in it: next / previous",
    ),
)


def _concepts(domain: Domain[Any] | None) -> list[tuple[str, str, str]]:
    """The concept rows for the running domain (ideas: as written; others: their words)."""
    if domain is None or domain.name == "ideas":
        return list(CONCEPTS)
    prefix = domain.stream_prefix
    rows: list[tuple[str, str, str]] = []
    for name, text, key in CONCEPTS:
        if name in ("Process manager", "Load", "Optimistic concurrency"):
            continue  # said below in the domain's own terms
        if name == "Stream":
            text = (
                f"The ordered events of one aggregate (`{prefix}-<id>`), versions 1, 2, 3… "
                "The global log (`$all`) orders every event of every stream by *position*."
            )
        elif name == "Tombstone":
            text = (
                "Forgetting erases a stream's events and snapshots, destroys its key and "
                f"leaves one tombstone ({', '.join(sorted(domain.forgotten_types))}); its "
                "personal columns in the read models show ⟦shredded⟧."
            )
            key = "see **Streams** (forgotten)"
        elif name == "Snapshot":
            key = "`s` takes one now; `r` replays from it"
        elif name == "CQRS":
            views = ", ".join(spec.name for spec in domain.read_models) or "none"
            text += f" Here: {views}."
            key = "`v` pause/resume, `b` rebuild, `]` / `[` next / previous read model"
        rows.append((name, text, key))
    rows.append(
        (
            "Optimistic concurrency",
            "A writer appends with the version it loaded as *expected version*; a stale append "
            "is refused (expected vs actual, last event id) and nothing is written.",
            "`c` conflict lab",
        )
    )
    rows.append(
        (
            "Load",
            "The traffic generator draws the domain's own weighted commands from a worker "
            "thread, with writers racing on a few hot aggregates: conflicts are counted.",
            "`g`, then `+` / `-`",
        )
    )
    if domain.name == "accounts":
        rows += ACCOUNTS_CONCEPTS
    return rows


def _commands(domain: Domain[Any]) -> list[str]:
    """The domain's commands a person sends, and those its process managers send."""
    lines = ["", f"## Commands of {domain.name}", "", "| Command | What it does |", "|---|---|"]
    for spec in domain.commands:
        doc = (spec.model.__doc__ or "").strip().splitlines()
        what = doc[0] if doc else ""
        who = " *(sent by a process manager)*" if spec.internal else ""
        lines.append(f"| `{spec.name}` ({spec.label or spec.name}) | {what}{who} |")
    return lines


def help_markdown(numbers: str = "", domain: Domain[Any] | None = None) -> str:
    """The help text: the concepts, this system's numbers (if given), then the keys; for a
    domain other than ideas, in its own terms and with its commands."""
    lines = [INTRO, numbers, "| Concept | What it means | Try |", "|---|---|---|"]
    lines += [f"| **{name}** | {text} | {key} |" for name, text, key in _concepts(domain)]
    keys = KEYS
    if domain is not None and domain.name != "ideas":
        ideas_keys = {"`p`", "`e`", "`d`", "`f`", "`c`", "`g`", "`v` / `b`"}
        keys = GENERIC_KEYS + tuple(k for k in KEYS if k[0] not in ideas_keys)
        lines += _commands(domain)
    lines += ["", "## Keys", "", "| Key | Action |", "|---|---|"]
    lines += [f"| {key} | {action} |" for key, action in keys]
    return "\n".join(lines)


class HelpText(Widget):
    """Markdown drawn by one widget through the line API, rendered once per width (Textual's
    Markdown widget mounts and styles a widget per table cell: a few hundred here, which took
    about a second to show, so a second `?` closed help before it was seen)."""

    DEFAULT_CSS = "HelpText { height: auto; }"

    def __init__(self, source: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = source
        """The Markdown shown."""
        self._lines: dict[int, list[Strip]] = {}

    def _rendered(self, width: int) -> list[Strip]:
        if width not in self._lines:
            console = self.app.console
            options = console.options.update_width(max(width, 1))
            lines = console.render_lines(Markdown(self.source), options, pad=True)
            self._lines[width] = [Strip(line, width) for line in lines]
        return self._lines[width]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._rendered(width))

    def render_line(self, y: int) -> Strip:
        lines = self._rendered(self.size.width)
        return lines[y] if y < len(lines) else Strip.blank(self.size.width)


class HelpScreen(ModalScreen[None]):
    """The concepts, the panes and the keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close"),
    ]

    def __init__(self, numbers: str = "", domain: Domain[Any] | None = None) -> None:
        super().__init__()
        self.numbers = numbers
        self.domain = domain
        """The running domain: the help speaks of its streams and commands."""
        """This system's snapshot policy, process manager rule and store, in a few lines."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield HelpText(help_markdown(self.numbers, self.domain), id="help")
            yield Static("escape · q · ? close", id="help-keys")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def on_screen_resume(self) -> None:
        # The screen is kept between openings: each one starts at the top.
        self.query_one("#help-body").scroll_home(animate=False)

    def action_close(self) -> None:
        dismiss_if_current(self, None)
