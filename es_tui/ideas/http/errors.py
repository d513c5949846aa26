"""The ideas' own answers to their errors, in the origin's shape (`idea_id` in the body):
400 a rule refused the command · 404 no such idea · 410 the idea was forgotten · 422 a
field is invalid (the shape of FastAPI's own 422). Installed after the generic mapping of a
domain's errors (`routes_commands.install_domain_errors`), they replace it on every route:
the origin's, the REST verbs and the generic command routes."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from domain.ideas.errors import IdeaError, IdeaForgottenError, IdeaNotFoundError, InvalidFieldError
from es_tui.http.errors import (
    CONFLICT,
    FOREIGN,
    GONE,
    NOT_FOUND,
    REFUSED,
    TOO_LARGE,
    UNAVAILABLE,
    Responses,
    error_body,
)


def _invalid(request: Request, exc: Exception) -> JSONResponse:
    # Same shape as FastAPI's own 422 answers, so one schema describes both.
    assert isinstance(exc, InvalidFieldError)
    detail = [
        {"loc": ["body", *field.split(".")], "msg": reason, "type": "value_error"}
        for field, reason in exc.errors.items()
    ]
    return JSONResponse({"detail": detail}, status_code=422)


def _not_found(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, IdeaError)
    return JSONResponse(error_body("not_found", str(exc), exc.idea_id), status_code=404)


def _forgotten(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, IdeaError)
    return JSONResponse(error_body("forgotten", str(exc), exc.idea_id), status_code=410)


def _refused(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, IdeaError)
    return JSONResponse(error_body("refused", str(exc), exc.idea_id), status_code=400)


def install_idea_errors(app: FastAPI) -> None:
    """Register the ideas' answers on `app` (the most specific class wins)."""
    app.add_exception_handler(InvalidFieldError, _invalid)
    app.add_exception_handler(IdeaNotFoundError, _not_found)
    app.add_exception_handler(IdeaForgottenError, _forgotten)
    app.add_exception_handler(IdeaError, _refused)


COMMAND_ERRORS: Responses = {
    **FOREIGN,
    **TOO_LARGE,
    **REFUSED,
    **NOT_FOUND,
    **CONFLICT,
    **GONE,
    **UNAVAILABLE,
}
"""What any of the ideas' own command routes may answer besides 202 and 422."""
