"""The domain's commands over HTTP, one route per command a person issues, generated when the
API is built so each route has the command model as its typed body (its schema and
constraints in the OpenAPI document), and the domain's read models in pages.

* `POST /{domain}/commands/{Command}`: a command that creates an aggregate.
* `POST /{domain}/{aggregate_id}/commands/{Command}`: a command on an existing aggregate (the
  body is the model without the field naming the aggregate); `If-Match` is the expected
  version.
* `GET /{domain}/read-models` and `GET /{domain}/read-models/{name}`.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Body, FastAPI, Path, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, create_model

from domain.core.errors import ConcurrencyError, StreamForgottenError
from domain.core.handler import DomainHandler, InvalidCommandError, NoFreshIdError, Outcome
from domain.core.port import CommandSpec, UnknownCommandError
from domain.core.records import StreamStatus
from domain.core.views import ReadModelView
from es_tui.domain_front import domain_outcome_json, plain, refusal_facts, target_field
from es_tui.http.body import loads_strict
from es_tui.http.deps import IfMatch, etag, expected_version, with_conflict_retries
from es_tui.http.errors import CONFLICT, FOREIGN, GONE, TOO_LARGE, UNAVAILABLE, Responses
from es_tui.http.guard import refuse_foreign_origin
from es_tui.http.models import MAX_POSITION, EventOut
from es_tui.http.routes_read import Limit, Offset, page


class ExactJsonRequest(Request):
    """A request whose JSON body is strict (see `loads_strict`) and whose numbers with a
    fraction are exact decimals: `0.10` stays `0.10`, never the float 0.1."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            raw = await self.body()
            loads_strict(raw)  # refuses NaN, Infinity, huge numbers, lone surrogates
            self._json = json.loads(raw, parse_float=Decimal)
        return self._json


class ExactJsonRoute(APIRoute):
    """A route reading its body with `ExactJsonRequest`."""

    def get_route_handler(self) -> Callable[[Request], Any]:
        handler = super().get_route_handler()

        async def exact_handler(request: Request) -> Response:
            response: Response = await handler(ExactJsonRequest(request.scope, request.receive))
            return response

        return exact_handler


class DomainAccepted(BaseModel):
    """A command the domain accepted: the events appended and the aggregate's new state."""

    domain: str
    command: str
    aggregate_id: str
    stream_id: str
    version: int
    versions: list[int] = Field(description="the version of each event appended")
    snapshot_taken: int | None
    state: dict[str, Any] = Field(description="the aggregate's state after the command")
    events: list[EventOut]


class DomainRefusal(BaseModel):
    """A refusal: `error` names the kind (refused, not_found, …); `facts` are what the
    domain decided on (e.g. the balance and the amount asked for)."""

    error: str
    message: str
    domain: str | None = None
    facts: dict[str, Any] = Field(default_factory=dict)


class ReadModelInfo(BaseModel):
    """One read model: its columns and how many rows it holds."""

    name: str
    columns: list[str]
    rows: int
    checkpoint: int = Field(description="position of the last event the read model applied")


class ReadModelList(BaseModel):
    """The domain's read models."""

    read_models: list[ReadModelInfo]


class ReadModelPage(BaseModel):
    """A page of one read model's rows (each with its `key`)."""

    name: str
    rows: list[dict[str, Any]]
    total: int
    next_offset: int | None
    checkpoint: int


class DomainRefusedError(Exception):
    """A domain refused a command with a plain built-in error (e.g. a ValueError)."""

    def __init__(self, domain: str, error: Exception) -> None:
        self.domain = domain
        self.reason = str(error)
        super().__init__(self.reason)


class ReadModelNotFoundError(LookupError):
    """No read model of this name."""

    def __init__(self, domain: str, name: str) -> None:
        self.domain = domain
        self.name = name
        super().__init__(f"domain {domain} has no read model {name}")


def _doc(model: type[BaseModel], text: str) -> dict[str, Any]:
    return {"model": model, "description": text}


DOMAIN_ERRORS: Responses = {
    **FOREIGN,
    **TOO_LARGE,
    400: _doc(DomainRefusal, "a rule of the domain refused the command; nothing was written"),
    404: _doc(DomainRefusal, "no aggregate has this id"),
    **CONFLICT,
    **GONE,
    **UNAVAILABLE,
}

