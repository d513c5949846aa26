"""A complete `Allow` header on 405 answers.

Starlette lists only the methods of the first router that knows a path, so `PUT /ideas`
would advertise POST but not GET. This middleware answers with the methods of the documented
resource the path names; where the origin's literal paths overlap a template
(`/ideas/publish` and `/ideas/{idea_id}`) the literal one is the resource, as in routing.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from functools import cache

from fastapi import FastAPI, Request, Response
from starlette.routing import Match

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

Table = list[tuple[re.Pattern[str], int, frozenset[str]]]


def _table(app: FastAPI) -> Table:
    table: Table = []
    for template, operations in app.openapi()["paths"].items():
        parts = re.split(r"\{[^}]+\}", template)
        regex = re.compile("[^/]+".join(re.escape(part) for part in parts))
        methods = frozenset(m.upper() for m in operations if m.upper() in METHODS)
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
    return [
        m
        for m in METHODS
        if any(r.matches({**request.scope, "method": m})[0] is Match.FULL for r in routes)
    ]


def install_allow_header(app: FastAPI) -> None:
    """Add the middleware to `app`."""
    table = cache(lambda: _table(app))

    @app.middleware("http")
    async def full_allow_header(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        if response.status_code == 405:
            response.headers["Allow"] = ", ".join(allowed_methods(app, request, table()))
        return response
