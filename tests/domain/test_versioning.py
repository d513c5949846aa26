"""Event versioning: a new version must be constructible from the previous one, stored
payloads are never rewritten, and reading always yields the newest version."""

import copy
import enum
import json
import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, RootModel, computed_field, field_validator
from pydantic import create_model as pydantic_model

from domain.backends.memory.store import MemoryEventStore
from domain.core.records import NO_STREAM
from domain.core.versioning import (
    DuplicateVersionError,
    EventDecodeError,
    EventRegistry,
    EventUpgradeError,
    IncompatibleVersionError,
    InvalidEventModelError,
    ModelAlreadyRegisteredError,
    UnknownEventTypeError,
    UnregisteredModelError,
    VersionGapError,
    VersioningError,
)


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Color(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


Shade = enum.StrEnum("Shade", {"RED": "red"})


def model(name: str, **fields: Any) -> type[BaseModel]:
    """An event model; a field is `annotation` (required) or `(annotation, default)`."""
    specs = {k: v if isinstance(v, tuple) else (v, ...) for k, v in fields.items()}
    return pydantic_model(name, __base__=Event, **specs)


def registry_with(*versions: type[BaseModel], event_type: str = "Thing") -> EventRegistry:
    registry = EventRegistry()
    for number, cls in enumerate(versions, start=1):
        registry.register(cls, type=event_type, schema_version=number)
    return registry


class WithComputed(Event):
    a: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def doubled(self) -> int:
        return self.a * 2


Address1 = model("Address1", city=str, zip=int)
Address2 = model("Address2", city=str, zip=int | str, country=(str, "FR"))
AddressNarrow = model("AddressNarrow", city=str, zip=str)


# -- compatible versions read old payloads --------------------------------------------------


def test_v2_with_an_added_default_field_and_a_widened_type_reads_v1_payloads() -> None:
    # given a v1 event and a v2 that widens `votes` and adds fields with defaults
    v1 = model("IdeaRatedV1", idea_id=str, votes=int)
    v2 = model(
        "IdeaRated",
        idea_id=str,
        votes=float | None,
        tags=(list[str], []),
        source=(Literal["ui", "cli"], "ui"),
    )
    registry = registry_with(v1, v2, event_type="IdeaRated")

    # when a payload stored as v1 is read
    event = registry.decode("IdeaRated", 1, {"idea_id": "idea-1", "votes": 3})

    # then the newest version comes back, with the new fields at their defaults
    assert type(event) is v2
    assert event.model_dump() == {"idea_id": "idea-1", "votes": 3.0, "tags": [], "source": "ui"}
    assert isinstance(event.votes, float)  # type: ignore[attr-defined]
    assert registry.latest_version("IdeaRated") == 2


@pytest.mark.parametrize(
    ("old", "new", "value"),
    [
        (int, float, 7),
        (int, int | str, 7),
        (str, str | None, "x"),
        (Literal["a"], Literal["a", "b"], "a"),
        (Literal["a", "b"], str, "b"),
        (Literal[1, 2], float, 2),
        (list[int], list[float], [1, 2]),
        (dict[str, int], dict[str, float], {"k": 1}),
        (set[int], set[float] | None, [1]),
        (tuple[int, int], tuple[float, ...], [1, 2]),
        (Annotated[int, Field(ge=5)], Annotated[int, Field(ge=0)], 6),
        (Annotated[int, Field(gt=0)], Annotated[int, Field(ge=0)], 1),
        (Annotated[str, Field(max_length=3)], str, "abc"),
        (Annotated[list[int], Field(min_length=2)], Annotated[list, Field(min_length=1)], [1, 2]),
        (Color, Color | None, "red"),
        (Literal[Color.RED], Color, "red"),
        (Address1, Address2, {"city": "Lyon", "zip": 69000}),
        (list[Address1], list[Address2] | None, [{"city": "Lyon", "zip": 69000}]),
        (int, Any, 7),
    ],
    ids=repr,
)
def test_a_widened_field_type_is_accepted_and_reads_old_payloads(
    old: Any, new: Any, value: Any
) -> None:
    # given v1 with a field of the old type and v2 with the new type
    registry = registry_with(model("ThingV1", x=old), model("ThingV2", x=new))

    # when a v1 payload is read
    event = registry.decode("Thing", 1, {"x": value})

    # then it is the v2 a direct v2 read of the same payload gives
    v2 = registry.model("Thing")
    assert type(event) is v2
    assert event == v2.model_validate({"x": value})


# -- incompatible versions are refused at registration --------------------------------------

INCOMPATIBLE = [
    ("removed", {"a": str, "b": int}, {"a": str}, "b"),
    ("renamed", {"a": str, "b": int}, {"a": str, "c": int}, "b"),
    ("added required", {"a": str}, {"a": str, "c": int}, "c"),
    ("float to int", {"a": float}, {"a": int}, "a"),
    ("int to str", {"a": int}, {"a": str}, "a"),
    ("int to bool", {"a": int}, {"a": bool}, "a"),
    ("str to Literal", {"a": str}, {"a": Literal["x", "y"]}, "a"),
    ("Literal shrunk", {"a": Literal["x", "y"]}, {"a": Literal["x"]}, "a"),
    ("optional to required", {"a": int | None}, {"a": int}, "a"),
    ("list items narrowed", {"a": list[float]}, {"a": list[int]}, "a"),
    ("dict values narrowed", {"a": dict[str, float]}, {"a": dict[str, int]}, "a"),
    ("list to tuple", {"a": list[int]}, {"a": tuple[int, ...]}, "a"),
    ("variadic to fixed tuple", {"a": tuple[int, ...]}, {"a": tuple[int, int]}, "a"),
    ("Any to int", {"a": Any}, {"a": int}, "a"),
    ("other enum", {"a": Color}, {"a": Shade}, "a"),
    (
        "constraint tightened",
        {"a": Annotated[str, Field(max_length=9)]},
        {"a": Annotated[str, Field(max_length=5)]},
        "a",
    ),
    ("constraint added", {"a": int}, {"a": Annotated[int, Field(ge=0)]}, "a"),
    ("pattern added", {"a": str}, {"a": Annotated[str, Field(pattern="^x")]}, "a"),
    ("nested model narrowed", {"a": Address1}, {"a": AddressNarrow}, "a.zip"),
    ("nested field removed", {"a": Address2}, {"a": Address1}, "a.country"),
    ("unknown generic", {"a": Sequence[int]}, {"a": Sequence[float]}, "a"),
]


@pytest.mark.parametrize(
    ("old", "new", "field"), [c[1:] for c in INCOMPATIBLE], ids=[c[0] for c in INCOMPATIBLE]
)
def test_an_incompatible_version_is_refused_at_registration_naming_the_field(
    old: dict[str, Any], new: dict[str, Any], field: str
) -> None:
    # given a registered v1
    registry = registry_with(model("ThingV1", **old))

    # when a v2 that cannot be built from v1 payloads is registered
    v2 = model("ThingV2", **new)
    with pytest.raises(IncompatibleVersionError) as refused:
        registry.register(v2, type="Thing", schema_version=2)

    # then it is refused with the facts, the field is named, and nothing was registered
    error = refused.value
    assert isinstance(error, VersioningError)
    assert (error.type, error.from_version, error.to_version) == ("Thing", 1, 2)
    assert any(f"'{field}'" in reason for reason in error.reasons), error.reasons
    assert f"'{field}'" in str(error)
    assert registry.latest_version("Thing") == 1
    with pytest.raises(UnregisteredModelError):
        registry.key_of(v2)


def test_each_version_is_checked_against_the_one_before_it() -> None:
    # given v1 -> v2 (adds `b` with a default)
    registry = registry_with(model("V1", a=int), model("V2", a=int, b=(int, 0)))

    # when v3 drops `b`, which v1 never had, then it is still refused: v3 follows v2
    with pytest.raises(IncompatibleVersionError, match="'b'"):
        registry.register(model("V3", a=int), type="Thing", schema_version=3)


@pytest.mark.parametrize(
    ("cls", "complaint"),
    [
        (pydantic_model("Loose", a=(int, ...)), "frozen"),
        (pydantic_model("Open", __config__=ConfigDict(frozen=True), a=(int, ...)), "extra"),
        (model("Aliased", a=Annotated[int, Field(alias="A")]), "alias"),
        (model("Hidden", a=Annotated[int, Field(exclude=True)]), "excluded"),
        (model("Nests", home=pydantic_model("Home", city=(str, ...))), "nested model Home"),
        (RootModel[list[int]], "root model"),
        (WithComputed, "computed field 'doubled' would be written into payloads"),
        (dict, "not a pydantic model"),
    ],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_a_model_that_cannot_describe_stored_payloads_is_refused(cls: Any, complaint: str) -> None:
    registry = EventRegistry()

    with pytest.raises(InvalidEventModelError, match=complaint) as refused:
        registry.register(cls, type="Thing")

    assert refused.value.reasons
    assert registry.types() == ()


# -- registration order ----------------------------------------------------------------------


def test_versions_must_be_registered_in_order_without_gaps() -> None:
    registry = EventRegistry()

    with pytest.raises(VersionGapError) as gap:
        registry.register(model("V2", a=int), type="Thing", schema_version=2)
    assert (gap.value.type, gap.value.version, gap.value.expected) == ("Thing", 2, 1)

    registry.register(model("V1", a=int), type="Thing", schema_version=1)
    with pytest.raises(VersionGapError, match="next version of Thing is v2"):
        registry.register(model("V3", a=int), type="Thing", schema_version=3)
    with pytest.raises(VersionGapError):
        registry.register(model("V0", a=int), type="Thing", schema_version=0)


def test_a_version_or_a_class_cannot_be_registered_twice() -> None:
    first = model("V1", a=int)
    registry = registry_with(first)

    with pytest.raises(DuplicateVersionError) as duplicate:
        registry.register(model("Other", a=int), type="Thing", schema_version=1)
    with pytest.raises(ModelAlreadyRegisteredError, match="Thing v1"):
        registry.register(first, type="Elsewhere")

    assert duplicate.value.existing is first
    assert registry.types() == ("Thing",)
    assert registry.model("Thing", 1) is first


def test_the_decorator_form_registers_by_name_and_version() -> None:
    registry = EventRegistry()

    @registry.event("IdeaUpdated")
    class IdeaUpdatedV1(Event):
        title: str

    @registry.event("IdeaUpdated", version=2)
    class IdeaUpdated(Event):
        title: str | None
        description: str | None = None

    @registry.register
    class IdeaDeleted(Event):
        idea_id: str

    assert registry.types() == ("IdeaUpdated", "IdeaDeleted")
    assert registry.model("IdeaUpdated") is IdeaUpdated
    assert registry.model("IdeaUpdated", 1) is IdeaUpdatedV1
    assert registry.key_of(IdeaDeleted) == ("IdeaDeleted", 1)
    assert registry.decode("IdeaUpdated", 1, {"title": "t"}) == IdeaUpdated(title="t")


# -- decoding errors -------------------------------------------------------------------------


def test_decoding_an_unknown_type_or_version_names_them() -> None:
    registry = registry_with(model("V1", a=int), model("V2", a=float))

    with pytest.raises(UnknownEventTypeError) as unknown_type:
        registry.decode("Nope", 1, {"a": 1})
    with pytest.raises(UnknownEventTypeError, match=r"v1\.\.v2") as unknown_version:
        registry.decode("Thing", 3, {"a": 1})

    assert (unknown_type.value.type, unknown_type.value.version) == ("Nope", 1)
    assert (unknown_version.value.type, unknown_version.value.version) == ("Thing", 3)
    for lookup in (lambda: registry.latest_version("Nope"), lambda: registry.model("Thing", 0)):
        with pytest.raises(UnknownEventTypeError):
            lookup()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "t", "votes": "many"}, "votes"),
        ({"title": "t"}, "votes"),
        ({"title": "t", "votes": 1, "stray": True}, "stray"),
        (["not", "an", "object"], "payload"),
    ],
)
def test_a_corrupt_payload_raises_a_decode_error_with_the_facts(payload: Any, field: str) -> None:
    registry = registry_with(model("V1", title=str, votes=int))

    with pytest.raises(EventDecodeError) as failed:
        registry.decode("Thing", 1, payload)

    error = failed.value
    assert isinstance(error, VersioningError)
    assert (error.type, error.version) == ("Thing", 1)
    assert field in error.detail
    assert error.errors
    assert "many" not in str(error)  # stored values (maybe private) stay out of messages


