"""The generic command routes and read-model routes of the HTTP API: one route per command of
the system's domain, its model as the body; ideas and accounts through the real app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from domain.accounts.domain import ACCOUNTS
from domain.bootstrap import System, bootstrap
from es_tui.http.app import create_api


@pytest.fixture
def bank() -> Iterator[System]:
    """A system whose domain is accounts, its read models kept current."""
    system = bootstrap("memory:", domain="accounts", demo=False)
    yield system
    system.close()


@pytest.fixture
async def bank_client(bank: System) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(create_api(bank))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        yield client


async def open_account(client: httpx.AsyncClient, holder: str = "Ann", **extra: Any) -> str:
    response = await client.post("/accounts/commands/OpenAccount", json={"holder": holder, **extra})
    assert response.status_code == 202, response.text
    account: str = response.json()["aggregate_id"]
    return account


async def test_ideas_through_the_generic_routes(client: httpx.AsyncClient, system: System) -> None:
    published = await client.post(
        "/ideas/commands/PublishIdea", json={"title": "Tea", "description": "Green"}
    )
    assert published.status_code == 202, published.text
    idea_id = published.json()["aggregate_id"]
    version = system.store.stream_info(f"idea-{idea_id}").version  # accepted by the manager

    edited = await client.post(
        f"/ideas/{idea_id}/commands/EditIdea",
        json={"title": "Black tea"},
        headers={"If-Match": f'"{version}"'},
    )
    assert edited.status_code == 202, edited.text
    assert edited.headers["ETag"] == f'"{version + 1}"'
    assert edited.json()["state"]["title"] == "Black tea"
    # the origin's routes see the same idea
    assert (await client.get(f"/ideas/{idea_id}")).json()["found"]["title"] == "Black tea"

    stale = await client.post(
        f"/ideas/{idea_id}/commands/EditIdea",
        json={"title": "Oolong"},
        headers={"If-Match": f'"{version}"'},
    )
    assert stale.status_code == 409
    assert stale.json()["expected"] == version and stale.json()["actual"] == version + 1

    # a command with nothing to say but its aggregate needs no body
    assert (await client.post(f"/ideas/{idea_id}/commands/DeleteIdea")).status_code == 202
    refused = await client.post(f"/ideas/{idea_id}/commands/EditIdea", json={"title": "Again"})
    assert refused.status_code == 400 and refused.json()["error"] == "refused"
    missing = await client.post("/ideas/abcdef/commands/EditIdea", json={"title": "x"})
    assert missing.status_code == 404
    forgotten = await client.post(f"/ideas/{idea_id}/commands/ForgetIdea", json={})
    assert forgotten.status_code == 202
    gone = await client.post(f"/ideas/{idea_id}/commands/EditIdea", json={"title": "x"})
    assert gone.status_code == 410


async def test_accounts_amounts_stay_exact_and_a_refusal_carries_its_facts(
    bank_client: httpx.AsyncClient, bank: System
) -> None:
    account = await open_account(bank_client)
    deposit = f"/accounts/{account}/commands/Deposit"

    as_number = await bank_client.post(
        deposit, content=b'{"amount": 0.10}', headers={"Content-Type": "application/json"}
    )
    assert as_number.status_code == 202, as_number.text
    assert as_number.json()["events"][0]["data"]["amount"] == "0.10"
    as_text = await bank_client.post(deposit, json={"amount": "0.20"})
    assert as_text.json()["state"]["balance"] == "0.30"

    refused = await bank_client.post(f"/accounts/{account}/commands/Withdraw", json={"amount": "5"})
    assert refused.status_code == 400, refused.text
    body = refused.json()
    assert body["error"] == "refused" and body["domain"] == "accounts"
    assert body["facts"] == {
        "account_id": account,
        "balance": "0.30",
        "amount": "5.00",
        "limit": "0.00",
    }
    assert Decimal(bank.handler.load(account).state.balance) == Decimal("0.30")  # type: ignore[attr-defined]

    unknown = await bank_client.post("/accounts/nobody/commands/Deposit", json={"amount": "1"})
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"

    read = await bank_client.get("/accounts/read-models/balances")
    assert read.status_code == 200
    (row,) = [r for r in read.json()["rows"] if r["key"] == account]
    assert row["balance"] == "0.30"


async def test_read_models_are_listed_and_paged(bank_client: httpx.AsyncClient) -> None:
    accounts = [await open_account(bank_client, f"Holder {n}") for n in range(5)]

    listed = (await bank_client.get("/accounts/read-models")).json()["read_models"]
    assert {m["name"] for m in listed} == {"balances", "ledger"}
    balances = next(m for m in listed if m["name"] == "balances")
    assert balances["rows"] == 5 and "balance" in balances["columns"]

    seen: list[str] = []
    offset: int | None = 0
    while offset is not None:
        page = (
            await bank_client.get(f"/accounts/read-models/balances?offset={offset}&limit=2")
        ).json()
        assert page["total"] == 5
        seen += [row["key"] for row in page["rows"]]
        offset = page["next_offset"]
    assert seen == sorted(accounts)
    assert (await bank_client.get("/accounts/read-models/nothing")).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"amount": ["1"]}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({}, "amount"),
        ({"amount": "1", "colour": "red"}, "colour"),
        ({"amount": "1", "account_id": "someone-else"}, "account_id"),
    ],
)
async def test_an_invalid_body_answers_422_naming_the_field(
    bank_client: httpx.AsyncClient, bank: System, body: dict[str, Any], field: str
) -> None:
    account = await open_account(bank_client)
    head = bank.store.head_position()

    response = await bank_client.post(f"/accounts/{account}/commands/Deposit", json=body)

    assert response.status_code == 422, response.text
    assert any(field in error["loc"] for error in response.json()["detail"]), response.text
    assert bank.store.head_position() == head


HOSTILE = [
    b'{"amount": NaN}',
    b'{"amount": Infinity}',
    b'{"amount": 1e400}',
    b'{"amount": "1\\ud800"}',
    b'{"amount": 1' + b"0" * 5000 + b"}",
    b"[NaN]",
    b"not json",
]


@pytest.mark.parametrize("raw", HOSTILE)
async def test_a_hostile_body_is_refused_with_422_never_500(
    bank_client: httpx.AsyncClient, bank: System, raw: bytes
) -> None:
    account = await open_account(bank_client)
    head = bank.store.head_position()
    headers = {"Content-Type": "application/json"}

    deposit = await bank_client.post(
        f"/accounts/{account}/commands/Deposit", content=raw, headers=headers
    )
    opening = await bank_client.post("/accounts/commands/OpenAccount", content=raw, headers=headers)

    for response in (deposit, opening):
        assert response.status_code == 422, response.text
        assert len(response.content) < 2000
    assert bank.store.head_position() == head


async def test_the_schema_lists_each_command_with_its_body(bank_client: httpx.AsyncClient) -> None:
    schema = (await bank_client.get("/openapi.json")).json()
    paths = schema["paths"]
    components = schema["components"]["schemas"]

    for spec in ACCOUNTS.person_commands:
        path = (
            f"/accounts/commands/{spec.name}"
            if spec.creates
            else f"/accounts/{{aggregate_id}}/commands/{spec.name}"
        )
        operation = paths[path]["post"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        # a body with no required field may be left out: the model or null
        refs = (
            [body["$ref"]] if "$ref" in body else [b["$ref"] for b in body["anyOf"] if "$ref" in b]
        )
        assert len(refs) == 1 and refs[0].rsplit("/", 1)[1] in components, body
        assert "202" in operation["responses"]
    internal = [s.name for s in ACCOUNTS.commands if s.internal]
    assert not [p for p in paths if any(p.endswith(f"/{name}") for name in internal)]

    deposit = components["DepositBody"]
    assert "account_id" not in deposit["properties"]  # the path names the account
    assert deposit["required"] == ["amount"]
    opening = components["OpenAccount"]["properties"]
    assert opening["holder"]["maxLength"] == 80
