"""The ideas domain's own traffic: mostly edits (many on a few "hot" ideas, as real use
concentrates), some publishes and deletes, now and then a conflicting pair of edits (two
writers staged at the same version, the second refused), rarely a forget."""

from __future__ import annotations

from collections.abc import Callable

from domain.bootstrap import ideas_handler, ideas_view
from domain.core.errors import ConcurrencyError
from domain.ideas.demo import EDIT_NOTES, IDEAS
from domain.ideas.errors import IdeaError
from domain.ideas.handler import CommandOutcome
from es_tui.traffic import Ran, Traffic

HOT = 12
"""Ideas that get half of the edits (so their streams grow and take snapshots)."""
MIX = (("edit", 0.75), ("publish", 0.12), ("conflict", 0.05), ("delete", 0.07), ("forget", 0.01))


class IdeasTraffic(Traffic):
    """Random ideas commands through the ideas handler, with its read model's lag."""

    def _pick(self) -> str | None:
        if not self._aggregates:
            return None
        if self.rng.random() < 0.5:  # the hot ones: the newest few
            return self.rng.choice(self._aggregates[-HOT:])
        return self.rng.choice(self._aggregates)

    def step(self) -> list[Ran]:
        """Run one random command; what is worth logging about it."""
        roll = self.rng.random()
        kind = "edit"
        for name, share in MIX:
            if roll < share:
                kind = name
                break
            roll -= share
        idea_id = self._pick()
        if kind == "publish" or idea_id is None:
            return self._run("PublishIdea", "", self._publish)
        if kind == "conflict":
            return self._conflict(idea_id)
        if kind == "delete":
            self._drop(idea_id)
            return self._run(
                "DeleteIdea", idea_id, lambda: ideas_handler(self.system).delete(idea_id)
            )
        if kind == "forget":
            self._drop(idea_id)
            return self._run(
                "ForgetIdea", idea_id, lambda: ideas_handler(self.system).forget(idea_id)
            )
        return self._run("EditIdea", idea_id, lambda: self._edit(idea_id))

    def _publish(self) -> CommandOutcome:
        title, description = self.rng.choice(IDEAS)
        outcome = ideas_handler(self.system).publish(title, description)
        self._add(outcome.idea_id)
        return outcome

    def _edit(self, idea_id: str) -> CommandOutcome:
        note = f"{self.rng.choice(EDIT_NOTES)} (traffic {self.total})"
        if self.rng.random() < 0.3:
            return ideas_handler(self.system).edit(
                idea_id, title=f"{self.rng.choice(IDEAS)[0]} · {note}"[:120]
            )
        return ideas_handler(self.system).edit(idea_id, description=note)

    def _conflict(self, idea_id: str) -> list[Ran]:
        """Two writers load the idea at the same version; the second commit is refused."""
        ideas = ideas_handler(self.system)
        try:
            first = ideas.stage(idea_id)
            second = ideas.stage(idea_id)
        except IdeaError as error:
            return [Ran("EditIdea", idea_id, error)]
        lines = self._run(
            "EditIdea", idea_id, lambda: ideas.commit_edit(first, title=f"Writer A {self.total}")
        )
        lines += self._run(
            "EditIdea",
            idea_id,
            lambda: ideas.commit_edit(second, description=f"Writer B {self.total}"),
        )
        return lines

    def _run(self, command: str, idea_id: str, call: Callable[[], CommandOutcome]) -> list[Ran]:
        subject = f"idea-{idea_id}" if idea_id else ""
        try:
            outcome = call()
        except ConcurrencyError as error:
            self._count("conflict")
            self.total_conflicts += 1
            return [Ran(command, subject, error)]
        except IdeaError as error:  # e.g. an idea deleted or rejected meanwhile
            self._count("refused")
            if idea_id:
                self._drop(idea_id)
            return [Ran(command, subject, error)]
        self._count("commit")
        if outcome.snapshot is not None:
            self._count("snapshot")
        if outcome.snapshot is not None or command == "ForgetIdea":
            return [Ran(command, outcome.stream_id, outcome)]
        return []

    def _lag(self) -> int:
        return ideas_view(self.system).lag()
