"""The seam between the generic API and a domain's own HTTP part: the app asks the registry
(`es_tui.fronts`) for the part of the system's domain; the ideas get their origin's routes and
REST verbs from it, every other domain (accounts, a user's domain, raw mode) only the generic
routes; a domain's errors answer with the statuses its Domain port declares."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from domain.bootstrap import System, bootstrap
from domain.domains import load_domain
from es_tui.fronts import BUILT_IN_FRONTS, front_part
from es_tui.http.app import HttpPart, NotAnHttpPartError, create_api, http_part
from tests.http.conftest import publish

BANK = str(Path(__file__).resolve().parents[1] / "domains" / "bank_account.py")

STORE_ROUTES = {
    ("GET", "/streams"),
    ("GET", "/streams/{stream_id}/events"),
    ("GET", "/log"),
}

IDEAS_GENERIC = {
    ("POST", "/ideas/commands/PublishIdea"),
    ("POST", "/ideas/{aggregate_id}/commands/AcceptIdeaCreation"),
    ("POST", "/ideas/{aggregate_id}/commands/RejectIdeaCreation"),
    ("POST", "/ideas/{aggregate_id}/commands/EditIdea"),
    ("POST", "/ideas/{aggregate_id}/commands/DeleteIdea"),
    ("POST", "/ideas/{aggregate_id}/commands/ForgetIdea"),
    ("GET", "/ideas/read-models"),
    ("GET", "/ideas/read-models/{name}"),
}

IDEAS_OWN = {
    # the REST verbs
    ("GET", "/ideas"),
    ("POST", "/ideas"),
    ("GET", "/ideas/{idea_id}"),
    ("PATCH", "/ideas/{idea_id}"),
    ("DELETE", "/ideas/{idea_id}"),
    ("POST", "/ideas/{idea_id}/forget"),
    # the origin's routes
    ("GET", "/ideas/publish"),
    ("GET", "/ideas/update/{idea_id}"),
    ("GET", "/ideas/delete/{idea_id}"),
    ("GET", "/ideas/forget/{idea_id}"),
    ("GET", "/aggregate/{idea_id}"),
}

ACCOUNTS_GENERIC = {
    ("POST", "/accounts/commands/OpenAccount"),
    ("POST", "/accounts/{aggregate_id}/commands/Deposit"),
    ("POST", "/accounts/{aggregate_id}/commands/Withdraw"),
    ("POST", "/accounts/{aggregate_id}/commands/CloseAccount"),
    ("POST", "/accounts/{aggregate_id}/commands/ForgetHolder"),
    ("POST", "/accounts/commands/RequestTransfer"),
    ("GET", "/accounts/read-models"),
    ("GET", "/accounts/read-models/{name}"),
}


@pytest.fixture
def accounts() -> Iterator[System]:
    """A system running the accounts domain (no demo)."""
    system = bootstrap("memory:", domain="accounts")
    yield system
    system.close()


def operations(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app's OpenAPI document describes."""
    paths: dict[str, dict[str, object]] = app.openapi()["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


@pytest.fixture(params=["accounts", "bank", "raw", "bank named ideas"])
def other(request: pytest.FixtureRequest) -> Iterator[System]:
    """A system whose domain has no HTTP part: accounts, a user's domain (from a file), raw
    mode, and a user's domain that calls itself ideas (the registry knows the name, but the
    system runs no ideas handler)."""
    if request.param == "raw":
        system = bootstrap("memory:", domain=None)
    elif request.param == "bank named ideas":
        system = bootstrap("memory:", domain=dataclasses.replace(load_domain(BANK), name="ideas"))
    else:
        system = bootstrap("memory:", domain="accounts" if request.param == "accounts" else BANK)
    yield system
    system.close()


@contextlib.asynccontextmanager
async def client_of(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client talking to `app` in process."""
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        yield client


def test_the_ideas_part_comes_from_the_registry(system: System) -> None:
    part = http_part(system)

    assert part is not None and part is front_part("ideas", "http")
    assert isinstance(part, HttpPart)


def test_the_routes_of_ideas_and_of_accounts_are_pinned(system: System) -> None:
    accounts = bootstrap("memory:", domain="accounts")
    try:
        assert operations(create_api(accounts)) == ACCOUNTS_GENERIC | STORE_ROUTES
    finally:
        accounts.close()
    assert operations(create_api(system)) == IDEAS_GENERIC | IDEAS_OWN | STORE_ROUTES


async def test_without_its_registry_entry_ideas_gets_only_the_generic_routes(
    system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(BUILT_IN_FRONTS, "ideas")
    app = create_api(system)

    assert http_part(system) is None
    assert operations(app) == IDEAS_GENERIC | STORE_ROUTES
    async with client_of(app) as client:
        assert (await client.get("/ideas/publish")).status_code == 404
        published = await client.post(
            "/ideas/commands/PublishIdea", json={"title": "Tea", "description": "Green"}
        )
        assert published.status_code == 202, published.text


async def test_a_domain_without_a_part_gets_none_of_the_ideas_routes(other: System) -> None:
    app = create_api(other)
    assert operations(app) & IDEAS_OWN == set()
    assert operations(app) >= STORE_ROUTES
    head = other.store.head_position()

    async with client_of(app) as client:
        for method, path in [
            ("GET", "/ideas/publish"),
            ("GET", "/ideas/forget/abc123"),
            ("GET", "/aggregate/abc123"),
            ("POST", "/ideas/abc123/forget"),
        ]:
            response = await client.request(method, path)
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["error"] == "not_found"
    assert other.store.head_position() == head


@pytest.mark.parametrize("fixture", ["system", "accounts"])
def test_a_part_without_include_is_refused(
    fixture: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    wired: System = request.getfixturevalue(fixture)
    assert wired.domain is not None
    monkeypatch.setitem(BUILT_IN_FRONTS, wired.domain.name, "tests.http.not_a_part")

    with pytest.raises(NotAnHttpPartError) as raised:
        create_api(wired)
    assert raised.value.domain == wired.domain.name
    assert raised.value.part == "routes, one day"


async def test_the_literal_paths_win_over_the_parts_patterns(client: httpx.AsyncClient) -> None:
    # /ideas/read-models is the generic read-model list, /ideas/publish the origin's
    # command: neither is taken for an idea's id.
    listed = await client.get("/ideas/read-models")
    assert listed.status_code == 200 and "read_models" in listed.json()
    published = await client.get("/ideas/publish", params={"title": "Tea", "desc": "Green"})
    assert published.status_code == 202 and published.json()["command"] == "PublishIdea"


async def test_the_ideas_errors_keep_their_shape_on_the_generic_routes(
    client: httpx.AsyncClient,
) -> None:
    # The part's answers replace the generic answer to a domain error: the origin's shape
    # (`idea_id`) on every route, the generic command routes included.
    idea_id = await publish(client)
    assert (await client.post(f"/ideas/{idea_id}/commands/DeleteIdea")).status_code == 202
    refused = await client.post(f"/ideas/{idea_id}/commands/EditIdea", json={"title": "x"})
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "refused",
        "message": f"cannot edit idea {idea_id}: it was deleted",
        "idea_id": idea_id,
    }
    missing = await client.post("/ideas/abcdef/commands/EditIdea", json={"title": "x"})
    assert missing.status_code == 404
    assert missing.json()["idea_id"] == "abcdef" and missing.json()["error"] == "not_found"
    assert (await client.post(f"/ideas/{idea_id}/commands/ForgetIdea")).status_code == 202
    for gone in (
        await client.post(f"/ideas/{idea_id}/commands/EditIdea", json={"title": "x"}),
        await client.patch(f"/ideas/{idea_id}", json={"title": "x"}),
        await client.get(f"/ideas/update/{idea_id}", params={"title": "x"}),
    ):
        assert gone.status_code == 410, gone.text
        assert gone.json()["error"] == "forgotten"


async def test_a_domain_error_of_accounts_answers_the_status_its_port_declares(
    accounts: System,
) -> None:
    # accounts declares AccountsError (refused, 400) and its not-found classes (404); the
    # answer names the domain, in the generic refusal shape.
    async with client_of(create_api(accounts)) as client:
        opened = await client.post("/accounts/commands/OpenAccount", json={"holder": "Ann"})
        account = opened.json()["aggregate_id"]
        for path, body, status, kind in [
            (f"/accounts/{account}/commands/Withdraw", {"amount": "5"}, 400, "refused"),
            ("/accounts/nobody/commands/Deposit", {"amount": "1"}, 404, "not_found"),
            ("/accounts/nobody/commands/Withdraw", {"amount": "1"}, 404, "not_found"),
        ]:
            response = await client.post(path, json=body)
            assert response.status_code == status, response.text
            answer = response.json()
            assert (answer["error"], answer["domain"]) == (kind, "accounts")
            assert "idea_id" not in answer


@pytest.mark.parametrize("domain", ["ideas", "accounts", None])
def test_the_api_describes_the_system_it_serves(domain: str | None) -> None:
    # /docs opens on this text: it names the domain served, and only the routes it has.
    system = bootstrap("memory:", domain=domain)
    try:
        text = create_api(system).openapi()["info"]["description"]
    finally:
        system.close()
    assert "**store**" in text
    assert ("**origin**" in text) == (domain == "ideas")
    if domain is None:
        assert "raw mode" in text and "commands answer" not in text
    else:
        assert f"The {domain} system" in text and f"POST /{domain}/commands/" in text
        other = "accounts" if domain == "ideas" else "ideas"
        assert f"/{other}/" not in text
