"""The registry of the built-in domains' own front-end parts.

Every front end is generic: its forms, routes and verbs come from the Domain port. A
built-in domain may add parts of its own on top (the ideas domain keeps its origin's HTTP
routes, its CLI verbs, its hand-made forms and lab, and its read-model list; the accounts
domain its conflict lab). They live in
one package per domain, `es_tui.<package>`, in a module per front end:

- `cli` — its subcommands (`PART`),
- `http` — its routes (`PART`),
- `explorer` — its explorer actions and panes (`PART`).

The rest of es_tui reaches them only through this module, by name, as `domain.domains`
reaches the built-in domains: imported when asked for, never at start-up. Each caller
states the shape it needs of a part as a Protocol beside itself.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from domain.bootstrap import System

Front = Literal["cli", "http", "explorer"]

BUILT_IN_FRONTS: dict[str, str] = {"ideas": "es_tui.ideas", "accounts": "es_tui.accounts"}
"""Domain name -> the package of its own front-end parts."""


def front_part(domain_name: str | None, front: Front) -> object | None:
    """The part of `front` the domain named `domain_name` adds (None: it adds none, it is
    not a built-in domain, or no domain runs)."""
    package = BUILT_IN_FRONTS.get(domain_name or "")
    if package is None:
        return None
    try:
        module = import_module(f"{package}.{front}")
    except ModuleNotFoundError as error:
        if error.name != f"{package}.{front}":
            raise  # a part that exists but fails to import is a defect, not "none"
        return None
    part: object | None = getattr(module, "PART", None)
    return part


def running_part(system: System, front: Front) -> object | None:
    """The part of `front` the domain `system` runs adds (None in raw mode, or none)."""
    return front_part(system.domain.name if system.domain else None, front)


def front_parts(front: Front) -> dict[str, object]:
    """Every built-in domain's part of `front`, by domain name (e.g. every domain's CLI
    verbs, which the argument parser lists before it knows the domain)."""
    found: dict[str, object] = {}
    for name in BUILT_IN_FRONTS:
        part = front_part(name, front)
        if part is not None:
            found[name] = part
    return found
