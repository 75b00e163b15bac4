"""values.py: printing, equality, hashing, truth and ranges as Velocity 1.7 on Java 17 does them.

Every expected value here was produced by the reference (Velocity 1.7 jar, or a Java 17 program
for Double.toString), not written from memory.
"""
from __future__ import annotations

import math
import random
import struct
from decimal import Decimal

import pytest

from vtl_engine import Template
from vtl_engine.core.runtime.host import HostObject
from vtl_engine.core.runtime.signals import MISSING, LimitExceeded
from vtl_engine.core.runtime.values import (
    JavaArray,
    JsonArray,
    MapEntry,
    double_to_string,
    is_true,
    java_equals,
    java_hash,
    make_range,
    to_string,
)

# Java 17 Double.toString; several differ from Python's shortest repr (verified against Java).
DOUBLES = [
    (1.0, "1.0"), (1e20, "1.0E20"), (-0.0, "-0.0"), (0.0, "0.0"), (1e-05, "1.0E-5"),
    (123456.789, "123456.789"), (12345678.9, "1.23456789E7"), (12345678.0, "1.2345678E7"),
    (10000000.0, "1.0E7"), (9999999.0, "9999999.0"), (0.001, "0.001"), (0.0001, "1.0E-4"),
    (100.0, "100.0"), (0.1, "0.1"), (0.30000000000000004, "0.30000000000000004"),
    (1 / 3, "0.3333333333333333"), (-1.5, "-1.5"), (1e21, "1.0E21"), (1e22, "1.0E22"),
    (1e23, "9.999999999999999E22"), (2e23, "1.9999999999999998E23"),
    (6.36e22, "6.3600000000000004E22"), (5.026e21, "5.025999999999999E21"),
    (5.76027e20, "5.7602700000000003E20"), (2.0**60, "1.15292150460684698E18"),
    (2.0**63, "9.223372036854776E18"), (2.0**64, "1.8446744073709552E19"), (1e16, "1.0E16"),
    (9007199254740992.0, "9.007199254740992E15"), (1.2345678901234568e18, "1.23456789012345677E18"),
    (2.82879384806159e17, "2.82879384806159008E17"), (1.078408574830862e17, "1.07840857483086208E17"),
    (3.8970552313e18, "3.8970552312999997E18"), (5e-324, "4.9E-324"), (1e-323, "1.0E-323"),
    (6e-323, "5.9E-323"), (8.095e-320, "8.0948E-320"),
    (2.2250738585072014e-308, "2.2250738585072014E-308"),
    (1.7976931348623157e308, "1.7976931348623157E308"),
    (5.684341886080802e-14, "5.6843418860808015E-14"), (1.793662034335766e-43, "1.7936620343357659E-43"),
    (4.81482486096809e-35, "4.8148248609680896E-35"), (2.0**-20, "9.5367431640625E-7"),
    (0.5, "0.5"), (1e100, "1.0E100"), (1e-100, "1.0E-100"), (3.141592653589793, "3.141592653589793"),
    (1000000.0, "1000000.0"), (123456789.0, "1.23456789E8"), (4.35, "4.35"), (0.005, "0.005"),
    (299792458.0, "2.99792458E8"), (6.02214076e23, "6.02214076E23"),
    (1.602176634e-19, "1.602176634E-19"), (-273.15, "-273.15"),
    (math.nan, "NaN"), (math.inf, "Infinity"), (-math.inf, "-Infinity"),
]


@pytest.mark.parametrize(("value", "expected"), DOUBLES)
def test_double_to_string_matches_java17(value: float, expected: str) -> None:
    assert double_to_string(value) == expected
    assert to_string(value) == expected


def test_negative_doubles_mirror_positive_ones() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(63)))[0]
        if math.isfinite(x):
            assert double_to_string(-x) == "-" + double_to_string(x) or x == 0.0


def test_double_to_string_parses_back() -> None:
    rng = random.Random(11)
    for _ in range(5000):
        x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(63)))[0]
        if math.isfinite(x):
            assert float(double_to_string(x)) == x


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("13835058055282163712.0"), "13835058055282163712.0"),
    (Decimal("1E+3"), "1E+3"),
    (Decimal("0.0000001"), "1E-7"),
    (Decimal("0.000001"), "0.000001"),
    (Decimal("-12.50"), "-12.50"),
])
def test_big_decimal_to_string(value: Decimal, expected: str) -> None:
    assert to_string(value) == expected


