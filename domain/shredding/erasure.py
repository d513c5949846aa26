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

from domain.shredding.cipher import REDACTED, aad_for_event, is_sealed, open_sealed
from domain.shredding.keystore import KeyStore
from domain.store.protocol import EventStore
from domain.store.records import StreamStatus
from domain.transfer import iter_log, record_from_dict


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


MIN_SEARCH_BYTES = 8
"""Shorter values are not looked for: they occur by chance (in the file's schema, in event
type names, in base64 ciphertext), so a hit would prove nothing and cry wolf."""


@dataclass(frozen=True, slots=True)
class Secrets:
    """What to look for: the idea's private values (every version of them) and its key."""

    texts: tuple[str, ...] = ()
    key: bytes | None = None

    def searchable(self) -> list[str]:
        """The texts long enough for a hit to mean something (see MIN_SEARCH_BYTES)."""
        return [t for t in self.texts if len(t.encode("utf-8")) >= MIN_SEARCH_BYTES]

    def needles(self) -> list[bytes]:
        """The byte strings to look for in files: the searchable texts and the key."""
        out = [t.encode("utf-8") for t in self.searchable()]
        if self.key:
            out.append(self.key)
        return out


def _scan_file(path: Path, needles: Sequence[bytes]) -> tuple[bool, str]:
    if not path.exists():
        return True, "no such file"
    data = path.read_bytes()
    hits = sum(data.count(n) for n in needles)
    if hits:
        return False, f"{hits} occurrence(s) of the idea's private values or key in {path.name}"
    return True, f"{len(data):,} bytes scanned, nothing found"


def _texts_in(values: Iterable[str], needles: Sequence[str]) -> int:
    return sum(1 for v in values for n in needles if n and n in v)


class ErasureVerifier:
    """Checks the places a forgotten idea could remain."""

    def __init__(
        self,
        store: EventStore,
        keys: KeyStore,
        *,
        view_rows: Callable[[], Iterable[tuple[str, str]]],
        files: Callable[[], Sequence[tuple[str, Path]]] = lambda: (),
    ) -> None:
        self.store = store
        self.keys = keys
        self._view_rows = view_rows
        self._files = files

    def verify(
        self,
        stream_id: str,
        secrets: Secrets | None = None,
        *,
        exports: Sequence[Path] = (),
        extra: Sequence[tuple[str, Iterable[str]]] = (),
    ) -> ErasureReport:
        """Check every place; `extra` adds (place name, lines) pairs, e.g. a log pane."""
        secrets = secrets or Secrets()
        report = ErasureReport(stream_id)
        add = report.findings.append
        texts = secrets.searchable()
        needles = secrets.needles()
        short = len({t for t in secrets.texts if t} - set(texts))

        info = self.store.stream_info(stream_id)
        events = self.store.read_stream(stream_id)
        if info is None:
            add(Finding("events", False, "no such stream: nothing was forgotten here"))
        elif info.status is not StreamStatus.FORGOTTEN:
            add(Finding("events", False, f"the stream is {info.status.value}, not forgotten"))
        elif len(events) != 1:
            add(Finding("events", False, f"{len(events)} events remain besides the tombstone"))
        else:
            add(Finding("events", True, f"only the tombstone remains (v{events[0].version})"))
        leaked = 0
        for record in iter_log(self.store):
            blob = json.dumps(record.data, ensure_ascii=False) + json.dumps(record.metadata)
            leaked += _texts_in([blob], texts)
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

        rows = list(self._view_rows())
        own = [r for r in rows if r[0] == stream_id]
        hits = _texts_in((r[1] for r in rows), texts)
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

        for place, lines in extra:
            hits = _texts_in(lines, texts)
            add(
                Finding(
                    place, hits == 0, f"{hits} line(s) hold the values" if hits else "nothing found"
                )
            )
        return report

    def _check_export(self, path: Path, stream_id: str, needles: Sequence[bytes]) -> Finding:
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
            except (ValueError, TypeError):
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
