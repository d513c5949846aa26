"""Can version n+1 of an event be built from every payload of version n?

The check is static: it compares the two models field by field and type by type. A field's new
type must accept every value its old type accepted — the same type or a wider one (int ->
float, T -> T | None, a Literal -> a larger Literal or its base type, list[int] ->
list[float], a nested model -> a compatible model, looser constraints). Anything the check
cannot prove (an unknown generic, an unknown constraint, a changed discriminator) is refused
with a reason: a false "compatible" would surface years later, when old events stop reading.

Validators are code and are not inspected: a validator of the new version that refuses old
values breaks the promise, and the registry then reports it when such a payload is read.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any, Literal, get_args, get_origin

import annotated_types as at
from pydantic import BaseModel, RootModel
from pydantic.fields import FieldInfo

# Widening between distinct scalar types. bool -> int is left out on purpose: it would turn
# True into 1, which is a different fact.
_WIDENINGS: tuple[tuple[object, object], ...] = ((int, float),)
_SIZED = (list, set, frozenset)
_COPYING = (list, tuple, set, frozenset, dict)
_UNIONS = (typing.Union, types.UnionType)


def show(annotation: object) -> str:
    """A short, readable name for a type annotation."""
    if annotation is type(None):
        return "None"
    if isinstance(annotation, type) and get_origin(annotation) is None:
        return annotation.__name__
    return repr(annotation).replace("typing.", "")


# -- the shape every event model must have ----------------------------------------------------


def model_problems(model: object) -> list[str]:
    """Why `model` cannot describe stored payloads; empty when it can."""
    if not isinstance(model, type) or not issubclass(model, BaseModel):
        return [f"{model!r} is not a pydantic model class"]
    return _shape_problems(model, "", set())


def _shape_problems(model: type[BaseModel], where: str, seen: set[type[BaseModel]]) -> list[str]:
    seen.add(model)
    prefix = f"nested model {model.__name__} ({where}): " if where else ""
    if issubclass(model, RootModel):
        return [f"{prefix}a root model is not an object; an event payload is a JSON object"]
    if not model.__pydantic_complete__:
        return [f"{prefix}has unresolved annotations; define them or call model_rebuild()"]
    problems: list[str] = []
    config = model.model_config
    if config.get("frozen") is not True:
        problems.append(
            f"{prefix}must be frozen (model_config frozen=True): an event is an immutable fact"
        )
    if config.get("extra") != "forbid":
        problems.append(
            f"{prefix}must forbid extra fields (extra='forbid'): otherwise unknown keys in a "
            "payload are silently dropped or kept without a type"
        )
    for name, field in model.model_fields.items():
        if field.alias or field.validation_alias or field.serialization_alias:
            problems.append(
                f"{prefix}field {name!r} has an alias; payload keys must be the field names"
            )
        if field.exclude:
            problems.append(f"{prefix}field {name!r} is excluded from dumps and would be lost")
        for nested in _models_in(field.annotation):
            if nested not in seen:
                path = f"{where}.{name}" if where else name
                problems += _shape_problems(nested, path, seen)
    for name in model.model_computed_fields:
        problems.append(
            f"{prefix}computed field {name!r} would be written into payloads and then refused "
            "as an extra key when they are read"
        )
    return problems


def _models_in(annotation: object) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in get_args(annotation):
        yield from _models_in(arg)


def shares_input(model: type[BaseModel]) -> bool:
    """True when validating `model` may keep references to parts of the input (an `Any`, a bare
    container or an unknown generic), so a caller must copy the input to keep it private."""
    return _shares(model, set())


def _shares(annotation: object, seen: set[type[BaseModel]]) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return False
        seen.add(annotation)
        return any(_shares(f.annotation, seen) for f in annotation.model_fields.values())
    if annotation is Any or annotation is object or annotation in _COPYING:
        return True
    origin = get_origin(annotation)
    if origin is None or origin is Literal:
        return False
    if origin is typing.Annotated:
        return _shares(get_args(annotation)[0], seen)
    if origin not in _COPYING and origin not in _UNIONS:
        return True
    return any(_shares(arg, seen) for arg in get_args(annotation) if arg is not Ellipsis)


# -- compatibility ------------------------------------------------------------------------------


def upgrade_problems(old: type[BaseModel], new: type[BaseModel]) -> list[str]:
    """Why `new` cannot be built from every validated instance of `old`; empty when it can."""
    return _Checker().fields(old, new, "")


class _Checker:
    """One compatibility check. `active` holds the model pairs being compared right now, so a
    recursive model is assumed compatible with itself while its own check is in progress."""

    def __init__(self) -> None:
        self.active: set[tuple[type[BaseModel], type[BaseModel]]] = set()

    def fields(self, old: type[BaseModel], new: type[BaseModel], path: str) -> list[str]:
        if (old, new) in self.active:
            return []
        self.active.add((old, new))
        try:
            return self._fields(old, new, path)
        finally:
            self.active.discard((old, new))

    def _fields(self, old: type[BaseModel], new: type[BaseModel], path: str) -> list[str]:
        problems: list[str] = []
        for name, old_field in old.model_fields.items():
            where = path + name
            new_field = new.model_fields.get(name)
            if new_field is None:
                problems.append(
                    f"{_field(where)} was removed or renamed (a new version keeps every field)"
                )
                continue
            if old_field.discriminator != new_field.discriminator:
                problems.append(f"{_field(where)}: its union discriminator changed")
                continue
            problems += self.accepts(_annotated(new_field), _annotated(old_field), where)
        for name, new_field in new.model_fields.items():
            if name not in old.model_fields and new_field.is_required():
                problems.append(
                    f"field {path + name!r} is new and required (payloads of the previous "
                    "version do not carry it, so it needs a default)"
                )
        return problems

    def accepts(self, new: object, old: object, where: str) -> list[str]:
        """Why `new` does not accept every value of `old` (both full annotations)."""
        if new == old:
            return []
        new_base, new_meta = _split(new)
        old_base, old_meta = _split(old)
        if (new_base is Any or new_base is object) and not new_meta:
            return []
        if get_origin(old_base) in _UNIONS:
            return [p for member in get_args(old_base) for p in self.accepts(new, member, where)]
        loose = [m for m in new_meta if not _implied(m, old_meta)]
        if loose:
            return [
                f"{_field(where)}: constraint {m!r} is not implied by the previous constraints "
                f"{old_meta!r}"
                for m in loose
            ]
        if get_origin(new_base) in _UNIONS:
            if any(not self.accepts(member, old, where) for member in get_args(new_base)):
                return []
            return [f"{_field(where)}: {show(new)} does not accept every {show(old)} value"]
        return self._plain(new_base, old_base, where)

    def _plain(self, new: object, old: object, where: str) -> list[str]:
        """Both annotations are neither unions nor Annotated."""
        if new == old:
            return []
        narrowed = [f"{_field(where)}: {show(new)} does not accept every {show(old)} value"]
        if old is Any or old is object:
            return narrowed
        if get_origin(old) is Literal:
            return [p for value in get_args(old) for p in self._value(new, value, where)]
        if get_origin(new) is Literal:
            return narrowed
        if _is_model(new) and _is_model(old):
            return self.fields(old, new, where + ".")  # type: ignore[arg-type]
        if (old, new) in _WIDENINGS:
            return []
        old_origin, new_origin = get_origin(old) or old, get_origin(new) or new
        if old_origin is not new_origin:
            return narrowed
        old_args, new_args = _args(old), _args(new)
        if old_origin in _SIZED:
            return self.accepts(new_args[0], old_args[0], f"{where}[]")
        if old_origin is dict:
            return self.accepts(new_args[0], old_args[0], f"{where}{{}}") + self.accepts(
                new_args[1], old_args[1], f"{where}[]"
            )
        if old_origin is tuple:
            return self._tuple(new_args, old_args, where)
        return [
            f"{_field(where)}: cannot prove that {show(new)} accepts every {show(old)} value "
            "(only the same type or a known widening is allowed)"
        ]

    def _value(self, new: object, value: object, where: str) -> list[str]:
        """Why `new` does not accept the literal `value` of the old type."""
        if get_origin(new) is Literal:
            if any(type(v) is type(value) and v == value for v in get_args(new)):
                return []
            return [f"{_field(where)}: {show(new)} does not accept the old value {value!r}"]
        return self.accepts(new, type(value), where)

    def _tuple(self, new: tuple[object, ...], old: tuple[object, ...], where: str) -> list[str]:
        new_variadic, old_variadic = new[-1:] == (Ellipsis,), old[-1:] == (Ellipsis,)
        if new_variadic:  # tuple[X, ...] takes tuple[Y, ...] and tuple[Y1, Y2] when X takes each Y
            items = old[:1] if old_variadic else old
            return [p for item in items for p in self.accepts(new[0], item, f"{where}[]")]
        if not old_variadic and len(new) == len(old):
            return [p for n, o in zip(new, old, strict=True) for p in self.accepts(n, o, where)]
        return [f"{_field(where)}: {_show_tuple(new)} does not accept every {_show_tuple(old)}"]


def _field(where: str) -> str:
    """`field 'a'`, with the part of a container that failed: a[] is items, a{} keys."""
    parts: list[str] = []
    while where.endswith(("[]", "{}")):
        parts.append("items" if where.endswith("[]") else "keys")
        where = where[:-2]
    return f"field {where!r}" + (f" ({' of '.join(parts)})" if parts else "")


def _show_tuple(args: tuple[object, ...]) -> str:
    return "tuple[" + ", ".join("..." if a is Ellipsis else show(a) for a in args) + "]"


def _is_model(annotation: object) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _args(annotation: object) -> tuple[object, ...]:
    """Type arguments, with a bare container's missing arguments read as Any."""
    args = get_args(annotation)
    if args:
        return args
    origin = get_origin(annotation) or annotation
    if origin is dict:
        return (Any, Any)
    return (Any, Ellipsis) if origin is tuple else (Any,)


