"""An HTTP "part" with no `include`: the API must refuse it, not skip it."""

from __future__ import annotations

PART = "routes, one day"
