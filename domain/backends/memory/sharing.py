"""Equal strings stored once: what keeps a million events of the memory store small.

A payload copied from JSON text gets new string objects for every key and value, so each
stored event held its own "idea_id", "$sealed", "nonce", "correlation_id", "EditIdea"...:
about 800 bytes an event of repeated text. `Sharing` rebuilds a payload (already a private
copy) with one object for each short string it has seen lately, so the keys, the names and
the ids that events repeat are kept once, and likewise short lists of such strings (a sealed
envelope's field names). Only the objects change: the payload is equal, of the same types
and order.
"""

from __future__ import annotations

import math
from typing import Any, Final

from domain.core.records import JsonObject
from domain.core.shredding.cipher import SEALED
from domain.core.shredding.packed import pack_envelope
from domain.core.validation import PLAIN_DEPTH, PLAIN_LEAVES, NotPlain

SHORT: Final = 64
"""Longer strings (texts, ciphertexts) are almost always unique: not worth a lookup."""
NAMES: Final = 8
"""Lists of at most this many short strings are shared like strings."""
KEPT: Final = 1 << 16
"""Strings remembered at most; the table starts again when full, so unique strings (ids,
nonces) cost it nothing for long, and a string still repeated is soon shared again."""


class Sharing:
    """Replaces each short string of a payload by the equal one it has seen, if any."""

    __slots__ = ("_lists", "_seen", "_shapes")

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}
        self._shapes: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._lists: dict[tuple[str, ...], list[str]] = {}

    def text(self, value: str) -> str:
        """The string equal to `value` that is already kept (or `value`, kept from now)."""
        seen = self._seen
        found = seen.get(value)
        if found is not None:
            return found
        if len(seen) >= KEPT:
            seen.clear()
        seen[value] = value
        return value

    def shape(self, keys: tuple[str, ...]) -> tuple[str, ...]:
        """The tuple equal to `keys` (an object's keys, in order) that is already kept, its
        strings shared."""
        shapes = self._shapes
        found = shapes.get(keys)
        if found is not None:
            return found
        if len(shapes) >= KEPT:
            shapes.clear()
        found = tuple(self.text(k) for k in keys)
        shapes[found] = found
        return found

    def _names(self, items: list[Any]) -> list[Any]:
        """One list for every equal short list of short strings (a sealed envelope's field
        names, tags): stored payloads are read-only, as the store contract says, so events
        may hand out the same list as they hand out the same strings."""
        for name in items:
            if type(name) is not str or len(name) > SHORT:
                return items
        key = tuple(items)
        found = self._lists.get(key)
        if found is not None:
            return found
        if len(self._lists) >= KEPT:
            self._lists.clear()
        self._lists[key] = items
        return items

    def payload(self, value: JsonObject) -> JsonObject:
        """`value` (a private copy: it is rebuilt, not changed) with its short strings
        shared. A payload nested too deeply to walk is kept as it is."""
        if not value:
            return value
        try:
            return self._object(value)
        except RecursionError:
            return value

    def _object(self, value: JsonObject) -> JsonObject:
        text, item = self.text, self.item
        return {text(k): item(v) for k, v in value.items()}

    def item(self, value: Any) -> Any:
        """A JSON value with its short strings shared (containers rebuilt)."""
        kind = type(value)
        if kind is str:
            return self.text(value) if len(value) <= SHORT else value
        if kind is dict:
            return self._object(value)
        if kind is list:
            item = self.item
            items = [item(v) for v in value]
            return self._names(items) if len(items) <= NAMES else items
        return value  # numbers, booleans, None: nothing to share

    def owned(self, value: object, *, envelope: bool = False) -> JsonObject | None:
        """`payload(plain_copy(value))` in one walk: a private copy of a payload of plain JSON
        types, its short strings shared; None for anything else (the caller copies it, or
        refuses it, through `private_copy`). What it accepts, and how deep, is `plain_copy`'s
        law; what it shares is `payload`'s. With `envelope` (an event's data), its sealed
        envelope at the top, if any, is packed when it packs (see
        `domain.core.shredding.packed`)."""
        if type(value) is not dict:
            return None
        try:
            return self._owned_object(value, 0, envelope)
        except NotPlain:
            return None

    def _owned_object(
        self, value: dict[Any, Any], depth: int, envelope: bool = False
    ) -> JsonObject:
        if depth > PLAIN_DEPTH:
            raise NotPlain
        seen, text = self._seen, self.text
        out: JsonObject = {}
        for key, item in value.items():
            if type(key) is not str:
                raise NotPlain
            kind = type(item)
            if kind is str:
                if len(item) <= SHORT:
                    item = seen.get(item) or text(item)
            elif kind is dict:
                # A sealed envelope at the top is packed straight from the caller's: the
                # packed bytes are a copy, and the dictionary would only be packed next.
                packed = pack_envelope(item) if envelope and key == SEALED else None
                item = self._owned_object(item, depth + 1) if packed is None else packed
            elif not (kind is bool or kind is int or item is None):
                item = self._owned_value(item, kind, depth)
            out[seen.get(key) or text(key)] = item
        return out

    def _owned_value(self, item: Any, kind: type, depth: int) -> Any:
        if kind is dict:
            return self._owned_object(item, depth + 1)
        if kind is list:
            if depth >= PLAIN_DEPTH:
                raise NotPlain
            seen, text, owned = self._seen, self.text, self._owned_value
            items = [
                (seen.get(x) or text(x))  # a short string (a name): no call, usually
                if type(x) is str and len(x) <= SHORT
                else owned(x, type(x), depth + 1)
                for x in item
            ]
            return self._names(items) if len(items) <= NAMES else items
        if kind is str:
            return self.text(item) if len(item) <= SHORT else item
        if kind in PLAIN_LEAVES or (kind is float and math.isfinite(item)):
            return item
        raise NotPlain
