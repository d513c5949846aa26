"""The ideas domain's own part of the HTTP API, on top of the generic command routes: the
origin's routes (commands as `GET`, the read model, the computed aggregate), the same
commands as REST verbs, and the ideas' own answers to their errors. `es_tui.http.app` asks
`es_tui.fronts` for `PART` when the system runs a domain named ideas."""

from __future__ import annotations

from fastapi import FastAPI

from domain.bootstrap import System
from es_tui.ideas.http import routes_origin, routes_rest
from es_tui.ideas.http.errors import install_idea_errors


class IdeasHttpPart:
    """The origin's routes and their REST verbs, and the ideas' answers to their errors."""

    description = (
        "* **origin** — the routes of the original teaching API: commands as `GET` requests.\n"
        "* **rest** — the same commands as `POST`/`PATCH`/`DELETE` with JSON bodies; `PATCH`\n"
        "  honours `If-Match` (the idea's version, as its `ETag`).\n"
    )

    def include(self, app: FastAPI, system: System) -> None:
        """Add the REST verbs and the origin's routes, and answer the ideas' errors in the
        origin's shape on every route of `app` (replacing the generic answer to a domain's
        errors). Nothing for a system without the ideas' handler (a domain of another
        package that calls itself ideas)."""
        if system.ideas is None:
            return
        install_idea_errors(app)
        # Within the origin's router, /ideas/publish comes before /ideas/{idea_id}: the
        # literal path wins, as in the origin.
        app.include_router(routes_rest.router)
        app.include_router(routes_origin.router)


PART = IdeasHttpPart()
"""What `es_tui.fronts.front_part("ideas", "http")` returns."""
