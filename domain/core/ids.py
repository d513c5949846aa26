"""Random (version 4) UUIDs for event and correlation ids, built faster than `uuid.uuid4()`.

`uuid.uuid4()` reads 16 random bytes from `os.urandom` and sets the version and variant bits
through `UUID.__init__`, which checks its arguments and sets each slot through
`object.__setattr__`: about two thirds of its time. `new_uuid` sets the same bits on the
same 16 bytes and fills the two slots directly, so it gives the very UUID `uuid.uuid4()`
gives for the same bytes. While `uuid.uuid4` is not the standard library's own (a test or a
tool replaced it, e.g. to draw reproducible ids), that replacement is called instead, so the
ids are drawn exactly as before.
"""

from __future__ import annotations

import os
import uuid
from typing import Final

_STANDARD: Final = uuid.uuid4
_new = object.__new__
_SET_INT = uuid.UUID.__dict__["int"].__set__
_SET_SAFE = uuid.UUID.__dict__["is_safe"].__set__
_UNKNOWN: Final = uuid.SafeUUID.unknown
# The bits `UUID(bytes=..., version=4)` clears, then sets: the variant (RFC 4122) and the
# version.
_CLEAR: Final = ~((0xC000 << 48) | (0xF000 << 64))
_SET: Final = (0x8000 << 48) | (4 << 76)


def new_uuid() -> uuid.UUID:
    """What `uuid.uuid4()` returns (see the module's summary)."""
    if uuid.uuid4 is not _STANDARD:
        return uuid.uuid4()
    found: uuid.UUID = _new(uuid.UUID)
    _SET_INT(found, int.from_bytes(os.urandom(16)) & _CLEAR | _SET)
    _SET_SAFE(found, _UNKNOWN)
    return found


def new_uuid_text() -> str:
    """`str(uuid.uuid4())`, without building the UUID when `uuid.uuid4` is the standard
    library's (a correlation id is stored as its text)."""
    if uuid.uuid4 is not _STANDARD:
        return str(uuid.uuid4())
    digits = "%032x" % (int.from_bytes(os.urandom(16)) & _CLEAR | _SET)
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
