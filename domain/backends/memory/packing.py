"""Payloads kept as a tuple of their values, rebuilt as dictionaries when read.

A dictionary costs 184 bytes however few keys it has, more than the values it usually holds
(an event's metadata: a correlation id and a command name; an idea's edit: its id, a flag
and a sealed envelope). A packed payload is one tuple of
its values, led by a function that rebuilds the payload: one function for each shape (keys in
order, nesting, lists' lengths, constants None/true/false), generated once and shared by
every payload of that shape. Rebuilding is a single call evaluating one literal, and a reader
is handed new dictionaries and lists every time, so no reader can change what is stored.

Payloads too big or too unusual to be worth it (more than `MAX_VALUES` values, nesting deeper
than `MAX_DEPTH`, or a shape seen after `MAX_SHAPES` others) are kept as they are.

An event's data, as the store keeps it, may hold a packed sealed envelope (a value like any
other here: `pack_kept`); the usual event's data, flat and of a shape seen before, is
packed straight from the caller's dictionary, which the store would otherwise copy first
(`pack_event_data`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

from domain.backends.memory.sharing import SHORT, Sharing
from domain.core.records import JsonObject
from domain.core.shredding.cipher import SEALED
from domain.core.shredding.packed import PackedEnvelope, pack_envelope
from domain.core.validation import NotPlain, private_copy

MAX_VALUES: Final = 24
MAX_DEPTH: Final = 6
MAX_SHAPES: Final = 2048

Packed = tuple[Any, ...]
"""(rebuild, *values): `rebuild(packed)` returns the payload."""
Shape = tuple[Any, ...]
"""A hashable description of a payload's structure (see `_shape`)."""

_CONSTANTS: Final = {None: "None", True: "True", False: "False"}
_FLAT_LEAVES: Final = frozenset({str, int, PackedEnvelope})
_VALUE: Final = object()
_ENVELOPE: Final = object()
"""The values `pack_kept` packs without working out the shape (numbers of other types, and
nested objects, take the full way)."""
_FULL: Final = object()
"""A shape that does not qualify: too many values or too deep."""


class Packer:
    """Packs payloads, with one rebuilding function per shape."""

    __slots__ = ("_builders", "_flat", "_kept", "sharing")

    def __init__(self, sharing: Sharing) -> None:
        self.sharing = sharing
        self._builders: dict[Shape, Packed] = {}
        """Each shape's `(rebuild,)`: the packed tuple of its payloads without values."""
        self._flat: dict[tuple[str, ...], Callable[[Packed], JsonObject]] = {}
        """The rebuilding function of each flat shape seen (an object of strings, as an
        event's metadata is), by its keys: such a payload is packed without working out its
        shape."""
        self._kept: dict[tuple[str, ...], tuple[Callable[[Packed], JsonObject], Shape]] = {}
        """For `pack_kept` and `pack_event_data`: the rebuilding function of each flat shape
        of data seen, and what stands at each of its keys (a constant; `_VALUE`, a value;
        `_ENVELOPE`, a value under the envelope's key), by its keys."""

    def pack_event_data(self, data: object) -> Packed | None:
        """`pack_kept` of the store's copy of an event's `data` (as `Sharing.owned` makes it,
        its envelope packed), made straight from `data` without the copy when `data` is a
        flat object of a shape `pack_kept` has seen: texts exactly `str`, integers exactly
        `int`, None/true/false where the shape has them, and a sealed envelope that packs.
        None for anything else (the caller copies it, which refuses what it refuses). What
        it accepts is a part of what `Sharing.owned` accepts, and gives what it gives."""
        if type(data) is not dict:
            return None
        keys = tuple(data)
        known = self._kept.get(keys)
        if known is None:
            return None
        for key in keys:  # equal to the shape's keys, which are kept (exact `str`s)
            if type(key) is not str:
                return None
        rebuild, parts = known
        seen, text = self.sharing._seen, self.sharing.text
        out: list[Any] = [rebuild]
        for value, part in zip(data.values(), parts, strict=False):  # of equal lengths
            if part is _VALUE or part is _ENVELOPE:
                kind = type(value)
                if kind is str:
                    if len(value) <= SHORT:
                        value = seen.get(value) or text(value)
                elif kind is dict and part is _ENVELOPE:
                    value = pack_envelope(value)
                    if value is None:
                        return None
                elif kind is not int:
                    return None
                out.append(value)
            elif value is not part:
                return None
        return tuple(out)

    def pack_kept(self, data: JsonObject) -> Packed | None:
        """An event's data as the store keeps it (its own copy, its short strings shared,
        its sealed envelope perhaps packed) packed; None when it does not qualify. A flat
        object (as an event's data usually is) of a shape seen before is packed without
        working out its shape again."""
        known = self._kept.get(tuple(data))
        if known is not None:
            rebuild, parts = known
            out: list[Any] = [rebuild]
            for value, part in zip(data.values(), parts, strict=False):  # of equal lengths
                if part is _VALUE or part is _ENVELOPE:
                    if type(value) not in _FLAT_LEAVES:
                        break
                    out.append(value)
                elif value is not part:
                    break
            else:
                return tuple(out)
        values: list[Any] = []
        try:
            shape = _shape(data, values, 0, kept=True)
        except NotPlain:
            return None
        if shape is _FULL:
            return None
        packed = self._packed(shape, values, share=False)
        if (
            packed is not None
            and shape[0] == "{"
            and all(type(part) is not tuple for part in shape[2:])
            and all(type(value) in _FLAT_LEAVES for value in values)
            and len(self._kept) < MAX_SHAPES
        ):
            parts = tuple(
                part if type(part) is not str else _ENVELOPE if key == SEALED else _VALUE
                for key, part in zip(shape[1], shape[2:], strict=True)
            )
            self._kept[self.sharing.shape(shape[1])] = (packed[0], parts)
        return packed

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

    def _packed(self, shape: Shape, values: list[Any], share: bool = True) -> Packed | None:
        """The packed tuple of a payload of `shape` holding `values` (None: too many shapes
        seen to keep another's builder), its strings shared unless `share` is False (they
        are already)."""
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
        if not share:
            return (alone[0], *values)
        item = self.sharing.item
        return (alone[0], *[item(v) for v in values])


def unpack(packed: Packed) -> JsonObject:
    """The payload a `Packer` packed, new containers holding its values."""
    result: JsonObject = packed[0](packed)
    return result


def _shape(value: Any, values: list[Any], depth: int, kept: bool = False) -> Any:
    """The shape of a JSON value; its values (leaves other than None/true/false) appended to
    `values` in the order the shape's builder reads them. NotPlain for a key or a leaf that
    is not of the exact types a JSON round trip gives back (as `plain_copy` judges them),
    except, when `kept` (data as the store keeps it), a packed sealed envelope."""
    kind = type(value)
    if kind is dict:
        if depth >= MAX_DEPTH:
            return _FULL
        parts = []
        for key in value:
            if type(key) is not str:
                raise NotPlain
        for item in value.values():
            part = _shape(item, values, depth + 1, kept)
            if part is _FULL:
                return _FULL
            parts.append(part)
        return ("{", tuple(value), *parts)
    if kind is list:
        if depth >= MAX_DEPTH:
            return _FULL
        parts = []
        for item in value:
            part = _shape(item, values, depth + 1, kept)
            if part is _FULL:
                return _FULL
            parts.append(part)
        return ("[", *parts)
    if value is None or value is True or value is False:
        return value
    if not (
        kind is str
        or kind is int
        or (kind is float and math.isfinite(value))
        or (kept and kind is PackedEnvelope)
    ):
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
