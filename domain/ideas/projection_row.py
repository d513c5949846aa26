"""One idea as the ideas read model lists it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class IdeaRow:
    """One idea as the read model lists it."""

    idea_id: str
    title: str
    description: str
    status: str
    """requested, accepted or rejected (deleted and forgotten ideas are not listed)."""
    version: int
    created_at: datetime
    updated_at: datetime
