"""Field rules: titles (1–120 characters, one line) and descriptions (1–2,000 characters) are
trimmed, non-empty and free of control characters. Every bad field gets an error naming it,
and a refused command appends nothing."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from domain.backends.memory.store import MemoryEventStore
from domain.core.records import NewEvent
from domain.ideas import (
    IdeaCommandHandler,
    IdeaCreationRequested,
    InvalidFieldError,
    PublishIdea,
)
from domain.ideas.commands import RejectIdeaCreation
from domain.ideas.fields import DESCRIPTION_MAX, REASON_MAX, TITLE_MAX, _safe_text
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
        ("   " + "x" * (TITLE_MAX - 6) + "   ", True),  # trimmed, and within the limit as sent
        ("   " + "x" * TITLE_MAX + "   ", False),  # the schema's maxLength holds as sent
        ("x" * (TITLE_MAX + 1), False),
        ("", False),
        ("   \t ", False),
    ],
    ids=["1", "120", "114 padded", "120 padded", "121", "empty", "blank"],
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
        "description": "must not contain control characters, line separators or bidi "
        "overrides (found U+0000)",
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


SCRIPTS = {
    "Persian with ZWNJ": "می\u200cخواهم کتاب\u200cها را بخوانم",
    "Hindi with ZWJ": "क्\u200dष हिन्दी में लिखा विचार",
    "Malayalam chillu with ZWJ": "ന\u200d് മലയാളം",
    "family emoji (ZWJ sequence)": "Family day "
    + "\u200d".join(["\U0001f468", "\U0001f469", "\U0001f467", "\U0001f466"]),
    "flag of England (tag characters)": "\U0001f3f4"
    + "".join(chr(0xE0000 + ord(c)) for c in "gbeng")
    + "\U000e007f",
    "Arabic with RLM and ALM": "فكرة\u200f جديدة\u061c 2026",
    "Hebrew with LRM": "רעיון חדש\u200e (v2)",
    "CJK": "暗黑模式 ダークモード 다크 모드",
    "combining marks": "Cafe\u0301 n\u0303 Z\u0335a\u0337l\u0336g\u0334o",
    "variation selector": "Heart \u2764\ufe0f",
    "soft hyphen and zero-width space": "extra\u00adordinary zero\u200bwidth",
}


@pytest.mark.parametrize("text", SCRIPTS.values(), ids=SCRIPTS.keys())
@pytest.mark.parametrize("field", ["title", "description"])
def test_text_in_every_script_is_accepted(
    handler: IdeaCommandHandler, field: str, text: str
) -> None:
    fields = {"title": "fine", "description": "fine", field: text}
    outcome = handler.publish(**fields)
    assert (outcome.state.title, outcome.state.description) == (
        fields["title"],
        fields["description"],
    )


UNSAFE = {
    "C0 control": "\x01",
    "carriage return": "\r",
    "DEL": "\x7f",
    "C1 control (NEL)": "\x85",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    **{f"bidi U+{ord(c):04X}": c for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"},
    "lone high surrogate": "\ud800",
    "lone low surrogate": "\udfff",
    "noncharacter U+FDD0": "\ufdd0",
    "noncharacter U+FFFE": "\ufffe",
    "noncharacter U+10FFFF": "\U0010ffff",
    "noncharacter U+1FFFE": "\U0001fffe",
}


@pytest.mark.parametrize(("name", "bad"), UNSAFE.items(), ids=UNSAFE.keys())
@pytest.mark.parametrize("field", ["title", "description", "reason"])
def test_every_unsafe_class_is_refused(field: str, name: str, bad: str) -> None:
    text = f"Dark{bad}mode"
    # pydantic itself refuses a lone surrogate as not a string (it cannot be encoded)
    expected = "unicode string" if "surrogate" in name else f"U\\+{ord(bad):04X}"
    with pytest.raises(ValueError, match=expected):
        if field == "reason":
            RejectIdeaCreation(idea_id="abc", reason=text)
        else:
            PublishIdea(**{"title": "t", "description": "d", field: text})


def test_a_title_is_one_line_in_every_sense() -> None:
    for breaker in ("\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"):
        with pytest.raises(ValueError):
            PublishIdea(title=f"line one{breaker}line two", description="d")


def plain_rule(value: str, allowed: str) -> bool:
    """The rule stated per character, without any fast path: True when the text is safe."""
    for ch in value:
        if ch in allowed:
            continue
        cat = unicodedata.category(ch)
        code = ord(ch)
        if cat in ("Cc", "Zl", "Zp", "Cs"):
            return False
        if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
            return False
        if 0xFDD0 <= code <= 0xFDEF or code % 0x10000 in (0xFFFE, 0xFFFF):
            return False
    return True


INTERESTING = st.sampled_from(
    list("aZ é\n\t\r")
    + list(SCRIPTS.values())
    + list(UNSAFE.values())
    + ["\u200c", "\u200d", "\u200e", "\u200f", "\ufeff", "\U000e0001", "\ue000", "\u0378"]
)


@settings(max_examples=400)
@given(st.lists(st.one_of(st.characters(), INTERESTING), max_size=12).map("".join))
def test_the_fast_path_equals_the_plain_rule(value: str) -> None:
    for allowed in ("", "\n\t"):
        try:
            _safe_text(value, allowed)
            accepted = True
        except PydanticCustomError:
            accepted = False
        assert accepted == plain_rule(value, allowed), ascii(value)


EARLIER = {
    "line separator": "two\u2028lines",
    "paragraph separator": "two\u2029paragraphs",
    "noncharacter": "odd\ufdd0one",
}


@pytest.mark.parametrize("text", EARLIER.values(), ids=EARLIER.keys())
def test_an_event_stored_under_the_earlier_rule_still_loads(
    handler: IdeaCommandHandler, store: MemoryEventStore, make_idea: IdeaMaker, text: str
) -> None:
    # An earlier rule accepted these; the stored history must stay readable and editable.
    idea_id = make_idea("accepted")
    stream_id = f"idea-{idea_id}"
    data = {"idea_id": idea_id, "title": text, "description": text}
    store.append(stream_id, [NewEvent("IdeaUpdated", data)], expected_version=2)
    assert handler.load(idea_id).state.title == text
    assert handler.edit(idea_id, title="Fixed").state.title == "Fixed"
    # new input meets the current rule
    with pytest.raises(InvalidFieldError):
        handler.edit(idea_id, description=text)


@pytest.mark.parametrize(
    ("model", "field", "limit", "others"),
    [
        (PublishIdea, "title", TITLE_MAX, {"description": "d"}),
        (PublishIdea, "description", DESCRIPTION_MAX, {"title": "t"}),
        (RejectIdeaCreation, "reason", REASON_MAX, {"idea_id": "abc123"}),
    ],
)
@pytest.mark.parametrize("padding", [" ", "\t", "  \n"])
def test_the_length_limit_holds_for_text_as_sent(
    model: type[BaseModel], field: str, limit: int, others: dict[str, str], padding: str
) -> None:
    """The schema tells clients `maxLength`: text over it as sent is refused even when
    trimming would bring it under; text at the limit is accepted."""
    with pytest.raises(ValidationError, match=f"at most {limit} characters"):
        model(**others, **{field: padding + "x" * limit})
    accepted = model(**others, **{field: "x" * limit})
    assert getattr(accepted, field) == "x" * limit
    assert model.model_json_schema()["properties"][field]["maxLength"] == limit
