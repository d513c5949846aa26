"""What every route needs: the wired system, the commands (reported to a listener, such as
the explorer's log), and the JSON shapes shared with the CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from functools import partial
from typing import Annotated, Any, Protocol, runtime_checkable

from fastapi import Depends, Request, Response

from domain.bootstrap import System, ideas_codec, ideas_handler
from domain.core.errors import ConcurrencyError
from domain.core.records import JsonObject, RecordedEvent
from domain.core.transfer import record_to_dict
from domain.ideas.codec import stream_id_of
from domain.ideas.handler import CommandOutcome
from domain.ideas.projection import IdeaRow
from es_tui.http.guard import refuse_foreign_origin


def outcome_json(outcome: CommandOutcome) -> dict[str, Any]:
    """An ideas command outcome as one JSON object, its events as stored (the shape of
    `es_tui.ideas.output.outcome_json`, which this module imports once it lives under
    es_tui/ideas/)."""
    return {
        "command": outcome.command,
        "idea_id": outcome.idea_id,
        "stream_id": outcome.stream_id,
        "version": outcome.version,
        "status": outcome.state.status.value,
        "snapshot_taken": outcome.snapshot.version if outcome.snapshot else None,
        "events": [record_to_dict(e) for e in outcome.events],
    }


CommandListener = Callable[[str, str, CommandOutcome | Exception], None]
"""Called with (command, stream id, outcome or error) after each command, from the thread
that ran it."""


def get_system(request: Request) -> System:
    """The system the app was created for (`create_api(system)`)."""
    system: System = request.app.state.system
    return system


SystemDep = Annotated[System, Depends(get_system)]


CONFLICT_RETRIES = 5
"""How many more times a command without a precondition is decided again after another
writer (the process manager, another client) moved the idea between its load and append."""


class Commands:
    """The ideas commands of one request, answered as the CLI prints them; each outcome or
    refusal goes to the app's listener too. A page of another site may not send them."""

    def __init__(self, request: Request, response: Response) -> None:
        refuse_foreign_origin(request)
        system = get_system(request)
        self.ideas = ideas_handler(system)
        self.codec = ideas_codec(system)
        self.response = response
        self._listener: CommandListener | None = request.app.state.on_command

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
            outcome = _with_retries(call, CONFLICT_RETRIES if retry else 0)
        except Exception as exc:
            if self._listener is not None:
                self._listener(command, stream_id_of(idea_id) if idea_id else "", exc)
            raise
        if self._listener is not None:
            self._listener(command, outcome.stream_id, outcome)
        return outcome


def _with_retries(call: Callable[[], CommandOutcome], retries: int) -> CommandOutcome:
    for _ in range(retries):
        try:
            return call()
        except ConcurrencyError:
            # No precondition: the client asked for the change on whatever the idea is
            # now, so decide again on the state the other writer left.
            continue
    return call()


CommandsDep = Annotated[Commands, Depends(Commands)]


@runtime_checkable
class Opener(Protocol):
    """A codec that can show a stored record's data with its private fields opened."""

    def open(self, record: RecordedEvent) -> JsonObject: ...


def opener_of(system: System) -> object | None:
    """What opens the private fields of the system's events: its domain's codec (none in
    raw mode: events are shown as stored)."""
    if system.codec is not None:
        return system.codec
    return system.handler.codec if system.handler is not None else None


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
