"""Event versioning: a registry of event models by `(type, schema_version)`.

The rule: a new version must be constructible from the previous version; otherwise it is a new
event. The registry checks it when a version is registered, and builds the newest version from
stored payloads when they are read; stored payloads are never rewritten.
"""

from __future__ import annotations

from domain.core.versioning.compat import model_problems, upgrade_problems
from domain.core.versioning.errors import (
    DuplicateVersionError,
    EventDecodeError,
    EventUpgradeError,
    IncompatibleVersionError,
    InvalidEventModelError,
    ModelAlreadyRegisteredError,
    RegistrationError,
    UnknownEventTypeError,
    UnregisteredModelError,
    VersionGapError,
    VersioningError,
    VersionOrderError,
)
from domain.core.versioning.registry import Encoded, EventRegistry

__all__ = [
    "DuplicateVersionError",
    "Encoded",
    "EventDecodeError",
    "EventRegistry",
    "EventUpgradeError",
    "IncompatibleVersionError",
    "InvalidEventModelError",
    "ModelAlreadyRegisteredError",
    "RegistrationError",
    "UnknownEventTypeError",
    "UnregisteredModelError",
    "VersionGapError",
    "VersionOrderError",
    "VersioningError",
    "model_problems",
    "upgrade_problems",
]
