"""arith.py: Velocity 1.7's `+ - * / %` and comparisons.

Expected values verified against the Velocity 1.7 jar (templates such as
`#set($x = $l + 1)$x` with $l = Long.MAX_VALUE), printed through values.to_string.
"""
from __future__ import annotations

import math
from decimal import Decimal

import pytest

from vtl_engine.core.runtime.arith import add, compare, div, eq, logical_not, mod, mul, ne, sub
from vtl_engine.core.runtime.signals import MISSING, JavaException
from vtl_engine.core.runtime.values import JsonArray, to_string

LMAX = 9223372036854775807
LMIN = -9223372036854775808
BIG = LMAX + 1  # a BigInteger in Java
BIG_DEC = Decimal("13835058055282163712.0")  # ($l + 1) * 1.5 in the jar: a BigDecimal


def show(value: object) -> str:
    return to_string(value)


@pytest.mark.parametrize(("result", "expected"), [
    (add(7, 1), "8"),
    (add(2147483647, 1), "2147483648"),
    (add(LMAX, 1), "9223372036854775808"),
    (sub(LMIN, 1), "-9223372036854775809"),
    (mul(LMAX, 2), "18446744073709551614"),
    (mul(LMIN, -1), "-9223372036854775808"),  # the overflow MathUtils misses
    (mul(-1, LMIN), "9223372036854775808"),
    (div(LMIN, -1), "-9223372036854775808"),
    (mod(LMIN, -1), "0"),
    (div(-7, 2), "-3"),
    (mod(-7, 3), "-1"),
    (mod(7, -3), "1"),
    (div(7, -2), "-3"),
    (mod(-7, 2), "-1"),
    (add(7, 2.5), "9.5"),
    (div(7, 2.0), "3.5"),
    (mod(-7.5, 2), "-1.5"),
    (mul(1.0e308, 10), "Infinity"),
    (add(0.1, 0.2), "0.30000000000000004"),
])
def test_numbers(result: object, expected: str) -> None:
    assert show(result) == expected


@pytest.mark.parametrize(("result", "expected"), [
    (mul(BIG, 1.5), "13835058055282163712.0"),
    (div(BIG, 2.0), "4611686018427387904"),
    (mod(BIG, 2), "0"),
    (mod(LMIN - 1, 2), "1"),  # BigInteger.mod is never negative
    (div(LMIN - 1, -2), "4611686018427387904"),
    (add(BIG, 0.1), "9223372036854775808.1000000000000000055511151231257827021181583404541015625"),
    (div(BIG_DEC, 7), "1976436865040309101.7"),
    (div(mul(BIG, -1.5), 7), "-1976436865040309101.7"),
    (div(BIG_DEC, -7), "-1976436865040309101.7"),
    (mul(BIG_DEC, 0), "0.0"),
    (mul(mul(BIG, -1.5), 0), "0.0"),
    (div(add(BIG, 0.5), 3), "3074457345618258602.8"),
    (div(add(BIG, 0.25), 2), "4611686018427387904.12"),
    (div(add(BIG, 0.75), -2), "-4611686018427387904.37"),
    (sub(BIG, 1.0e-10), "9223372036854775807.99999999989999999999999999635678026845022584208344529344003603910095989704132080078125"),
    (div(5, mul(BIG, 1.0)), "0"),
])
def test_big_integer_and_big_decimal(result: object, expected: str) -> None:
    assert show(result) == expected


def test_big_integer_errors() -> None:
    with pytest.raises(JavaException) as e:
        mod(BIG, -2)
    assert (e.value.java_class, e.value.message) == ("java.lang.ArithmeticException", "BigInteger: modulus not positive")
    with pytest.raises(JavaException) as e:
        mod(BIG_DEC, 7)
    assert e.value.message == "Cannot calculate the modulo of BigDecimals."
    with pytest.raises(JavaException) as e:
        add(BIG, math.nan)
    assert e.value.java_class == "java.lang.NumberFormatException"


def test_division_and_modulo_by_zero_give_null() -> None:
    assert div(7, 0) is None
    assert mod(7, 0) is None
    assert div(2.5, 0.0) is None
    assert mod(2.5, 0.0) is None
    assert div(7, 0.0) is None
    assert div(BIG_DEC, 0) is None
    assert div(7, -0.0) is None


