"""The one gate between templates and values: `$x.m(...)`, `$x.p`, `$x[i]` and their #set forms.

What a template may reach of a value is written here and nowhere else; the code generator's inline
forms of the commonest calls (a map's property, a list's or map's size(), a known object's direct
call) come from this module too (see `SIZED` and `direct_function`).

Each value type has an allow-list of the Java methods Velocity 1.7 would find on it (String, Map,
List, Map.Entry, numbers, Boolean, String[]); a HostObject offers only the names it lists. Nothing
else is reachable: no Python attribute is ever looked up by a template-provided name, and
getClass(), wait() and the like are absent. A method that does not exist, or whose parameters
cannot take the arguments (Velocity's introspector finds no match), gives MISSING; a Java
exception the method would throw is raised as JavaException.

Arguments follow 1.7's conversions: an `int` parameter takes an Integer (an int within 32 bits)
and nothing else, String/CharSequence parameters take a str or null, Object takes anything.

A Gate answers for the values of one data model (values.JavaValues: whether the caller's lists
are ArrayLists or JSONArrays), which decides what toString() prints and the class names that
exceptions and getClass() show; `gate_for` gives each model's.
"""
from __future__ import annotations

import itertools
from decimal import Decimal
from functools import partial
from typing import Any, Callable

from vtl_engine.core.runtime import javaregex
from vtl_engine.core.runtime.budget import charge, check_length
from vtl_engine.core.runtime.host import HostObject
from vtl_engine.core.runtime.signals import MISSING, JavaException
from vtl_engine.core.runtime.values import (
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    JAVA_DATA,
    JSON_DATA,
    JavaArray,
    JavaList,
    JavaValues,
    JsonArray,
    MapEntry,
    double_bits,
    from_utf16,
    int_value,
    java_class_name,
    java_equals,
    java_hash,
    string_hash,
    to_string,
    to_utf16,
    whole_number,
    wrap64,
)

Method = Callable[[Any, list], Any]

_NPE = "java.lang.NullPointerException"
_IOOBE = "java.lang.IndexOutOfBoundsException"
_SIOOBE = "java.lang.StringIndexOutOfBoundsException"
_UOE = "java.lang.UnsupportedOperationException"
_VOID = ""  # what Velocity 1.7 makes of a void method's result


def _is_int(v: Any) -> bool:
    return type(v) is int and INT_MIN <= v <= INT_MAX


def _is_str(v: Any) -> bool:
    return v is None or type(v) is str


def _npe(message: str) -> JavaException:
    return JavaException(_NPE, message)


ClassName = Callable[[Any], str]   # JavaValues.class_name


def _class_cast(value: Any, target: str, class_name: ClassName) -> JavaException:
    source = class_name(value)
    return JavaException(
        "java.lang.ClassCastException",
        f"class {source} cannot be cast to class {target} ({source} and {target} are in module "
        f"java.base of loader 'bootstrap')",
    )


# ---- String --------------------------------------------------------------------------------------
# Java indexes strings by UTF-16 code unit. Strings without astral characters index the same in
# Python; the others are converted to one Python character per code unit and back.

def _units(s: str) -> str:
    if s.isascii() or max(s) <= "\uffff":
        return s
    return to_utf16(s)


def _code_point_units(ch: int) -> str | None:
    if 0 <= ch <= 0xFFFF:
        return chr(ch)
    if ch <= 0x10FFFF:
        return to_utf16(chr(ch))
    return None


def _s_length(s: str, args: list) -> Any:
    if args:
        raise wrong_number_of_arguments()
    return len(_units(s))


def _s_char_at(s: str, args: list) -> Any:
    if len(args) != 1 or not _is_int(args[0]):
        return MISSING
    u = _units(s)
    i = args[0]
    if not 0 <= i < len(u):
        raise JavaException(_SIOOBE, f"String index out of range: {i}")
    return u[i]


def _index_args(args: list) -> tuple[Any, int] | None:
    if len(args) == 1:
        return args[0], 0
    if len(args) == 2 and _is_int(args[1]):
        return args[0], args[1]
    return None


def _s_index_of(s: str, args: list) -> Any:
    parsed = _index_args(args)
    if parsed is None:
        return MISSING
    target, start = parsed
    u = _units(s)
    if _is_int(target):  # indexOf(int ch, ...)
        needle = _code_point_units(target)
        if needle is None or start >= len(u):
            return -1
        return u.find(needle, max(start, 0))
    if target is None:
        raise _npe('Cannot invoke "String.coder()" because "str" is null')
    if type(target) is not str:
        return MISSING
    if start >= len(u):
        return len(u) if target == "" else -1
    return u.find(_units(target), max(start, 0))


