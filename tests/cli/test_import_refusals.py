"""Import refuses a hostile file as a whole — huge or negative numbers, floats, NaN, deep
nesting, lines that are not objects, bytes that are not UTF-8, a giant line — with exit 2 and
the file and line, and creates nothing: no store file, no key file (and an existing store is
left byte for byte as it was)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Cli, one_line, publish, run_cli

NUMERIC = ("position", "version", "schema_version")
BAD_NUMBERS = {
    "2**63": "9223372036854775808",
    "2**64": "18446744073709551616",
    "10**30": "1" + "0" * 30,
    "5000 digits": "9" * 5000,
    "negative": "-1",
    "most negative": "-9223372036854775809",
    "zero": "0",
    "float": "1.5",
    "integral float": "2.0",
    "1e400": "1e400",
    "NaN": "NaN",
    "Infinity": "Infinity",
    "-Infinity": "-Infinity",
    "string": '"1"',
    "true": "true",
    "null": "null",
}


@pytest.fixture
def lines(cli: Cli, db: Path, tmp_path: Path) -> list[str]:
    """A good export of a small store (two ideas, one edited, one forgotten)."""
    kept = publish(cli, title="Rain barrel", desc="Collects roof water")
    assert cli("edit", kept, "--desc", "Collects roof water, twice").code == 0
    assert cli("forget", publish(cli, title="Secret plan", desc="Forgotten soon")).code == 0
    path = tmp_path / "good.jsonl"
    assert cli("export", str(path)).code == 0
    return path.read_text(encoding="utf-8").splitlines()


def with_number(line: str, field: str, literal: str) -> str:
    """`line` with `field` set to the JSON literal `literal`, written as is."""
    obj = json.loads(line)
    obj[field] = "@@"
    return json.dumps(obj).replace('"@@"', literal)


def nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = {"x": [value]}
    return value


def refuse(cli: Cli, tmp_path: Path, content: bytes, line: int) -> None:
    """Importing `content` exits 2 naming the file and line, and creates no file."""
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(content)
    target = tmp_path / "target.db"
    result = cli("import", str(bad), store=target)
    assert (result.code, result.out) == (2, ""), result.err
    assert f"{bad}:{line}:" in one_line(result.err)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("target")) == []


def joined(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.mark.parametrize("literal", BAD_NUMBERS.values(), ids=BAD_NUMBERS.keys())
@pytest.mark.parametrize("field", NUMERIC)
def test_a_bad_number_in_a_numeric_field_is_refused(
    cli: Cli, lines: list[str], tmp_path: Path, field: str, literal: str
) -> None:
    at = len(lines) - 1  # the last line: every earlier check has passed
    lines[at] = with_number(lines[at], field, literal)
    refuse(cli, tmp_path, joined(lines), at + 1)


@pytest.mark.parametrize(
    "literal", ["9223372036854775808", "-9223372036854775809", "1e400", "NaN", "-Infinity"]
)
@pytest.mark.parametrize("where", ["data", "metadata"])
def test_a_number_no_store_keeps_exactly_is_refused_in_payloads(
    cli: Cli, lines: list[str], tmp_path: Path, where: str, literal: str
) -> None:
    obj = json.loads(lines[1])
    obj[where]["n"] = "@@"
    lines[1] = json.dumps(obj).replace('"@@"', literal)
    refuse(cli, tmp_path, joined(lines), 2)


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
@pytest.mark.parametrize("where", ["data", "metadata"])
def test_deep_nesting_is_refused(
    cli: Cli, lines: list[str], tmp_path: Path, where: str, depth: int
) -> None:
    obj = json.loads(lines[0])
    # built as text: json.dumps itself cannot write 100,000 levels
    obj[where]["n"] = "@@"
    lines[0] = json.dumps(obj).replace('"@@"', '{"x":[' * depth + "1" + "]}" * depth)
    refuse(cli, tmp_path, joined(lines), 1)


def test_moderate_nesting_in_metadata_is_imported(
    cli: Cli, lines: list[str], tmp_path: Path
) -> None:
    obj = json.loads(lines[0])
    obj["metadata"]["n"] = nested(20)
    lines[0] = json.dumps(obj)
    good = tmp_path / "nested.jsonl"
    good.write_bytes(joined(lines))
    target = tmp_path / "target.db"
    assert cli("import", str(good), store=target).code == 0
    first = json.loads(cli("log", "--limit", "1", store=target).out)
    assert first["metadata"]["n"] == nested(20)


@pytest.mark.parametrize("line", ["[]", "1", '"text"', "null", "true", "[{}]"])
def test_a_line_that_is_not_an_object_is_refused(
    cli: Cli, lines: list[str], tmp_path: Path, line: str
) -> None:
    refuse(cli, tmp_path, joined([*lines[:2], line, *lines[2:]]), 3)


@pytest.mark.parametrize(
    "raw", [b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"caf\xe9"], ids=["bom", "2", "surr", "l1"]
)
def test_bytes_that_are_not_utf8_are_refused(
    cli: Cli, lines: list[str], tmp_path: Path, raw: bytes
) -> None:
    content = joined(lines[:2]) + raw + joined(lines[2:])
    refuse(cli, tmp_path, content, 3)


def test_a_50_mb_line_is_refused(cli: Cli, lines: list[str], tmp_path: Path) -> None:
    obj = json.loads(lines[1])
    obj["metadata"]["blob"] = "x" * (50 * 1024 * 1024)
    refuse(cli, tmp_path, joined([lines[0], json.dumps(obj), *lines[2:]]), 2)


MUTATIONS: dict[str, Callable[[list[str]], bytes]] = {
    "huge position": lambda ls: joined([with_number(ls[0], "position", "9" * 30), *ls[1:]]),
    "deep data": lambda ls: joined(["[" * 100_000 + "]" * 100_000, *ls]),
    "not UTF-8": lambda ls: b"\xff" + joined(ls),
}


@pytest.mark.parametrize("mutate", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_an_existing_target_is_left_byte_for_byte(
    cli: Cli, lines: list[str], tmp_path: Path, mutate: Callable[[list[str]], bytes]
) -> None:
    target = tmp_path / "existing.db"
    # An empty store with its key file, made by a process of its own: when it has exited,
    # every connection is closed and the files are final.
    made = subprocess.run(
        [sys.executable, "-m", "es_tui", "--store", f"sqlite:///{target}", "streams"],
        capture_output=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    files = {p: p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("existing")}
    assert target in files
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(mutate(lines))
    result = cli("import", str(bad), store=target)
    assert result.code == 2 and f"{bad}:1:" in one_line(result.err)
    after = {p: p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("existing")}
    assert after == files


@pytest.mark.parametrize("last", [2**63 - 1, 2**63 - 2, 2**62])
def test_the_largest_positions_are_imported_and_read_back(
    cli: Cli, lines: list[str], tmp_path: Path, last: int
) -> None:
    # The last event at (or near) the largest position a store keeps: the read models and
    # the process manager catch up past it and the import ends, every event read back.
    lines[-1] = with_number(lines[-1], "position", str(last))
    good = tmp_path / "far.jsonl"
    good.write_bytes(joined(lines))
    target = tmp_path / "target.db"
    result = cli("import", str(good), store=target)
    assert result.code == 0, result.err
    logged = cli("log", store=target).lines()
    assert [e["position"] for e in logged][-1] == last
    assert len(logged) == len(lines)
    assert cli("ideas", store=target).code == 0
    published = cli("publish", "--title", "One more", "--desc", "x", store=target)
    if last == 2**63 - 1:  # no position left: refused with the full disk's code, one line
        assert published.code == 7, published.err
        assert "takes no more events" in one_line(published.err)
        assert cli("log", store=target).lines() == logged
    else:
        assert published.code == 0, published.err


@pytest.mark.parametrize("last", [2**26 + 1, 2**40, 2**63 - 1])
def test_a_memory_store_refuses_positions_beyond_its_log_in_one_line(
    lines: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], last: int
) -> None:
    # A memory store keeps a slot for each position: a far position is refused by name
    # (it failed for want of memory), and one within its log still imports.
    far = tmp_path / "far.jsonl"
    far.write_bytes(joined([*lines[:-1], with_number(lines[-1], "position", str(last))]))
    result = run_cli(capsys, "--store", "memory:", "import", str(far))
    assert result.code == 2, result
    message = one_line(result.err)
    assert f"{last:,}" in message and "memory store" in message and "Traceback" not in message
    near = tmp_path / "near.jsonl"
    near.write_bytes(joined([*lines[:-1], with_number(lines[-1], "position", str(2**20))]))
    imported = run_cli(capsys, "--store", "memory:", "import", str(near))
    assert imported.code == 0, imported.err
