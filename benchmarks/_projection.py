"""A store of many ideas for rebuilding the read model (`IdeaView`) from zero.

Every idea follows the workload (published, accepted, edited). How the ideas' events mix in
the global log matters to the view, which reads an idea's edits in place and opens, when it
saves, only the last value given to each private field, so the log is built in two layouts:

- "runs of 10": ideas take turns, each appending 10 events at a time (an editing session);
- "interleaved": ideas take turns one event at a time, so consecutive events in the log
  always belong to different ideas — the worst case for the view.
"""

from __future__ import annotations

import _es_tui as es

from domain.bootstrap import System
from domain.core.records import NO_STREAM, NewEvent
from domain.ideas.codec import stream_id_of
from domain.ideas.projection import IdeaView

LAYOUTS = {"runs of 10": 10, "interleaved": 1}
"""Layout name -> events an idea appends per turn."""


def idea_id(number: int) -> str:
    return f"view-{number:06d}"


def build(system: System, events: int, ideas: int, layout: str) -> None:
    """Append `ideas` ideas of `events // ideas` events each, taking turns per `layout`."""
    per_idea = events // ideas
    burst = LAYOUTS[layout]
    pending = [iter(es.idea_events(idea_id(i), per_idea)) for i in range(ideas)]
    stored = [0] * ideas
    while stored[0] < per_idea:
        for i, source in enumerate(pending):
            stream_id = stream_id_of(idea_id(i))
            batch: list[NewEvent] = []
            for version in range(stored[i] + 1, min(stored[i] + burst, per_idea) + 1):
                command, event = next(source)
                batch.append(es.encode(system, stream_id, version, command, event))
            system.store.append(stream_id, batch, stored[i] or NO_STREAM)
            stored[i] += len(batch)


def fresh_view(system: System) -> IdeaView:
    """The system's view (in memory), not started: it only moves when told to."""
    return system.view


def rebuild(view: IdeaView, events: int, ideas: int) -> None:
    """Rebuild `view` from zero and check every row against the workload."""
    applied = view.rebuild()
    per_idea = events // ideas
    if applied != per_idea * ideas:
        raise AssertionError(f"the view read {applied} events, expected {per_idea * ideas}")
    title, description, _ = es.expected_state(per_idea)
    rows = view.list()
    if len(rows) != ideas or any(
        (r.title, r.description, r.status, r.version) != (title, description, "accepted", per_idea)
        for r in rows
    ):
        raise AssertionError("the rebuilt view does not hold the workload's ideas")
