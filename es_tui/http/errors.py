"""From store errors to HTTP answers: one mapping for every route (a domain's errors are
mapped from its Domain port by `routes_commands.install_domain_errors`, and a domain's own
HTTP part may answer some of them itself).

400 a domain rule refused the command (or a query string is not UTF-8) · 403 a command sent
by another site's page · 404 unknown aggregate or stream · 409 concurrency conflict · 410
forgotten · 413 a body over the cap · 422 malformed input · 503 the store is closed,
unreachable, damaged or read-only · 507 the disk is full. Nothing that a client sends maps
to 500.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.core.errors import (
    ConcurrencyError,
    StorageFullError,
    StoreClosedError,
    StoreDamagedError,
    StoreReadOnlyError,
    StoreUnavailableError,
    StreamForgottenError,
    StreamNotFoundError,
)
from domain.core.records import Expect
from es_tui.http.models import ConflictOut, ErrorOut


def error_body(kind: str, message: str, idea_id: str | None = None) -> dict[str, Any]:
    """The JSON body of every refusal but conflicts and malformed input."""
    return ErrorOut(error=kind, message=message, idea_id=idea_id or None).model_dump()


def conflict_body(exc: ConcurrencyError) -> dict[str, Any]:
    """Expected and actual version and the last event id, as the store reported them."""
    expected = exc.expected
    shown: int | str = expected.value if isinstance(expected, Expect) else str(expected)
    if isinstance(expected, int):
        shown = expected
    return ConflictOut(
        error="conflict",
        message=str(exc),
        stream_id=exc.stream_id,
        expected=shown,
        actual=exc.actual,
        last_event_id=str(exc.last_event_id) if exc.last_event_id else None,
    ).model_dump()


ECHO_MAX = 200
"""Longest string an error repeats from the request (a field name, a location)."""


def _plain(value: Any) -> Any:
    # What an error repeats must be encodable: no lone surrogate, no NaN, nothing huge.
    if isinstance(value, str):
        text = value.encode("utf-8", "backslashreplace").decode("utf-8")
        return text if len(text) <= ECHO_MAX else text[:ECHO_MAX] + "…"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _unprocessable(request: Request, exc: Exception) -> JSONResponse:
    # FastAPI's own answer echoes the whole input back: a 100 KB body, or a value JSON
    # cannot encode (a lone surrogate, NaN) that turned the refusal into a 500.
    assert isinstance(exc, RequestValidationError)
    detail = [
        {key: _plain(jsonable_encoder(value)) for key, value in error.items() if key != "input"}
        for error in exc.errors()
    ]
    return JSONResponse({"detail": detail}, status_code=422)


def _not_found(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(error_body("not_found", str(exc)), status_code=404)


def _forgotten(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(error_body("forgotten", str(exc)), status_code=410)


def _conflict(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ConcurrencyError)
    return JSONResponse(conflict_body(exc), status_code=409)


def _closed(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(error_body("unavailable", str(exc)), status_code=503)


def _no_space(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(error_body("insufficient_storage", str(exc)), status_code=507)


HTTP_KINDS = {
    400: "bad_request",
    403: "foreign_origin",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
}


def _http(request: Request, exc: Exception) -> JSONResponse:
    # The framework's own refusals (an unreadable body, an unknown path) in the same shape.
    assert isinstance(exc, StarletteHTTPException)
    kind = HTTP_KINDS.get(exc.status_code, "http_error")
    body = error_body(kind, str(exc.detail))
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping on `app` (the most specific class wins)."""
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _unprocessable)
    app.add_exception_handler(StreamNotFoundError, _not_found)
    app.add_exception_handler(StreamForgottenError, _forgotten)
    app.add_exception_handler(ConcurrencyError, _conflict)
    app.add_exception_handler(StoreClosedError, _closed)
    app.add_exception_handler(StoreUnavailableError, _closed)
    app.add_exception_handler(StoreDamagedError, _closed)
    app.add_exception_handler(StoreReadOnlyError, _closed)
    app.add_exception_handler(StorageFullError, _no_space)


def _doc(model: type, text: str) -> dict[str, Any]:
    return {"model": model, "description": text}


Responses = dict[int | str, dict[str, Any]]
"""The `responses=` argument of a route: status code -> OpenAPI description and model."""

# Refused before the command runs (the request guard, the command plumbing).
FOREIGN: Responses = {403: _doc(ErrorOut, "sent by a page of another site (Origin, Referer)")}
TOO_LARGE: Responses = {413: _doc(ErrorOut, "the body is over the size cap; nothing was read")}

REFUSED: Responses = {400: _doc(ErrorOut, "a domain rule refused the command; nothing was written")}
NOT_FOUND: Responses = {404: _doc(ErrorOut, "no idea (or stream) has this id")}
CONFLICT: Responses = {409: _doc(ConflictOut, "the idea moved since the expected version")}
GONE: Responses = {410: _doc(ErrorOut, "the idea was forgotten: only its tombstone remains")}
UNAVAILABLE: Responses = {503: _doc(ErrorOut, "the store is closed")}
