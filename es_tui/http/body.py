"""JSON request bodies as RFC 8259 and I-JSON define them, not as Python's `json` reads them.

Python's parser takes `NaN` and `Infinity`, turns `1e400` into infinity and `"\\ud800"` into
a lone surrogate: values no store, encryption or JSON answer can carry. Here they are
malformed JSON (422), refused before any validation, like any other syntax error.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

INT_DIGITS_MAX = 64
"""Longest integer literal read (far beyond any id or version; parsing a huge one costs
quadratic time)."""


class UnrepresentableJsonError(json.JSONDecodeError):
    """Syntactically JSON, but a value that is not interchangeable JSON."""


def _refuse(message: str, doc: str) -> UnrepresentableJsonError:
    return UnrepresentableJsonError(message, doc, 0)


def loads_strict(raw: bytes) -> Any:
    """Parse `raw` as strict JSON: UTF-8 (UnicodeDecodeError otherwise), no NaN or
    Infinity, finite numbers, integers of at most INT_DIGITS_MAX digits, no lone
    surrogate in any string or key (UnrepresentableJsonError)."""
    text = raw.decode("utf-8")

    def constant(name: str) -> Any:
        raise _refuse(f"{name} is not a JSON number", text)

    def number(literal: str) -> float:
        value = float(literal)
        if not math.isfinite(value):
            raise _refuse(f"the number {literal[:40]} is too large", text)
        return value

    def integer(literal: str) -> int:
        if len(literal.lstrip("-")) > INT_DIGITS_MAX:
            raise _refuse(f"an integer of {len(literal)} digits is too large", text)
        return int(literal)

    value = json.loads(text, parse_constant=constant, parse_float=number, parse_int=integer)
    try:
        # Escapes such as "\ud800" decode to lone surrogates, which UTF-8 cannot encode.
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise _refuse(
            "a string holds a lone surrogate (an unpaired \\uD800-\\uDFFF)", text
        ) from None
    return value


class StrictJsonRequest(Request):
    """A request whose `json()` is `loads_strict`."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads_strict(await self.body())
        return self._json


class StrictJsonRoute(APIRoute):
    """A route that reads its JSON body with `loads_strict`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict_handler
