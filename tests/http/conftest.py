"""Fixtures for the HTTP API: the app on a memory store seeded with the demo data."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
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
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
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


SERVING = re.compile(r"serving the ideas API on (http://\S+) ")


def start_serve(*args: str) -> subprocess.Popen[str]:
    """`python -m es_tui ARGS` with its output in pipes."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "es_tui", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_for_url(process: subprocess.Popen[str], timeout: float = 30.0) -> tuple[str, str]:
    """Read stderr until the server says where it listens; returns (url, lines so far)."""
    assert process.stderr is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        seen += line
        match = SERVING.search(line)
        if match:
            return match.group(1), seen
    process.kill()
    raise AssertionError(f"the server never said where it listens:\n{seen}")


@contextlib.contextmanager
def serving(*args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`es-tui [ARGS] serve --port 0` on the memory store with its demo data; killed at
    the end unless the test stopped it."""
    process = start_serve("--pm-delay", "0", *args, "serve", "--port", "0")
    try:
        url, _ = wait_for_url(process)
        yield url, process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)
