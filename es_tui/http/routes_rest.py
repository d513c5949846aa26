"""The same commands with proper REST verbs and JSON bodies, and optimistic concurrency
through `If-Match` (send back the `ETag` of `GET /ideas/{id}` or of the last command)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Response

from domain.ideas.commands import PublishIdea
from domain.ideas.fields import IdeaId
from es_tui.http.deps import CommandsDep
from es_tui.http.errors import COMMAND_ERRORS
from es_tui.http.models import CommandAccepted, EditBody

router = APIRouter(tags=["rest"])

IfMatch = Annotated[
    str,
    Header(
        pattern=r'^(\*|"[0-9]{1,15}"|[0-9]{1,15})$',
        description='the version the edit expects, e.g. "7" (the ETag); 409 if the idea has '
        "moved on; `*` (the default): no check",
    ),
]


def expected_version(if_match: str) -> int | None:
    """The version an `If-Match` value names; None for no check."""
    if if_match == "*":
        return None
    return int(if_match.strip('"'))


@router.post(
    "/ideas",
    status_code=202,
    response_model=CommandAccepted,
    responses=COMMAND_ERRORS,
    summary="Publish an idea",
)
def post_idea(body: PublishIdea, commands: CommandsDep, response: Response) -> dict[str, Any]:
    """Publish an idea (body: the domain's `PublishIdea` command). The answer's `Location`
    names the new idea; the process manager accepts or rejects it a moment later."""
    outcome = commands.publish(body.title, body.description)
    response.headers["Location"] = f"/ideas/{outcome.idea_id}"
    return commands.accepted(outcome, response)


@router.patch(
    "/ideas/{idea_id}",
    status_code=202,
    response_model=CommandAccepted,
    responses=COMMAND_ERRORS,
    summary="Edit an idea",
)
def patch_idea(
    idea_id: IdeaId,
    body: EditBody,
    commands: CommandsDep,
    response: Response,
    if_match: IfMatch = "*",
) -> dict[str, Any]:
    """Change the title and/or the description.

    With `If-Match`, the edit is refused with 409 (expected and actual version, last event
    id; nothing written) unless the idea is still at that version. The version is checked
    before the domain rules, so a stale client hears "conflict" rather than a rule that only
    the newer state breaks; the store checks it again when appending, so a writer racing in
    between is refused as well."""
    expected = expected_version(if_match)
    outcome = commands.edit(idea_id, body.title, body.description, expected)
    return commands.accepted(outcome, response)


@router.delete(
    "/ideas/{idea_id}",
    status_code=202,
    response_model=CommandAccepted,
    responses=COMMAND_ERRORS,
    summary="Delete an idea",
)
def delete_idea(idea_id: IdeaId, commands: CommandsDep, response: Response) -> dict[str, Any]:
    """Soft-delete an idea: it leaves the read model, its history stays in its stream.
    Deleting it again is refused (400)."""
    return commands.accepted(commands.delete(idea_id), response)


@router.post(
    "/ideas/{idea_id}/forget",
    status_code=202,
    response_model=CommandAccepted,
    responses=COMMAND_ERRORS,
    summary="Forget an idea",
)
def forget_idea(idea_id: IdeaId, commands: CommandsDep, response: Response) -> dict[str, Any]:
    """Right to be forgotten: erase the idea's events and snapshots, keep one tombstone.
    The idea's id is never reused; later commands on it answer 410."""
    return commands.accepted(commands.forget(idea_id), response)