def _annotated(field: FieldInfo) -> object:
    """A field's full annotation: pydantic moves top-level constraints into `metadata`."""
    if not field.metadata:
        return field.annotation
    return typing.Annotated[(field.annotation, *field.metadata)]


def _split(annotation: object) -> tuple[object, list[object]]:
    """(base type, flat list of constraints) of a possibly nested Annotated annotation."""
    meta: list[object] = []
    while get_origin(annotation) is typing.Annotated:
        annotation, *extra = get_args(annotation)
        meta.extend(_flatten(extra))
    return annotation, meta


def _flatten(items: list[object]) -> Iterator[object]:
    for item in items:
        if isinstance(item, FieldInfo):
            yield from _flatten(list(item.metadata))
            if item.discriminator is not None:
                yield ("discriminator", item.discriminator)
        elif isinstance(item, at.GroupedMetadata):
            yield from _flatten(list(item))
        else:
            yield item


def _implied(new: object, old: list[object]) -> bool:
    """True when every value satisfying the `old` constraints satisfies `new`."""
    if isinstance(new, at.MinLen) and new.min_length <= 0:
        return True
    return any(_implies(o, new) for o in old)


def _bound(constraint: object) -> tuple[str, bool, Any] | None:
    """(kind, inclusive, limit) of a bound constraint; None for any other constraint."""
    match constraint:
        case at.Ge(ge=limit):
            return "lower", True, limit
        case at.Gt(gt=limit):
            return "lower", False, limit
        case at.Le(le=limit):
            return "upper", True, limit
        case at.Lt(lt=limit):
            return "upper", False, limit
        case at.MinLen(min_length=limit):
            return "lower length", True, limit
        case at.MaxLen(max_length=limit):
            return "upper length", True, limit
    return None


def _implies(old: object, new: object) -> bool:
    new_bound, old_bound = _bound(new), _bound(old)
    if new_bound is None or old_bound is None:
        return _same(old, new)
    (kind, new_inclusive, n), (old_kind, old_inclusive, o) = new_bound, old_bound
    if kind != old_kind:
        return False
    try:
        tighter = (o > n) if kind.startswith("lower") else (o < n)
        return bool(tighter or (o == n and (new_inclusive or not old_inclusive)))
    except TypeError:  # limits of different kinds (a date and a number) prove nothing
        return False


def _same(a: object, b: object) -> bool:
    if a == b:
        return True
    # Some of pydantic's metadata classes (patterns, strictness...) have no __eq__.
    fields = getattr(a, "__dict__", None)
    return type(a) is type(b) and fields is not None and fields == getattr(b, "__dict__", None)