def _s_last_index_of(s: str, args: list) -> Any:
    if len(args) not in (1, 2) or (len(args) == 2 and not _is_int(args[1])):
        return MISSING
    target = args[0]
    u = _units(s)
    if _is_int(target):  # lastIndexOf(int ch, ...)
        start = args[1] if len(args) == 2 else len(u) - 1
        needle = _code_point_units(target)
        if needle is None or start < 0:
            return -1
        start = min(start, len(u) - 1)
        return u.rfind(needle, 0, start + len(needle))
    if target is None:
        raise _npe('Cannot invoke "String.coder()" because "str" is null')
    if type(target) is not str:
        return MISSING
    t = _units(target)
    start = min(args[1] if len(args) == 2 else len(u), len(u) - len(t))
    if start < 0:
        return -1
    return u.rfind(t, 0, start + len(t))


def _s_substring(s: str, args: list) -> Any:
    if not 1 <= len(args) <= 2 or not all(map(_is_int, args)):
        return MISSING
    u = _units(s)
    begin = args[0]
    end = args[1] if len(args) == 2 else len(u)
    if begin < 0 or end > len(u) or begin > end:
        raise JavaException(_SIOOBE, f"begin {begin}, end {end}, length {len(u)}")
    return u[begin:end] if u is s else from_utf16(u[begin:end])


def _str_arg_method(name: str, body: Callable[[str, str], Any],
                    on_null: Callable[[str], Any] | None = None) -> Method:
    """A one-parameter String method taking String/CharSequence: null goes to `on_null` (or NPE)."""

    def method(s: str, args: list) -> Any:
        if len(args) != 1:
            return MISSING
        arg = args[0]
        if arg is None:
            if on_null is not None:
                return on_null(s)
            raise _npe(f'Cannot invoke "String.length()" because "{name}" is null')
        if type(arg) is not str:
            return MISSING
        return body(s, arg)

    return method


def _s_starts_with(s: str, args: list) -> Any:
    if len(args) == 2:
        prefix, offset = args
        if not _is_str(prefix) or not _is_int(offset):
            return MISSING
        if prefix is None:
            raise _npe('Cannot invoke "String.length()" because "prefix" is null')
        u, p = _units(s), _units(prefix)
        return 0 <= offset <= len(u) - len(p) and u.startswith(p, offset)
    return _starts_with_1(s, args)


_starts_with_1 = _str_arg_method("prefix", lambda s, p: s.startswith(p))


def _upper1(c: str) -> str:
    # Character.toUpperCase: a one-to-one mapping (no "SS" for "ß")
    u = c.upper()
    return u if len(u) == 1 else c


def _lower1(c: str) -> str:
    lo = c.lower()
    return lo if len(lo) == 1 else c


def _equals_ignore_case(s: str, other: str) -> bool:
    if s.isascii() and other.isascii():
        return len(s) == len(other) and s.lower() == other.lower()
    a, b = _units(s), _units(other)
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x != y:
            ux, uy = _upper1(x), _upper1(y)
            if ux != uy and _lower1(ux) != _lower1(uy):
                return False
    return True


def _compare_units(a: str, b: str) -> int:
    for x, y in zip(a, b):
        if x != y:
            return ord(x) - ord(y)
    return len(a) - len(b)


def _compare_to(cls: type, parameter: str, compare: Callable[[Any, Any], int],
                class_name: ClassName) -> Method:
    """`compareTo(other)` of a final Java class: other must be of the same class and not null."""

    def method(obj: Any, args: list) -> Any:
        if len(args) != 1:
            return MISSING
        other = args[0]
        if other is None:
            raise _npe(f'Cannot read field "value" because "{parameter}" is null')
        if type(other) is not cls:
            raise _class_cast(other, class_name(obj), class_name)
        return compare(obj, other)

    return method


def _string_compare(s: str, other: str) -> int:
    return 0 if s == other else _compare_units(_units(s), _units(other))


def _compare_ignore_case(s: str, other: str) -> int:
    a, b = _units(s), _units(other)
    for x, y in zip(a, b):
        if x != y:
            x, y = _upper1(x), _upper1(y)
            if x != y:
                x, y = _lower1(x), _lower1(y)
                if x != y:
                    return ord(x) - ord(y)
    return len(a) - len(b)