AggregateId = Annotated[
    str, Path(min_length=1, max_length=200, description="the aggregate the command is for")
]


def body_model(spec: CommandSpec, aggregate: str | None) -> type[BaseModel]:
    """The command model, without the field naming the aggregate (the path names it)."""
    if aggregate is None:
        return spec.model
    fields: dict[str, Any] = {
        name: (info.annotation, info)
        for name, info in spec.model.model_fields.items()
        if name != aggregate
    }
    model: type[BaseModel] = create_model(
        f"{spec.name}Body",
        __config__=spec.model.model_config,
        __doc__=spec.model.__doc__,
        **fields,
    )
    return model


def command_router(
    handler: DomainHandler[Any], views: Mapping[str, ReadModelView] | None = None
) -> APIRouter:
    """The routes of `handler`'s domain: one per person command, and its read models."""
    domain = handler.domain
    router = APIRouter(prefix=f"/{domain.name}", tags=[domain.name], route_class=ExactJsonRoute)
    for spec in domain.person_commands:
        _add_command(router, handler, spec)
    _add_read_models(router, handler, dict(views or {}))
    return router


def _add_command(router: APIRouter, handler: DomainHandler[Any], spec: CommandSpec) -> None:
    aggregate = target_field(spec)
    model = body_model(spec, aggregate)

    def run(
        request: Request,
        response: Response,
        body: BaseModel | None = None,
        aggregate_id: str | None = None,
        if_match: str = "*",
    ) -> dict[str, Any]:
        refuse_foreign_origin(request)
        fields = body.model_dump(exclude_unset=True) if body is not None else {}
        if aggregate is not None and aggregate_id is not None:
            fields[aggregate] = aggregate_id
        command = handler.build(spec.name, fields)
        if spec.target is not None and spec.target(command) != aggregate_id:
            reason = f"names {spec.target(command)!r}, not {aggregate_id!r} of the path"
            raise InvalidCommandError(handler.domain.name, spec.name, [("body", reason)])
        outcome = _execute(handler, spec, command, expected_version(if_match))
        response.headers["ETag"] = etag(outcome.version)
        return domain_outcome_json(handler, outcome)

    kw = inspect.Parameter.KEYWORD_ONLY
    params = [
        inspect.Parameter("request", kw, annotation=Request),
        inspect.Parameter("response", kw, annotation=Response),
    ]
    if any(info.is_required() for info in model.model_fields.values()):
        params.append(inspect.Parameter("body", kw, annotation=Annotated[model, Body()]))
    else:  # nothing to say but the aggregate (e.g. a delete): the body may be left out
        optional = Annotated[model | None, Body()]  # type: ignore[valid-type]
        params.append(inspect.Parameter("body", kw, annotation=optional, default=None))
    if spec.creates:
        path = f"/commands/{spec.name}"
    else:
        path = f"/{{aggregate_id}}/commands/{spec.name}"
        params.append(inspect.Parameter("aggregate_id", kw, annotation=AggregateId))
        params.append(inspect.Parameter("if_match", kw, annotation=IfMatch, default="*"))
    run.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    doc = (spec.model.__doc__ or "").strip()
    router.add_api_route(
        path,
        run,
        methods=["POST"],
        status_code=202,
        response_model=DomainAccepted,
        responses=DOMAIN_ERRORS,
        summary=f"{spec.label or spec.name} ({spec.name})",
        description=doc if doc and not doc.startswith(f"{spec.name}(") else spec.name,
        operation_id=f"{handler.domain.name}_{spec.name}",
    )


def _execute(
    handler: DomainHandler[Any], spec: CommandSpec, command: BaseModel, expected: int | None
) -> Outcome[Any]:
    """Run the command; without an expected version, a concurrent change is decided again
    on the new state (the client asked for the change on whatever the aggregate is now)."""
    refusals: tuple[type[Exception], ...] = handler.domain.errors
    try:
        return with_conflict_retries(
            lambda: handler.execute(command, expected_version=expected), expected is None
        )
    except ConcurrencyError:
        raise  # a 409, even for a domain whose refusals are as broad as Exception
    except refusals as exc:
        _raise_if_forgotten(handler, spec, command, exc)
        if type(exc).__module__ == "builtins":  # a plain ValueError: no app-wide mapping
            raise DomainRefusedError(handler.domain.name, exc) from exc
        raise