def test_scalars_print_as_java() -> None:
    assert to_string(True) == "true"
    assert to_string(False) == "false"
    assert to_string(2147483648) == "2147483648"
    assert to_string(-9223372036854775809) == "-9223372036854775809"
    assert to_string("x") == "x"
    assert to_string(None) == "null"


def test_maps_and_lists_print_as_abstract_map_and_collection() -> None:
    # jar: $map -> {l=[1, "x"], s=t} in the aws dialect (inner list a JSONArray); plain lists:
    assert to_string({"a": 1, "b": None, "c": [1, 2.5, "x"]}) == "{a=1, b=null, c=[1, 2.5, x]}"
    assert to_string({"l": JsonArray([1, "x"]), "s": "t"}) == '{l=[1,"x"], s=t}'
    assert to_string([]) == "[]"
    assert to_string({}) == "{}"
    assert to_string([None, True, {"k": []}]) == "[null, true, {k=[]}]"


def test_self_reference() -> None:
    m: dict = {"a": 1}
    m["me"] = m
    lst: list = [1]
    lst.append(lst)
    assert to_string(m) == "{a=1, me=(this Map)}"
    assert to_string(lst) == "[1, (this Collection)]"


def test_map_entry_prints_key_equals_value() -> None:
    m = {"a": 1, "b": None}
    entries = [MapEntry(m, k, v) for k, v in m.items()]
    assert to_string(entries) == "[a=1, b=null]"


def test_json_array_escapes_as_json_smart() -> None:
    # jar (aws dialect): $a for this JSON array
    a = JsonArray([
        "a/b", 'q"uote', "back\\slash", "ctl\u0001\u001f\u007f\u0080\u00e9\u2028\u2029\U0001F600",
        "\t\n\r\b\f", 1, 1.5, 1e20, 2147483648, None, True,
        {"k": "v/", "n": JsonArray([1, {"x": None}])}, JsonArray(), {},
    ])
    assert to_string(a) == (
        '["a\\/b","q\\"uote","back\\\\slash","ctl\\u0001\\u001F\\u007F\\u0080\u00e9\\u2028\\u2029\U0001F600",'
        '"\\t\\n\\r\\b\\f",1,1.5,1.0E20,2147483648,null,true,{"k":"v\\/","n":[1,{"x":null}]},[],{}]'
    )
    assert to_string(JsonArray(["\u009f\u00a0\u1fff\u2000\u20ac\u20ff\u2100\ufeff"])) == (
        '["\\u009F\u00a0\u1fff\\u2000\\u20AC\\u20FF\u2100\ufeff"]'
    )


def test_json_array_numbers_nested_values_and_keys() -> None:
    # jar: [1.0E-5,0.1,100.0,1.0E7,1.23456789E7,-0.0]; Infinity -> null, NaN -> NaN;
    # a null key prints as ""; non-string keys are quoted; a String[] inside is a JSON array
    assert to_string(JsonArray([1e-5, 0.1, 100.0, 1e7, 12345678.9, -0.0])) == "[1.0E-5,0.1,100.0,1.0E7,1.23456789E7,-0.0]"
    assert to_string(JsonArray([math.inf, math.nan, 9223372036854775808, Decimal("13835058055282163712.0")])) == (
        "[null,NaN,9223372036854775808,13835058055282163712.0]"
    )
    assert to_string(JsonArray([{None: 1}, {1: 2, "true": "x"}])) == '[{"":1},{"1":2,"true":"x"}]'
    assert to_string(JsonArray([JavaArray(["a", "b"]), [1, 2]])) == '[["a","b"],[1,2]]'
    # an ArrayList holding a JSONArray prints it as JSON: [1, ["x"]]
    assert to_string([1, JsonArray(["x"])]) == '[1, ["x"]]'


def test_java_array_prints_by_identity() -> None:
    text = to_string(JavaArray(["a"]))
    assert text.startswith("[Ljava.lang.String;@")


