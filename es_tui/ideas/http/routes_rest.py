"""The same commands with proper REST verbs and JSON bodies, and optimistic concurrency
through `If-Match` (send back the `ETag` of `GET /ideas/{id}` or of the last command)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from domain.ideas.commands import PublishIdea
from domain.ideas.fields import IdeaId
from es_tui.http.body import StrictJsonRoute
from es_tui.http.deps import IfMatch, expected_version
from es_tui.ideas.http.commands import CommandsDep
from es_tui.ideas.http.errors import COMMAND_ERRORS
from es_tui.ideas.http.models import CommandAccepted, EditBody

router = APIRouter(tags=["rest"], route_class=StrictJsonRoute)


@router.post(
    "/ideas",
    status_code=202,
    response_model=CommandAccepted,
    responses=COMMAND_ERRORS,
    summary="Publish an idea",
)
def post_idea(body: PublishIdea, commands: CommandsDep) -> dict[str, Any]:
    """Publish an idea (body: the domain's `PublishIdea` command). The answer's `Location`
    names the new idea; the process manager accepts or rejects it a moment later."""
    return commands.publish(body.title, body.description)


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
    if_match: IfMatch = "*",
) -> dict[str, Any]:
    """Change the title and/or the description.

    With `If-Match`, the edit is refused with 409 (expected and actual version, last event
    id; nothing written) unless the idea is still at that version. The version is checked
    before the domain rules, so a stale client hears "conflict" rather than a rule that only
    the newer state breaks; the store checks it again when appending, so a writer racing in
    between is refused as well. Without `If-Match`, an edit that meets a concurrent change
    (the process manager accepting the idea) is decided again on the new state."""
    return commands.edit(idea_id, body.title, body.description, expected_version(if_match))


@router.delete(
    "/ideas/{idea_id}",
    status_code=202,
    response_model=CommandAccepted,
    responses=COMMAND_ERRORS,
    summary="Delete an idea",
)
def delete_idea(idea_id: IdeaId, commands: CommandsDep, if_match: IfMatch = "*") -> dict[str, Any]:
    """Soft-delete an idea: it leaves the read model, its history stays in its stream.
    Deleting it again is refused (400). `If-Match` works as for `PATCH`."""
    return commands.delete(idea_id, expected_version(if_match))


@router.post(
    "/ideas/{idea_id}/forget",
    status_code=202,
    response_model=CommandAccepted,
    responses=COMMAND_ERRORS,
    summary="Forget an idea",
)
def forget_idea(idea_id: IdeaId, commands: CommandsDep) -> dict[str, Any]:
    """Right to be forgotten: erase the idea's events and snapshots, keep one tombstone.
    The idea's id is never reused; later commands on it answer 410."""
    return commands.forget(idea_id)
