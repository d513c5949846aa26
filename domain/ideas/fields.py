"""Field types shared by the ideas' events and commands: validated once, in one place."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

TITLE_MAX = 120
DESCRIPTION_MAX = 2000
REASON_MAX = 500


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _no_control_chars(value: str) -> str:
    # Newlines and tabs are allowed in a description; every other control character is not.
    for ch in value:
        if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf"):
            raise ValueError(f"must not contain control characters (found U+{ord(ch):04X})")
    return value


def _single_line(value: str) -> str:
    if "\n" in value or "\t" in value:
        raise ValueError("must be a single line")
    return value


Title = Annotated[
    str,
    BeforeValidator(_strip),
    Field(min_length=1, max_length=TITLE_MAX),
    AfterValidator(_no_control_chars),
    AfterValidator(_single_line),
]
"""An idea's title: trimmed, 1–120 characters, one line, no control characters."""

Description = Annotated[
    str,
    BeforeValidator(_strip),
    Field(min_length=1, max_length=DESCRIPTION_MAX),
    AfterValidator(_no_control_chars),
]
"""An idea's description: trimmed, 1–2,000 characters, no control characters but newlines."""

Reason = Annotated[
    str,
    BeforeValidator(_strip),
    Field(min_length=1, max_length=REASON_MAX),
    AfterValidator(_no_control_chars),
]
"""Why a creation request was rejected."""

IdeaId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[0-9a-z][0-9a-z_-]*$")]
"""The public id of an idea (its stream is `idea-<id>`)."""
