"""Every list is paged (`offset`, `limit`, `next_offset`), and every GET route answers HEAD
with the same status and headers and no body."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from domain.bootstrap import System
from tests.http.conftest import publish


async def _walk(client: httpx.AsyncClient, path: str, key: str, limit: int) -> list[Any]:
    items: list[Any] = []
    offset: int | None = 0
    while offset is not None:
        response = await client.get(path, params={"offset": offset, "limit": limit})
        assert response.status_code == 200
        body = response.json()
        assert len(body[key]) <= limit
        items += body[key]
        offset = body["next_offset"]
    assert body["total"] == len(items)
    return items


@pytest.mark.parametrize("limit", [1, 3, 1000])
async def test_idea_pages_join_into_the_whole_list(
    client: httpx.AsyncClient, system: System, limit: int
) -> None:
    for n in range(5):
        await publish(client, f"Idea {n}")

    ideas = await _walk(client, "/ideas", "found", limit)

    assert [i["idea_id"] for i in ideas] == [row.idea_id for row in system.view.list()]


@pytest.mark.parametrize("limit", [2, 7, 1000])
async def test_stream_list_pages_join_into_the_whole_list(
    client: httpx.AsyncClient, system: System, limit: int
) -> None:
    streams = await _walk(client, "/streams", "streams", limit)

    assert [s["stream_id"] for s in streams] == [s.stream_id for s in system.store.list_streams()]


async def test_a_page_holds_at_most_limit_items(client: httpx.AsyncClient) -> None:
    ideas = (await client.get("/ideas", params={"limit": 2})).json()
    streams = (await client.get("/streams", params={"limit": 2})).json()

    assert (len(ideas["found"]), ideas["next_offset"]) == (2, 2)
    assert (len(streams["streams"]), streams["next_offset"]) == (2, 2)
    past = (await client.get("/streams", params={"offset": 10**6})).json()
    assert (past["streams"], past["next_offset"]) == ([], None)


@pytest.mark.parametrize("path", ["/ideas", "/streams"])
@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 1001}, {"offset": -1}, {"limit": "1e400"}, {"offset": "x"}]
)
async def test_paging_refuses_bad_bounds(
    client: httpx.AsyncClient, path: str, params: dict[str, object]
) -> None:
    assert (await client.get(path, params=params)).status_code == 422


async def test_the_schema_documents_the_paging(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in ("/ideas", "/streams", "/log", "/streams/{stream_id}/events"):
        names = {p["name"] for p in paths[path]["get"]["parameters"]}
        assert "limit" in names, path


async def test_head_answers_like_get_without_a_body(
    client: httpx.AsyncClient, system: System
) -> None:
    idea_id = await publish(client)
    values = {"idea_id": idea_id, "stream_id": f"idea-{idea_id}"}
    paths = (await client.get("/openapi.json")).json()["paths"]
    # The origin's command routes are GETs too: HEAD on them is refused (see below).
    reads = [p for p, ops in paths.items() if "get" in ops and not p.startswith("/ideas/")]
    reads += ["/ideas/{idea_id}", "/docs", "/openapi.json", "/"]
    assert len(reads) >= 7

    for template in reads:
        path = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)
        got = await client.get(path)
        head = await client.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == got.headers.get("content-type"), path
        assert head.headers.get("etag") == got.headers.get("etag"), path
    missing = await client.head("/ideas/nosuchidea")
    assert missing.status_code == 404 and missing.content == b""


async def test_head_never_runs_a_command(client: httpx.AsyncClient, system: System) -> None:
    idea_id = await publish(client)
    head = system.store.head_position()
    paths = (await client.get("/openapi.json")).json()["paths"]
    commands = [p for p, ops in paths.items() if "get" in ops and "403" in ops["get"]["responses"]]
    assert len(commands) == 4  # the origin's publish, update, delete and forget

    for template in commands:
        path = template.replace("{idea_id}", idea_id) + "?title=Sneaked&desc=in"
        response = await client.head(path)
        assert response.status_code == 405, path
        assert response.headers["allow"] == "GET", path
        assert response.content == b""
    assert system.store.head_position() == head
    got = await client.get(f"/ideas/update/{idea_id}?title=Sent")  # GET still runs them
    assert got.status_code == 202
