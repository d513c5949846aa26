"""The API inside the explorer (`es-tui --http PORT`): one process, one store, one event
loop, so a request shows up in the panes as it is served."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import App

from domain.bootstrap import System
from es_tui.http.server import exposure_warning, serve_in_loop, url_of
from es_tui.messages import AnyOutcome, CommandRan


@dataclass
class ApiStatus:
    """Where the in-app API listens (`url`, once bound) or why it could not (`error`)."""

    url: str | None = None
    error: str | None = None


def start_api(app: App[Any], system: System, host: str, port: int) -> ApiStatus:
    """Serve the API for `system` as a worker of `app` (group "http"), on its event loop.

    Each command served is logged as a `CommandRan` from "http"; where it listens, or why it
    cannot, is told in a notification."""
    status = ApiStatus()

    def report(command: str, subject: str, result: AnyOutcome | Exception) -> None:
        app.post_message(CommandRan(command, subject, result, "http"))  # from a route's thread

    def ready(bound_host: str, bound_port: int) -> None:
        status.url = url_of(bound_host, bound_port)
        app.notify(f"HTTP API on {status.url} (docs: {status.url}/docs)", title="HTTP API")
        warning = exposure_warning(bound_host, bound_port)
        if warning:
            app.notify(warning.removeprefix("es-tui: warning: "), severity="warning")

    async def serve() -> None:
        try:
            await serve_in_loop(system, host, port, ready=ready, on_command=report)
        except OSError as exc:
            status.error = f"cannot listen on {host}:{port}: {exc}"
            app.notify(status.error, title="HTTP API", severity="error", timeout=10)

    app.run_worker(serve(), name="HTTP API", group="http", exit_on_error=False)
    return status
