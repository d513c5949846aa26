"""Payloads kept as a tuple of their values, rebuilt as dictionaries when read.

A dictionary costs 184 bytes however few keys it has, more than the values it usually holds
(an event's metadata: a correlation id and a command name). A packed payload is one tuple of
its values, led by a function that rebuilds the payload: one function for each shape (keys in
order, nesting, lists' lengths, constants None/true/false), generated once and shared by
every payload of that shape. Rebuilding is a single call evaluating one literal, and a reader
is handed new dictionaries and lists every time, so no reader can change what is stored.

Payloads too big or too unusual to be worth it (more than `MAX_VALUES` values, nesting deeper
than `MAX_DEPTH`, or a shape seen after `MAX_SHAPES` others) are kept as they are.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

from domain.backends.memory.sharing import SHORT, Sharing
from domain.core.records import JsonObject
from domain.core.validation import NotPlain, private_copy

MAX_VALUES: Final = 24
MAX_DEPTH: Final = 6
MAX_SHAPES: Final = 2048

Packed = tuple[Any, ...]
"""(rebuild, *values): `rebuild(packed)` returns the payload."""
Shape = tuple[Any, ...]
"""A hashable description of a payload's structure (see `_shape`)."""

_CONSTANTS: Final = {None: "None", True: "True", False: "False"}
_FULL: Final = object()
"""A shape that does not qualify: too many values or too deep."""


class Packer:
    """Packs payloads, with one rebuilding function per shape."""

    __slots__ = ("_builders", "_flat", "sharing")

    def __init__(self, sharing: Sharing) -> None:
        self.sharing = sharing
        self._builders: dict[Shape, Packed] = {}
        """Each shape's `(rebuild,)`: the packed tuple of its payloads without values."""
        self._flat: dict[tuple[str, ...], Callable[[Packed], JsonObject]] = {}
        """The rebuilding function of each flat shape seen (an object of strings, as an
        event's metadata is), by its keys: such a payload is packed without working out its
        shape."""

    def pack(self, payload: JsonObject) -> JsonObject | Packed:
        """`payload` (a private copy) packed, or as it is (its strings shared) when it does not
        qualify."""
        values: list[Any] = []
        shape = _shape(payload, values, 0)
        packed = None if shape is _FULL else self._packed(shape, values)
        return self.sharing.payload(payload) if packed is None else packed

    def pack_copy(self, payload: object, field: str, index: int | None) -> JsonObject | Packed:
        """`pack(private_copy(payload, field, index))`, without the copy when `payload`
        packs: a packed payload holds only its leaves (strings, numbers), which no caller
        can change, so packing a plain payload is copying it. Anything else (not plain JSON,
        or not packed) takes the copy, which refuses what it refuses."""
        if type(payload) is dict:
            rebuild = self._flat.get(tuple(payload))
            if rebuild is not None:
                text = self.sharing.text
                strings = [v if len(v) > SHORT else text(v) for v in payload.values()
                           if type(v) is str]  # fmt: skip
                if len(strings) == len(payload):
                    return (rebuild, *strings)
            values: list[Any] = []
            try:
                shape = _shape(payload, values, 0)
            except NotPlain:
                shape = _FULL
            if shape is not _FULL:
                packed = self._packed(shape, values)
                if packed is not None:
                    return packed
        return self.pack(private_copy(payload, field, index))

    def _packed(self, shape: Shape, values: list[Any]) -> Packed | None:
        """The packed tuple of a payload of `shape` holding `values` (None: too many shapes
        seen to keep another's builder)."""
        alone = self._builders.get(shape)
        if alone is None:
            if len(self._builders) >= MAX_SHAPES:
                return None
            alone = self._builders[shape] = (_builder(shape, self.sharing),)
            flat = shape[0] == "{" and all(part == "$" for part in shape[2:])
            if flat and all(type(v) is str for v in values):
                self._flat[self.sharing.shape(shape[1])] = alone[0]
        if not values:
            return alone  # nothing of its own: one tuple for every such payload
        item = self.sharing.item
        return (alone[0], *[item(v) for v in values])


def unpack(packed: Packed) -> JsonObject:
    """The payload a `Packer` packed, new containers holding its values."""
    result: JsonObject = packed[0](packed)
    return result


def _shape(value: Any, values: list[Any], depth: int) -> Any:
    """The shape of a JSON value; its values (leaves other than None/true/false) appended to
    `values` in the order the shape's builder reads them. NotPlain for a key or a leaf that
    is not of the exact types a JSON round trip gives back (as `plain_copy` judges them)."""
    kind = type(value)
    if kind is dict:
        if depth >= MAX_DEPTH:
            return _FULL
        parts = []
        for key in value:
            if type(key) is not str:
                raise NotPlain
        for item in value.values():
            part = _shape(item, values, depth + 1)
            if part is _FULL:
                return _FULL
            parts.append(part)
        return ("{", tuple(value), *parts)
    if kind is list:
        if depth >= MAX_DEPTH:
            return _FULL
        parts = []
        for item in value:
            part = _shape(item, values, depth + 1)
            if part is _FULL:
                return _FULL
            parts.append(part)
        return ("[", *parts)
    if value is None or value is True or value is False:
        return value
    if not (kind is str or kind is int or (kind is float and math.isfinite(value))):
        raise NotPlain
    if len(values) >= MAX_VALUES:
        return _FULL
    values.append(value)
    return "$"


def _builder(shape: Shape, sharing: Sharing) -> Callable[[Packed], JsonObject]:
    """The function rebuilding payloads of `shape` from their packed tuple.

    Its source holds no key or value of a payload: keys are its parameters' defaults, values
    are read from the tuple by position."""
    keys: list[str] = []
    counter = iter(range(1, MAX_VALUES + 1))

    def literal(part: Any) -> str:
        if part == "$" and type(part) is str:
            return f"p[{next(counter)}]"
        if type(part) is tuple and part[0] == "[":
            return "[" + ", ".join(literal(p) for p in part[1:]) + "]"
        if type(part) is tuple:
            entries = []
            for key, item in zip(part[1], part[2:], strict=True):
                keys.append(sharing.text(key))
                entries.append(f"k{len(keys) - 1}: {literal(item)}")
            return "{" + ", ".join(entries) + "}"
        return _CONSTANTS[part]

    body = literal(shape)
    names = "".join(f", k{i}=None" for i in range(len(keys)))
    scope: dict[str, Any] = {}
    exec(f"def rebuild(p{names}):\n    return {body}\n", scope)
    rebuild: Callable[[Packed], JsonObject] = scope["rebuild"]
    rebuild.__defaults__ = tuple(keys)
    return rebuild
