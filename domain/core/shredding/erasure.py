"""Proof of erasure: after a forget, look in every place an idea's private values could
remain and report, place by place, what was found (expected: nothing).

The values to look for are the ones known before the forget (the app captures them just
before erasing) and any the user names (`--text`): after a forget the app itself can no
longer know them — that is the point.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus

from domain.core.protocol import EventStore
from domain.core.records import RecordedEvent, StreamStatus
from domain.core.shredding.cipher import REDACTED, aad_for_event, is_sealed, open_sealed
from domain.core.shredding.keys import KeyStore
from domain.core.shredding.search import PREFIX_BYTES, Needles
from domain.core.transfer import iter_log, record_from_dict


@dataclass(frozen=True, slots=True)
class Finding:
    """What one place holds of the forgotten idea."""

    place: str
    clean: bool
    detail: str


@dataclass(frozen=True, slots=True)
class ErasureReport:
    """Every place checked, with what was found."""

    stream_id: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """True when no place holds anything of the forgotten idea."""
        return all(f.clean for f in self.findings)

    def as_dict(self) -> dict[str, object]:
        """The report as JSON-ready data."""
        return {
            "stream_id": self.stream_id,
            "clean": self.clean,
            "places": [
                {"place": f.place, "clean": f.clean, "detail": f.detail} for f in self.findings
            ],
        }


MIN_SEARCH_BYTES = PREFIX_BYTES
"""Shorter values are not looked for: they occur by chance (in the file's schema, in event
type names, in base64 ciphertext), so a hit would prove nothing and cry wolf."""


def _stored_forms(text: str) -> set[str]:
    """The forms a text takes in stored JSON: as is, and with quotes and backslashes
    escaped (the store writes non-ASCII characters as they are)."""
    return {text, json.dumps(text, ensure_ascii=False)[1:-1]}


def _encodings(text: str) -> set[bytes]:
    """The forms a text takes in files: as stored, JSON-escaped as `json.dumps` writes it by
    default (non-ASCII as \\u escapes), and URL-encoded (a request line in an access log)."""
    forms = _stored_forms(text) | {
        json.dumps(text)[1:-1],
        quote(text, safe=""),
        quote_plus(text, safe=""),
    }
    return {f.encode("utf-8", "surrogatepass") for f in forms}


@dataclass(frozen=True, slots=True)
class Secrets:
    """What to look for: the idea's private values (every version of them) and its key."""

    texts: tuple[str, ...] = ()
    key: bytes | None = None

    def searchable(self) -> list[str]:
        """The texts long enough for a hit to mean something (see MIN_SEARCH_BYTES)."""
        return [t for t in self.texts if len(t.encode("utf-8", "surrogatepass")) >= PREFIX_BYTES]

    def text_needles(self) -> Needles:
        """The searchable texts, as the store holds them (UTF-8, in JSON or not)."""
        forms = {form for t in self.searchable() for form in _stored_forms(t)}
        return Needles(f.encode("utf-8", "surrogatepass") for f in forms)

    def needles(self) -> Needles:
        """What to look for in files: the searchable texts in every form a file may hold
        them in, and the key."""
        forms = {form for t in self.searchable() for form in _encodings(t)}
        if self.key:
            forms.add(self.key)
        return Needles(forms)


_LINES_SHOWN = 10


def _scan_file(path: Path, needles: Needles) -> tuple[bool, str]:
    """Whether the file holds none of `needles`, and what was found (with line numbers)."""
    if not path.exists():
        return True, "no such file"
    data = path.read_bytes()
    hits = needles.count(data)
    if hits:
        lines = _lines_holding(data, needles)
        shown = ", ".join(str(n) for n in lines[:_LINES_SHOWN])
        more = f" and {len(lines) - _LINES_SHOWN} more" if len(lines) > _LINES_SHOWN else ""
        return False, (
            f"{hits} occurrence(s) of the idea's private values or key in {path}"
            f" (line {shown}{more})"
        )
    return True, f"{len(data):,} bytes scanned, nothing found"


def _lines_holding(data: bytes, needles: Needles) -> list[int]:
    """The 1-based numbers of the lines of `data` where a needle starts."""
    found: list[int] = []
    line, counted_to, at = 1, 0, needles.first_in(data)
    while at >= 0:
        line += data.count(b"\n", counted_to, at)
        counted_to = at
        found.append(line)
        # go on from the next line: one entry per line
        end = data.find(b"\n", at)
        if end < 0:
            break
        line += 1
        counted_to = end + 1
        at = needles.first_in(data, end + 1)
    return found


def _event_bytes(record: RecordedEvent) -> bytes:
    """An event's payload and metadata as stored (JSON, UTF-8), for searching."""
    return (_dump(record.data) + "\n" + _dump(record.metadata)).encode("utf-8", "surrogatepass")


_dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _events_holding(store: EventStore, needles: Needles, page: int = 2000) -> int:
    """How many events of the whole log hold one of `needles`: one pass, a page at a time;
    a page without any hit (nearly all of them) is searched as one block."""
    if not needles:
        return 0
    leaked = 0
    batch: list[bytes] = []

    def flush() -> int:
        if not batch or not needles.found_in(b"\0".join(batch)):
            return 0
        return sum(1 for blob in batch if needles.found_in(blob))

    for record in iter_log(store):
        batch.append(_event_bytes(record))
        if len(batch) >= page:
            leaked += flush()
            batch.clear()
    return leaked + flush()


