"""Fixtures for the HTTP API: the app on a memory store seeded with the demo data."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from domain.bootstrap import System, bootstrap
from es_tui.http.app import create_api


@pytest.fixture
def system() -> Iterator[System]:
    """The demo system, synchronous (the read model is current when a command returns) and
    accepting every new idea."""
    system = bootstrap("memory:", demo=True, accept_probability=1.0)
    yield system
    system.close()


@pytest.fixture
async def client(system: System) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in process (app errors propagate, never a 500)."""
    transport = httpx.ASGITransport(create_api(system))
    async with httpx.AsyncClient(transport=transport, base_url="http://es-tui.test") as client:
        yield client


async def publish(client: httpx.AsyncClient, title: str = "Tea", desc: str = "Green") -> str:
    """Publish an idea through the REST route; returns its id."""
    response = await client.post("/ideas", json={"title": title, "description": desc})
    assert response.status_code == 202, response.text
    idea_id: str = response.json()["idea_id"]
    return idea_id


def streams_by_status(system: System, status: str) -> list[Any]:
    """The demo's idea streams with this status (active, deleted, forgotten)."""
    return [
        info
        for info in system.store.list_streams()
        if info.status.value == status and info.stream_id.startswith("idea-")
    ]
