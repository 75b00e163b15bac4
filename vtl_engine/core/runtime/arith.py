"""Velocity 1.7's operators: `+ - * / %` (ASTMathNode and MathUtils) and `== != < <= > >=`.

MathUtils picks a calculation base from the operands' classes: long arithmetic for Integer/Long
(widening to BigInteger instead of overflowing), BigInteger, double, or BigDecimal when a
BigDecimal is involved or a BigInteger meets a fraction. Python ints carry no class, so an int is
an Integer or Long when it fits in 64 bits and a BigInteger otherwise.

Where Velocity logs an error and yields null (a null or non-number operand, division or modulo
by zero) these return None; where Java throws, they raise JavaException.
"""
from __future__ import annotations

import decimal
import math
import operator
from decimal import Decimal
from functools import partial
from typing import Any, Callable

from vtl_engine.core.runtime.budget import check_number, check_sum
from vtl_engine.core.runtime.signals import MISSING, JavaException
from vtl_engine.core.runtime.values import (
    JAVA_DATA,
    LONG_MAX,
    LONG_MIN,
    JavaValues,
    is_true,
    java_class_name,
    java_equals,
    to_string,
)

_LONG, _BIGINTEGER, _DOUBLE, _BIGDECIMAL = range(4)

# BigDecimal's add, subtract and multiply are exact; this context makes Python's exact too.
_EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                         traps=[decimal.InvalidOperation])

_NUMBER_TYPES = frozenset((int, float, Decimal))


def _base(a: Any, b: Any) -> int:
    """MathUtils.findCalculationBase for two numbers."""
    ta, tb = type(a), type(b)
    if ta is Decimal or tb is Decimal:
        return _BIGDECIMAL
    a_big = ta is int and not LONG_MIN <= a <= LONG_MAX
    b_big = tb is int and not LONG_MIN <= b <= LONG_MAX
    if ta is int and tb is int:
        return _BIGINTEGER if a_big or b_big else _LONG
    return _BIGDECIMAL if a_big or b_big else _DOUBLE


def _to_decimal(v: Any) -> Decimal:
    """MathUtils.toBigDecimal: exact for BigInteger, through doubleValue() for everything else."""
    t = type(v)
    if t is Decimal:
        return v
    if t is int and not LONG_MIN <= v <= LONG_MAX:
        return Decimal(v)
    f = float(v)
    if not math.isfinite(f):
        raise JavaException("java.lang.NumberFormatException", "Infinite or NaN")
    return Decimal(f)


def _normal(d: Decimal) -> Decimal:
    # BigDecimal has no negative zero.
    return d.copy_abs() if d.is_zero() else d


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _numbers(left: Any, right: Any) -> bool:
    return type(left) in _NUMBER_TYPES and type(right) in _NUMBER_TYPES


def _is_zero(v: Any) -> bool:
    return v == 0


def add(left: Any, right: Any, left_literal: str = "null", right_literal: str = "null") -> Any:
    """`left + right`. With a String on either side, 1.7 concatenates the toString() of both,
    writing a null operand as its source text (`left_literal`/`right_literal`)."""
    if type(left) is str or type(right) is str:
        left_text = left_literal if left is None or left is MISSING else to_string(left)
        right_text = right_literal if right is None or right is MISSING else to_string(right)
        return left_text + right_text
    return _sum(left, right, operator.add, _EXACT.add)


def sub(left: Any, right: Any) -> Any:
    """`left - right`."""
    return _sum(left, right, operator.sub, _EXACT.subtract)


def _sum(left: Any, right: Any, op: Callable[[Any, Any], Any],
         exact: Callable[[Decimal, Decimal], Decimal]) -> Any:
    """`left op right` (+ or -) for numbers, None for anything else, in the wider of the two
    types: an overflowing long sum becomes the exact BigInteger one."""
    if not _numbers(left, right):
        return None
    base = _base(left, right)
    if base == _LONG:
        return op(left, right)
    if base == _BIGINTEGER:
        return check_number(op(left, right))
    if base == _DOUBLE:
        return op(float(left), float(right))
    a, b = _to_decimal(left), _to_decimal(right)
    check_sum(a, b)
    return check_number(_normal(exact(a, b)))


def mul(left: Any, right: Any) -> Any:
    """`left * right`."""
    if not _numbers(left, right):
        return None
    base = _base(left, right)
    if base == _LONG:
        if left == LONG_MIN and right == -1:
            return LONG_MIN  # the one overflow MathUtils' check (result / b != a) misses
        return left * right
    if base == _BIGINTEGER:
        return check_number(left * right)
    if base == _DOUBLE:
        return float(left) * float(right)
    return check_number(_normal(_EXACT.multiply(_to_decimal(left), _to_decimal(right))))


def div(left: Any, right: Any) -> Any:
    """`left / right`: integers truncate toward zero; dividing by zero gives null."""
    if not _numbers(left, right) or _is_zero(right):
        return None
    base = _base(left, right)
    if base == _LONG:
        if left == LONG_MIN and right == -1:
            return LONG_MIN  # long division overflows silently
        return _trunc_div(left, right)
    if base == _BIGINTEGER:
        return _trunc_div(left, right)
    if base == _DOUBLE:
        return float(left) / float(right)
    return _decimal_divide(_to_decimal(left), _to_decimal(right))


