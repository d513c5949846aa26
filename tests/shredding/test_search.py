"""The multi-value search finds exactly what searching for each value in turn finds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.core.shredding.erasure import _lines_holding
from domain.core.shredding.search import PREFIX_BYTES, Needles


def naive(data: bytes, needles: set[bytes]) -> int:
    """Every occurrence of every needle, overlaps included, one needle at a time."""
    return sum(1 for n in needles for at in range(len(data)) if data.startswith(n, at))


# A small alphabet makes shared prefixes, overlaps and near misses common.
chunks = st.binary(min_size=PREFIX_BYTES, max_size=14).map(lambda b: bytes(x % 3 + 97 for x in b))
texts = st.lists(st.sampled_from([b"a", b"b", b"c", b"ab", b"\n", b"(", b"\\"]), max_size=80)


@given(st.sets(chunks, min_size=1, max_size=12), texts, st.lists(chunks, max_size=4))
def test_count_equals_searching_each_value_in_turn(
    needles: set[bytes], filler: list[bytes], planted: list[bytes]
) -> None:
    data = b"".join(filler + planted + filler[::-1])
    found = Needles(needles)
    assert found.count(data) == naive(data, needles)
    assert found.found_in(data) == (naive(data, needles) > 0)
    first = found.first_in(data)
    starts = [at for n in needles for at in range(len(data)) if data.startswith(n, at)]
    assert first == (min(starts) if starts else -1)


@given(st.sets(st.binary(min_size=PREFIX_BYTES, max_size=20), min_size=1, max_size=8))
def test_any_bytes_are_looked_for_literally(needles: set[bytes]) -> None:
    # regular-expression characters, NUL and high bytes are plain bytes here
    data = b"|".join(sorted(needles))
    assert Needles(needles).count(data) == naive(data, needles)


def test_nothing_to_look_for_finds_nothing() -> None:
    assert Needles([]).count(b"anything at all") == 0
    assert not Needles([])


def test_a_needle_shorter_than_the_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        Needles([b"short"])


@given(
    st.sets(chunks, min_size=1, max_size=6),
    st.lists(st.one_of(texts.map(b"".join), chunks), max_size=30),
    st.integers(min_value=0, max_value=200),
)
def test_first_in_from_an_offset(needles: set[bytes], parts: list[bytes], start: int) -> None:
    data = b"".join(parts)
    starts = [at for n in needles for at in range(start, len(data)) if data.startswith(n, at)]
    assert Needles(needles).first_in(data, start) == (min(starts) if starts else -1)


@given(
    st.sets(chunks, min_size=1, max_size=4),
    st.lists(st.one_of(texts.map(b"".join), chunks), max_size=30),
)
def test_lines_holding_names_each_line_with_a_needle_once(
    needles: set[bytes], parts: list[bytes]
) -> None:
    data = b"".join(parts)
    expected = [
        number
        for number, line in enumerate(data.split(b"\n"), start=1)
        if any(n in line for n in needles)
    ]
    assert _lines_holding(data, Needles(needles)) == expected
