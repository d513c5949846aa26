"""Exact amounts: Decimals with a currency's minor units (never floats)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

MINOR_UNITS: dict[str, int] = {"EUR": 2, "USD": 2, "GBP": 2, "JPY": 0}
"""Currency -> how many decimals an amount in it may have."""

Currency = Literal["EUR", "USD", "GBP", "JPY"]

ZERO = Decimal(0)


def _no_float(value: object) -> object:
    # A float is already inexact (0.1 is not one tenth): amounts come as text or Decimal.
    if isinstance(value, float):
        raise ValueError("give amounts as text or Decimal, not as a float")
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    Field(allow_inf_nan=False, max_digits=18),
]
"""An exact amount of money (any sign)."""

Amount = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    Field(gt=0, allow_inf_nan=False, max_digits=18),
]
"""A positive exact amount."""

Limit = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    Field(ge=0, allow_inf_nan=False, max_digits=18),
]
"""An overdraft limit: how far below zero a balance may go."""


def decimals(amount: Decimal) -> int:
    """How many decimals `amount` needs (trailing zeros do not count: 10.50 needs 1)."""
    exponent = amount.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def fits(amount: Decimal, currency: str) -> bool:
    """Whether `amount` has no more decimals than `currency` allows."""
    return decimals(amount) <= MINOR_UNITS.get(currency, 2)


def in_units(amount: Decimal, currency: str) -> Decimal:
    """`amount` written with exactly the currency's minor units (10.5 EUR -> 10.50)."""
    return amount.quantize(Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2)))