_TRIMMED = "".join(map(chr, range(0x21)))


def _s_replace(s: str, args: list) -> Any:
    if len(args) != 2 or not (_is_str(args[0]) and _is_str(args[1])):
        return MISSING  # replace(char, char) needs Characters, which templates do not produce
    target, replacement = args
    for arg, param in ((target, "target"), (replacement, "replacement")):
        if arg is None:
            raise _npe(f'Cannot invoke "java.lang.CharSequence.toString()" because "{param}" '
                       "is null")
    if target == "":
        u = _units(s)
        check_length(len(u) + (len(u) + 1) * len(replacement))
        return from_utf16(u.replace("", replacement)) if u is not s else s.replace("", replacement)
    if len(replacement) > len(target):
        check_length(len(s) + s.count(target) * (len(replacement) - len(target)))
    return s.replace(target, replacement)


def _regex_method(body: Callable[..., Any]) -> Method:
    """replaceAll / replaceFirst: two String parameters."""

    def method(s: str, args: list) -> Any:
        if len(args) != 2 or not (_is_str(args[0]) and _is_str(args[1])):
            return MISSING
        return body(s, args[0], args[1])

    return method


def _s_split(s: str, args: list) -> Any:
    if len(args) == 1 and _is_str(args[0]):
        return javaregex.split(s, args[0])
    if len(args) == 2 and _is_str(args[0]) and _is_int(args[1]):
        return javaregex.split(s, args[0], args[1])
    return MISSING


def wrong_number_of_arguments() -> JavaException:
    """Velocity 1.7 finds a method without parameters whatever the arguments, and then Java's
    reflection refuses the call."""
    return JavaException("java.lang.IllegalArgumentException", "wrong number of arguments")


def _no_args(body: Callable[[Any], Any]) -> Method:
    def method(obj: Any, args: list) -> Any:
        if args:
            raise wrong_number_of_arguments()
        return body(obj)

    return method


def _one_arg(body: Callable[[Any, Any], Any]) -> Method:
    """A method with one Object parameter."""

    def method(obj: Any, args: list) -> Any:
        return body(obj, args[0]) if len(args) == 1 else MISSING

    return method


_equals = _one_arg(java_equals)
_hash_code = _no_args(java_hash)
_size = _no_args(len)   # see SIZED

# The tables below leave out what depends on the data model (toString of a collection, the class
# names compareTo and put may show): each Gate adds its own.

_STRING: dict[str, Method] = {
    "length": _s_length,
    "charAt": _s_char_at,
    "indexOf": _s_index_of,
    "lastIndexOf": _s_last_index_of,
    "substring": _s_substring,
    "contains": _str_arg_method("s", lambda s, t: t in s),
    "startsWith": _s_starts_with,
    "endsWith": _str_arg_method("suffix", lambda s, t: s.endswith(t)),
    "equals": _equals,
    "equalsIgnoreCase": _str_arg_method("anotherString", _equals_ignore_case, lambda s: False),
    "isEmpty": _no_args(lambda s: s == ""),
    "trim": _no_args(lambda s: s.strip(_TRIMMED)),
    "toLowerCase": _no_args(str.lower),
    "toUpperCase": _no_args(str.upper),
    "replace": _s_replace,
    "replaceAll": _regex_method(javaregex.replace_all),
    "replaceFirst": _regex_method(javaregex.replace_first),
    "matches": _str_arg_method("regex", javaregex.matches),
    "split": _s_split,
    "concat": _str_arg_method("str", lambda s, t: s + t),
    "toString": _no_args(lambda s: s),
    "hashCode": _no_args(string_hash),
    "compareToIgnoreCase": _str_arg_method("str", _compare_ignore_case),
}


# ---- List (ArrayList, JSONArray) ----------------------------------------------------------------

def _check_index(lst: list, i: int) -> None:
    if not 0 <= i < len(lst):
        raise JavaException(_IOOBE, f"Index {i} out of bounds for length {len(lst)}")


def _check_position(lst: list, i: int) -> None:
    if not 0 <= i <= len(lst):
        raise JavaException(_IOOBE, f"Index: {i}, Size: {len(lst)}")


def _is_collection(v: Any) -> bool:
    return isinstance(v, list) and not isinstance(v, JavaArray)


def _index_of(lst: list, value: Any) -> int:
    for i, item in enumerate(lst):
        if item is value or (value is not None and java_equals(value, item)):
            return i
    return -1