def test_the_newest_validators_run_once_and_their_refusal_is_an_upgrade_error() -> None:
    # given a v2 whose validator refuses what v1 allowed (the static check cannot see code)
    checked: list[int] = []

    class V2(Event):
        votes: int

        @field_validator("votes")
        @classmethod
        def positive(cls, value: int) -> int:
            checked.append(value)
            if value < 0:
                raise ValueError("votes cannot be negative")
            return value

    registry = registry_with(model("V1", votes=int), V2)

    # when payloads of both versions are read, then v2 validates each once (the newest is
    # read with one validation, nothing else), and a v1 payload that v2 refuses is reported
    registry.decode("Thing", 2, {"votes": 2})
    registry.decode("Thing", 1, {"votes": 1})
    assert checked == [2, 1]
    with pytest.raises(EventUpgradeError, match="negative") as failed:
        registry.decode("Thing", 1, {"votes": -1})
    assert (failed.value.version, failed.value.to_version) == (1, 2)


# -- stored payloads are never rewritten -----------------------------------------------------


def test_reading_never_changes_or_shares_the_given_payload() -> None:
    # given payloads with free-form parts, stored at the old and at the newest version
    registry = registry_with(
        model("V1", tags=list[int], extra=dict[str, Any]),
        model("V2", tags=list[float], extra=dict[str, Any], note=(str | None, None)),
    )
    payloads = [
        (1, {"tags": [1, 2], "extra": {"nested": [1, {"deep": True}]}}),
        (2, {"tags": [1.5], "extra": {"nested": [2]}, "note": None}),
    ]
    before = copy.deepcopy(payloads)

    # when they are read and a reader changes what it got
    for version, payload in payloads:
        event = registry.decode("Thing", version, payload)
        event.extra["nested"].append("changed by a reader")  # type: ignore[attr-defined]

    # then the payloads are as they were
    assert payloads == before


