"""The ideas domain's own explorer part: its publish and edit forms, its delete dialog and
its conflict lab (instead of the generated command forms and the generic lab), its read
model's list, and its traffic generator. The explorer finds it as `PART` through
`es_tui.fronts`; each of its screens and panes states what it needs of a part."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.bootstrap import ideas_handler
from domain.ideas.codec import stream_id_of
from es_tui.ideas.screens.conflict_lab import ConflictLab
from es_tui.ideas.screens.idea_form import IdeaForm
from es_tui.ideas.sources import IdeasSource
from es_tui.ideas.traffic import IdeasTraffic
from es_tui.screens.confirm import ConfirmCommand
from es_tui.widgets.projection_pane import Listing

if TYPE_CHECKING:
    from domain.bootstrap import System
    from es_tui.screens.main import MainScreen
    from es_tui.traffic import Traffic

ACTIONS = frozenset({"publish", "edit", "delete", "conflict_lab"})
"""The main screen's actions this part runs in place of the generic ones."""
SELECTED_FOR = {"edit": "edit", "delete": "delete", "conflict_lab": "open the conflict lab on"}
"""What each action on the selected idea does to it, as its warning says ("Select an idea
stream to edit.")."""


class IdeasExplorer:
    """The ideas domain's explorer actions, read-model list and traffic."""

    selection = "an idea stream"
    palette = (
        ("Publish an idea", "Open the publish form (p)", "publish"),
        ("Edit the selected idea", "Open the edit form, prefilled (e)", "edit"),
        ("Delete the selected idea", "Soft delete, after confirmation (d)", "delete"),
    )

    def actions(self, system: System) -> frozenset[str]:
        """Every one of `ACTIONS` where the ideas handler runs (none elsewhere)."""
        return ACTIONS if system.ideas is not None else frozenset()

    def act(self, action: str, screen: MainScreen) -> None:
        """Open the form, dialog or lab of `action` over the main screen."""
        app, system = screen.app, screen.system
        if action == "publish":
            app.push_screen(IdeaForm(system, "publish"), screen.after_command)
            return
        idea_id = screen.aggregate_or_warn(SELECTED_FOR[action])
        if idea_id is None:
            return
        if action == "edit":
            app.push_screen(IdeaForm(system, "edit", idea_id), screen.after_command)
        elif action == "delete":
            app.push_screen(delete_dialog(system, idea_id), screen.after_command)
        else:
            app.push_screen(ConflictLab(system, idea_id, screen.changes))

    def listing(self, system: System) -> Listing | None:
        """The ideas read model's rows, oldest first (None where it does not run)."""
        if system.view is None:
            return None
        return Listing(
            IdeasSource(system.view, system.store), system.view, "no ideas in the read model"
        )

    def traffic(self, system: System, seed: int | None) -> Traffic | None:
        """The ideas generator (None where the ideas handler does not run)."""
        return IdeasTraffic(system, seed=seed) if system.ideas is not None else None


def delete_dialog(system: System, idea_id: str) -> ConfirmCommand:
    """Asks, then soft-deletes the idea."""
    ideas = ideas_handler(system)
    stream_id = stream_id_of(idea_id)
    return ConfirmCommand(
        "DeleteIdea",
        stream_id,
        f"Delete {stream_id}?",
        "Appends IdeaDeleted. A soft delete: the history stays in the stream, the "
        "read model drops the row, and later edits are refused.",
        lambda announce: ideas.delete(idea_id),
    )


PART = IdeasExplorer()
"""What `es_tui.fronts.front_part("ideas", "explorer")` returns."""
