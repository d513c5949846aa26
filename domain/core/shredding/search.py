"""Looking for many byte strings at once, in one pass over the data.

An erasure check looks for every value an idea ever had (thousands, for a long-edited idea)
in every event of the store: searching for each value in turn costs values × data. Here the
values' first bytes go into one compiled pattern, shaped as a trie so that each position of
the data costs a few byte comparisons whatever the number of values; only where a prefix
matches are the whole values compared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PREFIX_BYTES = 8
"""How many leading bytes of each value the pattern holds (values are at least this long)."""

_Trie = dict[int, "_Trie"]


def _insert(trie: _Trie, key: bytes) -> None:
    node = trie
    for byte in key:
        node = node.setdefault(byte, {})


def _pattern(trie: _Trie) -> bytes:
    """A regular expression matching exactly the keys of `trie`."""
    # Every key has PREFIX_BYTES bytes, so the recursion is at most that deep.
    parts: list[bytes] = []
    for byte, child in sorted(trie.items()):
        literal = re.escape(bytes([byte]))
        parts.append(literal + _pattern(child) if child else literal)
    if len(parts) == 1:
        return parts[0]
    return b"(?:" + b"|".join(parts) + b")"


class Needles:
    """A set of byte strings (each at least PREFIX_BYTES long) to look for in data."""

    def __init__(self, needles: Iterable[bytes]) -> None:
        self.by_prefix: dict[bytes, list[bytes]] = {}
        for needle in set(needles):
            if len(needle) < PREFIX_BYTES:
                raise ValueError(f"a needle must be at least {PREFIX_BYTES} bytes long")
            self.by_prefix.setdefault(needle[:PREFIX_BYTES], []).append(needle)
        trie: _Trie = {}
        for prefix in self.by_prefix:
            _insert(trie, prefix)
        self._prefixes = re.compile(_pattern(trie), re.DOTALL) if trie else None

    def __bool__(self) -> bool:
        return self._prefixes is not None

    def count(self, data: bytes, *, first_only: bool = False) -> int:
        """How many times the needles occur in `data` (overlaps included); with
        `first_only`, 1 as soon as one is found."""
        if self._prefixes is None:
            return 0
        found = 0
        search = self._prefixes.search
        match = search(data)
        while match is not None:
            at = match.start()
            for needle in self.by_prefix[match.group()]:
                if data.startswith(needle, at):
                    found += 1
                    if first_only:
                        return 1
            # The next candidate may start inside this prefix: search again one byte on.
            match = search(data, at + 1)
        return found

    def found_in(self, data: bytes) -> bool:
        """Whether any needle occurs in `data`."""
        return self.count(data, first_only=True) > 0

    def first_in(self, data: bytes, start: int = 0) -> int:
        """The offset of the first needle in `data` from `start` on, or -1."""
        if self._prefixes is None:
            return -1
        search = self._prefixes.search
        match = search(data, start)
        while match is not None:
            at = match.start()
            if any(data.startswith(n, at) for n in self.by_prefix[match.group()]):
                return at
            match = search(data, at + 1)
        return -1
