"""The JSON shape of an ideas command outcome, shared by the ideas domain's CLI verbs and its
HTTP routes (the origin's shape: `idea_id`, `status`, `snapshot_taken`…)."""

from __future__ import annotations

from typing import Any

from domain.bootstrap import System
from domain.core.transfer import record_to_dict
from domain.ideas.handler import CommandOutcome
from es_tui.output import event_json


def outcome_json(outcome: CommandOutcome, system: System | None = None) -> dict[str, Any]:
    """A command outcome as one JSON object (its events' private fields opened when a
    system is given, else as stored)."""
    return {
        "command": outcome.command,
        "idea_id": outcome.idea_id,
        "stream_id": outcome.stream_id,
        "version": outcome.version,
        "status": outcome.state.status.value,
        "snapshot_taken": outcome.snapshot.version if outcome.snapshot else None,
        "events": [event_json(system, e) if system else record_to_dict(e) for e in outcome.events],
    }
