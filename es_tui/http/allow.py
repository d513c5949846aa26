"""A complete `Allow` header on 405 answers.

Starlette lists only the methods of the first router that knows a path, so `PUT /ideas`
would advertise POST but not GET. This middleware answers with the methods of the documented
resource the path names; where the origin's literal paths overlap a template
(`/ideas/publish` and `/ideas/{idea_id}`) the literal one is the resource, as in routing.
"""

from __future__ import annotations

import re
from functools import cache

from fastapi import FastAPI, Request
from starlette.datastructures import MutableHeaders
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")

Table = list[tuple[re.Pattern[str], int, frozenset[str]]]


def _table(app: FastAPI) -> Table:
    table: Table = []
    for template, operations in app.openapi()["paths"].items():
        parts = re.split(r"\{[^}]+\}", template)
        regex = re.compile("[^/]+".join(re.escape(part) for part in parts))
        methods = frozenset(m.upper() for m in operations if m.upper() in METHODS)
        # HEAD is served by the request guard as GET without a body, except where the GET
        # runs a command (those document their 403 for another site's page): HEAD is safe
        if "GET" in methods and "403" not in operations["get"].get("responses", {}):
            methods |= {"HEAD"}
        table.append((regex, len(parts) - 1, methods))
    return table


def allowed_methods(app: FastAPI, request: Request, table: Table) -> list[str]:
    """The methods of the resource at the request's path, in a fixed order."""
    path = request.url.path
    found = [(params, methods) for regex, params, methods in table if regex.fullmatch(path)]
    if found:
        fewest = min(params for params, _ in found)
        union = frozenset().union(*(methods for params, methods in found if params == fewest))
        return [m for m in METHODS if m in union]
    # A path no template spells out (a stream id holding '/'): ask the router itself.
    routes = app.router.routes
    found_methods = {
        m
        for m in METHODS
        if any(r.matches({**request.scope, "method": m})[0] is Match.FULL for r in routes)
    }
    if "GET" in found_methods:
        found_methods.add("HEAD")
    return [m for m in METHODS if m in found_methods]


def install_allow_header(app: FastAPI) -> None:
    """Add the middleware to `app` (plain ASGI: the request body reaches the routes as the
    server delivers it, and errors raised while reading it keep their type)."""
    table = cache(lambda: _table(app))

    class FullAllowHeader:
        def __init__(self, inner: ASGIApp) -> None:
            self.inner = inner

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await self.inner(scope, receive, send)
                return

            async def send_with_allow(message: Message) -> None:
                if message["type"] == "http.response.start" and message["status"] == 405:
                    allowed = ", ".join(allowed_methods(app, Request(scope), table()))
                    headers = MutableHeaders(raw=list(message["headers"]))
                    headers["Allow"] = allowed
                    message = {**message, "headers": headers.raw}
                await send(message)

            await self.inner(scope, receive, send_with_allow)

    app.add_middleware(FullAllowHeader)
