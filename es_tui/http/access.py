"""The access log of `es-tui serve`: method, path and status, never the query string.

The origin's command routes carry titles and descriptions in their query strings, and those
are personal data: a log line holding them is a copy `forget` can never reach. uvicorn's own
access log prints the full target, so it is off and this one logs in its format instead.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOGGER = "es_tui.http.access"

log = logging.getLogger(LOGGER)


class AccessLog:
    """ASGI middleware: one line per response, `client - "METHOD /path HTTP/1.1" status`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_and_log(message: Message) -> None:
            if message["type"] == "http.response.start":
                client = scope.get("client")
                where = f"{client[0]}:{client[1]}" if client else "-"
                # The path only (percent-decoded by the server); the query string stays out.
                args = (where, scope["method"], scope["path"], scope["http_version"])
                log.info('%s - "%s %s HTTP/%s" %d', *args, message["status"])
            await send(message)

        await self.app(scope, receive, send_and_log)


def log_config() -> dict[str, Any]:
    """uvicorn's logging set-up with its access logger silenced and this one in its place
    (same format, same stream)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["uvicorn.access"] = {"handlers": [], "level": "INFO", "propagate": False}
    config["loggers"][LOGGER] = {"handlers": ["access"], "level": "INFO", "propagate": False}
    return config
