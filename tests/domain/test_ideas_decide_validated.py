"""An edit decided on a validated command (`decide(..., validated=True)`, as the command
handler decides every command) gives the very events, or the very refusal, that deciding it
with the event validated again gives: for any text a command accepts, on any state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.ideas.commands import EditIdea
from domain.ideas.decider import decide
from domain.ideas.errors import IdeaError
from domain.ideas.events import IdeaEvent
from domain.ideas.state import IdeaState, IdeaStatus

# Any unicode, with the characters the rules care about made likely: blanks to trim, line
# breaks, tabs, controls, bidi overrides, separators, noncharacters.
_TRICKY = " \t\n\r\x00\x7f\u2028\u2029\u202e\u2066\ufdd0\uffff\u200d\u200fé😀"
_TEXT = (
    st.none()
    | st.text(st.sampled_from("ab .é😀\u200d"), max_size=12)
    | st.text(st.characters(exclude_categories=["Cs"]) | st.sampled_from(_TRICKY))
)
_IDS = st.sampled_from(["abc123", "a", "x-1_2", "other"])
_STATUSES = st.sampled_from([IdeaStatus.ACCEPTED] * 6 + list(IdeaStatus))


def _outcome(run: Any) -> str:
    try:
        events: list[IdeaEvent] = run()
    except IdeaError as exc:
        return f"refused: {type(exc).__name__} {exc}"
    return repr(
        [
            (type(e), e, sorted(e.model_fields_set), e.model_dump(mode="json"), hash(e))
            for e in events
        ]
    )


@settings(max_examples=1500, deadline=None)
@given(
    command_id=_IDS,
    state_id=st.none() | _IDS,
    status=_STATUSES,
    title=_TEXT,
    description=_TEXT,
    old_title=_TEXT,
    old_description=st.none() | st.just("A description"),
)
def test_an_edit_of_a_validated_command_is_decided_as_with_its_event_validated(
    command_id: str,
    state_id: str | None,
    status: IdeaStatus,
    title: str | None,
    description: str | None,
    old_title: str | None,
    old_description: str | None,
) -> None:
    try:
        command = EditIdea(idea_id=command_id, title=title, description=description)
    except ValidationError:
        return  # the command is refused before anything is decided
    state = IdeaState(
        idea_id=command_id if state_id is None else state_id,
        status=status,
        title=old_title,
        description=old_description,
        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    fast = _outcome(lambda: decide(command, state, validated=True))
    assert fast == _outcome(lambda: decide(command, state))


def test_a_validated_edit_with_padded_texts_stores_them_trimmed() -> None:
    command = EditIdea(idea_id="abc123", title="  Dark mode ", description="\n Follow\tit \n")
    state = IdeaState(idea_id="abc123", status=IdeaStatus.ACCEPTED, title="Light")
    (event,) = decide(command, state, validated=True)
    assert (event.title, event.description) == ("Dark mode", "Follow\tit")  # type: ignore[attr-defined]
    assert event == decide(command, state)[0]