def test_non_numbers_give_null() -> None:
    assert add(True, 1) is None
    assert add(7, None) is None
    assert sub(7, "3") is None
    assert add([1, 2], 1) is None
    assert mul(None, None) is None


def test_plus_concatenates_with_a_string_operand() -> None:
    # jar: "3" + 1 -> 31, 1 + "3" -> 13, "3" + $null -> 3$null, "3" + true, lists, maps, doubles
    assert add("3", 1) == "31"
    assert add(1, "3") == "13"
    assert add("3", None, "$x", "$null") == "3$null"
    assert add(None, "3", "$null", "$x") == "$null3"
    assert add("a", MISSING, "'a'", "$nope.foo") == "a$nope.foo"
    assert add("3", True) == "3true"
    assert add("3", [1, 2]) == "3[1, 2]"
    assert add("3", {"a": 1}) == "3{a=1}"
    assert add("3", 1.0) == "31.0"
    assert add(7, "a") == "7a"


@pytest.mark.parametrize(("op", "left", "right", "expected"), [
    ("==", 7, 7.0, True),
    ("==", 7, "7", True),  # different classes: toString() compared
    ("==", "7", 7, True),
    ("==", True, "true", True),
    ("==", [1, 2], [1, 2], True),
    ("==", [1, 2], "[1, 2]", True),
    ("==", {"a": 1}, {"a": 1}, True),
    ("==", {"a": 1}, "{a=1}", True),
    ("==", None, None, True),
    ("!=", None, None, False),
    ("==", 7, None, False),
    ("!=", 7, None, True),
    ("<", 7, "7", False),
    ("<", "7", "7", False),  # 1.7 orders numbers only
    ("<", "a", "b", False),
    ("<", 7, None, False),
    (">=", 7, 7.0, True),
    (">", 7, 6.99, True),
    (">", BIG, LMAX, True),
    ("==", BIG, 9223372036854775808, True),
    ("==", [1.0, 2], [1, 2], False),  # equals() element by element: Double is not Integer
    ("==", [1, 2], [1, 2.0], False),
    ("==", {"a": 1.0}, {"a": 1}, False),
    ("==", 1, "1.0", False),
    ("==", 1.0, "1.0", True),
    ("==", Decimal("1.5"), Decimal("1.50"), True),  # numbers compare by value
    ("==", 9007199254740993, 9007199254740992.0, True),  # long compared as double
    (">", 9007199254740993, 9007199254740992.0, False),
    ("==", JsonArray(["a"]), ["a"], True),
    ("==", ["a"], JsonArray(["a"]), True),
    ("==", JsonArray(["a"]), '["a"]', True),
    ("!=", [1, 2], [1, 2], False),
    ("==", {"k": [1]}, {"k": [1]}, True),
    ("eq", 7, 7, True),
    ("gt", 7, 5, True),
    ("le", 7, 6, False),
    ("ne", 7, 7, False),
])
def test_compare(op: str, left: object, right: object, expected: bool) -> None:
    assert compare(op, left, right) is expected


def test_nan_compares_equal_to_everything_in_double_arithmetic() -> None:
    # jar: $nan == 5 true, $nan == $nan true, $nan < 5 false, $nan >= 5 true, $nan != 1 false
    nan = math.inf - math.inf
    assert eq(nan, 5)
    assert eq(nan, nan)
    assert not compare("<", nan, 5)
    assert compare(">=", nan, 5)
    assert not ne(nan, 1)
    with pytest.raises(JavaException):
        eq(BIG, nan)  # BigInteger vs NaN goes through BigDecimal: NumberFormatException


def test_missing_operands_are_null() -> None:
    assert eq(MISSING, None)
    assert not eq(MISSING, 1)


def test_logical_not() -> None:
    # jar: !$i false, !$null true; #set($e = '') then !$e false: only null and false are false
    assert logical_not(None) is True
    assert logical_not(False) is True
    assert logical_not(7) is False
    assert logical_not("") is False
    assert logical_not(MISSING) is True
