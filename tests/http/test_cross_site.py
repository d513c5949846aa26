"""Other sites' pages cannot use the API: a request addressed to another name (DNS
rebinding) answers 421, a command sent by another site's page (CSRF) answers 403, and
neither writes anything. Scripts, curl and the API's own /docs page are unaffected."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from domain.bootstrap import System
from es_tui.http.app import create_api
from es_tui.http.guard import AllowedHosts
from tests.http.conftest import publish

FOREIGN_HOSTS = [
    "evil.example",
    "evil.example:3333",
    "localhost.evil.example",
    "127.0.0.1.nip.io:3333",
    "[::2]:3333",
    "10.0.0.8",
    # not a host and a port: nothing a browser sends, and no name of this server
    "127.0.0.1:3333@evil.example",
    "localhost:evil",
    "[::1]evil.example",
    "localhost:3333:3333",
]
OWN_HOSTS = ["localhost", "localhost:3333", "LOCALHOST:3333", "127.0.0.1:3333", "[::1]:3333"]


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
async def test_a_foreign_host_is_refused_on_every_route(
    client: httpx.AsyncClient, system: System, host: str
) -> None:
    idea_id = await publish(client)
    head = system.store.head_position()
    headers = {"Host": host}

    for method, path in [
        ("GET", "/ideas"),
        ("GET", f"/ideas/{idea_id}"),
        ("GET", "/openapi.json"),
        ("GET", "/log"),
        ("GET", f"/ideas/forget/{idea_id}"),
        ("POST", "/ideas"),
        ("DELETE", f"/ideas/{idea_id}"),
    ]:
        response = await client.request(method, path, headers=headers, json={"title": "x"})
        assert response.status_code == 421, (method, path)
        assert response.json()["error"] == "host_not_allowed"
        assert idea_id not in response.text
    assert system.store.head_position() == head


@pytest.mark.parametrize("host", OWN_HOSTS)
async def test_the_servers_own_names_are_answered(client: httpx.AsyncClient, host: str) -> None:
    assert (await client.get("/ideas", headers={"Host": host})).status_code == 200


def test_allowed_hosts_follow_the_bound_address_and_the_allow_list() -> None:
    loopback = AllowedHosts.for_bind("127.0.0.1")
    assert loopback.allows("localhost:1") and not loopback.allows("192.168.1.5:3333")

    named = AllowedHosts.for_bind("127.0.0.1", ["ideas.internal", "Box.lan."])
    assert named.allows("ideas.internal:3333") and named.allows("box.lan")
    assert not named.allows("evil.example")

    wildcard = AllowedHosts.for_bind("0.0.0.0")
    assert wildcard.allows("192.168.1.5:3333") and wildcard.allows("[fe80::1]:3333")
    assert not wildcard.allows("evil.example:3333")  # a name needs --allow-host

    assert AllowedHosts.for_bind("127.0.0.1", ["*"]).allows("anything.example")


async def test_an_allow_listed_name_is_answered(system: System) -> None:
    hosts = AllowedHosts.for_bind("127.0.0.1", ["ideas.internal"])
    transport = httpx.ASGITransport(create_api(system, hosts=hosts))
    async with httpx.AsyncClient(transport=transport, base_url="http://ideas.internal") as client:
        assert (await client.get("/ideas")).status_code == 200
        assert (await client.get("/ideas", headers={"Host": "evil.example"})).status_code == 421


FOREIGN_PAGES = [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://localhost:8000"},  # another server on this machine is another site
    {"Origin": "https://localhost"},
    {"Sec-Fetch-Site": "cross-site"},
    # A page of another port or subdomain is the same site, not the same origin: with its
    # referrer withheld, that header is all a browser tells of it.
    {"Sec-Fetch-Site": "same-site"},
    {"Sec-Fetch-Site": "Same-Site", "Origin": "http://localhost"},
    {"Referer": "http://evil.example/page.html"},
    {"Referer": "http://localhost:8000/page.html"},
]


@pytest.fixture
async def idea(client: httpx.AsyncClient) -> AsyncIterator[str]:
    """An accepted idea to aim commands at."""
    yield await publish(client)


@pytest.mark.parametrize("headers", FOREIGN_PAGES)
async def test_a_command_from_another_sites_page_is_refused(
    client: httpx.AsyncClient, system: System, idea: str, headers: dict[str, str]
) -> None:
    head = system.store.head_position()

    for method, path, body in [
        ("GET", "/ideas/publish?title=Injected", None),
        ("GET", f"/ideas/update/{idea}?title=Injected", None),
        ("GET", f"/ideas/delete/{idea}", None),
        ("GET", f"/ideas/forget/{idea}", None),
        ("POST", "/ideas", {"title": "Injected", "description": "x"}),
        ("PATCH", f"/ideas/{idea}", {"title": "Injected"}),
        ("DELETE", f"/ideas/{idea}", None),
        ("POST", f"/ideas/{idea}/forget", None),
    ]:
        response = await client.request(method, path, headers=headers, json=body)
        assert response.status_code == 403, (method, path)
        assert response.json()["error"] == "foreign_origin"
    assert system.store.head_position() == head


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "http://localhost"},
        {"Origin": "http://localhost:80"},
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
        {"Sec-Fetch-Site": "none"},  # typed in the address bar
        {"Referer": "http://localhost/docs"},
    ],
)
async def test_a_command_from_the_servers_own_pages_or_a_script_passes(
    client: httpx.AsyncClient, idea: str, headers: dict[str, str]
) -> None:
    response = await client.patch(f"/ideas/{idea}", headers=headers, json={"title": "Mine"})

    assert response.status_code == 202


async def test_reads_are_not_commands(client: httpx.AsyncClient, idea: str) -> None:
    # Another site's page may send a read, but without CORS headers it cannot see the answer.
    response = await client.get(f"/ideas/{idea}", headers={"Origin": "http://evil.example"})

    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
