"""What one render may build: the size and time limits that deep runtime helpers enforce.

Strings, collections and numbers can grow faster than loops count (`#set($s = "$s$s")` doubles,
a list holding itself twice prints at twice the size per level). The helpers that build them
(concatenation, interpolation, printing a collection, string methods, BigInteger products)
charge each result's size here. The render's Budget is found through a ContextVar, so those
helpers need no extra parameter and concurrent renders (threads) never share one.
"""
from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar, Token
from decimal import Decimal
from time import monotonic
from typing import Any

from ..limits import MAX_NUMBER_DIGITS, Limits
from .signals import LimitExceeded


class Budget:
    """One render's allowance under `limits`: the longest value, the total built, and the
    deadline (from now). The render state (support.RenderState) is a Budget, so that a render
    makes one object."""

    __slots__ = ("max_length", "max_total", "remaining", "max_seconds", "deadline", "charges")

    def __init__(self, limits: Limits) -> None:
        self.max_length = limits.max_string_length
        self.max_total = self.remaining = limits.max_string_total
        seconds = self.max_seconds = limits.max_render_seconds
        self.deadline = monotonic() + seconds if seconds else None
        self.charges = 0

    def charge(self, size: int) -> None:
        """Account for a value of `size` characters (or elements, or digits) just built."""
        if size > self.max_length:
            raise LimitExceeded("max_string_length", self.max_length)
        self.remaining -= size
        if self.remaining < 0:
            raise LimitExceeded("max_string_total", self.max_total)
        self.charges += 1
        if not self.charges & 31 or size > 100_000:
            self.check_time()

    def check_time(self) -> None:
        if self.deadline is not None and monotonic() > self.deadline:
            raise LimitExceeded("max_render_seconds", self.max_seconds)


_active: ContextVar[Budget | None] = ContextVar("vtl_render_budget", default=None)


# make `budget` the running render's, and put back the one before (the ContextVar's own methods:
# a render pays for no wrapper around them)
activate: Callable[[Budget], Token] = _active.set
deactivate: Callable[[Token], None] = _active.reset


def seconds_left() -> float | None:
    """How long the running render may still take (None: no deadline), for operations that
    can only be bounded from inside, such as a regular expression's match."""
    budget = _active.get()
    if budget is None or budget.deadline is None:
        return None
    return max(budget.deadline - monotonic(), 0.0)


def out_of_time() -> LimitExceeded:
    budget = _active.get()
    return LimitExceeded("max_render_seconds", budget.max_seconds if budget else None)


def charge(size: int) -> None:
    """Charge the running render's budget (if any) for a value of `size` just built."""
    budget = _active.get()
    if budget is not None:
        budget.charge(size)


def check_length(size: int) -> None:
    """Refuse, before building it, a value longer than one may be."""
    budget = _active.get()
    if budget is not None and size > budget.max_length:
        raise LimitExceeded("max_string_length", budget.max_length)


_MAX_NUMBER_BITS = int(MAX_NUMBER_DIGITS * 3.3219)   # log2(10)


def check_sum(a: Decimal, b: Decimal) -> None:
    """Refuse, before computing it, an exact BigDecimal sum whose digits would span past the
    limit (1E+999999999 + 1 has a billion of them)."""
    if a.is_finite() and b.is_finite():
        span = max(a.adjusted(), b.adjusted()) - min(a.as_tuple().exponent, b.as_tuple().exponent)
        if span > MAX_NUMBER_DIGITS:
            raise LimitExceeded("max_number_digits", MAX_NUMBER_DIGITS)


def check_number(value: Any) -> Any:
    """A BigInteger or BigDecimal result, refused when it has more digits than can be printed."""
    if type(value) is int:
        too_big = value.bit_length() > _MAX_NUMBER_BITS
    else:
        too_big = len(value.as_tuple().digits) > MAX_NUMBER_DIGITS
    if too_big:
        raise LimitExceeded("max_number_digits", MAX_NUMBER_DIGITS)
    return value
