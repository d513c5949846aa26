"""The HTTP API of es-tui, on one system: the domain's command and read-model routes (from
its Domain port), the routes its own HTTP part adds (found through `es_tui.fronts`), and the
store's reads.

Every route is a plain `def`: FastAPI runs it on a worker thread, so store calls never block
the event loop (the explorer shares that loop when it serves the API itself).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import metadata
from typing import Protocol, runtime_checkable

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from domain.bootstrap import System
from domain.core.views import ReadModelView
from es_tui.domain_front import read_model_views
from es_tui.fronts import running_part
from es_tui.http import routes_read
from es_tui.http.allow import install_allow_header
from es_tui.http.deps import CommandListener
from es_tui.http.docs import install_docs
from es_tui.http.errors import install_error_handlers
from es_tui.http.guard import DEFAULT_HOSTS, AllowedHosts, RequestGuard
from es_tui.http.routes_commands import command_router, install_domain_errors

MAX_BODY = 64 * 1024
"""Largest request body read, in bytes (the largest valid command is about 8 KB); a larger
one answers 413 before it is read (by its Content-Length) or as soon as it passes the cap
(a chunked body)."""

STORE_ROUTES = "* **store** — streams, one stream's events and the global log, in pages.\n"

DOMAIN_ROUTES = """\
* **the domain** (here `{domain}`) — one route per command a person issues, the command's
  model as the body: `POST /{domain}/commands/{{Command}}` creates an aggregate,
  `POST /{domain}/{{aggregate_id}}/commands/{{Command}}` acts on one (`If-Match`: the expected
  version); and the domain's read models, in pages.
"""

COMMAND_ANSWERS = """
Accepted commands answer 202. A refusal answers 400 (a domain rule), 404 (unknown aggregate or
stream), 409 (concurrency conflict: expected and actual version, last event id), 410 (the
aggregate was forgotten) or 422 (malformed input: a body that is not strict JSON — `NaN`,
`1e400`, a lone surrogate — included), 413 (a body over the size cap). A command sent by a
page of another site (`Origin`, `Referer`, `Sec-Fetch-Site`) answers 403. Nothing was written
in any of those cases.
"""

ANSWERS = """
An unknown stream answers 404. A request whose `Host` is not a name of this server answers
421; a query string that is not UTF-8 400.

Lists are paged: `offset` and `limit`, and `next_offset` (or `next`) for the following page.
Every `GET` route answers `HEAD` too, except a `GET` that runs a command (405: `HEAD` is safe).
"""


@runtime_checkable
class HttpPart(Protocol):
    """What the API needs of a domain's own HTTP part (`es_tui.fronts`, front "http")."""

    @property
    def description(self) -> str:
        """Its routes in the API's description: Markdown list items, one per group."""
        ...

    def include(self, app: FastAPI, system: System) -> None:
        """Add the part's routers and exception handlers to `app`, built for `system`.

        Called after the domain's generic command routes (a path of theirs wins over a
        pattern of the part's, e.g. /ideas/read-models over /ideas/{idea_id}) and before the
        store's routes; an exception handler it adds replaces the generic one of the same
        class."""


class NotAnHttpPartError(TypeError):
    """The registry gave, for a domain's HTTP part, an object without `include`."""

    def __init__(self, domain: str, part: object) -> None:
        self.domain = domain
        self.part = part
        super().__init__(
            f"the HTTP part of domain {domain} is a {type(part).__name__}, "
            "not an HttpPart (it has no include(app, system))"
        )


def http_part(system: System) -> HttpPart | None:
    """The HTTP part of the system's domain (None: it adds none, or raw mode)."""
    if system.domain is None:
        return None
    part = running_part(system, "http")
    if part is not None and not isinstance(part, HttpPart):
        raise NotAnHttpPartError(system.domain.name, part)
    return part


def describe(system: System, part: HttpPart | None) -> str:
    """The API's description in its OpenAPI document, for the system it serves: its domain's
    name, its part's routes first, and no command routes in raw mode."""
    domain = system.domain
    if domain is None:
        intro = "A store of es-tui over HTTP, read as stored: no domain runs here (raw mode)."
        return f"{intro}\n\n{STORE_ROUTES}{ANSWERS}"
    intro = f"The {domain.name} system of es-tui over HTTP, on the same store as the explorer "
    intro += "and the CLI."
    routes = part.description if part is not None else ""
    routes += STORE_ROUTES + DOMAIN_ROUTES.format(domain=domain.name)
    return f"{intro}\n\n{routes}{COMMAND_ANSWERS}{ANSWERS}"


def _version() -> str:
    try:
        return metadata.version("es-tui")
    except metadata.PackageNotFoundError:
        return "unknown"


def create_api(
    system: System,
    *,
    on_command: CommandListener | None = None,
    hosts: AllowedHosts = DEFAULT_HOSTS,
    max_body: int = MAX_BODY,
    views: Mapping[str, ReadModelView] | None = None,
) -> FastAPI:
    """A FastAPI app serving `system` (the caller keeps ownership and closes it);
    `on_command` hears every command's outcome or refusal; `hosts` are the names requests
    may be addressed to (default: loopback); bodies over `max_body` bytes are refused;
    `views` are the domain's read models served by name (default: the system's)."""
    part = http_part(system)
    app = FastAPI(
        title="es-tui",
        version=_version(),
        description=describe(system, part),
        docs_url=None,
        redoc_url=None,
    )
    install_docs(app)  # with local assets: the docs work offline
    app.state.system = system
    app.state.on_command = on_command
    install_error_handlers(app)
    # The domain's generic command routes first: a literal path of theirs
    # (/ideas/read-models) wins over a pattern of its part's (/ideas/{idea_id}).
    if system.handler is not None:  # raw mode has no commands to route
        install_domain_errors(app, system.handler)
        app.include_router(
            command_router(system.handler, read_model_views(system) if views is None else views)
        )
    if part is not None:  # e.g. the ideas' origin routes and their REST verbs
        part.include(app, system)
    app.include_router(routes_read.router)

    install_allow_header(app)
    # Added last, so outermost: it refuses before anything is read.
    app.add_middleware(RequestGuard, hosts=hosts, max_body=max_body)

    @app.get("/", include_in_schema=False)
    def index() -> RedirectResponse:
        return RedirectResponse("/docs")

    return app