def _last_index_of(lst: list, value: Any) -> int:
    for i in range(len(lst) - 1, -1, -1):
        item = lst[i]
        if item is value or (value is not None and java_equals(value, item)):
            return i
    return -1


def _l_get(lst: list, args: list) -> Any:
    if len(args) != 1 or not _is_int(args[0]):
        return MISSING
    _check_index(lst, args[0])
    return lst[args[0]]


def _l_set(lst: list, args: list) -> Any:
    if len(args) != 2 or not _is_int(args[0]):
        return MISSING
    _check_index(lst, args[0])
    old = lst[args[0]]
    lst[args[0]] = args[1]
    return old


def _l_add(lst: list, args: list) -> Any:
    charge(1)
    if len(args) == 1:
        lst.append(args[0])
        return True
    if len(args) == 2 and _is_int(args[0]):
        _check_position(lst, args[0])
        lst.insert(args[0], args[1])
        return _VOID
    return MISSING


def _l_add_all(lst: list, args: list) -> Any:
    if args and _is_collection(args[-1]):
        # addAll of the list itself doubles it: refused before it is copied
        check_length(len(lst) + len(args[-1]))
        charge(len(args[-1]))
    if len(args) == 1 and _is_collection(args[0]):
        items = list(args[0])
        lst.extend(items)
        return bool(items)
    if len(args) == 2 and _is_int(args[0]) and _is_collection(args[1]):
        _check_position(lst, args[0])
        items = list(args[1])
        lst[args[0]:args[0]] = items
        return bool(items)
    return MISSING


def _l_remove(lst: list, args: list) -> Any:
    if len(args) != 1:
        return MISSING
    arg = args[0]
    if _is_int(arg):  # remove(int index) is the more specific overload for an Integer
        _check_index(lst, arg)
        return lst.pop(arg)
    i = _index_of(lst, arg)
    if i < 0:
        return False
    del lst[i]
    return True


def _l_sub_list(lst: list, args: list) -> Any:
    if len(args) != 2 or not (_is_int(args[0]) and _is_int(args[1])):
        return MISSING
    start, end = args
    if start < 0:
        raise JavaException(_IOOBE, f"fromIndex = {start}")
    if end > len(lst):
        raise JavaException(_IOOBE, f"toIndex = {end}")
    if start > end:
        raise JavaException("java.lang.IllegalArgumentException",
                            f"fromIndex({start}) > toIndex({end})")
    return JavaList(lst[start:end])


def _l_contains_all(lst: list, args: list) -> Any:
    if len(args) != 1 or not _is_collection(args[0]):
        return MISSING
    return all(_index_of(lst, v) >= 0 for v in args[0])


def _l_clear(lst: list) -> str:
    lst.clear()
    return _VOID


class JavaIterator(HostObject):
    """`$list.iterator()`: a java.util.Iterator over a list; #foreach drains what is left of it."""

    vtl_methods = frozenset({"hasNext", "next", "remove"})
    __slots__ = ("items", "position", "removable", "serial")
    _serials = itertools.count(0x1B6D3586)

    def __init__(self, items: list) -> None:
        self.serial = next(self._serials)
        self.items = items
        self.position = 0
        self.removable = False

    def vtl_to_string(self) -> str:
        # Java prints an identity hash; a serial number says as much without an address
        return f"java.util.ArrayList$Itr@{self.serial:x}"

    def hasNext(self) -> bool:  # noqa: N802 - the Java name, as templates call it
        return self.position < len(self.items)

    def next(self) -> Any:
        if self.position >= len(self.items):
            raise JavaException("java.util.NoSuchElementException")
        self.position += 1
        self.removable = True
        return self.items[self.position - 1]

    def remove(self) -> str:
        if not self.removable:
            raise JavaException("java.lang.IllegalStateException")
        self.position -= 1
        del self.items[self.position]
        self.removable = False
        return _VOID

    def drain(self) -> list:
        rest = self.items[self.position:]
        self.position = len(self.items)
        return rest


_LIST: dict[str, Method] = {
    "iterator": _no_args(JavaIterator),
    "get": _l_get,
    "set": _l_set,
    "add": _l_add,
    "addAll": _l_add_all,
    "remove": _l_remove,
    "contains": _one_arg(lambda lst, v: _index_of(lst, v) >= 0),
    "containsAll": _l_contains_all,
    "indexOf": _one_arg(_index_of),
    "lastIndexOf": _one_arg(_last_index_of),
    "size": _size,
    "isEmpty": _no_args(lambda lst: not lst),
    "subList": _l_sub_list,
    "clear": _no_args(_l_clear),
    "equals": _equals,
    "hashCode": _hash_code,
}


