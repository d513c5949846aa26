"""What every route needs: the wired system, and the JSON shapes shared with the CLI."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import Depends, Request, Response

from domain.bootstrap import System
from domain.ideas.handler import CommandOutcome
from domain.ideas.projection import IdeaRow
from es_tui.commands import outcome_json


def get_system(request: Request) -> System:
    """The system the app was created for (`create_api(system)`)."""
    system: System = request.app.state.system
    return system


SystemDep = Annotated[System, Depends(get_system)]


def etag(version: int) -> str:
    """The entity tag of an idea at `version` (send it back in `If-Match`)."""
    return f'"{version}"'


def accepted(outcome: CommandOutcome, response: Response) -> dict[str, Any]:
    """A command's outcome as the CLI prints it, plus the origin's `id`; the `ETag`
    header carries the idea's new version."""
    response.headers["ETag"] = etag(outcome.version)
    return {"id": outcome.idea_id, **outcome_json(outcome)}


def idea_json(row: IdeaRow) -> dict[str, Any]:
    """One read-model row, times in ISO 8601."""
    data = asdict(row)
    data["created_at"] = row.created_at.isoformat()
    data["updated_at"] = row.updated_at.isoformat()
    return data
