"""What a command model's fields are, for generated forms and command lines: each field's
kind (text, long text, whole number, decimal, choice, yes/no), whether it is required, its
default and its constraints in words ("1–120 characters", "> 0")."""

from __future__ import annotations

import enum
import types
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

LONG_TEXT = 200
"""A text field allowing more characters than this is long (a multi-line editor)."""

Kind = Literal["text", "long_text", "int", "decimal", "choice", "bool"]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a command model, as a form or command line shows it."""

    name: str
    label: str
    kind: Kind
    required: bool
    optional: bool
    """None is a valid value (an empty input means None)."""
    default: Any
    choices: tuple[Any, ...]
    constraints: dict[str, Any]
    adapter: TypeAdapter[Any]
    """Validates this field alone (the model validates the whole command)."""

    @property
    def hint(self) -> str:
        """The constraints in words, e.g. "1–120 characters" or "> 0, at most 2 decimals"."""
        c = self.constraints
        parts: list[str] = []
        if self.kind in ("text", "long_text"):
            low, high = c.get("min_length"), c.get("max_length")
            if low is not None and high is not None:
                parts.append(f"{low}–{high} characters")
            elif high is not None:
                parts.append(f"at most {high} characters")
            elif low is not None:
                parts.append(f"at least {low} characters")
        elif self.kind in ("int", "decimal"):
            low, high = c.get("ge"), c.get("le")
            if low is not None and high is not None:
                parts.append(f"{low}–{high}")
            else:
                parts += [f"≥ {low}"] if low is not None else []
                parts += [f"≤ {high}"] if high is not None else []
            parts += [f"> {c['gt']}"] if c.get("gt") is not None else []
            parts += [f"< {c['lt']}"] if c.get("lt") is not None else []
            if c.get("decimal_places") is not None:
                parts.append(f"at most {c['decimal_places']} decimal places")
        elif self.kind == "choice":
            parts.append(" / ".join(str(choice) for choice in self.choices))
        if self.optional:
            parts.append("optional")
        elif not self.required and self.kind not in ("choice", "bool"):
            parts.append(f"default {self.default}")
        return ", ".join(parts)


_CONSTRAINTS = ("min_length", "max_length", "gt", "ge", "lt", "le", "decimal_places", "pattern")


def _unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
    """The bare type inside Annotated/Optional, the metadata found on the way, and whether
    None is allowed."""
    metadata: list[Any] = []
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation, *extra = get_args(annotation)
            metadata.extend(extra)
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(get_args(annotation))
            if len(args) != 1:
                return annotation, metadata, optional
            annotation = args[0]
        else:
            return annotation, metadata, optional


def describe(model: type[BaseModel]) -> tuple[FieldSpec, ...]:
    """Every field of `model`, in declaration order."""
    return tuple(_describe(name, info) for name, info in model.model_fields.items())


def _describe(name: str, info: FieldInfo) -> FieldSpec:
    bare, metadata, optional = _unwrap(info.annotation)
    constraints: dict[str, Any] = {}
    for item in [*info.metadata, *metadata]:
        for key in _CONSTRAINTS:
            value = getattr(item, key, None)
            if value is not None:
                constraints[key] = value
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    choices: tuple[Any, ...] = ()
    kind: Kind
    if bare is bool:
        kind = "bool"
    elif bare is int:
        kind = "int"
    elif bare in (Decimal, float):
        kind = "decimal"
    elif get_origin(bare) is Literal:
        kind, choices = "choice", get_args(bare)
    elif isinstance(bare, type) and issubclass(bare, enum.Enum):
        kind, choices = "choice", tuple(member.value for member in bare)
    else:
        long = extra.get("widget") == "textarea" or constraints.get("max_length", 0) > LONG_TEXT
        kind = "long_text" if long else "text"
    default = None if info.default is PydanticUndefined else info.default
    label = info.title or name.replace("_", " ").capitalize()
    adapter: TypeAdapter[Any] = TypeAdapter(info.rebuild_annotation())
    return FieldSpec(
        name, label, kind, info.is_required(), optional, default, choices, constraints, adapter
    )


def plain_reason(error: Any) -> str:
    """A pydantic error as a person reads it next to a field."""
    kind, ctx = error.get("type"), error.get("ctx") or {}
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return "required: at least 1 character (spaces alone do not count)"
        return f"at least {ctx.get('min_length')} characters"
    if kind == "string_too_long":
        return f"at most {ctx.get('max_length')} characters"
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        return "not a field of this command"
    return str(error.get("msg", error))


class CommandLineError(ValueError):
    """`--field value` arguments that do not fit the command model."""

    def __init__(self, command: str, argument: str, reason: str) -> None:
        self.command = command
        self.argument = argument
        self.reason = reason
        super().__init__(f"{command}: {argument}: {reason}")


def option_name(field: str) -> str:
    """The command-line option of a field: `overdraft_limit` -> `--overdraft-limit`."""
    return "--" + field.replace("_", "-")


def from_arguments(model: type[BaseModel], arguments: Sequence[str]) -> dict[str, object]:
    """Fields from `--name value` (or `--name=value`) arguments, as strings for the model to
    validate; a yes/no field is `--name` or `--no-name`. Unknown or repeated options and a
    missing value raise CommandLineError (the model then checks the values themselves)."""
    specs = {option_name(spec.name): spec for spec in describe(model)}
    fields: dict[str, object] = {}
    at = 0
    while at < len(arguments):
        argument, at = arguments[at], at + 1
        option, has_value, value = argument.partition("=")
        flag = specs.get("--" + option[5:]) if option.startswith("--no-") else None
        negated = flag is not None and flag.kind == "bool" and not has_value
        spec = flag if negated else specs.get(option)
        if spec is None:
            known = ", ".join(specs) or "none"
            raise CommandLineError(model.__name__, argument, f"unknown option (known: {known})")
        if spec.name in fields:
            raise CommandLineError(model.__name__, argument, "given twice")
        if spec.kind == "bool" and not has_value:
            fields[spec.name] = not negated
            continue
        if not has_value:
            if at >= len(arguments):
                raise CommandLineError(model.__name__, argument, "a value is required")
            value, at = arguments[at], at + 1
        fields[spec.name] = value
    return fields