def _decimal_divide(a: Decimal, b: Decimal) -> Decimal:
    """BigDecimal a.divide(b, ROUND_HALF_DOWN): the quotient at a's scale, ties toward zero."""
    sa, da, ea = a.as_tuple()
    sb, db, eb = b.as_tuple()
    ua = int("".join(map(str, da)))
    ub = int("".join(map(str, db)))
    # a / b at scale -ea has unscaled value ua * 10^-eb / ub
    num = ua * 10 ** max(-eb, 0)
    den = ub * 10 ** max(eb, 0)
    q, r = divmod(num, den)
    if 2 * r > den:
        q += 1
    negative = sa != sb and q != 0
    return Decimal((1 if negative else 0, tuple(map(int, str(q))), ea))


def mod(left: Any, right: Any) -> Any:
    """`left % right`: the sign of the dividend, like Java; by zero gives null."""
    if not _numbers(left, right) or _is_zero(right):
        return None
    base = _base(left, right)
    if base == _LONG:
        return left - right * _trunc_div(left, right)
    if base == _BIGINTEGER:
        if right <= 0:
            raise JavaException("java.lang.ArithmeticException", "BigInteger: modulus not positive")
        return left % right  # BigInteger.mod: never negative
    if base == _DOUBLE:
        a, b = float(left), float(right)
        if math.isinf(a) or a != a or b != b:
            return math.nan
        return math.fmod(a, b)
    raise JavaException("java.lang.ArithmeticException",
                        "Cannot calculate the modulo of BigDecimals.")


def _compare_numbers(left: Any, right: Any) -> int:
    """MathUtils.compare: -1, 0 or 1; in double arithmetic NaN compares equal to everything."""
    base = _base(left, right)
    if base == _LONG or base == _BIGINTEGER:
        return (left > right) - (left < right)
    if base == _DOUBLE:
        a, b = float(left), float(right)
        return -1 if a < b else 1 if a > b else 0
    a, b = _to_decimal(left), _to_decimal(right)
    return (a > b) - (a < b)


def _assignable(left: Any, right: Any) -> bool:
    """Whether one operand's Java class is the other's or a subclass of it."""
    tl, tr = type(left), type(right)
    if tl is tr:
        return True
    if isinstance(left, dict) and isinstance(right, dict):
        return True
    name_l, name_r = java_class_name(left), java_class_name(right)
    if name_l == name_r:
        return name_l != "java.lang.Object" or issubclass(tl, tr) or issubclass(tr, tl)
    # JSONArray extends ArrayList
    return {name_l, name_r} == {"java.util.ArrayList", "net.minidev.json.JSONArray"}


def eq(left: Any, right: Any, values: JavaValues = JAVA_DATA) -> bool:
    """ASTEQNode: numbers by value; related classes by equals(); otherwise by toString() (as
    `values` print)."""
    if left is MISSING:
        left = None
    if right is MISSING:
        right = None
    if type(left) in _NUMBER_TYPES and type(right) in _NUMBER_TYPES:
        return _compare_numbers(left, right) == 0
    if left is None or right is None:
        return left is None and right is None
    if _assignable(left, right):
        return java_equals(left, right)
    return values.to_string(left) == values.to_string(right)


def ne(left: Any, right: Any, values: JavaValues = JAVA_DATA) -> bool:
    """ASTNENode: the negation of `==`, including for nulls."""
    return not eq(left, right, values)


def _ordering(left: Any, right: Any) -> int | None:
    # Velocity 1.7 orders numbers only; anything else (strings too) logs an error: false.
    if type(left) in _NUMBER_TYPES and type(right) in _NUMBER_TYPES:
        return _compare_numbers(left, right)
    return None


def lt(left: Any, right: Any) -> bool:
    c = _ordering(left, right)
    return c is not None and c < 0


def le(left: Any, right: Any) -> bool:
    c = _ordering(left, right)
    return c is not None and c <= 0


def gt(left: Any, right: Any) -> bool:
    c = _ordering(left, right)
    return c is not None and c > 0


def ge(left: Any, right: Any) -> bool:
    c = _ordering(left, right)
    return c is not None and c >= 0


Compare = Callable[[str, Any, Any], bool]


def comparison(values: JavaValues) -> Compare:
    """compare() for the values of one data model (`==` may compare their toString())."""
    comparators: dict[str, Callable[[Any, Any], bool]] = {
        "==": partial(eq, values=values), "!=": partial(ne, values=values),
        "<": lt, "<=": le, ">": gt, ">=": ge}
    for vtl, symbol in (("eq", "=="), ("ne", "!="), ("lt", "<"), ("le", "<="), ("gt", ">"),
                        ("ge", ">=")):
        comparators[vtl] = comparators[symbol]

    def compare(op: str, left: Any, right: Any) -> bool:
        """`left op right` for op in == != < <= > >= (or VTL's eq ne lt le gt ge)."""
        return comparators[op](left, right)

    return compare


compare = comparison(JAVA_DATA)


def logical_not(value: Any) -> bool:
    """`!$ref`: the negation of the reference's truth."""
    return not is_true(value)
