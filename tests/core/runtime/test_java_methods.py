"""methods.py: Java methods, properties and [index] as Velocity 1.7 reaches them, and the sandbox.

Expected values verified against the Velocity 1.7 jar (e.g. `$s.indexOf(108)` with $s = "hello"),
including which calls Velocity does not find (MISSING: the template prints the reference as
written) and which throw (JavaException with the Java class the jar reported).
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from vtl_engine.core.runtime.host import HostObject
from vtl_engine.core.runtime.methods import call_method, get_index, get_property, set_index, set_property
from vtl_engine.core.runtime.signals import MISSING, JavaException
from vtl_engine.core.runtime.values import JavaArray, JsonArray, MapEntry, to_string


def call(obj: object, name: str, *args: object) -> object:
    return call_method(obj, name, list(args))


def raises(java_class: str, obj: object, name: str, *args: object) -> str:
    with pytest.raises(JavaException) as e:
        call_method(obj, name, list(args))
    assert e.value.java_class == java_class
    return e.value.message


S = "hello"
ASTRAL = "a\U0001F600b"


# ---- String ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "args", "expected"), [
    ("length", [], 5),
    ("charAt", [0], "h"),
    ("charAt", [4], "o"),
    ("indexOf", [108], 2),  # indexOf(int ch)
    ("indexOf", ["l"], 2),
    ("indexOf", ["l", 3], 3),
    ("indexOf", ["l", -5], 2),
    ("indexOf", ["l", 99], -1),
    ("indexOf", ["", 99], 5),
    ("lastIndexOf", ["l"], 3),
    ("lastIndexOf", [108], 3),
    ("lastIndexOf", ["l", 2], 2),
    ("lastIndexOf", ["l", -1], -1),
    ("lastIndexOf", ["", 99], 5),
    ("lastIndexOf", [108, 2], 2),
    ("substring", [1], "ello"),
    ("substring", [1, 3], "el"),
    ("substring", [5], ""),
    ("contains", ["ell"], True),
    ("startsWith", ["he"], True),
    ("startsWith", ["l", 2], True),
    ("startsWith", ["l", -1], False),
    ("startsWith", ["o", 4], True),
    ("startsWith", ["", 5], True),
    ("endsWith", ["lo"], True),
    ("equals", ["hello"], True),
    ("equals", [None], False),
    ("equals", [5], False),
    ("equalsIgnoreCase", ["HELLO"], True),
    ("equalsIgnoreCase", [None], False),
    ("isEmpty", [], False),
    ("trim", [], "hello"),
    ("toUpperCase", [], "HELLO"),
    ("toLowerCase", [], "hello"),
    ("replace", ["l", "L"], "heLLo"),
    ("replace", ["", "-"], "-h-e-l-l-o-"),
    ("replaceAll", ["l+", "[$0]"], "he[ll]o"),
    ("replaceFirst", ["(l)", "$1$1"], "helllo"),
    ("replaceAll", ["l", "\\\\"], "he\\\\o"),
    ("matches", ["h.*"], True),
    ("concat", ["!"], "hello!"),
    ("toString", [], "hello"),
    ("hashCode", [], 99162322),
    ("compareTo", ["help"], -4),
    ("compareToIgnoreCase", ["HELLO"], 0),
])
def test_string_methods(name: str, args: list, expected: object) -> None:
    assert call_method(S, name, args) == expected


@pytest.mark.parametrize(("name", "args"), [
    ("substring", ["a"]),  # no overload takes a String: Velocity finds no method
    ("substring", [1.5]),
    ("substring", [3000000000]),  # a Long does not convert to int
    ("replace", [108, 76]),  # replace(char, char) needs Characters
    ("contains", [1]),
    ("charAt", []),
    ("getBytes", []),
    ("wait", []),
    ("notify", []),
    ("Length", []),  # names are case-sensitive
])
def test_string_methods_not_found(name: str, args: list) -> None:
    assert call_method(S, name, args) is MISSING


def test_get_class_shows_names_and_no_reflection() -> None:
    cls = call_method(S, "getClass", [])
    assert to_string(cls) == "class java.lang.String"
    assert call_method(cls, "getName", []) == "java.lang.String"
    assert call_method(cls, "getSimpleName", []) == "String"
    for name in ("forName", "getMethods", "getClassLoader", "newInstance", "__init__", "name"):
        assert call_method(cls, name, []) is MISSING
    assert get_property(cls, "classLoader") is MISSING and get_property(cls, "__dict__") is MISSING


def test_string_exceptions() -> None:
    # Velocity 1.7 finds a method without parameters whatever the arguments; Java refuses
    assert raises("java.lang.IllegalArgumentException", S, "length", 1) == "wrong number of arguments"
    assert raises("java.lang.StringIndexOutOfBoundsException", S, "substring", -1) == "begin -1, end 5, length 5"
    assert raises("java.lang.StringIndexOutOfBoundsException", S, "substring", 9) == "begin 9, end 5, length 5"
    assert raises("java.lang.StringIndexOutOfBoundsException", S, "substring", 3, 1) == "begin 3, end 1, length 5"
    assert raises("java.lang.StringIndexOutOfBoundsException", S, "charAt", 5) == "String index out of range: 5"
    assert raises("java.lang.StringIndexOutOfBoundsException", S, "charAt", -1) == "String index out of range: -1"
    raises("java.lang.ClassCastException", S, "compareTo", 1)
    for name in ("compareTo", "concat", "contains", "indexOf", "startsWith", "split", "replaceAll", "matches"):
        args = [None, "x"] if name == "replaceAll" else [None]
        with pytest.raises(JavaException) as e:
            call_method(S, name, args)
        assert e.value.java_class == "java.lang.NullPointerException"
    raises("java.lang.NullPointerException", S, "replace", None, "x")
    raises("java.lang.NullPointerException", S, "replace", "l", None)
    raises("java.util.regex.PatternSyntaxException", S, "split", "(")
    assert raises("java.lang.IndexOutOfBoundsException", S, "replaceAll", "l", "$2") == "No group 2"


def test_strings_index_by_utf16_code_unit() -> None:
    # jar: $u.length() 4, charAt(1) a lone high surrogate, indexOf('b') 3, hashCode 57849694,
    # substring(2) "\ude00b", substring(1,3) the emoji, compareTo('a\uffff') -10178
    assert call(ASTRAL, "length") == 4
    assert call(ASTRAL, "charAt", 1) == "\ud83d"
    assert call(ASTRAL, "indexOf", "b") == 3
    assert call(ASTRAL, "hashCode") == 57849694
    assert call(ASTRAL, "substring", 2) == "\ude00b"
    assert call(ASTRAL, "substring", 1, 3) == "\U0001F600"
    assert call(ASTRAL, "compareTo", "a\uffff") == -10178
    assert call(ASTRAL, "indexOf", 128512) == 1
    assert call(ASTRAL, "lastIndexOf", 128512) == 1


def test_string_case_and_trim() -> None:
    # jar: "  x y \t".trim() -> "x y"; toUpperCase of "ß İ Straße" -> "SS İ STRASSE"
    assert call("  x y \t", "trim") == "x y"
    assert call("\u0000x\u0020", "trim") == "x"
    assert call("\u00a0x", "trim") == "\u00a0x"  # trim() only strips <= U+0020
    assert call("ß İ Straße", "toUpperCase") == "SS İ STRASSE"
    assert call("ß İ Straße", "equalsIgnoreCase", "SS İ STRASSE") is False
    assert call("ß İ Straße", "length") == 10


def test_split_returns_a_string_array() -> None:
    # jar: "a,b,,c,,".split(',') -> [a][b][][c]; with -1 -> [a][b][][c][][]; with 2 -> [a][b,,c,,]
    csv = "a,b,,c,,"
    assert call(csv, "split", ",") == ["a", "b", "", "c"]
    assert type(call(csv, "split", ",")) is JavaArray
    assert call(csv, "split", ",", -1) == ["a", "b", "", "c", "", ""]
    assert call(csv, "split", ",", 2) == ["a", "b,,c,,"]
    assert call(S, "split", "") == ["h", "e", "l", "l", "o"]
    assert call("", "split", ",") == [""]


# ---- List ---------------------------------------------------------------------------------------

def test_list_methods() -> None:
    lst = [1, 2, 3]
    assert call(lst, "get", 0) == 1
    assert call(lst, "set", 0, "x") == 1 and lst == ["x", 2, 3]
    assert call(lst, "contains", "x") is True
    assert call(lst, "indexOf", 2) == 1
    assert call(lst, "lastIndexOf", 3) == 2
    assert call(lst, "size") == 3
    assert call(lst, "isEmpty") is False
    assert call(lst, "subList", 1, 3) == [2, 3]
    assert call(lst, "hashCode") == 145176
    assert call(lst, "equals", ["x", 2, 3]) is True
    assert call(lst, "equals", None) is False
    assert call(lst, "toString") == "[x, 2, 3]"
    assert call(lst, "containsAll", [2, 3]) is True


def test_list_add_remove_overloads() -> None:
    # jar: $list.remove(1) removes index 1 and returns 2; remove('1') -> false; remove(a Long)
    # -> remove(Object) -> false; add(5) -> true; add(0, 'z') is void -> ""
    lst = [1, 2, 3]
    assert call(lst, "remove", 1) == 2 and lst == [1, 3]
    lst = [1, 2, 3]
    assert call(lst, "remove", "1") is False and lst == [1, 2, 3]
    assert call(lst, "remove", 3000000000) is False
    assert call(lst, "add", 5) is True and lst == [1, 2, 3, 5]
    assert call(lst, "add", 0, "z") == "" and lst == ["z", 1, 2, 3, 5]
    assert call(lst, "add", "a", "b") is MISSING
    lst = [1, 2, 3]
    assert call(lst, "addAll", [7, 8]) is True and lst == [1, 2, 3, 7, 8]
    assert call(lst, "addAll", 1, [0]) is True and lst == [1, 0, 2, 3, 7, 8]
    assert call(lst, "addAll", "x") is MISSING
    assert call(lst, "clear") == "" and lst == []
    lst = [3, 1, 2]
    assert call(lst, "add", None) is True and to_string(lst) == "[3, 1, 2, null]"
    assert call(lst, "contains", None) is True
    assert call(lst, "indexOf", "3") == -1
    assert call(lst, "contains", 3.0) is False  # Double.equals(Integer) is false
    assert call(lst, "contains", 3) is True


def test_list_exceptions_and_misses() -> None:
    lst = [1, 2, 3]
    assert raises("java.lang.IndexOutOfBoundsException", lst, "get", 5) == "Index 5 out of bounds for length 3"
    assert raises("java.lang.IndexOutOfBoundsException", lst, "get", -1) == "Index -1 out of bounds for length 3"
    assert raises("java.lang.IndexOutOfBoundsException", lst, "set", 9, 1) == "Index 9 out of bounds for length 3"
    assert raises("java.lang.IndexOutOfBoundsException", lst, "remove", 7) == "Index 7 out of bounds for length 3"
    assert raises("java.lang.IndexOutOfBoundsException", lst, "add", 9, "q") == "Index: 9, Size: 3"
    assert raises("java.lang.IndexOutOfBoundsException", lst, "addAll", 9, [1]) == "Index: 9, Size: 3"
    assert raises("java.lang.IndexOutOfBoundsException", lst, "subList", -1, 2) == "fromIndex = -1"
    assert raises("java.lang.IndexOutOfBoundsException", lst, "subList", 0, 9) == "toIndex = 9"
    assert raises("java.lang.IllegalArgumentException", lst, "subList", 2, 1) == "fromIndex(2) > toIndex(1)"
    assert call(lst, "get", None) is MISSING
    assert call(lst, "get", 3000000000) is MISSING


def test_json_array_methods() -> None:
    a = JsonArray([1, "x"])
    assert call(a, "toJSONString") == '[1,"x"]'
    assert call(a, "toString") == '[1,"x"]'
    assert call(a, "subList", 0, 1) == [1] and to_string(call(a, "subList", 0, 1)) == "[1]"
    assert call(a, "contains", "x") is True
    assert call(a, "hashCode") == 1112


def test_string_array_methods() -> None:
    # jar: "hello".split('l') -> size 3, get(0) he, contains('o'), indexOf('o') 2, add -> UOE,
    # get(5) -> ArrayIndexOutOfBoundsException, .length is not a property
    a = call(S, "split", "l")
    assert call(a, "size") == 3
    assert call(a, "get", 0) == "he"
    assert call(a, "isEmpty") is False
    assert call(a, "contains", "o") is True
    assert call(a, "indexOf", "o") == 2
    assert call(a, "set", 0, "q") == "he" and call(a, "get", 0) == "q"
    assert call(a, "equals", a) is True
    raises("java.lang.UnsupportedOperationException", a, "add", "x")
    raises("java.lang.ArrayIndexOutOfBoundsException", a, "get", 5)
    assert get_property(a, "length") is MISSING
    assert get_index(a, -1) == "o"


# ---- Map and Map.Entry ----------------------------------------------------------------------------

def test_map_methods() -> None:
    m = {"a": 1, "b": None}
    assert call(m, "get", "a") == 1
    assert call(m, "get", "zz") is None
    assert call(m, "put", "c", 3) is None
    assert call(m, "put", "a", 9) == 1
    assert to_string(m) == "{a=9, b=null, c=3}"
    m = {"a": 1, "b": None}
    assert call(m, "containsKey", "b") is True
    assert call(m, "containsValue", 1) is True
    assert call(m, "size") == 2 and call(m, "isEmpty") is False
    assert call(m, "getOrDefault", "zz", 5) == 5
    assert call(m, "getOrDefault", "b", 5) is None  # the key is there, holding null
    assert to_string(call(m, "keySet")) == "[a, b]"
    assert to_string(call(m, "values")) == "[1, null]"
    assert to_string(call(m, "entrySet")) == "[a=1, b=null]"
    assert call(m, "hashCode") == 194
    assert call(m, "equals", {"a": 1, "b": None}) is True
    assert call(m, "equals", None) is False
    assert call(m, "remove", "a") == 1
    assert call(m, "remove", "zz") is None
    assert call(m, "putAll", {"q": 1}) == "" and to_string(m) == "{b=null, q=1}"
    assert call(m, "putAll", "x") is MISSING
    assert call(m, "clear") == "" and m == {}
    assert call(m, "get") is MISSING


def test_map_conditional_writes() -> None:
    m = {"a": 1}
    assert call(m, "remove", "a", 1) is True and m == {}
    m = {"a": 1}
    assert call(m, "putIfAbsent", "a", 2) == 1 and m == {"a": 1}
    assert call(m, "putIfAbsent", "b", 2) is None and m == {"a": 1, "b": 2}
    m = {"a": 1}
    assert call(m, "put", None, 1) is None and to_string(m) == "{a=1, null=1}"


def test_map_keys_use_java_equality() -> None:
    m = {1: "x"}
    assert call(m, "get", 1) == "x"
    assert call(m, "get", 1.0) is None  # Double 1.0 is not the Integer key 1
    assert call(m, "containsKey", "1") is False


def test_map_entries() -> None:
    m = {"a": 1, "b": None}
    first, second = call(m, "entrySet")
    assert call(first, "getKey") == "a" and call(first, "getValue") == 1
    assert get_property(first, "key") == "a" and get_property(first, "value") == 1
    assert get_property(first, "Key") == "a"
    assert get_property(first, "KEY") is MISSING
    assert get_property(second, "value") is None
    assert call(first, "setValue", 5) == 1 and m["a"] == 5
    assert call(first, "toString") == "a=5"
    assert type(first) is MapEntry


# ---- numbers and Boolean -----------------------------------------------------------------------

def test_number_methods() -> None:
    # jar: 7.intValue() 7, longValue 7, doubleValue 7.0, equals(7) true, equals(a Long) false,
    # compareTo(8) -1, hashCode 7; 3000000000.hashCode() -1294967296; 2.5.intValue() 2,
    # hashCode 1074003968; true.hashCode() 1231, compareTo(false) 1
    assert call(7, "intValue") == 7
    assert call(7, "longValue") == 7
    assert to_string(call(7, "doubleValue")) == "7.0"
    assert call(7, "toString") == "7"
    assert call(7, "equals", 7) is True
    assert call(7, "equals", 3000000000) is False
    assert call(7, "equals", 7.0) is False
    assert call(7, "equals", None) is False
    assert call(7, "compareTo", 8) == -1
    assert call(7, "hashCode") == 7
    assert call(3000000000, "hashCode") == -1294967296
    assert call(3000000000, "intValue") == -1294967296
    assert call(3000000000, "shortValue") == 24064
    assert call(3000000000, "byteValue") == 0
    assert call(-2.5, "intValue") == -2
    assert call(-1, "hashCode") == -1
    assert call(-2.5, "hashCode") == -1073479680
    assert call(2.5, "intValue") == 2
    assert call(2.5, "hashCode") == 1074003968
    assert call(2.5, "longValue") == 2
    assert call(2.5, "compareTo", 2.5) == 0
    assert call(2.5, "compareTo", 3.5) == -1
    assert call(2.5, "equals", 2.5) is True
    assert call(1e20, "intValue") == 2147483647
    assert call(1e20, "longValue") == 9223372036854775807
    assert call(Decimal("2.50"), "toString") == "2.50"
    assert call(7, "floatValue") is MISSING  # a Float would print by Float.toString: not modelled


def test_number_compare_to_needs_the_same_class() -> None:
    raises("java.lang.ClassCastException", 7, "compareTo", 3000000000)  # Integer vs Long
    raises("java.lang.ClassCastException", 3000000000, "compareTo", 7)
    raises("java.lang.ClassCastException", 2.5, "compareTo", 3)
    raises("java.lang.ClassCastException", 7, "compareTo", "x")
    raises("java.lang.NullPointerException", 7, "compareTo", None)


def test_boolean_methods() -> None:
    assert call(True, "booleanValue") is True
    assert call(True, "toString") == "true"
    assert call(True, "equals", True) is True
    assert call(True, "hashCode") == 1231
    assert call(True, "compareTo", False) == 1
    raises("java.lang.NullPointerException", True, "compareTo", None)
    assert call(True, "intValue") is MISSING


# ---- properties ---------------------------------------------------------------------------------

def test_properties() -> None:
    # jar: $s.empty false, $e.empty true, $list.empty false, $s.Empty false, $s.EMPTY invalid,
    # $map.empty / $map.keySet / $map.Foo are map lookups (null), $list.size invalid
    m = {"a": 1}
    assert get_property("hello", "empty") is False
    assert get_property("", "empty") is True
    assert get_property([1], "empty") is False
    assert get_property(JsonArray(), "empty") is True
    assert get_property("hello", "Empty") is False
    assert get_property("hello", "EMPTY") is MISSING
    assert get_property(m, "a") == 1
    assert get_property(m, "empty") is None
    assert get_property(m, "keySet") is None
    assert get_property(m, "Foo") is None
    assert get_property([1], "size") is MISSING
    assert get_property("hello", "bytes") is MISSING
    assert get_property(7, "class") is MISSING


# ---- [index] and #set -----------------------------------------------------------------------------

def test_get_index() -> None:
    # jar: $list[0] 1, $list[-1] 3 (counted from the end), $list[3] throws, $list['a'] invalid,
    # $map['a'] 1, $map[-1] is map.get(size - 1), $s[0] invalid, $s[-1] throws (no size()),
    # $list[a Long] invalid
    lst = [1, 2, 3]
    assert get_index(lst, 0) == 1
    assert get_index(lst, -1) == 3
    assert get_index(lst, 2) == 3
    with pytest.raises(JavaException) as e:
        get_index(lst, 3)
    assert e.value.java_class == "java.lang.IndexOutOfBoundsException"
    with pytest.raises(JavaException):
        get_index(lst, -4)
    assert get_index(lst, "a") is MISSING
    assert get_index(lst, 3000000000) is MISSING
    assert get_index({"a": 1}, "a") == 1
    assert get_index({"a": 1, "b": 2}, -1) is None
    assert get_index({1: "x", 2: "y"}, -1) == "x"
    assert get_index({1: "x", 2: "y"}, 1) == "x"
    assert get_index("hello", 0) is MISSING
    assert get_index(7, 0) is MISSING
    with pytest.raises(JavaException) as e:
        get_index("hello", -1)
    assert "A 'size()' method required for negative value -1" in e.value.message


def test_set_index_and_property() -> None:
    # jar: #set($map.k = 5), #set($map['j'] = 6), #set($list[0] = 'z'), #set($list[-1] = 'y');
    # #set($list[9] = 'z') throws; #set($s.x = 1), #set($list.x = 1), #set($list['a'] = 1) do nothing
    m = {"a": 1}
    assert set_property(m, "k", 5) is True and m == {"a": 1, "k": 5}
    assert set_index(m, "j", 6) is True and m["j"] == 6
    lst = [3, 1, 2]
    assert set_index(lst, 0, "z") is True and lst == ["z", 1, 2]
    assert set_index(lst, -1, "y") is True and lst == ["z", 1, "y"]
    with pytest.raises(JavaException):
        set_index(lst, 9, "z")
    assert set_property("hello", "x", 1) is False
    assert set_property(lst, "x", 1) is False
    assert set_index(lst, "a", 1) is False
    assert set_index("hello", 0, 1) is False


# ---- the sandbox ---------------------------------------------------------------------------------

class Greeter(HostObject):
    vtl_methods = frozenset({"greet", "_secret", "__class__"})
    vtl_properties = frozenset({"name"})

    def greet(self, who: str) -> str:
        return "hi " + who

    def get_name(self) -> str:
        return "greeter"

    def _secret(self) -> str:  # pragma: no cover - must never be reached
        raise AssertionError("reached")

    def other(self) -> str:  # pragma: no cover - must never be reached
        raise AssertionError("reached")

    def vtl_to_string(self) -> str:
        return "Greeter!"


def test_host_object_exposes_only_its_allowed_names() -> None:
    g = Greeter()
    assert call(g, "greet", "x") == "hi x"
    assert get_property(g, "name") == "greeter"
    assert get_property(g, "Name") == "greeter"
    assert call(g, "toString") == "Greeter!"
    assert call(g, "equals", g) is True
    assert call(g, "other") is MISSING
    assert call(g, "_secret") is MISSING
    assert call(g, "__class__") is MISSING
    assert call(g, "get_name") is MISSING
    assert get_property(g, "other") is MISSING
    assert get_property(g, "__dict__") is MISSING
    assert get_index(g, 0) is MISSING


@pytest.mark.parametrize(("obj", "name"), [
    ("x", "__class__"), ("x", "__len__"), ([], "__len__"), ({}, "__getitem__"), (7, "__add__"),
    ("x", "_units"), ([], "append"), ({}, "items"), ("x", "upper"), ("x", "format"),
    (object(), "toString"), (object(), "__str__"), (len, "__call__"), (MISSING, "toString"),
])
def test_python_internals_are_unreachable(obj: object, name: str) -> None:
    assert call_method(obj, name, []) is MISSING
    assert call_method(obj, name, [1]) is MISSING


def test_properties_never_reach_python_attributes() -> None:
    assert get_property({}, "__class__") is None  # a map lookup of the key "__class__"
    assert get_property("x", "class") is MISSING
    assert get_property([], "class") is MISSING
    assert get_property("x", "__class__") is MISSING
    assert get_property(object(), "__class__") is MISSING
    assert get_property(object(), "toString") is MISSING
    assert get_property(MapEntry({}, "k", 1), "owner") is MISSING
