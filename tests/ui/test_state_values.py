"""How the state pane writes a field: a list or mapping that grows with every event (an
account's transfer steps) is counted with its newest items, so drawing the state costs the
same at five items or five thousand; a short one is shown whole."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from es_tui.widgets.state_pane import LISTED, StateView, describe, render_state


def drawn(fields: dict[str, object], width: int = 60) -> list[str]:
    view = StateView("account-1", 3, 3, "MoneyDeposited", "replay", None, fields, frozenset())
    console = Console(width=width, file=io.StringIO(), record=True)
    console.print(render_state(view))
    return console.export_text().splitlines()


@pytest.mark.parametrize("size", [LISTED + 1, 100, 5_000, 200_000])
@pytest.mark.parametrize("kind", [list, tuple, dict])
def test_a_long_collection_is_counted_with_its_newest_items(size: int, kind: type) -> None:
    items = [f"debit:transfer-{n}" for n in range(size)]
    value = {item: n for n, item in enumerate(items)} if kind is dict else kind(items)
    text = describe(value)
    assert text.startswith(f"{size:,} ")
    assert items[-1] in text and items[-3] in text and items[0] not in text
    lines = drawn({"steps": value, "balance": "10.00"})
    assert len(lines) < 15, len(lines)
    assert any("balance" in line for line in lines)


@pytest.mark.parametrize("size", [0, 1, LISTED])
def test_a_short_collection_is_shown_whole(size: int) -> None:
    items = [f"step-{n}" for n in range(size)]
    assert describe(items) == str(items)
    assert describe(tuple(items)) == str(tuple(items))
    mapping = {item: n for n, item in enumerate(items)}
    assert describe(mapping) == str(mapping)
