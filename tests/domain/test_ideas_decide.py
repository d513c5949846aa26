"""The ideas decider, as given / when / then: given these past events, when this command, then
these new events — or this domain error. `decide` and `evolve` are pure, so no store is
involved here (the handler tests check that a refused command appends nothing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.ideas import (
    AcceptIdeaCreation,
    DeleteIdea,
    EditIdea,
    ForgetIdea,
    IdeaAlreadyExistsError,
    IdeaCreationAccepted,
    IdeaCreationRejected,
    IdeaCreationRequested,
    IdeaDeleted,
    IdeaDeletedError,
    IdeaError,
    IdeaEvent,
    IdeaForgotten,
    IdeaForgottenError,
    IdeaNotFoundError,
    IdeaNotPendingError,
    IdeaRejectedError,
    IdeaState,
    IdeaStatus,
    IdeaUpdated,
    NothingToChangeError,
    PublishIdea,
    RejectIdeaCreation,
)
from domain.ideas.commands import Command
from domain.ideas.decider import decide
from domain.ideas.state import evolve

ID = "abc123"
T0 = datetime(2026, 1, 1, tzinfo=UTC)

REQUESTED = IdeaCreationRequested(idea_id=ID, title="Dark mode", description="Follow the OS.")
ACCEPTED = IdeaCreationAccepted(idea_id=ID)
REJECTED = IdeaCreationRejected(idea_id=ID, reason="out of scope")
DELETED = IdeaDeleted(idea_id=ID)
FORGOTTEN = IdeaForgotten(idea_id=ID, erased_events=3)

HISTORIES: dict[str, list[IdeaEvent]] = {
    "none": [],
    "requested": [REQUESTED],
    "accepted": [REQUESTED, ACCEPTED],
    "rejected": [REQUESTED, REJECTED],
    "deleted": [REQUESTED, ACCEPTED, DELETED],
    "forgotten": [FORGOTTEN],
}


def given(*events: IdeaEvent) -> IdeaState:
    """The state after `events`, one second apart from T0."""
    state = IdeaState(idea_id=ID)
    for n, event in enumerate(events):
        state = evolve(state, event, T0 + timedelta(seconds=n))
    return state


def when(state: IdeaState, command: Command, erased_events: int = 0) -> list[IdeaEvent]:
    return decide(command, state, erased_events=erased_events)


# -- publish ------------------------------------------------------------------------------


def test_publish_on_a_new_id_requests_creation() -> None:
    events = when(given(), PublishIdea(title="  Dark mode ", description="Follow the OS."))
    assert events == [REQUESTED]  # the title arrives trimmed


@pytest.mark.parametrize("history", ["requested", "accepted", "rejected", "deleted", "forgotten"])
def test_publish_never_reuses_an_id(history: str) -> None:
    with pytest.raises(IdeaAlreadyExistsError) as err:
        when(given(*HISTORIES[history]), PublishIdea(title="t", description="d"))
    assert err.value.idea_id == ID


# -- accept / reject: only while requested ------------------------------------------------


def test_accept_a_requested_idea() -> None:
    assert when(given(REQUESTED), AcceptIdeaCreation(idea_id=ID)) == [ACCEPTED]


def test_reject_a_requested_idea_with_its_reason() -> None:
    events = when(given(REQUESTED), RejectIdeaCreation(idea_id=ID, reason=" out of scope "))
    assert events == [REJECTED]


ANSWERS: list[Command] = [
    AcceptIdeaCreation(idea_id=ID),
    RejectIdeaCreation(idea_id=ID, reason="no"),
]


@pytest.mark.parametrize("command", ANSWERS, ids=["accept", "reject"])
@pytest.mark.parametrize("history", ["accepted", "rejected", "deleted"])
def test_accept_and_reject_only_while_requested(command: Command, history: str) -> None:
    with pytest.raises(IdeaNotPendingError) as err:
        when(given(*HISTORIES[history]), command)
    assert err.value.status == history


@pytest.mark.parametrize("command", ANSWERS, ids=["accept", "reject"])
def test_accept_and_reject_of_an_unknown_idea(command: Command) -> None:
    with pytest.raises(IdeaNotFoundError):
        when(given(), command)


@pytest.mark.parametrize("command", ANSWERS, ids=["accept", "reject"])
def test_accept_and_reject_of_a_forgotten_idea(command: Command) -> None:
    with pytest.raises(IdeaForgottenError):
        when(given(FORGOTTEN), command)


# -- edit ---------------------------------------------------------------------------------


@pytest.mark.parametrize("history", ["requested", "accepted"])
def test_edit_a_live_idea(history: str) -> None:
    events = when(
        given(*HISTORIES[history]),
        EditIdea(idea_id=ID, title="Dark mode everywhere", description="Follow the OS."),
    )
    # the description did not change, so the event leaves it out
    assert events == [IdeaUpdated(idea_id=ID, title="Dark mode everywhere")]


def test_edit_only_the_description() -> None:
    events = when(given(REQUESTED, ACCEPTED), EditIdea(idea_id=ID, description="New text"))
    assert events == [IdeaUpdated(idea_id=ID, description="New text")]


@pytest.mark.parametrize(
    "command",
    [
        EditIdea(idea_id=ID),
        EditIdea(idea_id=ID, title="Dark mode"),
        EditIdea(idea_id=ID, title=" Dark mode ", description="Follow the OS."),
    ],
    ids=["no fields", "same title", "same both after trimming"],
)
def test_an_edit_must_change_something(command: EditIdea) -> None:
    with pytest.raises(NothingToChangeError):
        when(given(REQUESTED, ACCEPTED), command)


@pytest.mark.parametrize(
    ("history", "error"),
    [
        ("none", IdeaNotFoundError),
        ("deleted", IdeaDeletedError),
        ("rejected", IdeaRejectedError),
        ("forgotten", IdeaForgottenError),
    ],
)
@pytest.mark.parametrize(
    "command",
    [EditIdea(idea_id=ID, title="Something else"), DeleteIdea(idea_id=ID)],
    ids=["edit", "delete"],
)
def test_no_edit_or_delete_of_a_dead_idea(
    history: str, error: type[IdeaError], command: Command
) -> None:
    with pytest.raises(error) as err:
        when(given(*HISTORIES[history]), command)
    assert err.value.idea_id == ID


# -- delete -------------------------------------------------------------------------------


@pytest.mark.parametrize("history", ["requested", "accepted"])
def test_delete_a_live_idea(history: str) -> None:
    assert when(given(*HISTORIES[history]), DeleteIdea(idea_id=ID)) == [DELETED]


def test_no_second_delete() -> None:
    state = given(REQUESTED, ACCEPTED)
    (deleted,) = when(state, DeleteIdea(idea_id=ID))
    with pytest.raises(IdeaDeletedError) as err:
        when(evolve(state, deleted, T0), DeleteIdea(idea_id=ID))
    assert err.value.action == "delete"


# -- forget -------------------------------------------------------------------------------


@pytest.mark.parametrize("history", ["requested", "accepted", "rejected", "deleted"])
def test_forget_any_existing_idea_even_a_deleted_or_rejected_one(history: str) -> None:
    events = when(given(*HISTORIES[history]), ForgetIdea(idea_id=ID), erased_events=7)
    assert events == [IdeaForgotten(idea_id=ID, erased_events=7)]


def test_forget_twice_is_refused() -> None:
    with pytest.raises(IdeaForgottenError):
        when(given(FORGOTTEN), ForgetIdea(idea_id=ID))


def test_forget_an_unknown_idea_is_refused() -> None:
    with pytest.raises(IdeaNotFoundError):
        when(given(), ForgetIdea(idea_id=ID))


# -- evolve -------------------------------------------------------------------------------


def test_evolve_through_a_whole_life() -> None:
    renamed = IdeaUpdated(idea_id=ID, title="Dark mode v2")
    redescribed = IdeaUpdated(idea_id=ID, description="Also the docs site.")
    state = given(REQUESTED, ACCEPTED, renamed, redescribed)
    assert state.status is IdeaStatus.ACCEPTED
    assert (state.title, state.description) == ("Dark mode v2", "Also the docs site.")
    assert state.edit_count == 2
    assert state.created_at == T0
    assert state.updated_at == T0 + timedelta(seconds=3)

    state = evolve(state, DELETED, T0 + timedelta(seconds=9))
    assert state.status is IdeaStatus.DELETED
    assert state.title == "Dark mode v2"  # a soft delete keeps the data


def test_rejection_keeps_its_reason() -> None:
    state = given(REQUESTED, REJECTED)
    assert (state.status, state.rejection_reason) == (IdeaStatus.REJECTED, "out of scope")


def test_forgetting_leaves_nothing_personal_in_the_state() -> None:
    state = given(REQUESTED, ACCEPTED, IdeaUpdated(idea_id=ID, title="x"), FORGOTTEN)
    assert state.status is IdeaStatus.FORGOTTEN
    assert state.title is None and state.description is None and state.created_at is None
    assert state.edit_count == 0
