"""A value the forgotten idea shares with another idea is not a residue of it: the other
idea's values are sealed at rest like every private value, and a check that looked at them in
clear would report the forgotten text "inside" "the forgotten text, everywhere". `forget`
(which knows the values) and `verify-erasure --text` (told them) run the same check and agree:
clean here, and a residue once the text is really kept in clear somewhere."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Cli, publish

# (the forgotten idea's title and description, another live idea's title and description)
SHARED = {
    "substring": (("Dark mode", "Switch colours"), ("Dark mode everywhere", "All screens")),
    "prefix": (("password1", "Rotate it monthly"), ("password10", "Rotate it monthly, too")),
    "same text": (("Same title twice", "Same words here"), ("Same title twice", "Same words here")),
    "in the description": (
        ("Bicycle lanes", "Paint them green"),
        ("Traffic plan", "Bicycle lanes on Main Street; Paint them green at night"),
    ),
    "non-ASCII": (("Café crème", "Über alles"), ("Café crème brûlée", "Über alles, jamais")),
    "quotes and backslashes": (
        ('The "quoted" plan', "Keep it in C:\\plans\\q1"),
        ('The "quoted" plan, v2', "Also in C:\\plans\\q1\\old"),
    ),
}


def report_of(result: Any) -> dict[str, bool]:
    body = result.json()
    report = body.get("erasure", body)
    return {p["place"]: p["clean"] for p in report["places"]}


def texts(*values: str) -> list[str]:
    return [arg for v in values for arg in ("--text", v)]


@pytest.mark.parametrize("case", sorted(SHARED))
def test_text_shared_with_a_live_idea_is_not_a_residue(cli: Cli, case: str) -> None:
    (title, desc), (other_title, other_desc) = SHARED[case]
    other = publish(cli, title=other_title, desc=other_desc)
    # the other idea edited back and forth: its history holds the text in every version too
    assert cli("edit", other, "--title", other_title + " (draft)").code == 0
    assert cli("edit", other, "--title", other_title).code == 0
    idea_id = publish(cli, title=title, desc=desc)
    assert cli("edit", idea_id, "--desc", desc + " soon").code == 0

    forget = cli("forget", idea_id)
    assert forget.code == 0, report_of(forget)
    verify = cli("verify-erasure", idea_id, *texts(title, desc, desc + " soon"))
    assert verify.code == 0, report_of(verify)
    # and the other idea is untouched
    assert cli("idea", other).json()["title"] == other_title


def plant_view(db: Path, idea_id: str, text: str) -> None:
    """Store `text` in clear in another idea's read-model row (as a buggy writer would)."""
    con = sqlite3.connect(db)
    con.execute("UPDATE view_ideas SET description = ? WHERE idea_id = ?", (text, idea_id))
    con.commit()
    con.close()


def plant_metadata(db: Path, idea_id: str, text: str) -> None:
    """Store `text` in clear in the metadata of another idea's first event."""
    con = sqlite3.connect(db)
    con.execute(
        "UPDATE events SET metadata = ? WHERE stream_id = ? AND version = 1",
        (json.dumps({"note": f"copied: {text}"}), f"idea-{idea_id}"),
    )
    con.commit()
    con.close()


@pytest.mark.parametrize(
    ("plant", "place"), [(plant_view, "read model"), (plant_metadata, "global log")]
)
@pytest.mark.parametrize("case", ["substring", "same text", "non-ASCII", "quotes and backslashes"])
def test_a_value_kept_in_clear_elsewhere_is_found_by_both(
    cli: Cli, db: Path, case: str, plant: Any, place: str
) -> None:
    (title, desc), (other_title, other_desc) = SHARED[case]
    other = publish(cli, title=other_title, desc=other_desc)
    idea_id = publish(cli, title=title, desc=desc)
    plant(db, other, title)

    forget = cli("forget", idea_id)
    assert forget.code == 1
    assert report_of(forget)[place] is False
    verify = cli("verify-erasure", idea_id, *texts(title))
    assert verify.code == 1
    assert report_of(verify)[place] is False
    assert report_of(verify) == report_of(forget)
