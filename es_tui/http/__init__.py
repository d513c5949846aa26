"""The HTTP API: `create_api(system)` builds it; `server` runs it headless or inside the
explorer's event loop."""

from __future__ import annotations

from es_tui.http.app import create_api

__all__ = ["create_api"]