# ---- String[] (as Velocity's ArrayListWrapper sees a Java array) -------------------------------

def _a_get(a: list, args: list) -> Any:
    if len(args) != 1 or not _is_int(args[0]):
        return MISSING
    if not 0 <= args[0] < len(a):
        raise JavaException("java.lang.ArrayIndexOutOfBoundsException", "")
    return a[args[0]]


def _a_set(a: list, args: list) -> Any:
    if len(args) != 2 or not _is_int(args[0]):
        return MISSING
    if not 0 <= args[0] < len(a):
        raise JavaException("java.lang.ArrayIndexOutOfBoundsException", "")
    old = a[args[0]]
    a[args[0]] = args[1]
    return old


def _a_unsupported(a: list, args: list) -> Any:
    raise JavaException(_UOE, "")


_ARRAY: dict[str, Method] = {
    "get": _a_get,
    "set": _a_set,
    "size": _size,
    "isEmpty": _LIST["isEmpty"],
    "contains": _LIST["contains"],
    "indexOf": _LIST["indexOf"],
    "lastIndexOf": _LIST["lastIndexOf"],
    "add": _a_unsupported,
    "toString": _no_args(to_string),   # its identity, whatever the data model
    "equals": _equals,
    "hashCode": _hash_code,
}


# ---- Map (LinkedHashMap) -------------------------------------------------------------------------

def _find_key(m: dict, key: Any) -> Any:
    """The key of `m` Java's equals() matches, or MISSING (Python alone matches 1 to 1.0)."""
    if type(key) is str or key is None:
        return key if key in m else MISSING
    try:
        if key not in m:
            return MISSING
    except TypeError:  # a list or map: it cannot be a key of a dict
        return MISSING
    return next((k for k in m if java_equals(k, key)), MISSING)


def _storable(key: Any, class_name: ClassName) -> Any:
    try:
        hash(key)
    except TypeError:
        message = f"a {class_name(key)} cannot be a map key in vtl_engine"
        raise JavaException(_UOE, message) from None
    return key


def _m_get(m: dict, args: list) -> Any:
    if len(args) != 1:
        return MISSING
    key = args[0]
    if type(key) is str:
        return m.get(key)
    k = _find_key(m, key)
    return None if k is MISSING else m[k]


def _m_put(m: dict, args: list, class_name: ClassName) -> Any:
    if len(args) != 2:
        return MISSING
    key, value = args
    k = _find_key(m, key)
    if k is MISSING:
        charge(1)
        m[_storable(key, class_name)] = value
        return None
    old = m[k]
    m[k] = value
    return old


def _m_put_all(m: dict, args: list, class_name: ClassName) -> Any:
    if len(args) != 1 or not isinstance(args[0], dict):
        return MISSING
    for k, v in list(args[0].items()):
        _m_put(m, [k, v], class_name)
    return _VOID


def _m_remove(m: dict, args: list) -> Any:
    if len(args) == 1:
        k = _find_key(m, args[0])
        return None if k is MISSING else m.pop(k)
    if len(args) == 2:
        k = _find_key(m, args[0])
        if k is MISSING:
            return False
        current = m[k]
        if not (current is args[1] or (current is not None and java_equals(current, args[1]))):
            return False
        del m[k]
        return True
    return MISSING


def _m_contains_value(m: dict, value: Any) -> bool:
    return any(v is value or (value is not None and java_equals(value, v)) for v in m.values())


def _m_get_or_default(m: dict, args: list) -> Any:
    if len(args) != 2:
        return MISSING
    k = _find_key(m, args[0])
    return args[1] if k is MISSING else m[k]


def _m_put_if_absent(m: dict, args: list, class_name: ClassName) -> Any:
    if len(args) != 2:
        return MISSING
    k = _find_key(m, args[0])
    if k is not MISSING and m[k] is not None:
        return m[k]
    return _m_put(m, args, class_name)


def _m_clear(m: dict) -> str:
    m.clear()
    return _VOID


# keySet(), values() and entrySet() are copies here, not live views of the map.
_MAP: dict[str, Method] = {
    "get": _m_get,
    "remove": _m_remove,
    "containsKey": _one_arg(lambda m, k: _find_key(m, k) is not MISSING),
    "containsValue": _one_arg(_m_contains_value),
    "keySet": _no_args(JavaList),
    "values": _no_args(lambda m: JavaList(m.values())),
    "entrySet": _no_args(lambda m: JavaList(MapEntry(m, k, v) for k, v in m.items())),
    "size": _size,
    "isEmpty": _no_args(lambda m: not m),
    "clear": _no_args(_m_clear),
    "getOrDefault": _m_get_or_default,
    "equals": _equals,
    "hashCode": _hash_code,
}

