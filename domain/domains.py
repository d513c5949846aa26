"""The built-in domains by name, and `load_domain(spec)` for a built-in name, a module
(`package.module`, `package.module:attribute`) or a file path (`./bank.py`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.core.loading import DomainLoadError, load_domain_spec
from domain.core.port import Domain

BUILT_IN: dict[str, str] = {
    "ideas": "domain.ideas.domain:IDEAS",
    "accounts": "domain.accounts.domain:ACCOUNTS",
}
"""Name -> where the Domain object lives (imported only when asked for)."""

DEFAULT = "ideas"


def load_domain(spec: str = DEFAULT) -> Domain[Any]:
    """The domain a spec names: a built-in name first, then a module or a file path.

    Raises a DomainLoadError subclass that says why (not found, no Domain inside, several
    Domains, importing raised, or `domain.x` naming es-tui's own package)."""
    spec = spec.strip()
    if not spec:
        raise DomainLoadError(
            spec,
            f"a domain is required: one of {', '.join(BUILT_IN)}, "
            "a module (package.module[:attribute]) or a file path",
        )
    return load_domain_spec(BUILT_IN.get(spec, spec))


def built_in() -> dict[str, Domain[Any]]:
    """Every built-in domain, by name."""
    return {name: load_domain_spec(where) for name, where in BUILT_IN.items()}


def domain_for(
    event_types: Iterable[str], candidates: Iterable[Domain[Any]] = ()
) -> Domain[Any] | None:
    """The domain (of `candidates`, default: the built-in ones) that knows every stored event
    type, or None: a store nobody knows opens in raw mode (events as JSON, no commands)."""
    types = set(event_types)
    for domain in list(candidates) or list(built_in().values()):
        if domain.knows(types):
            return domain
    return None
