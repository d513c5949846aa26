"""The event registry: `(type, schema_version)` -> pydantic model, and the way between stored
payloads and event objects.

Stored payloads are never rewritten. Reading validates a payload with the model of the version
it was stored with, then builds each later version from the previous one, up to the newest:
callers always receive the newest model. Registering version n+1 first proves that it can be
built from every payload of version n (see `compat`), and fails loudly otherwise.

Reading is the hot path (rehydration decodes millions of events): a payload stored at the
newest version costs one dictionary lookup and one `model_validate`.
"""

from __future__ import annotations

import copy
import inspect
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel, ValidationError

from domain.core.records import JsonObject, NewEvent, RecordedEvent
from domain.core.validation import MAX_TYPE
from domain.core.versioning.compat import model_problems, shares_input, upgrade_problems
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
)

M = TypeVar("M", bound=type[BaseModel])

Validate = Callable[[Any], BaseModel]
_Upgrades = tuple[tuple[int, type[BaseModel]], ...]
"""The later versions to build, in order, as (version, model)."""


class Encoded(NamedTuple):
    """An event ready to store: its type, schema version and JSON payload."""

    type: str
    schema_version: int
    data: JsonObject


class EventRegistry:
    """Maps `(type, schema_version)` to pydantic models and decodes stored payloads into the
    newest version of their type.

    Every model must be frozen and forbid extra fields: an unknown key in a stored payload is
    an error, never silently dropped. Register versions in order, 1, 2, 3...::

        registry = EventRegistry()

        @registry.event("IdeaUpdated")
        class IdeaUpdatedV1(BaseModel): ...

        @registry.event("IdeaUpdated", version=2)
        class IdeaUpdated(BaseModel): ...
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._versions: dict[str, list[type[BaseModel]]] = {}
        self._keys: dict[type[BaseModel], tuple[str, int]] = {}
        # Replaced as a whole on registration, so readers never see a half-updated chain.
        self._readers: dict[tuple[str, int], tuple[Validate, _Upgrades]] = {}

    # -- registration ----------------------------------------------------------------------

    def register(self, model: M, *, type: str | None = None, schema_version: int = 1) -> M:
        """Register `model` as version `schema_version` of `type` (default: the class name)
        and return it unchanged, so it also works as a bare class decorator.

        Raises `VersionGapError` / `DuplicateVersionError` when versions come out of order,
        `InvalidEventModelError` when the class cannot describe payloads, and
        `IncompatibleVersionError` when it cannot be built from the previous version.
        """
        if not inspect.isclass(model):
            raise InvalidEventModelError(model, str(type), schema_version, ["not a class"])
        event_type = model.__name__ if type is None else type
        if not isinstance(event_type, str) or not 0 < len(event_type) <= MAX_TYPE:
            raise RegistrationError(
                f"an event type must be a string of 1..{MAX_TYPE} characters, got {event_type!r}"
            )
        if isinstance(schema_version, bool) or not isinstance(schema_version, int):
            raise RegistrationError(f"a schema version is an int, got {schema_version!r}")
        with self._lock:
            self._check_order(model, event_type, schema_version)
            problems = model_problems(model)
            if problems:
                raise InvalidEventModelError(model, event_type, schema_version, problems)
            versions = self._versions.get(event_type, [])
            if versions:
                problems = upgrade_problems(versions[-1], model)
                if problems:
                    raise IncompatibleVersionError(
                        event_type, schema_version - 1, schema_version, problems
                    )
            self._versions[event_type] = [*versions, model]
            self._keys[model] = (event_type, schema_version)
            self._readers = {**self._readers, **self._chains(event_type)}
        return model

    def event(self, type: str | None = None, *, version: int = 1) -> Callable[[M], M]:
        """Class decorator form of `register`: `@registry.event("IdeaUpdated", version=2)`."""

        def decorate(model: M) -> M:
            return self.register(model, type=type, schema_version=version)

        return decorate

    def _check_order(self, model: type[BaseModel], event_type: str, version: int) -> None:
        known = self._keys.get(model)
        if known is not None:
            raise ModelAlreadyRegisteredError(model, *known)
        versions = self._versions.get(event_type, [])
        expected = len(versions) + 1
        if 1 <= version < expected:
            raise DuplicateVersionError(event_type, version, expected, versions[version - 1])
        if version != expected:
            raise VersionGapError(event_type, version, expected)

    def _chains(self, event_type: str) -> dict[tuple[str, int], tuple[Validate, _Upgrades]]:
        models = self._versions[event_type]
        numbered = tuple(enumerate(models, start=1))
        return {
            (event_type, version): (_validator(model), numbered[version:])
            for version, model in numbered
        }

    # -- lookups ---------------------------------------------------------------------------

    def types(self) -> tuple[str, ...]:
        """The registered event types, in registration order."""
        return tuple(self._versions)

    def latest_version(self, type: str) -> int:
        """The newest schema version of `type`."""
        return len(self._models_of(type))

    def model(self, type: str, version: int | None = None) -> type[BaseModel]:
        """The model of `type` at `version` (default: the newest)."""
        models = self._models_of(type)
        if version is None:
            return models[-1]
        valid = isinstance(version, int) and not isinstance(version, bool)
        if not valid or not 1 <= version <= len(models):
            raise UnknownEventTypeError(type, version, range(1, len(models) + 1))
        return models[version - 1]

    def key_of(self, model: type[BaseModel] | BaseModel) -> tuple[str, int]:
        """The (type, schema version) a model class (or an instance of it) is registered as."""
        cls = model if isinstance(model, type) else model.__class__
        key = self._keys.get(cls)
        if key is None:
            raise UnregisteredModelError(cls)
        return key

    def _models_of(self, event_type: str) -> list[type[BaseModel]]:
        models = self._versions.get(event_type)
        if models is None:
            raise UnknownEventTypeError(event_type, None)
        return models

    # -- reading and writing ---------------------------------------------------------------

    def decode(self, type: str, schema_version: int, data: Mapping[str, Any]) -> BaseModel:
        """Validate a stored payload with the model of its version and return the newest
        version built from it. `data` is only read, never changed.

        Raises `UnknownEventTypeError` for an unregistered type or version, `EventDecodeError`
        when the payload is not valid for its version.
        """
        reader = self._readers.get((type, schema_version))
        if reader is None:
            raise self._unknown(type, schema_version)
        validate, upgrades = reader
        try:
            event = validate(data)
        except ValidationError as exc:
            raise EventDecodeError(type, schema_version, *_explain(exc)) from exc
        if upgrades:
            return _upgrade(type, schema_version, event, upgrades)
        return event

    def from_recorded(self, record: RecordedEvent) -> BaseModel:
        """Decode a stored event into the newest version of its type."""
        return self.decode(record.type, record.schema_version, record.data)

    def encode(self, event: BaseModel) -> Encoded:
        """The type, schema version and JSON payload to store for `event`."""
        event_type, version = self.key_of(event)
        return Encoded(event_type, version, event.model_dump(mode="json"))

    def to_new_event(
        self,
        event: BaseModel,
        *,
        metadata: JsonObject | None = None,
        event_id: uuid.UUID | None = None,
    ) -> NewEvent:
        """A `NewEvent` to append for `event` (a fresh event id unless one is given)."""
        event_type, version, data = self.encode(event)
        return NewEvent(
            type=event_type,
            data=data,
            schema_version=version,
            metadata=dict(metadata) if metadata else {},
            event_id=event_id if event_id is not None else uuid.uuid4(),
        )

    def _unknown(self, event_type: object, version: object) -> UnknownEventTypeError:
        models = self._versions.get(event_type) if isinstance(event_type, str) else None
        known = range(1, len(models) + 1) if models else range(0)
        return UnknownEventTypeError(event_type, version, known)  # type: ignore[arg-type]


def _validator(model: type[BaseModel]) -> Validate:
    """The model's own `model_validate`, or, when the model may keep references into its
    input (an `Any` field), one that validates a deep copy so decoded events never share
    mutable parts with stored payloads."""
    if not shares_input(model):
        return model.model_validate

    def validate_copy(data: Any) -> BaseModel:
        return model.model_validate(copy.deepcopy(data))

    return validate_copy


def _upgrade(event_type: str, version: int, event: BaseModel, upgrades: _Upgrades) -> BaseModel:
    """Build each later version from the previous one: v -> v+1 -> ... -> newest."""
    for target_version, target in upgrades:
        try:
            event = target.model_validate(event.model_dump())
        except ValidationError as exc:
            raise EventUpgradeError(event_type, version, target_version, *_explain(exc)) from exc
    return event


def _explain(exc: ValidationError) -> tuple[str, list[Any]]:
    """Pydantic's message and errors without the input values: a payload may hold private
    data, and error messages end up in logs."""
    errors = exc.errors(include_url=False, include_input=False)
    lines = [f"{exc.error_count()} validation error(s) for {exc.title}"]
    for error in errors:
        where = ".".join(str(part) for part in error["loc"]) or "(payload)"
        lines.append(f"{where}: {error['msg']} [type={error['type']}]")
    return "\n".join(lines), list(errors)
