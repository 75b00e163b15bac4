"""Python values as the Java objects Velocity 1.7 sees: printing, equality, hashing, truth, ranges.

The value model: None is null, str String, bool Boolean, int Integer/Long/BigInteger (told apart by
magnitude), float Double, Decimal BigDecimal, dict LinkedHashMap, JavaList the ArrayList a template
makes, JsonArray json-smart's JSONArray, a plain list the caller's data, JavaArray the String[]
that String.split returns, MapEntry a Map.Entry from entrySet(), HostObject whatever the embedding
code exposes. Every other Python object is opaque.

What the caller's lists are depends on where the data come from: Java objects (an ArrayList, in
plain Velocity) or JSON (a JSONArray, as API Gateway's data are). A JavaValues says which, and
prints values and names their classes accordingly; JAVA_DATA and JSON_DATA are the two, and each
dialect names its own (dialect.py).
"""
from __future__ import annotations

import math
import struct
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable

from vtl_engine.core.runtime.budget import charge
from vtl_engine.core.runtime.host import HostObject
from vtl_engine.core.runtime.signals import MISSING, JavaException, LimitExceeded

INT_MIN, INT_MAX = -(1 << 31), (1 << 31) - 1
LONG_MIN, LONG_MAX = -(1 << 63), (1 << 63) - 1


class JsonArray(list):
    """json-smart's JSONArray (what API Gateway's JSON parsing yields): a List printed as JSON."""

    __slots__ = ()


class JavaList(list):
    """A java.util.ArrayList a template made: a list literal, a range, what keySet(), values(),
    entrySet() and subList() give. It prints as Java prints a List in every dialect, where a
    plain list, the caller's data, prints as a JSON array in a dialect whose data are JSON (API
    Gateway's), so that such data need no conversion before a render."""

    __slots__ = ()


class JavaArray(list):
    """A Java String[] (from String.split): iterable and indexable, printed by identity as Java."""

    __slots__ = ()


class MapEntry:
    """A Map.Entry of a dict: reads and writes go through to the map while the key is in it."""

    __slots__ = ("owner", "key", "value")

    def __init__(self, owner: dict, key: Any, value: Any) -> None:
        self.owner = owner
        self.key = key
        self.value = value

    def get_value(self) -> Any:
        owner = self.owner
        if self.key in owner:
            self.value = owner[self.key]
        return self.value

    def set_value(self, value: Any) -> Any:
        old = self.get_value()
        self.value = value
        if self.key in self.owner:
            self.owner[self.key] = value
        return old


