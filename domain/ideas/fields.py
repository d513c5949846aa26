"""Field types shared by the ideas' events and commands: validated once, in one place.

Messages are shown inline in forms, so they are plain ("must be a single line"), without
pydantic's "Value error," prefix, and lengths are counted in characters.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

TITLE_MAX = 120
DESCRIPTION_MAX = 2000
REASON_MAX = 500


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides and isolates: they reorder the text around them (a title that reads
differently from what it holds). The marks (LRM, RLM, ALM) only hint a direction: allowed."""

_UNSAFE_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs"})
"""Control characters, line and paragraph separators (a "single line" broken anyway), and
lone surrogates (not text: they cannot be encoded)."""


def is_noncharacter(ch: str) -> bool:
    """Whether `ch` is one of Unicode's 66 noncharacters (never for interchange)."""
    code = ord(ch)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def unsafe_char(ch: str, allowed: str = "") -> bool:
    """Whether `ch` may not appear in a text field (`allowed`: controls the field allows).

    The joiners (ZWJ, ZWNJ) and direction marks that Persian, Arabic, Hebrew, Indic scripts
    and emoji sequences need are format characters, and are fine; what is refused can break
    a line, reorder the text around it, or is not text at all."""
    if ch in allowed:
        return False
    return (
        unicodedata.category(ch) in _UNSAFE_CATEGORIES
        or ch in _BIDI_CONTROLS
        or is_noncharacter(ch)
    )


def _safe_text(value: str, allowed: str) -> str:
    # Fast path: str.isprintable() (in C) is False for every character of an unsafe class
    # (Cc, Zl, Zp, Cs, the bidi controls, which are Cf, and the noncharacters, which are Cn),
    # so printable text needs no per-character look-up; nor does text printable once the
    # allowed controls are taken out.
    if value.isprintable():
        return value
    rest = value
    for ch in allowed:
        rest = rest.replace(ch, "")
    if rest.isprintable():
        return value
    for ch in value:
        if unsafe_char(ch, allowed):
            raise PydanticCustomError(
                "control_characters",
                "must not contain control characters, line separators or bidi overrides "
                "(found U+{code})",
                {"code": f"{ord(ch):04X}"},
            )
    return value


def _no_control_chars(value: str) -> str:
    # Newlines and tabs are allowed in a description (a title refuses them as not one line).
    return _safe_text(value, "\n\t")


_NONCHARACTERS = "".join(
    [chr(c) for c in range(0xFDD0, 0xFDF0)]
    + [chr(plane | low) for plane in range(0, 0x110000, 0x10000) for low in (0xFFFE, 0xFFFF)]
)
_EARLIER_ALLOWED = "\n\t\u2028\u2029" + _NONCHARACTERS
"""What an earlier rule let into stored events and the current one refuses in new input."""


def _stored_text(value: str) -> str:
    # A stored event is history: refusing it now would make its idea impossible to load (or
    # edit, or forget). New input meets the current rule before it becomes an event.
    return _safe_text(value, _EARLIER_ALLOWED)


def _single_line(value: str) -> str:
    if "\n" in value or "\t" in value:
        raise PydanticCustomError("single_line", "must be a single line")
    return value


StoredTitle = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX),
    AfterValidator(_stored_text),
    AfterValidator(_single_line),
]
"""A title as stored in an event: what any version of the rule accepted."""

StoredDescription = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=DESCRIPTION_MAX),
    AfterValidator(_stored_text),
]
"""A description as stored in an event."""

StoredReason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=REASON_MAX),
    AfterValidator(_stored_text),
]
"""A rejection reason as stored in an event."""


def _at_most(limit: int) -> BeforeValidator:
    """Refuse text longer than `limit` as sent, before it is trimmed: the limit a client
    reads in the schema holds for what it sends (trimming only ever makes text shorter)."""

    def check(value: object) -> object:
        if isinstance(value, str) and len(value) > limit:
            raise PydanticCustomError(
                "string_too_long",
                "String should have at most {max_length} characters",
                {"max_length": limit},
            )
        return value

    return BeforeValidator(check)


Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX),
    _at_most(TITLE_MAX),
    AfterValidator(_no_control_chars),
    AfterValidator(_single_line),
]
"""An idea's title: trimmed, 1–120 characters, one line, no control characters."""

Description = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=DESCRIPTION_MAX),
    _at_most(DESCRIPTION_MAX),
    AfterValidator(_no_control_chars),
]
"""An idea's description: trimmed, 1–2,000 characters, no control characters but newlines."""

Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=REASON_MAX),
    _at_most(REASON_MAX),
    AfterValidator(_no_control_chars),
]
"""Why a creation request was rejected."""

IdeaId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[0-9a-z][0-9a-z_-]*$")]
"""The public id of an idea (its stream is `idea-<id>`)."""
