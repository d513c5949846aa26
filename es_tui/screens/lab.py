"""What every conflict lab shares: writers A and B load one aggregate at the same version and
each appends with that version as its expected version; the second is refused (optimistic
concurrency), reloads and tries again. Each key that can do nothing says why; each step is
one numbered line."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, RichLog, Static

from domain.core.aggregate import Loaded
from domain.core.errors import ConcurrencyError
from domain.core.handler import Outcome
from es_tui.format import short_id
from es_tui.screens.closing import dismiss_if_current

WRITERS = ("A", "B")

Result = Outcome[Any] | Exception
"""What a writer's append gave: the command's outcome, or what refused it."""


class Steps(RichLog):
    """The lab's numbered lines, wrapped at the log's width (again after each resize: the
    first lines are written before the screen's layout has settled)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.texts: list[Text] = []

    def add(self, text: Text) -> None:
        """Write one line and keep it for rewrapping."""
        self.texts.append(text)
        self._put(text)

    def _put(self, text: Text) -> None:
        self.write(text, width=self.scrollable_content_region.width or None)

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        if self.texts:
            self.clear()
            for text in self.texts:
                self._put(text)


class TwoWriterLab(Screen[None]):
    """The writers' bookkeeping and the keys a, b, r and escape. A lab supplies how a writer
    commits (`_commit`) and reloads (`_reload`) — both post their results back — and what
    its cards show."""

    SUBJECT = "the aggregate"
    """What the writers load, as the lines name it."""
    ORDER = "a commits A, then b commits B"
    """The order the lab suggests."""
    CARDS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("writer-a", "Writer A"),
        ("writer-b", "Writer B"),
    )
    """The cards side by side: their ids and titles."""

    def __init__(self) -> None:
        super().__init__()
        self.staged: dict[str, Loaded[Any]] = {}
        self.results: dict[str, Result] = {}
        self.pending: set[str] = set()
        """Writers whose load or commit is on its way."""
        self.writers_loading = False
        """Both writers are (re)loading."""
        self.load_error: Exception | None = None
        self.step = 0

    # -- what a lab supplies -----------------------------------------------------------

    def heading(self) -> str:
        """The lab's first line."""
        raise NotImplementedError

    def lede(self) -> str:
        """What the lab shows, in a few sentences."""
        raise NotImplementedError

    def _commit(self, writer: str) -> object:
        """Append `writer`'s command (in a worker), then post the result back."""
        raise NotImplementedError

    def _reload(self, writer: str) -> object:
        """Load the aggregate again for `writer` (in a worker), then commit again."""
        raise NotImplementedError

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="lab"):
            yield Static(self.heading(), id="lab-heading")
            yield Static(self.lede(), id="lab-help")
            with Horizontal(id="lab-writers"):
                for card_id, _ in self.CARDS:
                    yield Static(id=card_id, classes="writer")
            yield Static(id="lab-stream")
            yield Static(id="lab-notice")
            yield Steps(id="lab-steps", wrap=True, markup=False)
        yield Footer()

    def _title_panes(self) -> None:
        """Give the cards and the steps their border titles (once mounted)."""
        for card_id, title in self.CARDS:
            self.query_one(f"#{card_id}").border_title = title
        self.query_one("#lab-steps").border_title = "What happened"

    # -- lines -------------------------------------------------------------------------

    def _notice(self, key: str, does: str, why: str = "") -> None:
        """Why `key` did nothing now ("" clears the notice: the key did its work)."""
        notice = self.query_one("#lab-notice", Static)
        if not why:
            notice.update("")
            return
        notice.update(
            Text.assemble((key, "bold"), f" ({does}) does nothing now: ", (why, "yellow"))
        )

    def _explain(self, text: str | Text) -> None:
        self.step += 1
        # Wrapped at the pane's width, again once the layout has settled.
        self.query_one("#lab-steps", Steps).add(Text.assemble((f"{self.step}. ", "bold"), text))

    # -- keys --------------------------------------------------------------------------

    def action_commit(self, writer: str) -> None:
        why = self._why_not_commit(writer)
        self._notice(writer.lower(), f"commit {writer}", why)
        if not why:
            self.pending.add(writer)
            self._commit(writer)

    def _why_not_commit(self, writer: str) -> str:
        """Why `writer` cannot commit now ("" when it can)."""
        result = self.results.get(writer)
        if self.load_error is not None:
            return f"{self.SUBJECT} could not be loaded (see below); s tries again."
        if self.writers_loading:
            return f"A and B are still loading {self.SUBJECT}."
        if writer in self.pending:
            return f"{writer}'s commit is on its way."
        if isinstance(result, Outcome):
            return f"{writer} already committed v{result.version}; s starts over."
        if isinstance(result, ConcurrencyError):
            return f"{writer} was refused; r reloads it and retries."
        if result is not None:
            return f"{writer} was refused ({type(result).__name__}); s starts over."
        return ""

    def action_retry(self) -> None:
        does = "reload and retry a refused writer"
        refused = [w for w, r in self.results.items() if isinstance(r, ConcurrencyError)]
        ruled = [w for w, r in self.results.items() if isinstance(r, Exception)]
        if self.load_error is not None:
            self._notice("r", does, f"{self.SUBJECT} could not be loaded; s tries again.")
        elif self.writers_loading:
            self._notice("r", does, f"A and B are still loading {self.SUBJECT}.")
        elif self.pending:
            self._notice("r", does, f"{' and '.join(sorted(self.pending))} still at work.")
        elif refused:
            self._notice("r", does)
            self.pending.add(refused[0])
            self._reload(refused[0])
        elif ruled:
            error = self.results[ruled[0]]
            self._notice(
                "r",
                does,
                f"{ruled[0]} was refused by a rule ({type(error).__name__}), not by a "
                "conflict: a retry would be refused again; s starts over.",
            )
        elif self.results:
            done = " and ".join(sorted(self.results))
            self._notice("r", does, f"no writer was refused ({done} committed).")
        else:
            self._notice("r", does, f"no writer was refused yet: {self.ORDER}.")

    def action_close(self) -> None:
        dismiss_if_current(self, None)

    # -- cards -------------------------------------------------------------------------

    def _status(self, writer: str) -> Text:
        """The last line of a writer's card: ready, committed or refused, and why."""
        result = self.results.get(writer)
        if result is None:
            return Text(f"ready to commit ({writer.lower()})", style="yellow")
        if isinstance(result, Outcome):
            return Text(f"committed v{result.version} ✔", style="bold green")
        if isinstance(result, ConcurrencyError):
            return Text(
                f"refused ✘ expected v{result.expected}, actual v{result.actual}, last "
                f"event {short_id(result.last_event_id)}",
                style="bold red",
            )
        return Text(f"refused ✘ {type(result).__name__}", style="bold red")

    def _refused_by_version(
        self, writer: str, error: ConcurrencyError, now: int | None = None
    ) -> Text:
        """The line for a writer the expected-version check refused (`now`: the stream's
        version read after the refusal, when known)."""
        still = f": the stream is still at v{now}" if now is not None else ""
        return Text.assemble(
            (f"{writer} is refused by the version: ", "bold red"),
            f"expected v{error.expected}, actual v{error.actual} (last event "
            f"{short_id(error.last_event_id)}). Nothing was written{still}. Press r to "
            "reload and retry.",
        )
