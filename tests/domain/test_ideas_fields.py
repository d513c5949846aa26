"""Field rules: titles (1–120 characters, one line) and descriptions (1–2,000 characters) are
trimmed, non-empty and free of control characters. Every bad field gets an error naming it,
and a refused command appends nothing."""

from __future__ import annotations

import pytest

from domain.ideas import (
    IdeaCommandHandler,
    IdeaCreationRequested,
    InvalidFieldError,
    PublishIdea,
)
from domain.ideas.fields import DESCRIPTION_MAX, TITLE_MAX
from domain.store import MemoryEventStore
from tests.domain.conftest import IdeaMaker

CONTROL = ["\x00", "\x07", "\x1b[31m", "\x7f", "\x9b", "\u202e"]
"""NUL, BEL, an ANSI escape (terminal injection), DEL, a C1 control, a bidi override."""


def test_publish_trims_title_and_description(handler: IdeaCommandHandler) -> None:
    outcome = handler.publish("  Dark mode \n", "\n\tFollow the OS setting.  ")
    (record,) = outcome.events
    assert record.data["title"] == "Dark mode"
    assert record.data["description"] == "Follow the OS setting."
    assert (outcome.state.title, outcome.state.description) == (
        "Dark mode",
        "Follow the OS setting.",
    )


@pytest.mark.parametrize(
    ("title", "ok"),
    [
        ("x", True),
        ("x" * TITLE_MAX, True),
        ("   " + "x" * TITLE_MAX + "   ", True),  # the limit applies after trimming
        ("x" * (TITLE_MAX + 1), False),
        ("", False),
        ("   \t ", False),
    ],
    ids=["1", "120", "120 padded", "121", "empty", "blank"],
)
def test_title_length(title: str, ok: bool) -> None:
    if ok:
        assert PublishIdea(title=title, description="d").title == title.strip()
    else:
        with pytest.raises(ValueError):
            PublishIdea(title=title, description="d")


@pytest.mark.parametrize(
    ("description", "ok"),
    [
        ("x", True),
        ("x" * DESCRIPTION_MAX, True),
        ("x" * (DESCRIPTION_MAX + 1), False),
        ("", False),
        ("\n\n  ", False),
    ],
    ids=["1", "2000", "2001", "empty", "blank"],
)
def test_description_length(description: str, ok: bool) -> None:
    if ok:
        assert PublishIdea(title="t", description=description).description == description
    else:
        with pytest.raises(ValueError):
            PublishIdea(title="t", description=description)


def test_a_description_may_span_lines_a_title_may_not() -> None:
    assert PublishIdea(title="t", description="line one\n\tline two").description.count("\n") == 1
    with pytest.raises(ValueError, match="single line"):
        PublishIdea(title="line one\nline two", description="d")


@pytest.mark.parametrize("bad", CONTROL, ids=repr)
@pytest.mark.parametrize("field", ["title", "description"])
def test_control_characters_are_refused(
    handler: IdeaCommandHandler, store: MemoryEventStore, field: str, bad: str
) -> None:
    fields = {"title": "fine", "description": "fine"}
    fields[field] = f"be{bad}fore"
    with pytest.raises(InvalidFieldError) as err:
        handler.publish(**fields)
    assert set(err.value.errors) == {field}
    assert "control characters" in err.value.errors[field]
    assert store.head_position() == 0


def test_every_bad_field_is_named_and_nothing_is_appended(
    handler: IdeaCommandHandler, store: MemoryEventStore
) -> None:
    with pytest.raises(InvalidFieldError) as err:
        handler.publish("", "x" * (DESCRIPTION_MAX + 1))
    assert set(err.value.errors) == {"title", "description"}
    assert "1 character" in err.value.errors["title"]
    assert f"{DESCRIPTION_MAX} characters" in err.value.errors["description"]
    assert isinstance(err.value, ValueError)
    assert store.head_position() == 0


def test_messages_speak_plainly(handler: IdeaCommandHandler) -> None:
    # The forms show these messages inline, next to the field.
    with pytest.raises(InvalidFieldError) as err:
        handler.publish("x" * (TITLE_MAX + 1), "a\x00b")
    assert err.value.errors == {
        "title": f"String should have at most {TITLE_MAX} characters",
        "description": "must not contain control characters (found U+0000)",
    }


def test_wrong_types_are_named(handler: IdeaCommandHandler, store: MemoryEventStore) -> None:
    with pytest.raises(InvalidFieldError) as err:
        handler.publish(3, None)  # type: ignore[arg-type]
    assert set(err.value.errors) == {"title", "description"}
    assert store.head_position() == 0


def test_bad_edit_fields_and_id_are_named(
    handler: IdeaCommandHandler, store: MemoryEventStore, make_idea: IdeaMaker
) -> None:
    idea_id = make_idea("accepted")
    head = store.head_position()
    with pytest.raises(InvalidFieldError) as err:
        handler.edit(idea_id, title="  ", description="ok\x1b")
    assert set(err.value.errors) == {"title", "description"}
    with pytest.raises(InvalidFieldError) as err:
        handler.edit("Not An Id!", title="fine")
    assert set(err.value.errors) == {"idea_id"}
    assert store.head_position() == head
    assert handler.load(idea_id).version == 2


def test_a_bad_rejection_reason_is_named(
    handler: IdeaCommandHandler, store: MemoryEventStore, make_idea: IdeaMaker
) -> None:
    idea_id = make_idea("requested")
    with pytest.raises(InvalidFieldError) as err:
        handler.reject(idea_id, "  ")
    assert set(err.value.errors) == {"reason"}
    assert store.head_position() == 1


def test_events_refuse_bad_fields_too() -> None:
    # A stored payload is read through the same rules, so bad data cannot hide in the log.
    with pytest.raises(ValueError):
        IdeaCreationRequested(idea_id="abc", title="", description="d")
    with pytest.raises(ValueError):
        IdeaCreationRequested(idea_id="abc", title="t", description="d", extra=1)  # type: ignore[call-arg]