def test_events_stored_as_v1_keep_their_bytes_and_version_after_v2_reads_them() -> None:
    # given v1 events appended to a real store
    v1 = model("IdeaPublishedV1", title=str, votes=int)
    registry = registry_with(v1, event_type="IdeaPublished")
    store = MemoryEventStore()
    ids = [uuid.uuid4() for _ in range(3)]
    new = [
        registry.to_new_event(v1(title=f"idea {n}", votes=n), metadata={"n": n}, event_id=ids[n])
        for n in range(3)
    ]
    recorded = store.append("idea-1", new, NO_STREAM)
    assert (recorded[1].event_id, recorded[1].metadata) == (ids[1], {"n": 1})

    def stored() -> list[tuple[int, str]]:
        return [(r.schema_version, json.dumps(r.data, sort_keys=True)) for r in store.read_all()]

    before = stored()

    # when v2 is registered and the events are read through the registry
    v2 = model("IdeaPublished", title=str, votes=float, language=(str, "en"))
    registry.register(v2, type="IdeaPublished", schema_version=2)
    read = [registry.from_recorded(r) for r in store.read_stream("idea-1")]

    # then the reader gets v2 events, and the store still holds the v1 bytes at version 1
    assert [type(e) for e in read] == [v2, v2, v2]
    assert [e.model_dump() for e in read][2] == {"title": "idea 2", "votes": 2.0, "language": "en"}
    assert stored() == before
    assert {version for version, _ in before} == {1}


