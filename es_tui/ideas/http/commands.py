"""The ideas commands of one request, as the origin's routes and their REST verbs send them:
answered in the CLI's shape, each outcome or refusal told to the app's command listener."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Request, Response

from domain.bootstrap import ideas_codec, ideas_handler
from domain.ideas.codec import stream_id_of
from domain.ideas.handler import CommandOutcome
from domain.ideas.projection import IdeaRow
from es_tui.http.deps import (
    CommandListener,
    command_listener,
    etag,
    event_json,
    get_system,
    with_conflict_retries,
)
from es_tui.http.guard import refuse_foreign_origin
from es_tui.ideas.output import outcome_json


class Commands:
    """The ideas commands of one request, answered as the CLI prints them; each outcome or
    refusal goes to the app's listener too. A page of another site may not send them."""

    def __init__(self, request: Request, response: Response) -> None:
        refuse_foreign_origin(request)
        system = get_system(request)
        self.ideas = ideas_handler(system)
        self.codec = ideas_codec(system)
        self.response = response
        self._listener: CommandListener | None = command_listener(request)

    def publish(self, title: str, description: str) -> dict[str, Any]:
        """Publish; the answer's `Location` names the new idea."""
        outcome = self._run("PublishIdea", "", lambda: self.ideas.publish(title, description))
        self.response.headers["Location"] = f"/ideas/{outcome.idea_id}"
        return self._accepted(outcome)

    def edit(
        self,
        idea_id: str,
        title: str | None,
        description: str | None,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        """Edit; with `expected_version`, a stale version is a conflict, without one a
        conflict is retried on the new state."""
        edit = partial(self.ideas.edit, idea_id, title, description, expected_version)
        return self._accepted(self._run("EditIdea", idea_id, edit, retry=expected_version is None))

    def delete(self, idea_id: str, expected_version: int | None = None) -> dict[str, Any]:
        """Delete, with the same precondition (or retries) as `edit`."""
        delete = partial(self.ideas.delete, idea_id, expected_version)
        retry = expected_version is None
        return self._accepted(self._run("DeleteIdea", idea_id, delete, retry=retry))

    def forget(self, idea_id: str) -> dict[str, Any]:
        """Forget (no version involved: the store erases whatever the stream holds)."""
        return self._accepted(self._run("ForgetIdea", idea_id, lambda: self.ideas.forget(idea_id)))

    def _accepted(self, outcome: CommandOutcome) -> dict[str, Any]:
        # The `ETag` header carries the idea's new version; `id` is the origin's name.
        self.response.headers["ETag"] = etag(outcome.version)
        events = [event_json(self.codec, e) for e in outcome.events]
        return {"id": outcome.idea_id, **outcome_json(outcome), "events": events}

    def _run(
        self,
        command: str,
        idea_id: str,
        call: Callable[[], CommandOutcome],
        *,
        retry: bool = False,
    ) -> CommandOutcome:
        try:
            outcome = with_conflict_retries(call, retry)
        except Exception as exc:
            if self._listener is not None:
                self._listener(command, stream_id_of(idea_id) if idea_id else "", exc)
            raise
        if self._listener is not None:
            self._listener(command, outcome.stream_id, outcome)
        return outcome


CommandsDep = Annotated[Commands, Depends(Commands)]


def idea_json(row: IdeaRow) -> dict[str, Any]:
    """One read-model row, times in ISO 8601."""
    data = asdict(row)
    data["created_at"] = row.created_at.isoformat()
    data["updated_at"] = row.updated_at.isoformat()
    return data
