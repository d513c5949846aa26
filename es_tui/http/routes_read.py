"""Reading the store itself: streams, one stream's events, and the global log, in pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Query

from domain.core.errors import StreamNotFoundError
from es_tui.http.deps import SystemDep, event_json, opener_of
from es_tui.http.errors import NOT_FOUND, UNAVAILABLE
from es_tui.http.models import MAX_POSITION, LogPage, StreamEvents, StreamList
from es_tui.output import stream_json

router = APIRouter(tags=["store"])

PAGE_MAX = 1000

Limit = Annotated[int, Query(ge=1, le=PAGE_MAX, description=f"page size, 1..{PAGE_MAX}")]
Offset = Annotated[
    int, Query(ge=0, le=MAX_POSITION, description="how many items to skip (`next_offset`)")
]

T = TypeVar("T")


def page(items: Sequence[T], offset: int, limit: int) -> tuple[Sequence[T], int | None]:
    """The items of one page and the offset of the next one (None after the last)."""
    end = offset + limit
    return items[offset:end], end if end < len(items) else None


@router.get("/streams", response_model=StreamList, responses=UNAVAILABLE, summary="List streams")
def list_streams(system: SystemDep, offset: Offset = 0, limit: Limit = 100) -> dict[str, Any]:
    """The streams ever written, in order of creation, with version, event count and status
    (active, deleted, forgotten): at most `limit` from `offset`; follow `next_offset`."""
    store = system.store
    head = store.head_position()
    streams = store.list_streams()
    shown, next_offset = page(streams, offset, limit)
    return {
        "streams": [stream_json(i) for i in shown],
        "total": len(streams),
        "next_offset": next_offset,
        "head_position": head,
    }


@router.get(
    "/streams/{stream_id:path}/events",
    response_model=StreamEvents,
    responses={**NOT_FOUND, **UNAVAILABLE},
    summary="Events of one stream",
)
def stream_events(
    system: SystemDep,
    stream_id: Annotated[str, Path(min_length=1, max_length=200, description="e.g. idea-3f2a9c")],
    from_version: Annotated[int, Query(ge=1, le=MAX_POSITION)] = 1,
    limit: Limit = 100,
) -> dict[str, Any]:
    """One stream's events from `from_version`, at most `limit`. A forgotten stream shows
    its lone tombstone (that is what the store keeps)."""
    store = system.store
    info = store.stream_info(stream_id)
    if info is None:
        raise StreamNotFoundError(stream_id)
    events = store.read_stream(stream_id, from_version, from_version + limit - 1)
    more = bool(events) and events[-1].version < info.version
    return {
        "stream": stream_json(info),
        "events": [event_json(opener_of(system), e) for e in events],
        "next_from_version": events[-1].version + 1 if more else None,
    }


@router.get("/log", response_model=LogPage, responses=UNAVAILABLE, summary="The global log")
def read_log(
    system: SystemDep,
    from_position: Annotated[
        int, Query(alias="from", ge=1, le=MAX_POSITION, description="first position to read")
    ] = 1,
    limit: Limit = 100,
) -> dict[str, Any]:
    """Every stream's events in commit order (the "$all" log), from position `from`, at
    most `limit`. Follow `next` for the following page; when it is null the page reached the
    head — poll again later from the last position + 1 to tail the log."""
    store = system.store
    events = store.read_all(from_position, limit)
    head = store.head_position()  # after the read: a page never ends past the head it reports
    more = bool(events) and events[-1].position < head
    return {
        "events": [event_json(opener_of(system), e) for e in events],
        "next": events[-1].position + 1 if more else None,
        "head_position": head,
    }