def _raise_if_forgotten(
    handler: DomainHandler[Any], spec: CommandSpec, command: BaseModel, exc: Exception
) -> None:
    """A refusal on a forgotten aggregate is "gone" (410), whatever rule said no."""
    if spec.target is None:
        return
    stream_id = handler.domain.stream_id(spec.target(command))
    info = handler.store.stream_info(stream_id)
    if info is not None and info.status is StreamStatus.FORGOTTEN:
        raise StreamForgottenError(stream_id) from exc


def _add_read_models(
    router: APIRouter, handler: DomainHandler[Any], views: dict[str, ReadModelView]
) -> None:
    domain = handler.domain
    specs = {spec.name: spec for spec in domain.read_models}

    def columns(name: str) -> list[str]:
        spec = specs.get(name) or views[name].spec
        return [column.name for column in spec.columns]

    @router.get(
        "/read-models",
        response_model=ReadModelList,
        summary=f"The read models of {domain.name}",
    )
    def list_read_models() -> dict[str, Any]:
        """Every read model kept for the domain, with its columns and row count."""
        return {
            "read_models": [
                {
                    "name": name,
                    "columns": columns(name),
                    "rows": len(view.rows()),
                    "checkpoint": view.checkpoint,
                }
                for name, view in views.items()
            ]
        }

    @router.get(
        "/read-models/{name}",
        response_model=ReadModelPage,
        responses={404: _doc(DomainRefusal, "no read model of this name")},
        summary=f"The rows of one read model of {domain.name}",
    )
    def read_model(
        name: Annotated[str, Path(max_length=200)], offset: Offset = 0, limit: Limit = 100
    ) -> dict[str, Any]:
        """The rows of one read model in key order: at most `limit` from `offset`; follow
        `next_offset`."""
        view = views.get(name)
        if view is None:
            raise ReadModelNotFoundError(domain.name, name)
        checkpoint = view.checkpoint  # before the rows: the page is at least this current
        rows = sorted(view.rows().items())
        shown, next_offset = page(rows, min(offset, MAX_POSITION), limit)
        return {
            "name": name,
            "rows": [{"key": key, **{k: plain(v) for k, v in row.items()}} for key, row in shown],
            "total": len(rows),
            "next_offset": next_offset,
            "checkpoint": checkpoint,
        }


def _refusal(kind: str, status: int, domain: str | None) -> Callable[[Request, Exception], Any]:
    def answer(request: Request, exc: Exception) -> JSONResponse:
        body = DomainRefusal(
            error=kind, message=str(exc), domain=domain, facts=refusal_facts(exc)
        ).model_dump()
        return JSONResponse(body, status_code=status)

    return answer


def _invalid(request: Request, exc: Exception) -> JSONResponse:
    # The shape of FastAPI's own 422 answers, so one schema describes both.
    assert isinstance(exc, InvalidCommandError)
    detail = [
        {"loc": ["body", *field.split(".")], "msg": reason, "type": "value_error"}
        for field, reason in exc.errors.items()
    ]
    return JSONResponse({"detail": detail}, status_code=422)


def install_domain_errors(app: FastAPI, handler: DomainHandler[Any]) -> None:
    """Map the generic command errors and every error class the domain declares (a class
    that already has an answer keeps it; a domain's own HTTP part may replace them after)."""
    domain = handler.domain
    mapped: dict[type[Exception], tuple[str, int]] = {
        InvalidCommandError: ("invalid", 422),
        UnknownCommandError: ("not_found", 404),
        ReadModelNotFoundError: ("not_found", 404),
        NoFreshIdError: ("unavailable", 503),
        DomainRefusedError: ("refused", 400),
        **{cls: ("not_found", 404) for cls in domain.not_found},
        **{cls: ("refused", 400) for cls in domain.errors if cls not in domain.not_found},
    }
    for cls, (kind, status) in mapped.items():
        if cls in app.exception_handlers or cls.__module__ == "builtins":
            continue
        if cls is InvalidCommandError:
            app.add_exception_handler(cls, _invalid)
        else:
            app.add_exception_handler(cls, _refusal(kind, status, domain.name))
