"""A base class of the explorer may declare, for the type checker only, methods its screens
provide (`if TYPE_CHECKING:` in its body). The checker then trusts the declaration, so a
screen that renames or drops such a method fails only when the call runs (a snapshot taken
on demand once refreshed nothing that way). Every declared method must exist on every
concrete screen built on that base."""

from __future__ import annotations

import ast
import inspect

from es_tui.screens.explore import Explore


def declared_methods(cls: type) -> set[str]:
    """The methods declared in `cls`'s own `if TYPE_CHECKING:` blocks."""
    tree = ast.parse(inspect.getsource(cls).lstrip())
    (body,) = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    names: set[str] = set()
    for node in body.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            names |= {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
    return names


def concrete(cls: type) -> list[type]:
    """The classes built on `cls` that nothing else builds on."""
    below: list[type] = cls.__subclasses__()
    return [c for sub in below for c in concrete(sub)] if below else [cls]


def test_every_screen_provides_what_its_base_declares() -> None:
    import es_tui.screens.main  # noqa: F401  (registers the screens built on Explore)

    declared = declared_methods(Explore)
    assert "store_changed" in declared and "select_stream" in declared
    screens = concrete(Explore)
    assert screens and all(c is not Explore for c in screens)
    missing = {
        c.__name__: sorted(name for name in declared if not callable(getattr(c, name, None)))
        for c in screens
    }
    assert all(not names for names in missing.values()), missing