def wrap32(v: int) -> int:
    """Java's (int) narrowing of an integral value."""
    return ((v + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def wrap64(v: int) -> int:
    """Java's (long) narrowing of an integral value."""
    return ((v + (1 << 63)) & 0xFFFFFFFFFFFFFFFF) - (1 << 63)


# ---------------------------------------------------------------------------------------------
# Double.toString as Java 17 computes it (FloatingDecimal): not always the shortest repr, so
# Python's repr cannot stand in for it (1.0E23 prints as 9.999999999999999E22, 2^58+... with 18
# digits). This is the same digit generation, carried out on Python ints.

_N_5_BITS = tuple((5**i).bit_length() for i in range(27))
_INSIGNIFICANT = (0, 0, 0, 0, 1, 1, 1, 2, 2, 2)  # decimal digits below a double's precision, by 2^n
_SIGNIF_MASK = (1 << 52) - 1


def _wrap(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def _estimate_dec_exp(fract: int, bin_exp: int) -> int:
    # The same double-precision estimate of floor(log10(d)) Java uses; it may be one too high.
    d2 = struct.unpack("<d", struct.pack("<Q", (0x3FF << 52) | (fract & _SIGNIF_MASK)))[0]
    return math.floor((d2 - 1.5) * 0.289529654 + 0.176091259 + bin_exp * 0.301029995663981)


def _double_digits(bits: int) -> tuple[str, int]:
    """Decimal digits and decimal exponent (point position) of a positive finite nonzero double."""
    fract = bits & _SIGNIF_MASK
    bin_exp = bits >> 52
    if bin_exp == 0:
        shift = 64 - fract.bit_length() - 11
        n_sig = fract.bit_length()
        fract <<= shift
        bin_exp = 1 - shift
    else:
        fract |= 1 << 52
        n_sig = 53
    bin_exp -= 1023
    tail_zeros = (fract & -fract).bit_length() - 1
    n_fract_bits = 53 - tail_zeros
    n_tiny = max(0, n_fract_bits - bin_exp - 1)
    if n_tiny == 0 and bin_exp <= 62:
        # Integers below 2^63: exact digits, minus the ones below the double's precision.
        insignificant = _INSIGNIFICANT[bin_exp - n_sig - 1] if bin_exp > n_sig else 0
        lvalue = fract << (bin_exp - 52) if bin_exp >= 52 else fract >> (52 - bin_exp)
        if insignificant:
            pow10 = 10**insignificant
            lvalue, residue = divmod(lvalue, pow10)
            if residue >= pow10 >> 1:
                lvalue += 1
        text = str(lvalue)
        return text.rstrip("0"), len(text) + insignificant
    dec_exp = _estimate_dec_exp(fract, bin_exp)
    b5 = max(0, -dec_exp)
    b2 = b5 + n_tiny + bin_exp
    s5 = max(0, dec_exp)
    s2 = s5 + n_tiny
    m5 = b5
    m2 = b2 - n_sig
    fract >>= tail_zeros
    b2 -= n_fract_bits - 1
    common = min(b2, s2)
    b2 -= common
    s2 -= common
    m2 -= common
    if n_fract_bits == 1:
        m2 -= 1  # below a power of two the next double down is half as far
    if m2 < 0:
        b2 -= m2
        s2 -= m2
        m2 = 0
    b_bits = n_fract_bits + b2 + (_N_5_BITS[b5] if b5 < 27 else b5 * 3)
    ten_s_bits = s2 + 1 + (_N_5_BITS[s5 + 1] if s5 + 1 < 27 else (s5 + 1) * 3)
    b = (fract * 5**b5) << b2
    s = 5**s5 << s2
    m = 5**m5 << m2
    tens = s * 10
    digits = []
    # Java picks int, long or big-integer arithmetic by size; the first two can overflow in the
    # stopping test, and those overflows decide the last digit, so they are reproduced.
    width = 32 if b_bits < 32 and ten_s_bits < 32 else 64 if b_bits < 64 and ten_s_bits < 64 else 0
    q, b = divmod(b, s)
    b *= 10
    m *= 10
    if width:
        m = _wrap(m, width)
        low = b < m
        high = _wrap(b + m, width) > tens
    else:
        low = b < m
        high = b + m >= tens
    if q == 0 and not high:
        dec_exp -= 1  # the estimate was one too high
    else:
        digits.append(q)
    if dec_exp < -3 or dec_exp >= 8:
        high = low = False  # E-form needs a digit after the point
    while not low and not high:
        q, b = divmod(b, s)
        b *= 10
        m *= 10
        if width:
            m = _wrap(m, width)
            if m > 0:
                low = b < m
                high = _wrap(b + m, width) > tens
            else:
                low = high = True
        else:
            low = b < m
            high = b + m >= tens
        digits.append(q)
    if width:
        low_diff = _wrap((b << 1) - tens, width)
    else:
        low_diff = (b << 1) - tens if high and low else 0
    dec_exponent = dec_exp + 1
    if high and (not low or low_diff > 0 or (low_diff == 0 and digits[-1] & 1)):
        i = len(digits) - 1
        while digits[i] == 9 and i > 0:
            digits[i] = 0
            i -= 1
        if digits[i] == 9:
            dec_exponent += 1
            digits[0] = 1
        else:
            digits[i] += 1
    return "".join(map(str, digits)), dec_exponent


@lru_cache(maxsize=4096)
def _positive_double_to_string(x: float) -> str:
    if x.is_integer() and x < 1e7:
        return f"{int(x)}.0"
    digits, exp = _double_digits(struct.unpack("<Q", struct.pack("<d", x))[0])
    n = len(digits)
    if 0 < exp < 8:
        if n <= exp:
            return digits + "0" * (exp - n) + ".0"
        return digits[:exp] + "." + digits[exp:]
    if -3 < exp <= 0:
        return "0." + "0" * -exp + digits
    return digits[0] + "." + (digits[1:] or "0") + "E" + str(exp - 1)


def double_to_string(x: float) -> str:
    """Java 17's Double.toString(x)."""
    if 1e-3 <= x < 1e7 or -1e7 < x <= -1e-3:
        return repr(x)   # the same digits there (checked against Java on 225,000 doubles)
    if x != x:
        return "NaN"
    if x == 0.0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    if x < 0.0:
        return "-Infinity" if x == -math.inf else "-" + _positive_double_to_string(-x)
    return "Infinity" if x == math.inf else _positive_double_to_string(x)


# ---------------------------------------------------------------------------------------------
# toString


def _int_to_string(v: int) -> str:
    return str(v)


def _bool_to_string(v: bool) -> str:
    return "true" if v else "false"


def _str_to_string(v: str) -> str:
    return v


def _decimal_to_string(v: Decimal) -> str:
    # Python's to-scientific-string is the algorithm BigDecimal.toString specifies.
    return str(v)


def _array_to_string(a: JavaArray) -> str:
    return "[Ljava.lang.String;@" + format(identity_hash(a), "x")


def _none_to_string(v: None) -> str:
    return "null"


def _host_to_string(v: HostObject) -> str:
    return v.vtl_to_string()


def _opaque_to_string(v: Any) -> str:
    return ""


def identity_hash(value: Any) -> int:
    """Stands in for Java's System.identityHashCode: stable for the object's lifetime."""
    return (id(value) >> 4) & 0x7FFFFFFF


# json-smart's escaping (JSONValue.escape with its default style): it also escapes "/" and the
# ranges 0x7F-0x9F and 0x2000-0x20FF, but leaves other non-ASCII text alone.
_JSON_ESCAPES = {
    ord('"'): '\\"', ord("\\"): "\\\\", ord("/"): "\\/",
    8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t",
}
for _c in (*range(0x20), *range(0x7F, 0xA0), *range(0x2000, 0x2100)):
    _JSON_ESCAPES.setdefault(_c, "\\u%04X" % _c)


# what prints alike whatever the caller's lists are
_PRINTERS: dict[type, Callable[[Any], str]] = {
    str: _str_to_string,
    int: _int_to_string,
    bool: _bool_to_string,
    float: double_to_string,
    Decimal: _decimal_to_string,
    JavaArray: _array_to_string,
    type(None): _none_to_string,
    HostObject: _host_to_string,
}


def _lookup_by_mro(table: dict[type, Any], cls: type, default: Any) -> Any:
    """Find a subclass's entry through its bases (a host's str or dict subclass) and remember it."""
    if issubclass(cls, HostObject):
        found = table.get(HostObject, default)
    else:
        found = next((table[base] for base in cls.__mro__ if base in table), default)
    table[cls] = found
    return found


class JavaValues:
    """What Java makes of Python values when the caller's lists (plain lists) are ArrayLists,
    or with `lists_are_json` json-smart JSONArrays: what String.valueOf prints (`to_string`,
    JSONArray's `to_json`) and the class a value has (`class_name`). Everything else about a
    value is alike for both."""

    def __init__(self, lists_are_json: bool) -> None:
        self.lists_are_json = lists_are_json
        self._printers: dict[type, Callable[[Any], str]] = {
            **_PRINTERS, dict: self._map, JavaList: self._list, JsonArray: self.to_json,
            MapEntry: self._entry, list: self.to_json if lists_are_json else self._list}
        self._class_names = dict(_CLASS_NAMES)
        if lists_are_json:
            self._class_names[list] = _CLASS_NAMES[JsonArray]
        _VALUES.append(self)

    def to_string(self, value: Any) -> str:
        """What Velocity prints for a value: Java's String.valueOf."""
        f = self._printers.get(type(value))
        if f is None:
            f = _lookup_by_mro(self._printers, type(value), _opaque_to_string)
        try:
            return f(value)
        except RecursionError:
            raise JavaException("java.lang.StackOverflowError") from None

    def class_name(self, value: Any) -> str:
        """The Java class Velocity would see for a value (for messages and class checks)."""
        t = type(value)
        if t is int:
            if INT_MIN <= value <= INT_MAX:
                return "java.lang.Integer"
            return "java.lang.Long" if LONG_MIN <= value <= LONG_MAX else "java.math.BigInteger"
        name = self._class_names.get(t)
        if name is None:
            name = _lookup_by_mro(self._class_names, t, "java.lang.Object")
        return name

    # A collection can hold another many times over, so each level's text is charged to the
    # render's budget: a list nested in itself twice per level stops at the length limit.

    def _map(self, m: dict) -> str:
        parts = []
        for k, v in m.items():
            key = "(this Map)" if k is m else self.to_string(k)
            parts.append(key + "=" + ("(this Map)" if v is m else self.to_string(v)))
        charge(sum(map(len, parts)))
        return "{" + ", ".join(parts) + "}"

    def _list(self, items: list) -> str:
        parts = ["(this Collection)" if v is items else self.to_string(v) for v in items]
        charge(sum(map(len, parts)))
        return "[" + ", ".join(parts) + "]"

    def _entry(self, e: MapEntry) -> str:
        return self.to_string(e.key) + "=" + self.to_string(e.get_value())

    def to_json(self, value: Any) -> str:
        """json-smart's JSONValue.toJSONString (a JSONArray's toString): compact JSON, nested
        maps and lists included; what JSON has no form for, as its toString() in quotes."""
        t = type(value)
        if t is str:
            return '"' + value.translate(_JSON_ESCAPES) + '"'
        if value is None:
            return "null"
        if t is bool or t is int or t is Decimal:
            return self.to_string(value)
        if t is float:
            return "null" if value in (math.inf, -math.inf) else double_to_string(value)
        if isinstance(value, dict):
            parts = [self._json_key(k) + ":" + self.to_json(v) for k, v in value.items()]
            charge(sum(map(len, parts)))
            return "{" + ",".join(parts) + "}"
        if isinstance(value, list):
            parts = list(map(self.to_json, value))
            charge(sum(map(len, parts)))
            return "[" + ",".join(parts) + "]"
        return '"' + self.to_string(value).translate(_JSON_ESCAPES) + '"'

    def _json_key(self, key: Any) -> str:
        return '""' if key is None else '"' + self.to_string(key).translate(_JSON_ESCAPES) + '"'


_VALUES: list[JavaValues] = []   # every JavaValues made, for register_to_string


def register_to_string(cls: type, java_to_string: Callable[[Any], str]) -> None:
    """Give a host's subclass of a Java-like type (a dict that is a Map, say) its own toString().
    Call it at import time, before any value of the class is printed."""
    _PRINTERS[cls] = java_to_string
    for values in _VALUES:
        values._printers[cls] = java_to_string


# ---------------------------------------------------------------------------------------------
# Java classes, equals and hashCode


_CLASS_NAMES: dict[type, str] = {
    str: "java.lang.String",
    bool: "java.lang.Boolean",
    float: "java.lang.Double",
    Decimal: "java.math.BigDecimal",
    dict: "java.util.LinkedHashMap",
    list: "java.util.ArrayList",
    JavaList: "java.util.ArrayList",
    JsonArray: "net.minidev.json.JSONArray",
    JavaArray: "[Ljava.lang.String;",
    MapEntry: "java.util.LinkedHashMap$Entry",
    HostObject: "java.lang.Object",
}

#: the caller's lists are ArrayLists (plain Velocity's data)
JAVA_DATA = JavaValues(lists_are_json=False)
#: the caller's lists are JSONArrays (API Gateway's data)
JSON_DATA = JavaValues(lists_are_json=True)
# Java data's, for code that prints values outside a render
to_string = JAVA_DATA.to_string
java_class_name = JAVA_DATA.class_name


def double_bits(x: float) -> int:
    """Double.doubleToLongBits, as an unsigned 64-bit int."""
    if x != x:
        return 0x7FF8000000000000  # doubleToLongBits collapses every NaN
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def _decimal_equals(a: Decimal, b: Decimal) -> bool:
    # BigDecimal.equals compares the scale too: 1.0 is not 1.00.
    return a == b and a.as_tuple().exponent == b.as_tuple().exponent


def _list_equals(a: list, b: Any) -> bool:
    if not isinstance(b, list) or isinstance(b, JavaArray):
        return False
    return len(a) == len(b) and all(x is y or java_equals(x, y) for x, y in zip(a, b))


def _map_equals(a: dict, b: Any) -> bool:
    if not isinstance(b, dict) or len(a) != len(b):
        return False
    for k, v in a.items():
        if k not in b:
            return False
        w = b[k]
        if not (v is w or (v is not None and java_equals(v, w))):
            return False
    return True


def _entry_equals(a: MapEntry, b: Any) -> bool:
    return (type(b) is MapEntry and java_equals(a.key, b.key)
            and java_equals(a.get_value(), b.get_value()))


def java_equals(a: Any, b: Any) -> bool:
    """Java's a.equals(b) (a non-null): same class and value, so 1 is not 1.0 and true is not 1."""
    if a is b:
        return True
    if a is None or b is None:
        return False
    ta = type(a)
    if ta is str or ta is bool:
        return type(b) is ta and a == b
    if ta is int:
        return type(b) is int and a == b
    if ta is float:
        return type(b) is float and double_bits(a) == double_bits(b)
    if ta is Decimal:
        return type(b) is Decimal and _decimal_equals(a, b)
    if isinstance(a, JavaArray) or isinstance(a, HostObject):
        return False  # Object.equals: identity
    if isinstance(a, list):
        charge(len(a))
        return _list_equals(a, b)
    if isinstance(a, dict):
        charge(len(a))
        return _map_equals(a, b)
    if ta is MapEntry:
        return _entry_equals(a, b)
    return False


def string_hash(s: str) -> int:
    """String.hashCode over UTF-16 code units."""
    h = 0
    if not s.isascii() and max(s) > "\uffff":
        s = to_utf16(s)
    for c in s:
        h = (31 * h + ord(c)) & 0xFFFFFFFF
    return h - (1 << 32) if h >> 31 else h


def _big_integer_hash(v: int) -> int:
    h = 0
    mag = abs(v)
    for i in range((mag.bit_length() + 31) // 32 - 1, -1, -1):
        h = (31 * h + ((mag >> (32 * i)) & 0xFFFFFFFF)) & 0xFFFFFFFF
    h = wrap32(h)
    return wrap32(-h) if v < 0 else h


def java_hash(value: Any) -> int:
    """Java's hashCode() of a value (identity-based where Java's is)."""
    t = type(value)
    if value is None:
        return 0
    if t is str:
        return string_hash(value)
    if t is bool:
        return 1231 if value else 1237
    if t is int:
        if INT_MIN <= value <= INT_MAX:
            return value
        if LONG_MIN <= value <= LONG_MAX:
            u = value & 0xFFFFFFFFFFFFFFFF
            return wrap32(u ^ (u >> 32))
        return _big_integer_hash(value)
    if t is float:
        bits = double_bits(value)
        return wrap32(bits ^ (bits >> 32))
    if t is Decimal:
        sign, digits, exponent = value.as_tuple()
        unscaled = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
        return wrap32(31 * _big_integer_hash(unscaled) - exponent)
    if t is MapEntry:
        return java_hash(value.key) ^ java_hash(value.get_value())
    if isinstance(value, JavaArray) or not isinstance(value, (list, dict)):
        return identity_hash(value)
    charge(len(value))   # a collection holding another many times over is walked many times
    if isinstance(value, list):
        h = 1
        for v in value:
            h = (31 * h + java_hash(v)) & 0xFFFFFFFF
        return wrap32(h)
    return wrap32(sum(java_hash(k) ^ java_hash(v) for k, v in value.items()))


def to_utf16(s: str) -> str:
    """The string as Java holds it: one Python character per UTF-16 code unit."""
    return "".join(_utf16_units(c) if c > "\uffff" else c for c in s)


def _utf16_units(c: str) -> str:
    v = ord(c) - 0x10000
    return chr(0xD800 + (v >> 10)) + chr(0xDC00 + (v & 0x3FF))


def from_utf16(s: str) -> str:
    """Join surrogate pairs back into single Python characters."""
    return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


# ---------------------------------------------------------------------------------------------
# Truth and ranges


def is_true(value: Any) -> bool:
    """How #if tests a reference's value: null is false, a Boolean is itself, anything else is true.

    Only references test this way: in Velocity 1.7 a literal ("a", 1, [1], 1 + 1) in #if is false.
    """
    if value is True:
        return True
    if value is False or value is None or value is MISSING:
        return False
    return True


def int_value(value: Any) -> int:
    """Java's Number.intValue() of an int, float or Decimal."""
    if type(value) is float:
        if value != value:
            return 0
        if math.isinf(value):
            return INT_MAX if value > 0 else INT_MIN
        return max(INT_MIN, min(INT_MAX, int(value)))
    return wrap32(whole_number(value))


def whole_number(value: int | Decimal) -> int:
    """The integer part, as the low bits Java keeps of it: a Decimal c×10^e with e >= 64 is a
    multiple of 2^64, whose low 64 bits are 0 (and converting 1E+999999999 would not end)."""
    if type(value) is Decimal and value.is_finite() and value.as_tuple().exponent >= 64:
        return 0
    return int(value)


def make_range(start: Any, end: Any, limit: int | None = None) -> JavaList | None:
    """The list [start..end] builds: Integers stepping by 1 either way, both ends included.

    Like Velocity 1.7, a null or non-number end gives null (None) and numbers are cut to int with
    intValue(). When the list would hold more than `limit` elements, raises the max_range limit
    before allocating anything.
    """
    tl, te = type(start), type(end)
    if tl not in _NUMBER_TYPES or te not in _NUMBER_TYPES:
        return None
    left = start if tl is int and INT_MIN <= start <= INT_MAX else int_value(start)
    right = end if te is int and INT_MIN <= end <= INT_MAX else int_value(end)
    size = wrap32(abs(wrap32(left - right)) + 1)  # Java's int arithmetic, overflow included
    if size < 0:
        raise JavaException("java.lang.IllegalArgumentException", f"Illegal Capacity: {size}")
    if limit is not None and size > limit:
        raise LimitExceeded("max_range", limit)
    step = 1 if left <= right else -1
    last = left + step * (size - 1)
    if INT_MIN <= last <= INT_MAX:
        return JavaList(range(left, last + step, step))
    return JavaList(wrap32(left + step * i) for i in range(size))


_NUMBER_TYPES = frozenset((int, float, Decimal))
