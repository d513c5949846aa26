"""Errors of the event-versioning registry. Each carries the facts, never just a string."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class VersioningError(Exception):
    """Base class of every versioning error."""


class RegistrationError(VersioningError, ValueError):
    """A model cannot be registered (bad type name or schema version, or a subclass below)."""


class VersionOrderError(RegistrationError):
    """Versions of a type must be registered in order 1, 2, 3... without gaps or repeats."""

    def __init__(self, event_type: str, version: int, expected: int, message: str) -> None:
        self.type = event_type
        self.version = version
        self.expected = expected
        super().__init__(message)


class DuplicateVersionError(VersionOrderError):
    """The version of this type is already registered."""

    def __init__(self, event_type: str, version: int, expected: int, existing: type) -> None:
        self.existing = existing
        super().__init__(
            event_type,
            version,
            expected,
            f"{event_type} v{version} is already registered (as {existing.__name__}); "
            f"the next version of {event_type} is v{expected}",
        )


class VersionGapError(VersionOrderError):
    """The version skips over one that is not registered yet."""

    def __init__(self, event_type: str, version: int, expected: int) -> None:
        super().__init__(
            event_type,
            version,
            expected,
            f"cannot register {event_type} v{version}: versions are registered in order, "
            f"and the next version of {event_type} is v{expected}",
        )


class ModelAlreadyRegisteredError(RegistrationError):
    """One model class stands for exactly one (type, schema version)."""

    def __init__(self, model: type, event_type: str, version: int) -> None:
        self.model = model
        self.type = event_type
        self.version = version
        super().__init__(f"{model.__name__} is already registered as {event_type} v{version}")


class InvalidEventModelError(RegistrationError):
    """The class cannot describe stored payloads (not frozen, extra fields allowed, aliases...)."""

    def __init__(
        self, model: object, event_type: str, version: int, reasons: Sequence[str]
    ) -> None:
        self.model = model
        self.type = event_type
        self.version = version
        self.reasons = tuple(reasons)
        name = getattr(model, "__name__", repr(model))
        super().__init__(
            f"{name} cannot be registered as {event_type} v{version}: " + "; ".join(self.reasons)
        )


class IncompatibleVersionError(RegistrationError):
    """The new version cannot be built from every payload of the previous one: per the
    versioning rule, it must be a new event type instead."""

    def __init__(
        self, event_type: str, from_version: int, to_version: int, reasons: Sequence[str]
    ) -> None:
        self.type = event_type
        self.from_version = from_version
        self.to_version = to_version
        self.reasons = tuple(reasons)
        super().__init__(
            f"{event_type} v{to_version} cannot be built from v{from_version} payloads "
            f"(make it a new event type instead): " + "; ".join(self.reasons)
        )


class UnknownEventTypeError(VersioningError, LookupError):
    """No model is registered for this type (or for this schema version of it)."""

    def __init__(self, event_type: object, version: int | None, known: Sequence[int] = ()) -> None:
        self.type = event_type
        self.version = version
        self.known_versions = tuple(known)
        if not self.known_versions:
            message = f"unknown event type {event_type!r}"
        else:
            message = (
                f"event type {event_type!r} has no schema version {version!r} "
                f"(registered: v1..v{self.known_versions[-1]})"
            )
        super().__init__(message)


class UnregisteredModelError(VersioningError, LookupError):
    """An instance of a class the registry does not know was given to encode."""

    def __init__(self, model: type) -> None:
        self.model = model
        super().__init__(f"{model.__module__}.{model.__qualname__} is not a registered event model")


class EventDecodeError(VersioningError, ValueError):
    """A stored payload is not valid for the model of its type and schema version."""

    def __init__(
        self, event_type: str, version: int, detail: str, errors: Sequence[Any] = ()
    ) -> None:
        self.type = event_type
        self.version = version
        self.detail = detail
        self.errors = tuple(errors)
        super().__init__(f"cannot decode {event_type} v{version}: {detail}")


class EventUpgradeError(EventDecodeError):
    """A stored payload was valid for its version, but building a later version from it failed
    (a validator of the later version refused it)."""

    def __init__(
        self,
        event_type: str,
        version: int,
        to_version: int,
        detail: str,
        errors: Sequence[Any] = (),
    ) -> None:
        self.to_version = to_version
        super().__init__(
            event_type, version, f"building v{to_version} from it failed: {detail}", errors
        )