class _Host(HostObject):
    def vtl_to_string(self) -> str:
        return "host!"


def test_host_and_opaque_objects() -> None:
    assert to_string(_Host()) == "host!"
    assert to_string(object()) == ""
    assert to_string([_Host(), object()]) == "[host!, ]"


def test_is_true() -> None:
    # jar: #set($e = '')#if($e) -> true; [] -> true; 0 -> true; false -> false; null -> false
    assert is_true("") and is_true([]) and is_true(0) and is_true({}) and is_true(0.0)
    assert not is_true(False)
    assert not is_true(None)
    assert not is_true(MISSING)
    assert is_true(True)


def test_make_range() -> None:
    # jar: [1..3] [3..1] [-2..2] [0..0]; strings and nulls give null; doubles are cut by
    # intValue(); a Long is cut to its low 32 bits ([$l..$l] with Long.MAX_VALUE is [-1])
    assert make_range(1, 3) == [1, 2, 3]
    assert make_range(3, 1) == [3, 2, 1]
    assert make_range(-2, 2) == [-2, -1, 0, 1, 2]
    assert make_range(0, 0) == [0]
    assert make_range("3", 1) is None
    assert make_range(None, 1) is None
    assert make_range(True, 2) is None
    assert make_range(2.7, -2.7) == [2, 1, 0, -1, -2]
    assert make_range(9223372036854775807, 9223372036854775807) == [-1]
    assert make_range(1e20, 2147483640) == [2147483647, 2147483646, 2147483645, 2147483644,
                                             2147483643, 2147483642, 2147483641, 2147483640]
    assert make_range(Decimal("13835058055282163712.0"), 3) == [0, 1, 2, 3]


def test_make_range_limit_checked_before_allocating() -> None:
    assert make_range(1, 10, limit=10) == list(range(1, 11))
    with pytest.raises(LimitExceeded) as e:
        make_range(0, 2_000_000_000, limit=1000)
    assert (e.value.limit, e.value.value) == ("max_range", 1000)


def test_java_equals() -> None:
    assert java_equals(1, 1)
    assert not java_equals(1, 1.0)
    assert not java_equals(True, 1)
    assert not java_equals(Decimal("1.0"), Decimal("1.00"))  # BigDecimal.equals compares scale
    assert java_equals(math.nan, math.nan)  # Double.equals compares bits
    assert not java_equals(0.0, -0.0)
    assert java_equals([1, "a", None], JsonArray([1, "a", None]))
    assert not java_equals([1.0, 2], [1, 2])  # jar: [1.0, 2] == $list -> false
    assert java_equals({"a": 1, "b": None}, {"a": 1, "b": None})
    assert not java_equals({"a": 1.0}, {"a": 1})
    assert not java_equals(JavaArray(["a"]), JavaArray(["a"]))  # arrays: identity


@pytest.mark.parametrize(("value", "expected"), [
    ("hello", 99162322), ("a\U0001F600b", 57849694), (7, 7), (3000000000, -1294967296),
    (2.5, 1074003968), (True, 1231), (False, 1237), ([1, 2, 3], 30817), (["x", 2, 3], 145176),
    ({"a": 1, "b": None}, 194), (None, 0),
])
def test_java_hash(value: object, expected: int) -> None:
    # jar: $x.hashCode() for each
    assert java_hash(value) == expected


def test_range_wraps_like_java_int_arithmetic() -> None:
    # Math.abs(-2147483648 - 2147483647) + 1 overflows to 2 in Java: two wrapped elements
    assert make_range(-2147483648, 2147483647) == [-2147483648, -2147483647]