class ErasureVerifier:
    """Checks the places a forgotten idea could remain.

    Every place is searched as it is kept at rest: the events' stored payloads, the read
    model's stored values, the files' bytes. The other ideas' private values are sealed
    there, so a value of the forgotten idea that another idea shares ("Dark mode" inside
    "Dark mode everywhere") is not found in them; what is found is a value kept in clear."""

    def __init__(
        self,
        store: EventStore,
        keys: KeyStore,
        *,
        view_row: Callable[[str], bool],
        stored_view: Callable[[], Iterable[tuple[str, str]]],
        files: Callable[[], Sequence[tuple[str, Path]]] = lambda: (),
    ) -> None:
        """`view_row(stream_id)`: whether the read model still has a row for the stream;
        `stored_view()`: (stream id, stored text) of every read-model value as kept."""
        self.store = store
        self.keys = keys
        self._view_row = view_row
        self._stored_view = stored_view
        self._files = files

    def verify(
        self,
        stream_id: str,
        secrets: Secrets | None = None,
        *,
        exports: Sequence[Path] = (),
        logs: Sequence[Path] = (),
        extra: Sequence[tuple[str, Iterable[str]]] = (),
    ) -> ErasureReport:
        """Check every place; `exports` are export files, `logs` any text files (an access
        log, a shell history); `extra` adds (place name, lines) pairs, e.g. a log pane."""
        secrets = secrets or Secrets()
        report = ErasureReport(stream_id)
        add = report.findings.append
        texts = secrets.text_needles()
        needles = secrets.needles()
        short = len({t for t in secrets.texts if t} - set(secrets.searchable()))

        add(self._events(stream_id))
        leaked = _events_holding(self.store, texts)
        unsearched = (
            f" ({short} value(s) under {MIN_SEARCH_BYTES} bytes not searched for anywhere: "
            "they occur by chance)"
            if short
            else ""
        )
        add(
            Finding(
                "global log",
                leaked == 0,
                (
                    f"{leaked} event(s) elsewhere hold the values"
                    if leaked
                    else "no event of any stream holds the values"
                )
                + unsearched,
            )
        )

        snaps = self.store.snapshots(stream_id)
        add(
            Finding(
                "snapshots", not snaps, f"{len(snaps)} snapshot(s) kept" if snaps else "none kept"
            )
        )

        own = self._view_row(stream_id)
        hits = sum(1 for _, text in self._stored_view() if texts.found_in(_utf8(text)))
        add(
            Finding(
                "read model",
                not own and hits == 0,
                "a row remains" if own else f"{hits} row(s) hold the values" if hits else "no row",
            )
        )
        add(Finding("process manager", True, "keeps only a checkpoint: no private data"))

        destroyed = self.keys.is_destroyed(stream_id)
        has_key = self.keys.key_for(stream_id) is not None
        done = destroyed and not has_key
        text = "key destroyed" if done else "the key still exists"
        explain = getattr(self.keys, "destruction_detail", None)
        if done and callable(explain):
            done, what = explain(stream_id)  # the key store's own checks, and what it cannot
            text = f"key destroyed: {what}"
        add(Finding("key store", done, text))

        for place, path in self._files():
            clean, detail = _scan_file(path, needles)
            add(Finding(place, clean, detail))

        for path in exports:
            add(self._check_export(path, stream_id, needles))
        for path in logs:
            add(Finding(f"log {path.name}", *_scan_file(path, needles)))

        for place, lines in extra:
            hits = sum(1 for line in lines if needles.found_in(_utf8(line)))
            add(
                Finding(
                    place, hits == 0, f"{hits} line(s) hold the values" if hits else "nothing found"
                )
            )
        return report

    def _events(self, stream_id: str) -> Finding:
        info = self.store.stream_info(stream_id)
        if info is None:
            return Finding("events", False, "no such stream: nothing was forgotten here")
        if info.status is not StreamStatus.FORGOTTEN:
            return Finding("events", False, f"the stream is {info.status.value}, not forgotten")
        events = self.store.read_stream(stream_id)
        if len(events) != 1:
            return Finding("events", False, f"{len(events)} events remain besides the tombstone")
        return Finding("events", True, f"only the tombstone remains (v{events[0].version})")

    def _check_export(self, path: Path, stream_id: str, needles: Needles) -> Finding:
        place = f"export {path.name}"
        clean, detail = _scan_file(path, needles)
        if not clean or not path.exists():
            return Finding(place, clean, detail)
        key = self.keys.key_for(stream_id)
        readable = 0
        redacted = 0
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = record_from_dict(json.loads(line))
            except (ValueError, TypeError, RecursionError):
                continue
            if record.stream_id != stream_id or not is_sealed(record.data):
                continue
            aad = aad_for_event(record.stream_id, record.version, str(record.event_id))
            opened, problem = open_sealed(key, aad, record.data)
            if problem is None:
                readable += 1
            elif REDACTED in opened.values():
                redacted += 1
        if readable:
            return Finding(place, False, f"{readable} event(s) of the idea still decrypt")
        return Finding(place, True, f"{redacted} sealed event(s) of the idea, none readable")


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")
