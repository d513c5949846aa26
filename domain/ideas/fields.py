"""Field types shared by the ideas' events and commands: validated once, in one place.

Messages are shown inline in forms, so they are plain ("must be a single line"), without
pydantic's "Value error," prefix, and lengths are counted in characters.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

TITLE_MAX = 120
DESCRIPTION_MAX = 2000
REASON_MAX = 500


def _no_control_chars(value: str) -> str:
    # Newlines and tabs are allowed in a description; every other control character is not.
    # Fast path: str.isprintable() (in C) is False for every Cc and Cf character, so text
    # that is printable apart from newlines and tabs needs no per-character look-up.
    if value.isprintable() or value.replace("\n", "").replace("\t", "").isprintable():
        return value
    for ch in value:
        if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf"):
            raise PydanticCustomError(
                "control_characters",
                "must not contain control characters (found U+{code})",
                {"code": f"{ord(ch):04X}"},
            )
    return value


def _single_line(value: str) -> str:
    if "\n" in value or "\t" in value:
        raise PydanticCustomError("single_line", "must be a single line")
    return value


Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX),
    AfterValidator(_no_control_chars),
    AfterValidator(_single_line),
]
"""An idea's title: trimmed, 1–120 characters, one line, no control characters."""

Description = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=DESCRIPTION_MAX),
    AfterValidator(_no_control_chars),
]
"""An idea's description: trimmed, 1–2,000 characters, no control characters but newlines."""

Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=REASON_MAX),
    AfterValidator(_no_control_chars),
]
"""Why a creation request was rejected."""

IdeaId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[0-9a-z][0-9a-z_-]*$")]
"""The public id of an idea (its stream is `idea-<id>`)."""
