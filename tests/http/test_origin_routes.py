"""The origin's routes: commands as GET requests, the read model, the computed aggregate."""

from __future__ import annotations

import re

import httpx
import pytest

from domain.bootstrap import System
from tests.http.conftest import publish, streams_by_status


async def test_publish_without_parameters_makes_up_a_title_like_the_origin(
    client: httpx.AsyncClient, system: System
) -> None:
    response = await client.get("/ideas/publish")

    assert response.status_code == 202
    body = response.json()
    assert body["id"] == body["idea_id"]
    assert body["events"][0]["type"] == "IdeaCreationRequested"
    data = body["events"][0]["data"]
    assert len(data["title"].split()) == 3
    assert len(data["description"].split()) == 7
    assert response.headers["ETag"] == '"1"'
    # The process manager accepted it; the read model shows it.
    row = system.view.get(body["idea_id"])
    assert (row.title, row.status) == (data["title"], "accepted")


async def test_publish_with_parameters_stores_them_trimmed(
    client: httpx.AsyncClient, system: System
) -> None:
    response = await client.get("/ideas/publish", params={"title": "  Tea  ", "desc": "Green"})

    assert response.status_code == 202
    state = system.ideas.load(response.json()["idea_id"]).state
    assert (state.title, state.description) == ("Tea", "Green")


@pytest.mark.parametrize(
    "params",
    [{"title": "x" * 121}, {"title": "two\tlines"}, {"desc": "   "}, {"title": "bell\x07"}],
)
async def test_publish_refuses_a_bad_field_and_writes_nothing(
    client: httpx.AsyncClient, system: System, params: dict[str, str]
) -> None:
    head = system.store.head_position()

    response = await client.get("/ideas/publish", params=params)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:1] == ["query"]
    assert system.store.head_position() == head


async def test_update_changes_only_what_is_given(client: httpx.AsyncClient, system: System) -> None:
    idea_id = await publish(client, "Tea", "Green")

    response = await client.get(f"/ideas/update/{idea_id}", params={"title": "Coffee"})

    assert response.status_code == 202
    assert response.json()["events"][0]["data"]["title"] == "Coffee"
    state = system.ideas.load(idea_id).state
    assert (state.title, state.description) == ("Coffee", "Green")


async def test_update_without_parameters_makes_up_both_like_the_origin(
    client: httpx.AsyncClient, system: System
) -> None:
    idea_id = await publish(client, "Tea", "Green")

    response = await client.get(f"/ideas/update/{idea_id}")

    assert response.status_code == 202
    state = system.ideas.load(idea_id).state
    assert state.title and state.title != "Tea"
    assert state.description != "Green"


async def test_update_that_changes_nothing_is_refused(client: httpx.AsyncClient) -> None:
    idea_id = await publish(client, "Tea", "Green")

    response = await client.get(f"/ideas/update/{idea_id}", params={"title": "Tea"})

    assert response.status_code == 400
    assert response.json()["error"] == "refused"
    assert "changes nothing" in response.json()["message"]


async def test_update_of_a_deleted_idea_is_refused(
    client: httpx.AsyncClient, system: System
) -> None:
    deleted = streams_by_status(system, "deleted")[0]

    response = await client.get(f"/ideas/update/{deleted.stream_id[5:]}", params={"title": "x"})

    assert response.status_code == 400
    assert "deleted" in response.json()["message"]
    assert system.store.stream_info(deleted.stream_id) == deleted


@pytest.mark.parametrize("verb", ["update", "delete", "forget"])
async def test_commands_on_an_unknown_idea_are_404(client: httpx.AsyncClient, verb: str) -> None:
    response = await client.get(f"/ideas/{verb}/nosuchidea", params={"title": "x"})

    assert response.status_code == 404
    assert response.json() == {
        "error": "not_found",
        "message": "idea nosuchidea does not exist",
        "idea_id": "nosuchidea",
    }


@pytest.mark.parametrize("verb", ["update", "delete", "forget"])
async def test_commands_on_a_forgotten_idea_are_410(
    client: httpx.AsyncClient, system: System, verb: str
) -> None:
    forgotten = streams_by_status(system, "forgotten")[0]

    response = await client.get(f"/ideas/{verb}/{forgotten.stream_id[5:]}", params={"title": "x"})

    assert response.status_code == 410
    assert response.json()["error"] == "forgotten"


@pytest.mark.parametrize("bad_id", ["UPPER", "a$b", "-leading-dash", "x" * 65])
async def test_a_malformed_id_is_422_never_500(client: httpx.AsyncClient, bad_id: str) -> None:
    for path in (f"/ideas/update/{bad_id}", f"/ideas/delete/{bad_id}", f"/ideas/{bad_id}"):
        response = await client.get(path)
        assert response.status_code == 422, path
        assert response.json()["detail"][0]["loc"] == ["path", "idea_id"]


async def test_delete_twice_is_refused_the_second_time(
    client: httpx.AsyncClient, system: System
) -> None:
    idea_id = await publish(client)

    first = await client.get(f"/ideas/delete/{idea_id}")
    second = await client.get(f"/ideas/delete/{idea_id}")

    assert first.status_code == 202 and first.json()["status"] == "deleted"
    assert second.status_code == 400
    assert idea_id not in {row.idea_id for row in system.view.list()}


