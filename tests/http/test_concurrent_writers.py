"""Commands racing the process manager: without `If-Match` a command applies to whatever the
idea is now (a conflict is decided again on the new state); with `If-Match` a moved idea is
a conflict (409) and nothing is written."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from domain.bootstrap import System, bootstrap
from es_tui.http.app import create_api

TRIES = 150


@pytest.fixture
async def racing(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, System]]:
    """The API on an SQLite store whose process manager accepts each new idea from its
    own thread at once: it writes while the API's commands run (between their load and
    their append about every other time)."""
    url = f"sqlite:///{tmp_path / 'ideas.db'}"
    system = bootstrap(url, accept_probability=1.0, threaded=True, start=False)
    system.view.start()
    system.process_manager.start()
    transport = httpx.ASGITransport(create_api(system))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        yield client, system
    system.close()


def _until(check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


async def _publish(client: httpx.AsyncClient, n: int) -> str:
    response = await client.post("/ideas", json={"title": f"Idea {n}", "description": "x"})
    assert response.status_code == 202
    idea_id: str = response.json()["idea_id"]
    return idea_id


async def test_edits_without_if_match_never_conflict_with_the_process_manager(
    racing: tuple[httpx.AsyncClient, System],
) -> None:
    client, system = racing
    statuses: list[int] = []
    ids: list[str] = []

    for n in range(TRIES):
        idea_id = await _publish(client, n)
        ids.append(idea_id)
        statuses.append(
            (await client.patch(f"/ideas/{idea_id}", json={"title": f"E{n}"})).status_code
        )

    assert statuses == [202] * TRIES

    def settled() -> bool:
        return all(system.ideas.load(i).state.status.value == "accepted" for i in ids)

    _until(settled)
    assert [system.ideas.load(i).state.title for i in ids] == [f"E{n}" for n in range(TRIES)]


async def test_deletes_without_if_match_never_conflict_with_the_process_manager(
    racing: tuple[httpx.AsyncClient, System],
) -> None:
    client, _ = racing
    statuses = []
    for n in range(TRIES):
        idea_id = await _publish(client, n)
        statuses.append((await client.delete(f"/ideas/{idea_id}")).status_code)

    assert statuses == [202] * TRIES


async def test_with_if_match_a_moved_idea_is_a_conflict(
    racing: tuple[httpx.AsyncClient, System],
) -> None:
    client, system = racing
    idea_id = await _publish(client, 0)
    _until(lambda: system.ideas.load(idea_id).version == 2)  # the manager accepted it
    head = system.store.head_position()

    patched = await client.patch(
        f"/ideas/{idea_id}", json={"title": "Late"}, headers={"If-Match": '"1"'}
    )
    deleted = await client.delete(f"/ideas/{idea_id}", headers={"If-Match": '"1"'})

    for response in (patched, deleted):
        assert response.status_code == 409
        assert (response.json()["expected"], response.json()["actual"]) == (1, 2)
    assert system.store.head_position() == head
    current = await client.delete(f"/ideas/{idea_id}", headers={"If-Match": '"2"'})
    assert current.status_code == 202


@pytest.mark.parametrize("value", ['"x"', "1.5", '"-1"', 'W/"2"'])
async def test_delete_refuses_a_malformed_if_match(
    racing: tuple[httpx.AsyncClient, System], value: str
) -> None:
    client, system = racing
    idea_id = await _publish(client, 0)

    response = await client.delete(f"/ideas/{idea_id}", headers={"If-Match": value})

    assert response.status_code == 422
    assert system.ideas.load(idea_id).state.status.value != "deleted"


async def test_an_invalid_body_is_422_even_at_a_stale_version(
    racing: tuple[httpx.AsyncClient, System],
) -> None:
    client, system = racing
    idea_id = await _publish(client, 0)
    _until(lambda: system.ideas.load(idea_id).version == 2)

    for body in ({"title": 5}, {"title": "   "}, {"title": "a\x07"}, {"colour": "red"}):
        response = await client.patch(f"/ideas/{idea_id}", json=body, headers={"If-Match": '"1"'})
        assert response.status_code == 422, body
