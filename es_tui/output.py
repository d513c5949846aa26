"""The JSON shapes the scripting CLI prints and the HTTP API answers with, shared by both
without either importing the other."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from domain.bootstrap import System
from domain.core.records import RecordedEvent, StreamInfo
from domain.core.transfer import record_to_dict


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def emit(obj: Any) -> None:
    """Print one JSON object on one line of stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=_json_default) + "\n")


def emit_lines(objs: Iterable[Any]) -> None:
    """Print each object as one JSON line."""
    for obj in objs:
        emit(obj)


def event_json(system: System, record: RecordedEvent) -> dict[str, Any]:
    """A stored event as JSON, its private fields opened (or shown as redaction markers) by
    the system's domain; in raw mode the data as stored. Exports stay sealed; this is for
    reading."""
    if system.codec is not None:
        data = system.codec.open(record)
    elif system.handler is not None:
        data = system.handler.codec.open(record)
    else:
        data = record.data
    return {**record_to_dict(record), "data": data}


def stream_json(info: StreamInfo) -> dict[str, Any]:
    """One stream as a JSON object."""
    return {
        "stream_id": info.stream_id,
        "version": info.version,
        "event_count": info.event_count,
        "status": info.status.value,
        "last_position": info.last_position,
        "updated_at": info.updated_at.isoformat(),
    }
