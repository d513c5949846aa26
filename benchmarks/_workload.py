"""The workload both systems run: one idea is published, accepted, then edited over and over.

Every edit changes the title, the description, or both (in turn), with texts of realistic
length, so each event carries about the same payload in either system.
"""

from __future__ import annotations

from collections.abc import Iterator

TITLE = "Replay an idea's history from a snapshot"
DESCRIPTION = (
    "Load the latest snapshot, then apply only the events recorded after it, so a long "
    "history costs no more to load than a short one."
)

TAIL = 5
"""Events after the snapshot in a load from a snapshot."""

Edit = tuple[str | None, str | None]


def edit(i: int) -> Edit:
    """The `i`-th edit (0-based): title and description, title only, description only."""
    turn = i % 3
    title = f"Idea title, revision {i}" if turn != 2 else None
    description = (
        f"Revision {i} of the description: what the idea is, why it matters, and what it "
        "would take to build it."
        if turn != 1
        else None
    )
    return title, description


def edits(start: int, count: int) -> Iterator[Edit]:
    """`count` edits from the `start`-th on."""
    for i in range(start, start + count):
        yield edit(i)


def history(events: int) -> Iterator[Edit]:
    """The edits of an idea with `events` events in all (publish, accept, then edits)."""
    return edits(0, max(events - 2, 0))