# Java 17 Double.toString of 120 doubles (hex bits, Java's text), 80 of them where Java's text is
# not the shortest repr; produced by Double.toString(Double.longBitsToDouble(bits)).
JAVA_DOUBLES = """
11b5a7690cc8dac2 2.340023878537973E-223
16f7592080d019aa 4.880399541279719E-198
17b0000000000000 1.3698808431302519E-194
1d50000000000000 1.6958303447609539E-167
3b1818685a4ad451 4.9828E-24
3b7df8b739a4256a 3.9667010574575053E-22
3bb1f1eb098de058 3.8E-21
3bc104f7f9b38f85 7.208E-21
3daf00290eadc58c 1.409745277E-11
3dc879d2a80ed922 4.45213492871345E-11
3de27fbbcf4ae7ae 1.3459764522235735E-10
3e10a8a85594afbf 9.6967086298252E-10
3e66a9456fd2486d 4.22098036325E-8
406cd66666666667 230.70000000000002
40e87d0000000000 50152.0
4147d16e00000000 3121884.0
4155312f40000000 5555389.0
415b77fec0000000 7200763.0
41b039bf60000000 2.7222E8
422b2ae6d8a53e5d 5.83419444026218E10
423a4df41ad02454 1.129769929761419E11
425ed4243dfc4000 5.29632655345E11
42c98b4abaa1a000 5.61720897872E13
42f2544c3e3ca000 3.224522512E14
435b45c854c418a8 3.0706204356403872E16
4366cabc63f12dd8 5.1322879736377024E16
4367d30a7db425f0 5.3647731811495808E16
436c5b31572e3624 6.3852534576558368E16
436cbb6d14aa62a0 6.4699012163507456E16
436f6f34a76fc0a8 7.0783969729054016E16
437046e163ace43e 7.3304535699702752E16
43715fb9a25c4dd5 7.8245208026045776E16
437687916865ee26 1.01464129266442848E17
4379d5637192cb7b 1.16343960027051952E17
4379dcacac190de0 1.16472137561202176E17
437cb7977f2b02d5 1.29330570389892432E17
437f7546aaecbfc1 1.41674730461330448E17
43818ae9d0c32e9f 1.58009966033490912E17
4385e2b45f7a23a3 1.97127642712142944E17
4388b9a6b7b751bd 2.22704804448319392E17
438c84656e00e9e4 2.56859856640490624E17
438c86c83cb3d89d 2.56943805372765088E17
438d462378db0ddf 2.63676559680977888E17
438dfbb1a15b79d1 2.70064469104605728E17
43933839feb6656a 3.4623016289025088E17
4394bc5463883a0c 3.7354049071104077E17
43971fb39d60f564 4.1656196891707622E17
4399d2533f987c0a 4.6516028216593677E17
439b16bf2b62e355 4.8798942039381331E17
439bc0be30bea7f9 4.9995183777972179E17
439efd776e437445 5.5826807642685882E17
43a238dba6b5d12e 6.5652040021996928E17
43a2acc7f805c440 6.7283512836975002E17
43a3103a9bf7abdf 6.8683116394878963E17
43a3775e29680da2 7.0134667044079642E17
43a3f987e4e82ecd 7.1966548656962931E17
43a4323f0d692134 7.2764747821249997E17
43a4a3788219e5ef 7.4358240106898829E17
43a7f8b3c97ca568 8.6366406752879923E17
43a88813963f4574 8.8384219488522906E17
43ac42e50d346dd2 1.01822091320091674E18
43ad99e321da0748 1.06649281653398835E18
43ae6ba30a8e46fa 1.09601245468894746E18
43af8484b1a1aef3 1.13554300527912384E18
43b23abdf975e37a 1.31357112045426944E18
43b277be68942238 1.33074157128241766E18
43b2908e763e01fd 1.33772572782664013E18
43b34d89b35a8f6b 1.39091926333885107E18
43b457cd12ca44d6 1.46586568431900006E18
43b5f6d2317debfa 1.58268342907515546E18
43b69fcfd436f566 1.63025010049347738E18
43b6c89f4b83c2da 1.64173721085849446E18
43b73f13bb65298b 1.67507928198214733E18
43bc6782d4c48732 2.0467484060050519E18
43be44ace3ad7ce6 2.18105821342236006E18
43bed5f8c98fd41e 2.22195553576236595E18
43c087d5a3b8111c 2.3823110512146002E18
43c587ebbf556844 3.1029356073132052E18
43c95226ee54bf09 3.6491272082086999E18
43cc3e6c976130e4 4.0703669580889969E18
43d0dcd56e0d9952 4.8603226725378478E18
43d23052b68fdb21 5.2425537424633702E18
43d24dc75f23bf8d 5.2757179092999997E18
43d33ca3fb876daa 5.5446523441100001E18
43d359e3535b4a88 5.5775820272051241E18
43dab5970cdfd09b 7.6984419892845885E18
43dbf3166ba8785b 8.0559124400340613E18
43dc21542fc9dbb9 8.1079754860810004E18
43dcc2f722ca637d 8.2899620293612636E18
43dd4d0f993b8217 8.4454438044376996E18
43deb7560441133b 8.8533292725901015E18
43df519db3c8543e 9.0270331351000003E18
4408e4a6c5287708 5.7399741354174644E19
440bc53c9f428c22 6.4034312452800004E19
441257d7e4d7621d 8.45927931854449E19
443aeb15bda38c18 4.9655500000000003E20
44622752fe4196f0 2.6790000000000003E21
44671fead668a642 3.4126000000000003E21
447687f49f6ca3ba 6.649999999999999E21
4483e6e202636d48 1.1747999999999999E22
44ab48c28ee035fa 6.4423039999999996E22
44e0dac0b4b3981d 6.3674511884E23
461c70bc41ab5782 5.63319614917E29
467844f82a946594 3.076513433104464E31
4693617593d7a8e9 9.827182567748365E31
4743e278e963b62f 2.0649408898528E35
52f0000000000000 3.2592575621351777E91
63d0000000000000 6.1832600368276134E172
782794f4018e4854 6.229080728908801E270
786966dce573119b 1.0735709044312628E272
941d86e8b072caa7 -8.770860620586408E-212
ad71f0ce04876996 -8.807229616423684E-90
b70baa5d1c8c9faf -1.5507039687891933E-43
ba1c758ad017d5dd -8.98012413233821E-29
c03793bbd53f3f82 -23.577084854070115
c3c639ffd33c21c7 -3.2031848504379018E18
cf4317a2ad79b482 -6.74664403544372E73
d63620a1144bd08f -2.029971760447823E107
d81788a587d09fc7 -2.318194949286923E116
ea0592c305286d28 -5.284251093414282E202
"""


