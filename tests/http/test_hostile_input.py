"""Hostile input, a class per test: bodies that are valid bytes but not interchangeable JSON
(lone surrogates, NaN, infinities, huge numbers), bodies over the size cap, query strings that
are not UTF-8. Every one is refused with a 4xx that says why, nothing is written, and no
answer is a 500 or repeats a large input."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote_from_bytes

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.bootstrap import System, bootstrap
from es_tui.http.app import MAX_BODY, create_api
from tests.http.conftest import publish, serving

UNREPRESENTABLE = [
    b'{"title": "s\\ud800", "description": "x"}',
    b'{"title": "s\\udfff", "description": "x"}',
    b'{"title": "ok", "description": "a \\udc00\\ud800 b"}',
    b'{"title": "ok", "description": "x", "\\ud83d": 1}',
    b'{"title": NaN, "description": "x"}',
    b'{"title": Infinity, "description": "x"}',
    b'{"title": -Infinity, "description": "x"}',
    b'{"title": 1e400, "description": "x"}',
    b'{"title": -1e400, "description": "x"}',
    b'{"title": "ok", "description": "x", "n": 1' + b"0" * 5000 + b"}",
    b"[NaN]",
]


@pytest.mark.parametrize("body", UNREPRESENTABLE)
async def test_an_unrepresentable_body_is_refused_with_422(
    client: httpx.AsyncClient, system: System, body: bytes
) -> None:
    idea_id = await publish(client)
    head = system.store.head_position()
    headers = {"Content-Type": "application/json"}

    posted = await client.post("/ideas", content=body, headers=headers)
    patched = await client.patch(f"/ideas/{idea_id}", content=body, headers=headers)

    for response in (posted, patched):
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["type"] == "json_invalid"
    assert system.store.head_position() == head


async def test_a_surrogate_pair_is_text_and_accepted(client: httpx.AsyncClient) -> None:
    body = b'{"title": "rocket \\ud83d\\ude80", "description": "x"}'
    response = await client.post(
        "/ideas", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 202
    assert response.json()["events"][0]["data"]["title"] == "rocket \U0001f680"


async def test_a_refusal_never_repeats_a_large_input(client: httpx.AsyncClient) -> None:
    big = "x" * 50_000
    for body in ({"title": big, "description": "x"}, {"title": "t", "description": "x", big: 1}):
        response = await client.post("/ideas", json=body)

        assert response.status_code == 422
        assert len(response.content) < 2_000
        assert big not in response.text


@pytest.fixture
async def small_cap() -> AsyncIterator[tuple[httpx.AsyncClient, System]]:
    """The app with a 1,000-byte body cap."""
    system = bootstrap("memory:", accept_probability=1.0)
    transport = httpx.ASGITransport(create_api(system, max_body=1000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        yield client, system
    system.close()


def _padded(size: int) -> bytes:
    body = json.dumps({"title": "Tea", "description": "Green"}).encode()
    return body + b" " * (size - len(body))  # trailing blanks: still the same JSON


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("path", ["/ideas", "/ideas/publish", "/streams"])
async def test_a_body_over_the_cap_is_413_before_it_is_read(
    small_cap: tuple[httpx.AsyncClient, System], path: str
) -> None:
    client, system = small_cap

    response = await client.post(path, content=_padded(1001), headers=JSON)

    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert system.store.head_position() == 0


async def test_a_chunked_body_is_read_only_up_to_the_cap(
    small_cap: tuple[httpx.AsyncClient, System],
) -> None:
    client, system = small_cap
    sent: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        body = _padded(100_000)
        for start in range(0, len(body), 100):
            sent.append(start)
            yield body[start : start + 100]

    response = await client.post("/ideas", content=chunks(), headers=JSON)

    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert system.store.head_position() == 0


async def test_a_body_at_the_cap_is_accepted(small_cap: tuple[httpx.AsyncClient, System]) -> None:
    client, _ = small_cap

    response = await client.post("/ideas", content=_padded(1000), headers=JSON)

    assert response.status_code == 202


def test_the_default_cap_holds_the_largest_valid_command() -> None:
    largest = {"title": "\U0001f680" * 120, "description": "\U0001f680" * 2000}
    assert len(json.dumps(largest).encode()) < MAX_BODY <= 64 * 1024


INVALID_UTF8 = [
    "%80",  # a lone continuation byte
    "%C0%AF",  # an overlong '/'
    "%E0%80%AF",  # an overlong '/' in three bytes
    "%E2%82",  # a truncated sequence
    "%E2%82x",  # a truncated sequence before more text
    "%ED%A0%80",  # an encoded surrogate (U+D800)
    "%F4%90%80%80",  # beyond U+10FFFF
    "%FF",  # never valid in UTF-8
    "ok%FE%FF",
]


@pytest.mark.parametrize("value", INVALID_UTF8)
async def test_a_query_string_that_is_not_utf8_is_400(
    client: httpx.AsyncClient, system: System, value: str
) -> None:
    idea_id = await publish(client)
    head = system.store.head_position()

    for url in (
        f"/ideas/publish?title={value}",
        f"/ideas/publish?title=Tea&desc={value}",
        f"/ideas/update/{idea_id}?title={value}",
        f"/ideas/publish?{value}=Tea",
        f"/log?from=1&{value}",
    ):
        response = await client.get(url)
        assert response.status_code == 400, url
        assert "UTF-8" in response.json()["message"]
    assert system.store.head_position() == head


async def test_a_query_string_in_utf8_is_stored_as_sent(
    client: httpx.AsyncClient, system: System
) -> None:
    response = await client.get("/ideas/publish?title=caf%C3%A9+%F0%9F%9A%80&desc=a%2Bb")

    assert response.status_code == 202
    state = system.ideas.load(response.json()["idea_id"]).state
    assert (state.title, state.description) == ("café \U0001f680", "a+b")


async def test_a_path_that_is_not_utf8_is_400(client: httpx.AsyncClient) -> None:
    for path in ("/ideas/%FF", "/streams/idea-%ED%A0%80/events", "/ideas/forget/%C0%AF"):
        assert (await client.get(path)).status_code == 400


# -- generated: whatever JSON-ish body arrives, the answer is a refusal or an acceptance ----

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(codec=None, categories=None)),  # surrogates included
    st.text(max_size=300),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
)
bodies = st.one_of(
    st.fixed_dictionaries({"title": values, "description": values}),
    st.dictionaries(st.sampled_from(["title", "description", "x"]), values),
    values,
)


def _encode(body: Any) -> bytes:
    # Python's encoder writes NaN, Infinity and lone surrogates as "\ud800": what a hostile
    # client sends.
    return json.dumps(body, allow_nan=True).encode()


@pytest.fixture(scope="module")
def served_idea() -> Iterator[tuple[httpx.Client, str]]:
    """A real `es-tui serve` and one idea to edit."""
    with serving() as (url, _), httpx.Client(base_url=url, timeout=30) as http:
        created = http.post("/ideas", json={"title": "Tea", "description": "Green"})
        yield http, created.json()["id"]


@given(body=bodies)
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_any_body_is_answered_without_a_500(
    served_idea: tuple[httpx.Client, str], body: Any
) -> None:
    http, idea_id = served_idea
    for response in (
        http.post("/ideas", content=_encode(body), headers=JSON),
        http.patch(f"/ideas/{idea_id}", content=_encode(body), headers=JSON),
    ):
        assert response.status_code in (202, 400, 409, 410, 422), response.text
        assert len(response.content) < 8_000
        response.json()


@given(raw=st.binary(max_size=40))
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_any_query_bytes_are_stored_only_if_they_are_utf8(
    served_idea: tuple[httpx.Client, str], raw: bytes
) -> None:
    http, _ = served_idea
    try:
        raw.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False

    response = http.get(f"/ideas/publish?title={quote_from_bytes(raw)}&desc=x")

    if not utf8:
        assert response.status_code == 400
    else:
        assert response.status_code in (202, 422), response.text
    if response.status_code == 202:
        stored = response.json()["events"][0]["data"]["title"]
        assert "\ufffd" not in stored or "\ufffd" in raw.decode()


@given(name=st.from_regex(r"[a-z0-9.-]{1,30}", fullmatch=True), port=st.integers(1, 65535))
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_only_the_servers_own_names_are_answered(
    served_idea: tuple[httpx.Client, str], name: str, port: int
) -> None:
    http, _ = served_idea
    own = name.rstrip(".") in ("localhost", "127.0.0.1")

    read = http.get("/ideas?limit=1", headers={"Host": f"{name}:{port}"})
    publish = http.get("/ideas/publish", headers={"Host": f"{name}:{port}"})

    assert read.status_code == (200 if own else 421)
    assert publish.status_code == (202 if own else 421)


@given(origin=st.from_regex(r"https?://[a-z0-9.-]{1,30}(:[0-9]{1,5})?", fullmatch=True))
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_a_command_from_any_other_origin_is_refused(
    served_idea: tuple[httpx.Client, str], origin: str
) -> None:
    http, idea_id = served_idea
    own = httpx.URL(http.base_url)

    response = http.patch(f"/ideas/{idea_id}", json={"title": "x"}, headers={"Origin": origin})

    try:
        same = httpx.URL(origin)
        is_own = (same.scheme, same.host, same.port or 80) == ("http", own.host, own.port)
    except httpx.InvalidURL:
        is_own = False
    assert response.status_code in ((202, 400, 410) if is_own else (403,)), origin