_ENTRY: dict[str, Method] = {
    "getKey": _no_args(lambda e: e.key),
    "getValue": _no_args(MapEntry.get_value),
    "setValue": _one_arg(MapEntry.set_value),
    "equals": _equals,
    "hashCode": _hash_code,
}


# ---- numbers and Boolean -------------------------------------------------------------------------

def _long_value(v: Any) -> int:
    if type(v) is float:
        if v != v:
            return 0
        if v >= 2.0**63:
            return LONG_MAX
        if v <= -(2.0**63):
            return LONG_MIN
        return int(v)
    return wrap64(whole_number(v))


def _double_value(v: Any) -> float:
    try:
        return float(v)
    except OverflowError:  # a BigInteger beyond double range
        return float("inf") if v > 0 else float("-inf")


def _short_value(v: Any) -> int:
    return ((int_value(v) + 0x8000) & 0xFFFF) - 0x8000


def _byte_value(v: Any) -> int:
    return ((int_value(v) + 0x80) & 0xFF) - 0x80


def _double_compare(a: float, b: float) -> int:
    """Double.compare: -0.0 below 0.0, NaN above everything and equal to itself."""
    if a < b:
        return -1
    if a > b:
        return 1
    bits_a, bits_b = wrap64(double_bits(a)), wrap64(double_bits(b))
    return (bits_a > bits_b) - (bits_a < bits_b)


def _number_compare_to(v: Any, args: list, class_name: ClassName) -> Any:
    if len(args) != 1:
        return MISSING
    other = args[0]
    mine = class_name(v)
    if other is None:
        raise _npe(f'Cannot read field "value" because "another{mine.rsplit(".", 1)[1]}" is null')
    if class_name(other) != mine:
        raise _class_cast(other, mine, class_name)
    if type(v) is float:
        return _double_compare(v, other)
    return (v > other) - (v < other)


def _with_static(body: Callable[[Any], Any]) -> Method:
    """toString()/hashCode() of a boxed value, which Velocity 1.7 also finds as the class's
    static toString(x)/hashCode(x) (Integer.toString(int), …): applied to an argument of the
    same class; other arguments find no method."""

    def method(obj: Any, args: list) -> Any:
        if not args:
            return body(obj)
        if len(args) == 1 and java_class_name(args[0]) == java_class_name(obj):
            return body(args[0])
        return MISSING

    return method


_NUMBER: dict[str, Method] = {
    "intValue": _no_args(int_value),
    "longValue": _no_args(_long_value),
    "doubleValue": _no_args(_double_value),
    "shortValue": _no_args(_short_value),
    "byteValue": _no_args(_byte_value),
    "toString": _with_static(to_string),
    "equals": _equals,
    "hashCode": _with_static(java_hash),
}



_BOOLEAN: dict[str, Method] = {
    "booleanValue": _no_args(lambda b: b),
    "toString": _with_static(to_string),
    "equals": _equals,
    "hashCode": _with_static(java_hash),
}


# ---- dispatch ------------------------------------------------------------------------------------

_OPAQUE: dict[str, Method] = {}
_HOST_TABLES: dict[type, dict[str, Method]] = {}


def _host_methods(cls: type) -> dict[str, Method]:
    """A HostObject's table: the names its class lists, none starting with `_`."""
    table = _HOST_TABLES.get(cls)
    if table is None:
        table = _HOST_TABLES[cls] = {
            "toString": _no_args(lambda o: o.vtl_to_string()),
            "equals": _one_arg(lambda o, other: o is other),
        }
        for name in cls.vtl_methods:
            if host_may_call(cls, name):
                table[name] = lambda o, args, name=name: o.vtl_call(name, args)
    return table


def host_may_call(cls: type[HostObject], name: str) -> bool:
    """Whether a template may call method `name` of a HostObject class."""
    return name in cls.vtl_methods and not name.startswith("_")


