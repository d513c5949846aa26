"""The REST verbs: JSON bodies, 202 for accepted commands, If-Match for optimistic
concurrency."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from domain.bootstrap import System, bootstrap
from es_tui.http.app import create_api
from tests.http.conftest import publish


async def test_post_publishes_and_points_at_the_new_idea(
    client: httpx.AsyncClient, system: System
) -> None:
    response = await client.post("/ideas", json={"title": "Tea", "description": "Green"})

    assert response.status_code == 202
    body = response.json()
    assert response.headers["Location"] == f"/ideas/{body['idea_id']}"
    assert body["command"] == "PublishIdea"
    assert body["stream_id"] == f"idea-{body['idea_id']}"
    assert (body["version"], body["status"]) == (1, "requested")
    assert body["events"][0]["data"] == {
        "idea_id": body["idea_id"],
        "title": "Tea",
        "description": "Green",
    }
    got = await client.get(response.headers["Location"])
    assert got.json()["found"]["status"] == "accepted"


async def test_a_rejected_idea_is_listed_as_rejected() -> None:
    system = bootstrap("memory:", accept_probability=0.0)
    transport = httpx.ASGITransport(create_api(system))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            idea_id = await publish(client)
            found = (await client.get(f"/ideas/{idea_id}")).json()["found"]
            edit = await client.patch(f"/ideas/{idea_id}", json={"title": "Again"})
    finally:
        system.close()

    assert found["status"] == "rejected"
    assert edit.status_code == 400
    assert "rejected" in edit.json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"title": "Tea"},
        {"title": "Tea", "description": "Green", "extra": 1},
        {"title": "   ", "description": "Green"},
        {"title": 5, "description": "Green"},
        ["Tea", "Green"],
    ],
)
async def test_post_refuses_a_malformed_body_and_writes_nothing(
    client: httpx.AsyncClient, system: System, body: Any
) -> None:
    head = system.store.head_position()

    response = await client.post("/ideas", json=body)

    assert response.status_code == 422
    assert system.store.head_position() == head


async def test_post_refuses_a_body_that_is_not_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/ideas", content=b"\xff\xfe", headers={"Content-Type": "application/json"}
    )

    assert response.status_code in (400, 422)
    assert response.status_code != 500


async def test_patch_edits_and_answers_the_new_version(
    client: httpx.AsyncClient, system: System
) -> None:
    idea_id = await publish(client, "Tea", "Green")

    response = await client.patch(f"/ideas/{idea_id}", json={"description": "Black"})

    assert response.status_code == 202
    assert response.json()["version"] == 3
    assert response.headers["ETag"] == '"3"'
    assert system.view.get(idea_id).description == "Black"


async def test_patch_with_the_current_etag_succeeds(client: httpx.AsyncClient) -> None:
    idea_id = await publish(client)
    etag = (await client.get(f"/ideas/{idea_id}")).headers["ETag"]

    response = await client.patch(
        f"/ideas/{idea_id}", json={"title": "Fresh"}, headers={"If-Match": etag}
    )

    assert response.status_code == 202
    assert response.json()["events"][0]["data"]["title"] == "Fresh"


async def test_patch_with_a_stale_version_is_a_conflict_and_writes_nothing(
    client: httpx.AsyncClient, system: System
) -> None:
    idea_id = await publish(client, "Tea", "Green")
    stale = (await client.get(f"/ideas/{idea_id}")).headers["ETag"]
    # Another writer gets there first.
    other = await client.patch(f"/ideas/{idea_id}", json={"title": "Coffee"})
    last_event_id = other.json()["events"][-1]["event_id"]

    response = await client.patch(
        f"/ideas/{idea_id}", json={"title": "Coffee"}, headers={"If-Match": stale}
    )

    assert response.status_code == 409
    assert response.json() == {
        "error": "conflict",
        "message": response.json()["message"],
        "stream_id": f"idea-{idea_id}",
        "expected": 2,
        "actual": 3,
        "last_event_id": last_event_id,
    }
    assert system.store.stream_info(f"idea-{idea_id}").version == 3  # type: ignore[union-attr]


async def test_patch_checks_the_version_in_the_store_too(
    client: httpx.AsyncClient, system: System
) -> None:
    # An If-Match ahead of the idea is refused by the store's own check, not only ours.
    idea_id = await publish(client)

    response = await client.patch(
        f"/ideas/{idea_id}", json={"title": "Later"}, headers={"If-Match": "9"}
    )

    assert response.status_code == 409
    assert (response.json()["expected"], response.json()["actual"]) == (9, 2)


@pytest.mark.parametrize("if_match", ["abc", "-1", '"1', 'W/"1"', "1.5"])
async def test_patch_refuses_a_malformed_if_match(client: httpx.AsyncClient, if_match: str) -> None:
    idea_id = await publish(client)

    response = await client.patch(
        f"/ideas/{idea_id}", json={"title": "x"}, headers={"If-Match": if_match}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "if-match"]


async def test_patch_refusals(client: httpx.AsyncClient, system: System) -> None:
    assert system.demo is not None
    idea_id = await publish(client)

    empty = await client.patch(f"/ideas/{idea_id}", json={})
    extra = await client.patch(f"/ideas/{idea_id}", json={"colour": "red"})
    unknown = await client.patch("/ideas/nosuchidea", json={"title": "x"})
    deleted = await client.patch(f"/ideas/{system.demo.deleted[0]}", json={"title": "x"})
    forgotten = await client.patch(
        f"/ideas/{system.demo.forgotten[0]}", json={"title": "x"}, headers={"If-Match": "1"}
    )

    assert empty.status_code == 400 and "changes nothing" in empty.json()["message"]
    assert extra.status_code == 422
    assert unknown.status_code == 404
    assert deleted.status_code == 400
    assert forgotten.status_code == 410


async def test_delete_then_delete_again(client: httpx.AsyncClient, system: System) -> None:
    idea_id = await publish(client)

    first = await client.delete(f"/ideas/{idea_id}")
    again = await client.delete(f"/ideas/{idea_id}")
    read = await client.get(f"/ideas/{idea_id}")

    assert first.status_code == 202
    assert first.json()["events"][0]["type"] == "IdeaDeleted"
    assert again.status_code == 400
    assert read.status_code == 404
    assert (await client.delete("/ideas/nosuchidea")).status_code == 404


async def test_forget_erases_and_the_id_is_gone_for_good(
    client: httpx.AsyncClient, system: System
) -> None:
    idea_id = await publish(client, "Secret", "Personal")

    response = await client.post(f"/ideas/{idea_id}/forget")

    assert response.status_code == 202
    assert response.json()["events"][0]["type"] == "IdeaForgotten"
    assert (await client.post(f"/ideas/{idea_id}/forget")).status_code == 410
    assert (await client.delete(f"/ideas/{idea_id}")).status_code == 410
    assert (await client.get(f"/ideas/{idea_id}")).status_code == 410
    assert (await client.post("/ideas/nosuchidea/forget")).status_code == 404
    log = (await client.get("/log", params={"limit": 1000})).json()["events"]
    assert not any("Secret" in str(event["data"]) for event in log)


async def test_a_closed_store_is_503(client: httpx.AsyncClient, system: System) -> None:
    system.store.close()

    assert (await client.get("/streams")).status_code == 503
    assert (await client.post("/ideas", json={"title": "a", "description": "b"})).status_code == 503


async def test_an_unsupported_method_lists_every_allowed_one(client: httpx.AsyncClient) -> None:
    response = await client.put("/ideas")

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, POST"