# -- encoding --------------------------------------------------------------------------------


def test_encode_gives_the_registered_type_version_and_a_json_payload() -> None:
    v1 = model("V1", when=str)
    v2 = model("V2", when=str, tags=(frozenset[str], frozenset()))
    registry = registry_with(v1, v2)

    encoded = registry.encode(v2(when="now", tags=frozenset({"b"})))

    assert encoded == ("Thing", 2, {"when": "now", "tags": ["b"]})
    assert json.loads(json.dumps(encoded.data)) == encoded.data
    assert registry.encode(v1(when="then")).schema_version == 1  # an old writer's event
    with pytest.raises(UnregisteredModelError):
        registry.encode(model("Stranger", a=int)(a=1))


# -- round trip ------------------------------------------------------------------------------


Place = model("Place", city=str, zip=int | str)
Newest = model(
    "Newest",
    title=str,
    votes=float,
    tags=(list[str], []),
    status=(Literal["draft", "published"], "draft"),
    color=(Color | None, None),
    place=(Place | None, None),
    counts=(dict[str, int], {}),
)
ROUND_TRIP = registry_with(model("NewestV1", title=str, votes=int), Newest)

json_text = st.text(max_size=20)
newest_payloads = st.fixed_dictionaries(
    {
        "title": json_text,
        "votes": st.floats(allow_nan=False, allow_infinity=False),
        "tags": st.lists(json_text, max_size=4),
        "status": st.sampled_from(["draft", "published"]),
        "color": st.none() | st.sampled_from([c.value for c in Color]),
        "place": st.none()
        | st.fixed_dictionaries({"city": json_text, "zip": st.integers() | json_text}),
        "counts": st.dictionaries(json_text, st.integers(), max_size=3),
    }
)


@given(newest_payloads)
def test_a_newest_payload_decodes_and_encodes_to_the_same_bytes(payload: dict[str, Any]) -> None:
    stored = json.loads(json.dumps(payload))

    encoded = ROUND_TRIP.encode(ROUND_TRIP.decode("Thing", 2, stored))

    assert encoded.schema_version == 2
    assert json.dumps(encoded.data, sort_keys=True) == json.dumps(payload, sort_keys=True)


@given(title=json_text, votes=st.integers(min_value=-(2**53), max_value=2**53))
def test_an_old_payload_reads_as_the_newest_and_then_round_trips(title: str, votes: int) -> None:
    newest = ROUND_TRIP.decode("Thing", 1, {"title": title, "votes": votes})

    encoded = ROUND_TRIP.encode(newest)

    assert newest.votes == votes  # type: ignore[attr-defined]
    assert ROUND_TRIP.decode("Thing", 2, encoded.data) == newest