def test_double_to_string_golden_table() -> None:
    rows = [line.split() for line in JAVA_DOUBLES.strip().splitlines()]
    for bits, expected in rows:
        x = struct.unpack("<d", struct.pack("<Q", int(bits, 16)))[0]
        assert double_to_string(x) == expected, bits


# The caller's lists are plain Python lists; in the aws dialect they are JSON arrays (API
# Gateway's data come from JSON), unconverted. Lists a template makes are Java lists everywhere.
# Each expected output was checked against the jar (the aws column with json-smart's JSONArray
# in the context).
LIST_CASES = [
    ("$data", "[1, a]", '[1,"a"]'),
    ("$data.class.name", "java.util.ArrayList", "net.minidev.json.JSONArray"),
    ("$data.toJSONString()", "$data.toJSONString()", '[1,"a"]'),
    ("$data.subList(0, 1)", "[1]", "[1]"),
    ("$m", "{k=[1, a]}", '{k=[1,"a"]}'),
    ("#set($l = [1, 'a'])$l $l.class.name", "[1, a] java.util.ArrayList",
     "[1, a] java.util.ArrayList"),
    ("#set($r = [1..2])$r", "[1, 2]", "[1, 2]"),
    ("$m.keySet() $m.values() $m.entrySet()", "[k] [[1, a]] [k=[1, a]]",
     '[k] [[1,"a"]] [k=[1,"a"]]'),
    ("#set($l = [])#set($_ = $l.add($data))$l", "[[1, a]]", '[[1,"a"]]'),
    ("#set($l = [$data])$l.size() $l", "1 [[1, a]]", '1 [[1,"a"]]'),
]


@pytest.mark.parametrize(("source", "velocity", "aws"), LIST_CASES)
def test_the_callers_lists_and_the_templates_lists(source: str, velocity: str, aws: str) -> None:
    def context() -> dict:
        data = [1, "a"]
        return {"data": data, "m": {"k": data}}

    assert Template(source, "velocity").render(context()) == velocity
    assert Template(source, "aws").render(context()) == aws


def test_a_plain_list_prints_as_java_outside_a_render() -> None:
    assert to_string([1, "a"]) == "[1, a]"