class JavaClass(HostObject):
    """What `$x.getClass()` gives for a Java-like value: the class's names, and nothing else of
    reflection (host objects have no class to show)."""

    vtl_methods = frozenset({"getName", "getSimpleName"})
    vtl_properties = frozenset({"name", "simpleName"})
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def vtl_to_string(self) -> str:
        return "class " + self.name

    def vtl_call(self, name: str, args: list) -> Any:
        if args:
            return MISSING
        return self.vtl_get("name" if name == "getName" else "simpleName")

    def vtl_get(self, name: str) -> Any:
        if name == "name":
            return self.name
        if self.name.startswith("[L"):   # an array: [Ljava.lang.String; is String[]
            return JavaClass(self.name[2:-1]).vtl_get(name) + "[]"
        return self.name.rpartition(".")[2].rpartition("$")[2]


class Gate:
    """The methods of values as one data model (`values`) sees them."""

    def __init__(self, values: JavaValues) -> None:
        self.values = values
        class_name = values.class_name
        printed = _no_args(values.to_string)
        java_list = {**_LIST, "toString": printed}
        json_array = {**java_list, "toJSONString": _no_args(values.to_json)}
        number = {**_NUMBER, "compareTo": partial(_number_compare_to, class_name=class_name)}
        self._tables: dict[type, dict[str, Method]] = {
            str: {**_STRING, "compareTo": _compare_to(str, "anotherString", _string_compare,
                                                      class_name)},
            list: json_array if values.lists_are_json else java_list,
            JavaList: java_list,
            JsonArray: json_array,
            JavaArray: _ARRAY,
            dict: {**_MAP, "toString": printed,
                   "put": partial(_m_put, class_name=class_name),
                   "putAll": partial(_m_put_all, class_name=class_name),
                   "putIfAbsent": partial(_m_put_if_absent, class_name=class_name)},
            MapEntry: {**_ENTRY, "toString": printed},
            int: number,
            float: number,
            Decimal: number,
            bool: {**_BOOLEAN, "compareTo": _compare_to(bool, "b", _boolean_compare, class_name)},
        }

    def call_method(self, obj: Any, name: str, args: list) -> Any:
        """`obj.name(args)` as Velocity 1.7 invokes it: the result, or MISSING when there is no
        such method for these arguments. Void methods give "" as in 1.7. `args` holds values,
        not MISSING."""
        table = self._tables.get(type(obj))
        if table is None:
            table = self._methods_for(type(obj))
        method = table.get(name)
        if method is None:
            if name == "getClass" and not args and not isinstance(obj, HostObject):
                return JavaClass(self.values.class_name(obj))
            return MISSING
        return method(obj, args)

    def _methods_for(self, cls: type) -> dict[str, Method]:
        """The table for a type not met before: a HostObject's own names, a base type's table
        for a subclass (a host's dict subclass is still a Map), nothing for anything else."""
        if issubclass(cls, HostObject):
            table = _host_methods(cls)
        else:
            tables = self._tables
            table = next((tables[base] for base in cls.__mro__ if base in tables), _OPAQUE)
        self._tables[cls] = table
        return table

    def get_index(self, obj: Any, index: Any) -> Any:
        """`obj[index]` in Velocity 1.7: obj.get(index), a negative Integer counting from the
        end (also for maps, as 1.7 does); MISSING when obj has no get() taking the index."""
        return self.call_method(obj, "get", [self._adjust_negative(obj, index)])

    def set_index(self, obj: Any, index: Any, value: Any) -> bool:
        """`#set($obj[index] = value)`: obj.set(index, value), else obj.put(index, value); False
        when there is neither."""
        index = self._adjust_negative(obj, index)
        if self.call_method(obj, "set", [index, value]) is not MISSING:
            return True
        return self.call_method(obj, "put", [index, value]) is not MISSING

    def _adjust_negative(self, obj: Any, index: Any) -> Any:
        """ASTIndex.adjMinusIndexArg: a negative Integer counts from the end, via size()."""
        if type(index) is int and INT_MIN <= index < 0:
            size = self.call_method(obj, "size", [])
            if type(size) is not int:
                raise JavaException(
                    "org.apache.velocity.exception.VelocityException",
                    f"A 'size()' method required for negative value {index} does not exist for "
                    f"class '{self.values.class_name(obj)}'",
                )
            return index + size
        return index


def _boolean_compare(v: bool, other: bool) -> int:
    return 0 if v == other else (1 if v else -1)


_GATES = {values: Gate(values) for values in (JAVA_DATA, JSON_DATA)}


def gate_for(values: JavaValues) -> Gate:
    """The gate of a data model."""
    return _GATES[values]


# Java data's, for code that calls methods outside a render
call_method = _GATES[JAVA_DATA].call_method
get_index = _GATES[JAVA_DATA].get_index
set_index = _GATES[JAVA_DATA].set_index


