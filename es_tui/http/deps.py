"""What every route needs: the wired system, the commands (reported to a listener, such as
the explorer's log), and the JSON shapes shared with the CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated, Any, Protocol, runtime_checkable

from fastapi import Depends, Request, Response

from domain.bootstrap import System
from domain.ideas.codec import stream_id_of
from domain.ideas.handler import CommandOutcome
from domain.ideas.projection import IdeaRow
from domain.ideas.state import IdeaStatus
from domain.store.errors import ConcurrencyError
from domain.store.records import JsonObject, RecordedEvent
from domain.transfer import record_to_dict
from es_tui.commands import outcome_json

CommandListener = Callable[[str, str, CommandOutcome | Exception], None]
"""Called with (command, stream id, outcome or error) after each command, from the thread
that ran it."""


def get_system(request: Request) -> System:
    """The system the app was created for (`create_api(system)`)."""
    system: System = request.app.state.system
    return system


SystemDep = Annotated[System, Depends(get_system)]


class Commands:
    """The ideas commands of one request; each outcome or refusal goes to the app's
    listener too."""

    def __init__(self, request: Request) -> None:
        system = get_system(request)
        self.ideas = system.ideas
        self.codec = system.codec
        self._listener: CommandListener | None = request.app.state.on_command

    def publish(self, title: str, description: str) -> CommandOutcome:
        return self._run("PublishIdea", "", lambda: self.ideas.publish(title, description))

    def edit(
        self,
        idea_id: str,
        title: str | None,
        description: str | None,
        expected_version: int | None = None,
    ) -> CommandOutcome:
        """With `expected_version`, a stale version is a conflict before any domain rule is
        asked (the store checks it again when appending, for a writer racing in between)."""

        def edit() -> CommandOutcome:
            if expected_version is not None:
                loaded = self.ideas.load(idea_id)
                exists = loaded.state.status not in (IdeaStatus.NONE, IdeaStatus.FORGOTTEN)
                if exists and loaded.version != expected_version:
                    raise ConcurrencyError(
                        loaded.stream_id, expected_version, loaded.version, loaded.last_event_id
                    )
            return self.ideas.edit(idea_id, title, description, expected_version)

        return self._run("EditIdea", idea_id, edit)

    def delete(self, idea_id: str) -> CommandOutcome:
        return self._run("DeleteIdea", idea_id, lambda: self.ideas.delete(idea_id))

    def forget(self, idea_id: str) -> CommandOutcome:
        return self._run("ForgetIdea", idea_id, lambda: self.ideas.forget(idea_id))

    def accepted(self, outcome: CommandOutcome, response: Response) -> dict[str, Any]:
        """A command's outcome as the CLI prints it, plus the origin's `id`; the `ETag`
        header carries the idea's new version."""
        response.headers["ETag"] = etag(outcome.version)
        events = [event_json(self.codec, e) for e in outcome.events]
        return {"id": outcome.idea_id, **outcome_json(outcome), "events": events}

    def _run(
        self, command: str, idea_id: str, call: Callable[[], CommandOutcome]
    ) -> CommandOutcome:
        try:
            outcome = call()
        except Exception as exc:
            if self._listener is not None:
                self._listener(command, stream_id_of(idea_id) if idea_id else "", exc)
            raise
        if self._listener is not None:
            self._listener(command, outcome.stream_id, outcome)
        return outcome


CommandsDep = Annotated[Commands, Depends(Commands)]


@runtime_checkable
class Opener(Protocol):
    """A codec that can show a stored record's data with its private fields opened."""

    def open(self, record: RecordedEvent) -> JsonObject: ...


def event_json(codec: object, record: RecordedEvent) -> dict[str, Any]:
    """A stored event in the export shape, its private fields (sealed at rest) opened: in
    clear while the stream's key lives, a redaction marker once the idea was forgotten."""
    data = record_to_dict(record)
    if isinstance(codec, Opener):
        data["data"] = codec.open(record)
    return data


def etag(version: int) -> str:
    """The entity tag of an idea at `version` (send it back in `If-Match`)."""
    return f'"{version}"'


def idea_json(row: IdeaRow) -> dict[str, Any]:
    """One read-model row, times in ISO 8601."""
    data = asdict(row)
    data["created_at"] = row.created_at.isoformat()
    data["updated_at"] = row.updated_at.isoformat()
    return data
