"""The origin's API, same paths and behaviour: commands as GET requests (handy from a
browser or plain `curl`), the read model, and the debug route showing the computed aggregate.
"""

from __future__ import annotations

import random
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from domain.bootstrap import ideas_handler, ideas_view
from domain.core.aggregate import LATEST
from domain.core.records import Snapshot, StreamStatus
from domain.ideas.codec import stream_id_of
from domain.ideas.errors import IdeaDeletedError, IdeaForgottenError, IdeaNotFoundError
from domain.ideas.fields import Description, IdeaId, Title
from domain.ideas.state import IdeaStatus
from es_tui.http.deps import SystemDep, etag
from es_tui.http.errors import GONE, NOT_FOUND, UNAVAILABLE, error_body
from es_tui.http.models import MAX_POSITION
from es_tui.http.routes_read import Limit, Offset, page
from es_tui.ideas.http.commands import CommandsDep, idea_json
from es_tui.ideas.http.errors import COMMAND_ERRORS
from es_tui.ideas.http.models import AggregateOut, CommandAccepted, IdeaFound, IdeaList

router = APIRouter(tags=["origin"])

WORDS = [
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "consectetur",
    "adipiscing",
    "elit",
    "sed",
    "do",
    "eiusmod",
    "tempor",
    "incididunt",
    "labore",
    "dolore",
    "magna",
    "aliqua",
    "enim",
    "minim",
    "veniam",
    "quis",
    "nostrud",
    "exercitation",
    "ullamco",
    "laboris",
    "nisi",
    "aliquip",
    "commodo",
    "consequat",
    "duis",
    "aute",
    "irure",
    "reprehenderit",
    "voluptate",
    "velit",
    "esse",
    "cillum",
    "fugiat",
    "nulla",
    "pariatur",
    "excepteur",
    "sint",
    "occaecat",
    "cupidatat",
    "proident",
    "sunt",
    "culpa",
    "officia",
]

TitleQuery = Annotated[Title | None, Query(description="the title (random words if left out)")]
DescQuery = Annotated[
    Description | None, Query(description="the description (random words if left out)")
]


def random_words(count: int) -> str:
    """`count` random lorem-ipsum words, as the origin filled in a missing title or text."""
    return " ".join(random.choice(WORDS) for _ in range(count))


@router.get(
    "/ideas/publish",
    status_code=202,
    response_model=CommandAccepted,
    responses=COMMAND_ERRORS,
    summary="Publish an idea (origin)",
)
def publish_idea(
    commands: CommandsDep, title: TitleQuery = None, desc: DescQuery = None
) -> dict[str, Any]:
    """Publish an idea; the process manager then accepts it (or rejects it) a moment later.

    Like the origin, a request without a title or description gets random words for it (the
    origin filled both when it got no body; here each missing one is filled on its own)."""
    return commands.publish(title or random_words(3), desc or random_words(7))


@router.get(
    "/ideas/update/{idea_id}",
    status_code=202,
    response_model=CommandAccepted,
    responses=COMMAND_ERRORS,
    summary="Edit an idea (origin)",
)
def update_idea(
    idea_id: IdeaId,
    commands: CommandsDep,
    title: TitleQuery = None,
    desc: DescQuery = None,
) -> dict[str, Any]:
    """Change the title and/or the description.

    Like the origin, a request with neither gets a random title and description; a request
    with one of them changes only that one. An edit that changes nothing is refused (400)."""
    if title is None and desc is None:
        title, desc = random_words(3), random_words(7)
    return commands.edit(idea_id, title, desc)


@router.get(
    "/ideas/delete/{idea_id}",
    status_code=202,
    response_model=CommandAccepted,
    responses=COMMAND_ERRORS,
    summary="Delete an idea (origin)",
)
def delete_idea(idea_id: IdeaId, commands: CommandsDep) -> dict[str, Any]:
    """Soft-delete an idea: it leaves the read model, its history stays in its stream."""
    return commands.delete(idea_id)


@router.get(
    "/ideas/forget/{idea_id}",
    status_code=202,
    response_model=CommandAccepted,
    responses=COMMAND_ERRORS,
    summary="Forget an idea (origin)",
)
def forget_idea(idea_id: IdeaId, commands: CommandsDep) -> dict[str, Any]:
    """Right to be forgotten: erase the idea's events and snapshots and keep one tombstone.
    A deleted idea can still be forgotten; a forgotten one answers 410."""
    return commands.forget(idea_id)


