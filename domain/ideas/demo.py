"""A deterministic demo: about twenty ideas with a life — edits enough for snapshots, some
deleted, one rejected, one forgotten — the same for the same seed."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any

from domain.core.handler import Cause
from domain.core.records import CORRELATION_ID, NewEvent
from domain.ideas.codec import EventCodec
from domain.ideas.events import IdeaEvent, IdeaUpdated, IdeaUpdatedV1
from domain.ideas.handler import IdeaCommandHandler
from domain.ideas.process_manager import reaction_event_id

IDEAS: tuple[tuple[str, str], ...] = (
    ("Dark mode for the dashboard", "Offer a dark theme that follows the system setting."),
    ("Weekly digest email", "Send a Monday summary of new and trending ideas to subscribers."),
    ("Offline drafts", "Keep unsent ideas in local storage so a dropped connection loses nothing."),
    ("Vote with comments", "Let voters add a short reason when they up-vote an idea."),
    ("Merge duplicate ideas", "Moderators can merge two ideas and keep both vote counts."),
    ("Keyboard shortcuts", "j/k to move between ideas, v to vote, c to comment."),
    ("Idea status badges", "Show planned / in progress / shipped on every card."),
    ("Export to CSV", "Download the ideas board with votes and statuses as a CSV file."),
    ("Slack notifications", "Post a message to a channel when an idea is accepted."),
    ("Anonymous submissions", "Allow publishing without showing the author's name."),
    ("Roadmap view", "A timeline of accepted ideas grouped by quarter."),
    ("Search by tag", "Tag ideas and filter the board by one or more tags."),
    ("Mobile layout", "A single-column layout for phones with large tap targets."),
    ("Two-factor sign-in", "Protect moderator accounts with TOTP codes."),
    ("Public API", "A read-only JSON API for the ideas board, with paging."),
    ("Image attachments", "Attach a screenshot or sketch to an idea (5 MB max)."),
    ("Follow an idea", "Get notified when an idea you follow changes status."),
    ("Translation support", "Let the board be read in German, French and Spanish."),
    ("Spam filter", "Hold ideas with links from new accounts for review."),
    ("Accessibility audit", "Check contrast, focus order and screen-reader labels on every page."),
)

EDIT_NOTES = (
    "Clarified after the design review.",
    "Added the numbers from the user survey.",
    "Scoped down to a first release.",
    "Reworded for non-technical readers.",
    "Linked to the related support tickets.",
    "Updated with feedback from the team.",
)


class WrittenByVersion1:
    """The codec of the release before `IdeaUpdated` version 2: it stores edits at schema
    version 1, so the demo holds old payloads that are read through an upcast."""

    def __init__(self, codec: EventCodec) -> None:
        self.codec = codec

    def __getattr__(self, name: str) -> Any:
        return getattr(self.codec, name)

    def encode(self, stream_id: str, event: IdeaEvent, **facts: Any) -> NewEvent:
        if isinstance(event, IdeaUpdated):
            event = IdeaUpdatedV1(
                idea_id=event.idea_id, title=event.title, description=event.description
            )
        return self.codec.encode(stream_id, event, **facts)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What the seeder made."""

    ideas: int
    edits: int
    deleted: tuple[str, ...]
    rejected: tuple[str, ...]
    forgotten: tuple[str, ...]


def seed_demo(handler: IdeaCommandHandler, seed: int = 7) -> DemoSummary:
    """Fill an empty store with the demo ideas (the caller's process manager must not be
    running yet: the seeder answers the creation requests itself, so exactly one is
    rejected)."""
    current = handler.codec
    # The older half of the history is written as the release before IdeaUpdated v2 did.
    handler.codec = WrittenByVersion1(current)
    try:
        return _seed(handler, random.Random(seed), current)
    finally:
        handler.codec = current


def _seed(handler: IdeaCommandHandler, rng: random.Random, current: EventCodec) -> DemoSummary:
    older = handler.codec
    ids: list[str] = []
    rejected: list[str] = []
    reject_at = rng.randrange(len(IDEAS))
    for i, (title, description) in enumerate(IDEAS):
        outcome = handler.publish(title, description)
        trigger = outcome.events[0]
        cause = Cause(
            correlation_id=uuid.UUID(trigger.metadata[CORRELATION_ID]),
            causation_id=trigger.event_id,
            event_ids=(reaction_event_id(trigger.event_id),),
        )
        if i == reject_at:
            handler.reject(outcome.idea_id, "duplicate of an existing idea", cause=cause)
            rejected.append(outcome.idea_id)
        else:
            handler.accept(outcome.idea_id, cause=cause)
            ids.append(outcome.idea_id)

    live = list(ids)
    rng.shuffle(live)
    # Long histories: 23 edits (snapshots at v10, v20), 12 edits (v10), 11 edits.
    edits = 0
    for idea_id, count in zip(live[:3], (23, 12, 11), strict=True):
        state = handler.load(idea_id).state
        base = state.description or ""
        for n in range(1, count + 1):
            handler.codec = current if n > count // 2 else older  # the upgrade, halfway
            note = EDIT_NOTES[(n + edits) % len(EDIT_NOTES)]
            if n % 4 == 0 and state.title:
                handler.edit(idea_id, title=f"{state.title} (rev {n})")
            else:
                handler.edit(idea_id, description=f"{base} {note} (rev {n})")
            edits += 1
    for idea_id in live[3:9]:
        handler.edit(
            idea_id,
            description=f"{handler.load(idea_id).state.description} {rng.choice(EDIT_NOTES)}",
        )
        edits += 1
    deleted = live[9:12]
    for idea_id in deleted:
        handler.delete(idea_id)
    forgotten = live[12:13]
    for idea_id in forgotten:
        handler.edit(idea_id, description="Contains a customer's name; to be erased on request.")
        edits += 1
        handler.forget(idea_id)
    return DemoSummary(len(IDEAS), edits, tuple(deleted), tuple(rejected), tuple(forgotten))
