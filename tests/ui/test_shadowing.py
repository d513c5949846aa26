"""No explorer widget, screen or app hides an attribute or method of Textual's own classes.

Textual calls its own methods on every node (`query` when selecting all text, `log`, `app`,
`name`…); an instance attribute of the same name replaces the method and the call crashes
only when that path runs, e.g. on a double click.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Iterator

from textual.dom import DOMNode
from textual.reactive import Reactive
from textual.widget import Widget

import es_tui

HOOK_PREFIXES = ("on_", "_on_", "action_", "watch_", "validate_", "compute_", "key_", "_watch_")
HOOKS = {
    # Methods Textual documents as meant to be overridden.
    "compose",
    "render",
    "render_line",
    "render_lines",
    "notify_style_update",
    "get_system_commands",
    "check_action",
    "get_content_width",
    "get_content_height",
    "post_render",
    "update",  # Static.update, ScrollView content: a widget's own content setter
}


def es_tui_node_classes() -> list[type[DOMNode]]:
    """Every DOMNode subclass defined in the es_tui package."""
    found: list[type[DOMNode]] = []
    for module_info in pkgutil.walk_packages(es_tui.__path__, "es_tui."):
        if module_info.name.startswith("es_tui.http"):
            continue  # no widgets there; importing it needs the web stack
        module = importlib.import_module(module_info.name)
        for _, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, DOMNode)
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return found


def textual_bases(cls: type) -> list[type]:
    return [base for base in cls.__mro__ if base.__module__.startswith("textual.")]


def textual_instance_names(cls: type) -> set[str]:
    """Instance attributes a Textual base sets in its constructor."""
    names: set[str] = set()
    for base in textual_bases(cls):
        try:
            instance = base()
        except Exception:
            continue
        names |= set(vars(instance))
        break
    return names


def assigned_self_names(cls: type) -> Iterator[tuple[str, int]]:
    """Names assigned as `self.NAME = …` in the class's own methods, with their line."""
    source = textwrap.dedent(inspect.getsource(cls))
    tree = ast.parse(source)
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
            ):
                yield target.attr, node.lineno


DRIVES_THE_SCREEN = {"loading"}
"""Reactives that are assignable but act when set (`loading` covers the widget with Textual's
loading indicator): a flag of the explorer's own must not be given their name."""


def textual_definition(cls: type, name: str) -> object | None:
    for base in textual_bases(cls):
        if name in vars(base):
            return vars(base)[name]
    return None


def assignable(definition: object) -> bool:
    """Assigning through this goes to Textual's own setter (a reactive, a settable property)."""
    if isinstance(definition, property):
        return definition.fset is not None
    return hasattr(type(definition), "__set__")  # a reactive, a border title…


def generated_names() -> set[str]:
    """Class attributes Textual itself sets on every subclass (bindings, CSS names…)."""
    from textual.app import App
    from textual.screen import Screen

    names: set[str] = set()
    for base in (Widget, Screen, App):
        probe = type("Probe", (base,), {})
        names |= set(vars(probe))
    return names


def shadowing_in(cls: type[DOMNode], package: str = "es_tui.") -> list[str]:
    problems: list[str] = []
    generated = generated_names()
    instance_names = textual_instance_names(cls)
    own = [c for c in cls.__mro__ if c.__module__.startswith(package)]
    for klass in own:
        for name, value in vars(klass).items():
            if name.startswith("__") or name.isupper() or name in generated:
                continue  # dunders, and CSS / BINDINGS / TITLE style configuration
            definition = textual_definition(cls, name)
            if definition is None:
                if name in instance_names and not callable(value):
                    problems.append(f"{klass.__name__}.{name} (a Textual instance attribute)")
                continue
            is_hook = name in HOOKS or name.startswith(HOOK_PREFIXES)
            if inspect.isfunction(value) and callable(definition) and is_hook:
                continue
            if isinstance(value, Reactive) and isinstance(definition, Reactive):
                continue
            problems.append(f"{klass.__name__}.{name} (class attribute)")
        for name, line in assigned_self_names(klass):
            if name.startswith("__"):
                continue
            definition = textual_definition(cls, name)
            if definition is not None and (not assignable(definition) or name in DRIVES_THE_SCREEN):
                problems.append(f"{klass.__name__}: self.{name} = … (line {line})")
            elif definition is None and name in instance_names:
                problems.append(f"{klass.__name__}: self.{name} = … (Textual's own, line {line})")
    return problems


def test_the_package_has_widgets_and_screens_to_check() -> None:
    names = {cls.__name__ for cls in es_tui_node_classes()}
    assert {"ExplorerApp", "MainScreen", "TimelinePane", "LineList", "LogPane"} <= names


def test_no_widget_screen_or_app_shadows_a_textual_attribute() -> None:
    problems = sorted({p for cls in es_tui_node_classes() for p in shadowing_in(cls)})
    assert problems == [], "\n".join(problems)


class Shadowing(Widget):
    """A widget whose filter hides `DOMNode.query` (what the check must catch)."""

    def __init__(self) -> None:
        super().__init__()
        self.query = "words"  # type: ignore[assignment,method-assign]


def test_the_check_catches_a_shadowed_method() -> None:
    assert shadowing_in(Shadowing, package="tests.") == ["Shadowing: self.query = … (line 6)"]


class BusyFlag(Widget):
    """A widget keeping a flag of its own under the name of Textual's `loading` reactive."""

    def __init__(self) -> None:
        super().__init__()
        self.loading = False


def test_the_check_catches_a_flag_named_like_a_reactive_that_acts() -> None:
    assert shadowing_in(BusyFlag, package="tests.") == ["BusyFlag: self.loading = … (line 6)"]