# ---- properties ----------------------------------------------------------------------------------
# 1.7 looks for getName(), getname(), a Map's get("name"), then isName()/isname() returning boolean.

def _is_empty(obj: Any) -> bool:
    return len(obj) == 0


_EMPTY_PROPERTY: dict[str, Callable[[Any], Any]] = {"empty": _is_empty, "Empty": _is_empty}

_PROPERTIES: dict[type, dict[str, Callable[[Any], Any]]] = {
    str: _EMPTY_PROPERTY,
    list: _EMPTY_PROPERTY,
    JavaList: _EMPTY_PROPERTY,
    JsonArray: _EMPTY_PROPERTY,
    MapEntry: {
        "key": lambda e: e.key, "Key": lambda e: e.key,
        "value": MapEntry.get_value, "Value": MapEntry.get_value,
    },
}


def _flip_first(name: str) -> str:
    first = name[:1]
    return (first.upper() if first.islower() else first.lower()) + name[1:]


def _host_properties(cls: type) -> dict[str, Callable[[Any], Any]]:
    table: dict[str, Callable[[Any], Any]] = {}
    for name in cls.vtl_properties:
        if not name.startswith("_"):
            getter = lambda o, name=name: o.vtl_get(name)  # noqa: E731
            table.setdefault(name, getter)
            table.setdefault(_flip_first(name), getter)
    return table


def _properties_for(cls: type) -> dict[str, Callable[[Any], Any]]:
    if issubclass(cls, HostObject):
        table = _host_properties(cls)
    else:
        table = next((_PROPERTIES[base] for base in cls.__mro__ if base in _PROPERTIES), {})
    _PROPERTIES[cls] = table
    return table


def get_property(obj: Any, name: str) -> Any:
    """`obj.name` as Velocity 1.7 reads it. For a map, map.get(name) (None when absent), which
    also makes `$map.keySet` a lookup of the key "keySet"; otherwise the getter, or MISSING."""
    if isinstance(obj, dict):   # generated code reads dicts inline (see the end of this module)
        return obj.get(name)
    table = _PROPERTIES.get(type(obj))
    if table is None:
        table = _properties_for(type(obj))
    getter = table.get(name)
    if getter is None:
        return MISSING
    return getter(obj)


# ---- the #set form of a property ------------------------------------------------------------

def set_property(obj: Any, name: str, value: Any) -> bool:
    """`#set($obj.name = value)`: setName(value), a Map's put(name, value), or put(name, value);
    False when Velocity would find no setter."""
    if isinstance(obj, dict):
        obj[name] = value
        return True
    if isinstance(obj, HostObject):
        cls = type(obj)
        for setter in ("set" + name, "set" + _flip_first(name)):
            if host_may_call(cls, setter):
                obj.vtl_call(setter, [value])
                return True
        if host_may_call(cls, "put"):
            obj.vtl_call("put", [name, value])
            return True
    return False


# ---- what generated code does inline ------------------------------------------------------------
# The code generator writes the commonest steps without calling the gate; each is what the gate
# answers for those values itself, so this module still says all a template can reach:
# - `$x.p` of a map (a dict, not a subclass of one) is `x.get('p')`, get_property's first rule;
# - `$x.size()` of the classes in SIZED is `len(x)`;
# - `$x.m(...)` of a host's known object calls what direct_function gives.

#: the classes whose `size()` is Python's len() (their tables' "size")
SIZED = frozenset(cls for cls, table in _GATES[JAVA_DATA]._tables.items()
                  if table.get("size") is _size)

#: the properties that are getClass(), every Java object's getter (found before a map's keys)
CLASS_PROPERTIES = frozenset({"class", "Class"})


def direct_function(cls: type[HostObject], name: str,
                    constants: tuple[Any, ...]) -> Callable[..., Any] | None:
    """What generated code may call for `$x.name(...)` when `x` holds a `cls` (a host's known
    object, see HostObject.vtl_direct): the class's direct function, for a method a template
    may call at all; None otherwise."""
    if name not in cls.vtl_methods or name.startswith("_") or not issubclass(cls, HostObject):
        return None   # (host_may_call's test, written out: the compiler asks for every call)
    return cls.vtl_direct(name, constants)


def unwrap_direct(function: Any) -> Any:
    """What generated code calls for a function vtl_direct gave (a staticmethod's function)."""
    return function.__func__ if isinstance(function, staticmethod) else function