async def test_forget_leaves_a_lone_tombstone(client: httpx.AsyncClient, system: System) -> None:
    idea_id = await publish(client)
    await client.get(f"/ideas/update/{idea_id}", params={"title": "secret"})

    response = await client.get(f"/ideas/forget/{idea_id}")

    assert response.status_code == 202
    assert response.json()["status"] == "forgotten"
    events = system.store.read_stream(f"idea-{idea_id}")
    assert [e.type for e in events] == ["IdeaForgotten"]
    assert (await client.get(f"/ideas/forget/{idea_id}")).status_code == 410


async def test_list_shows_every_idea_but_deleted_and_forgotten(
    client: httpx.AsyncClient, system: System
) -> None:
    response = await client.get("/ideas")

    assert response.status_code == 200
    body = response.json()
    listed = {idea["idea_id"] for idea in body["found"]}
    assert system.demo is not None
    assert listed.isdisjoint(system.demo.deleted + system.demo.forgotten)
    assert set(system.demo.rejected) <= listed
    assert len(listed) == system.demo.ideas - len(system.demo.deleted + system.demo.forgotten)
    assert body["checkpoint"] == system.store.head_position()
    assert body["lag"] == 0


async def test_get_one_idea_with_its_version_as_etag(client: httpx.AsyncClient) -> None:
    idea_id = await publish(client, "Tea", "Green")

    response = await client.get(f"/ideas/{idea_id}")

    assert response.status_code == 200
    found = response.json()["found"]
    assert (found["title"], found["status"], found["version"]) == ("Tea", "accepted", 2)
    assert response.headers["ETag"] == '"2"'


async def test_get_a_deleted_idea_is_404_and_a_forgotten_one_410(
    client: httpx.AsyncClient, system: System
) -> None:
    assert system.demo is not None
    deleted = await client.get(f"/ideas/{system.demo.deleted[0]}")
    forgotten = await client.get(f"/ideas/{system.demo.forgotten[0]}")
    unknown = await client.get("/ideas/0000000")

    assert deleted.status_code == 404
    assert deleted.json()["message"] == f"idea {system.demo.deleted[0]} was deleted"
    assert forgotten.status_code == 410
    assert unknown.status_code == 404


async def test_aggregate_says_which_snapshot_it_started_from(
    client: httpx.AsyncClient, system: System
) -> None:
    longest = max(system.store.list_streams(), key=lambda s: s.version)
    idea_id = longest.stream_id[5:]
    tail = longest.version - 20

    latest = await client.get(f"/aggregate/{idea_id}")
    from_zero = await client.get(f"/aggregate/{idea_id}", params={"snapshot": 0})
    from_ten = await client.get(f"/aggregate/{idea_id}", params={"snapshot": 10})

    assert latest.status_code == from_zero.status_code == from_ten.status_code == 200
    body = latest.json()
    assert body["snapshot_version"] == 20
    assert body["how"] == f"snapshot v20 + {tail} event{'s' if tail != 1 else ''}"
    assert body["kept_snapshots"] == [10, 20]
    assert body["version"] == longest.version
    assert latest.headers["ETag"] == f'"{longest.version}"'
    assert from_zero.json()["how"] == f"replayed {longest.version} events from v1"
    assert from_zero.json()["snapshot_version"] is None
    assert from_ten.json()["events_applied"] == longest.version - 10
    # Every start computes the same state.
    assert body["state"] == from_zero.json()["state"] == from_ten.json()["state"]


async def test_aggregate_refusals(client: httpx.AsyncClient, system: System) -> None:
    assert system.demo is not None
    longest = max(system.store.list_streams(), key=lambda s: s.version)
    deleted = await client.get(f"/aggregate/{system.demo.deleted[0]}")
    not_kept = await client.get(f"/aggregate/{longest.stream_id[5:]}", params={"snapshot": 7})
    forgotten = await client.get(f"/aggregate/{system.demo.forgotten[0]}")
    unknown = await client.get("/aggregate/nosuchidea")
    negative = await client.get(f"/aggregate/{longest.stream_id[5:]}", params={"snapshot": -1})

    assert deleted.status_code == 200 and deleted.json()["state"]["status"] == "deleted"
    assert not_kept.status_code == 404
    assert "no snapshot at v7" in not_kept.json()["message"]
    assert forgotten.status_code == 410
    assert unknown.status_code == 404
    assert negative.status_code == 422


async def test_the_root_leads_to_the_interactive_docs(client: httpx.AsyncClient) -> None:
    root = await client.get("/")
    docs = await client.get(root.headers["Location"])
    schema = (await client.get("/openapi.json")).json()

    assert root.status_code == 307 and docs.status_code == 200
    assert "swagger" in docs.text.lower()
    assert {"/ideas/publish", "/ideas/{idea_id}", "/aggregate/{idea_id}", "/log"} <= set(
        schema["paths"]
    )
    accepted = schema["paths"]["/ideas"]["post"]["responses"]
    assert set(accepted) == {"202", "400", "403", "404", "409", "410", "413", "422", "503"}


async def test_the_docs_load_nothing_from_another_server(client: httpx.AsyncClient) -> None:
    for page in ("/docs", "/redoc"):
        html = (await client.get(page)).text
        urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", html)
        assert urls and "://" not in html, page
        for url in urls:
            assert url.startswith("/"), (page, url)  # served here: the page works offline
            asset = await client.get(url)
            assert asset.status_code == 200, url
            assert len(asset.content) > 0
