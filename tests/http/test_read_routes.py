"""Reading the store over HTTP: streams, one stream's events, the global log, in pages."""

from __future__ import annotations

import httpx
import pytest

from domain.bootstrap import System
from domain.core.records import NO_STREAM, NewEvent
from domain.core.transfer import record_to_dict
from domain.ideas.demo import IDEAS
from tests.http.conftest import publish


async def test_streams_match_the_store(client: httpx.AsyncClient, system: System) -> None:
    response = await client.get("/streams")

    assert response.status_code == 200
    body = response.json()
    assert body["head_position"] == system.store.head_position()
    expected = [(s.stream_id, s.version, s.status.value) for s in system.store.list_streams()]
    assert [(s["stream_id"], s["version"], s["status"]) for s in body["streams"]] == expected
    assert {s["status"] for s in body["streams"]} == {"active", "deleted", "forgotten"}


async def test_stream_pages_join_into_the_whole_stream(
    client: httpx.AsyncClient, system: System
) -> None:
    longest = max(system.store.list_streams(), key=lambda s: s.version)
    versions: list[int] = []
    cursor: int | None = 1
    pages = 0

    while cursor is not None:
        response = await client.get(
            f"/streams/{longest.stream_id}/events", params={"from_version": cursor, "limit": 7}
        )
        assert response.status_code == 200
        body = response.json()
        versions += [event["version"] for event in body["events"]]
        cursor = body["next_from_version"]
        pages += 1

    assert versions == list(range(1, longest.version + 1))
    assert pages == -(-longest.version // 7)


async def test_a_forgotten_stream_shows_its_tombstone(
    client: httpx.AsyncClient, system: System
) -> None:
    assert system.demo is not None
    stream_id = f"idea-{system.demo.forgotten[0]}"

    body = (await client.get(f"/streams/{stream_id}/events")).json()

    assert body["stream"]["status"] == "forgotten"
    assert [event["type"] for event in body["events"]] == ["IdeaForgotten"]
    assert body["next_from_version"] is None


async def test_stream_events_refusals(client: httpx.AsyncClient) -> None:
    unknown = await client.get("/streams/idea-nothere/events")
    reserved = await client.get("/streams/$all/events")

    assert unknown.status_code == 404
    assert unknown.json()["error"] == "not_found"
    assert reserved.status_code == 404


async def test_a_stream_id_with_a_slash_is_read_whole(
    client: httpx.AsyncClient, system: System
) -> None:
    # Other processes may write streams of their own, named with any printable characters.
    system.store.append("orders/42", [NewEvent("OrderPlaced", {"total": 3})], NO_STREAM)

    response = await client.get("/streams/orders/42/events")

    assert response.status_code == 200
    assert [event["type"] for event in response.json()["events"]] == ["OrderPlaced"]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 1001},
        {"limit": 10**12},
        {"from_version": 0},
        {"from_version": -5},
        {"from_version": 2**60},
        {"from_version": "one"},
    ],
)
async def test_stream_paging_refuses_bad_bounds(
    client: httpx.AsyncClient, system: System, params: dict[str, object]
) -> None:
    stream_id = system.store.list_streams()[0].stream_id

    response = await client.get(f"/streams/{stream_id}/events", params=params)

    assert response.status_code == 422


async def test_a_too_long_stream_id_is_422(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"/streams/{'s' * 201}/events")).status_code == 422


async def test_log_pages_follow_next_to_the_head(client: httpx.AsyncClient, system: System) -> None:
    positions: list[int] = []
    cursor: int | None = 1

    while cursor is not None:
        response = await client.get("/log", params={"from": cursor, "limit": 25})
        assert response.status_code == 200
        body = response.json()
        positions += [event["position"] for event in body["events"]]
        cursor = body["next"]

    stored = [e.position for e in system.store.read_all()]
    assert positions == stored
    assert body["head_position"] == system.store.head_position()


async def test_log_tails_from_the_last_position(client: httpx.AsyncClient) -> None:
    head = (await client.get("/log", params={"limit": 1})).json()["head_position"]
    assert (await client.get("/log", params={"from": head + 1})).json()["events"] == []

    idea_id = await publish(client)

    body = (await client.get("/log", params={"from": head + 1})).json()
    assert [e["stream_id"] for e in body["events"]] == [f"idea-{idea_id}"] * 2
    assert [e["type"] for e in body["events"]] == ["IdeaCreationRequested", "IdeaCreationAccepted"]
    assert body["next"] is None


async def test_log_events_have_the_export_shape_with_private_fields_in_clear(
    client: httpx.AsyncClient, system: System
) -> None:
    stored = system.store.read_all(1, 1)[0]

    event = (await client.get("/log", params={"limit": 1})).json()["events"][0]

    exported = record_to_dict(stored)
    assert {k: v for k, v in event.items() if k != "data"} == {
        k: v for k, v in exported.items() if k != "data"
    }
    # Title and description are sealed at rest; a reader sees them opened.
    assert event["data"]["title"] == IDEAS[0][0]
    assert event["data"]["description"] == IDEAS[0][1]


@pytest.mark.parametrize(
    "params", [{"from": -1}, {"from": 0}, {"limit": 0}, {"limit": 10**9}, {"from": "x"}]
)
async def test_log_refuses_bad_bounds(client: httpx.AsyncClient, params: dict[str, object]) -> None:
    assert (await client.get("/log", params=params)).status_code == 422