@router.get(
    "/ideas", response_model=IdeaList, responses=UNAVAILABLE, summary="List ideas (read model)"
)
def list_ideas(system: SystemDep, offset: Offset = 0, limit: Limit = 100) -> dict[str, Any]:
    """The ideas that are not deleted, oldest first, from the read model: at most `limit`
    from `offset`; follow `next_offset` for the following page.

    The read model follows the log: right after a command it may lag behind by a few events
    (`lag`), then it catches up."""
    view = ideas_view(system)
    rows = view.list()
    shown, next_offset = page(rows, offset, limit)
    return {
        "found": [idea_json(row) for row in shown],
        "total": len(rows),
        "next_offset": next_offset,
        "checkpoint": view.checkpoint,
        "lag": view.lag(),
    }


@router.get(
    "/ideas/{idea_id}",
    response_model=IdeaFound,
    responses={**NOT_FOUND, **GONE, **UNAVAILABLE},
    summary="Get one idea (read model)",
)
def get_idea(
    idea_id: IdeaId, system: SystemDep, response: Response
) -> dict[str, Any] | JSONResponse:
    """One idea from the read model; its `ETag` is its version (for `If-Match` on PATCH).

    A deleted idea is not found (404); a forgotten one is gone (410). An idea published an
    instant ago may not be in the read model yet (404 until it catches up)."""
    try:
        row = ideas_view(system).get(idea_id)
    except IdeaDeletedError:
        body = error_body("not_found", f"idea {idea_id} was deleted", idea_id)
        return JSONResponse(body, status_code=404)
    except IdeaNotFoundError:
        info = system.store.stream_info(stream_id_of(idea_id))
        if info is not None and info.status is StreamStatus.FORGOTTEN:
            raise IdeaForgottenError(idea_id, "read") from None
        raise
    response.headers["ETag"] = etag(row.version)
    return {"found": idea_json(row)}


@router.get(
    "/aggregate/{idea_id}",
    response_model=AggregateOut,
    responses={**NOT_FOUND, **GONE, **UNAVAILABLE},
    summary="The computed aggregate (write side)",
)
def get_aggregate(
    idea_id: IdeaId,
    system: SystemDep,
    response: Response,
    snapshot: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_POSITION,
            description="start from the kept snapshot at this version; 0: replay from v1; "
            "default: the latest snapshot",
        ),
    ] = None,
) -> dict[str, Any] | JSONResponse:
    """The idea's state as the write side computes it (the origin's debug route): the
    latest snapshot plus the events after it, and which snapshot that was.

    A deleted idea is shown (its status says so); a forgotten one is gone (410). Asking for
    a snapshot that is not kept answers 404."""
    stream_id = stream_id_of(idea_id)
    kept = system.store.snapshots(stream_id)
    start: Snapshot | Literal["latest"] | None = LATEST
    if snapshot == 0:
        start = None
    elif snapshot is not None:
        start = next((s for s in kept if s.version == snapshot), None)
        if start is None:
            info = system.store.stream_info(stream_id)
            if info is None:
                raise IdeaNotFoundError(idea_id)
            if info.status is StreamStatus.FORGOTTEN:
                raise IdeaForgottenError(idea_id, "load")
            message = f"idea {idea_id} keeps no snapshot at v{snapshot}"
            return JSONResponse(error_body("not_found", message, idea_id), status_code=404)
    loaded = ideas_handler(system).load(idea_id, snapshot=start)
    if loaded.state.status is IdeaStatus.NONE:
        raise IdeaNotFoundError(idea_id)
    if loaded.state.status is IdeaStatus.FORGOTTEN:
        raise IdeaForgottenError(idea_id, "load")
    response.headers["ETag"] = etag(loaded.version)
    return {
        "id": idea_id,
        "stream_id": loaded.stream_id,
        "state": loaded.state.model_dump(mode="json"),
        "version": loaded.version,
        "last_event_id": str(loaded.last_event_id) if loaded.last_event_id else None,
        "how": loaded.how(),
        "snapshot_version": loaded.snapshot.version if loaded.snapshot else None,
        "events_applied": loaded.events_applied,
        "kept_snapshots": [s.version for s in kept],
    }
