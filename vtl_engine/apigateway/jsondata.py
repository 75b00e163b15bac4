"""JSON text to and from the values API Gateway's JSON library (json-smart) hands templates.

json-smart reads an object as a map, an array as a JSONArray (printed as JSON), a whole number as
Integer/Long/BigInteger, a decimal as Double unless its text is longer than 18 characters (then
BigDecimal). Here: dict, JsonArray, int, float or Decimal. orjson does the parsing; the rare text
with such long numbers (which orjson would round or reject) goes through the json module instead.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import orjson

from ..core.runtime.signals import JavaException
from ..core.runtime.values import JSON_DATA, JsonArray

# One C-level pass over the text tells two things: whether some run of number characters is long
# enough to be a BigDecimal or to overflow 64 bits (then orjson would round it), and how many
# arrays there can be at most (a "[" in a string counts too; that only costs a longer walk).
_SCAN = bytes(ord("1") if chr(b) in "-+.0123456789eE" else b if chr(b) == "[" else ord("0")
              for b in range(256))
_LONG_NUMBER = b"1" * 19
# Java's String.trim() removes every character up to and including the space.
_JAVA_BLANKS = "".join(map(chr, range(33)))


def parse_json(text: str) -> Any:
    """Parse strict JSON into json-smart's kinds of values; invalid JSON throws a JavaException
    whose message says where. Blank text (characters up to U+0020 only) is the empty string, as
    json-smart's permissive parser (the one Jayway's provider uses) reads it."""
    if text[:1] <= " " and not text.strip(_JAVA_BLANKS):
        return ""
    return with_json_arrays(*parse_json_lists(text))


def parse_json_lists(text: str) -> tuple[Any, bytes]:
    """parse_json with arrays left as Python lists (what printing as JSON needs), and the
    text's scan, which tells with_json_arrays how many arrays there can be at most."""
    scan = text.encode("utf-8", "surrogatepass").translate(_SCAN)
    try:
        value = orjson.loads(text) if scan.find(_LONG_NUMBER) < 0 else _loads_exact(text)
    except orjson.JSONDecodeError:
        # orjson also refuses numbers beyond double range, which json-smart reads as Infinity
        value = _loads_exact(text)
    return value, scan


def parse_body(text: str) -> Any:
    """A request or response payload as JsonPath sees it."""
    return with_json_arrays(*parse_body_lists(text))


def parse_body_lists(text: str) -> tuple[Any, bytes]:
    """parse_body with arrays left as lists (see parse_json_lists).

    json-smart's permissive parser, which JsonPath uses, reads text that is not JSON at all
    (`some raw data`, `a=1&b=2`) as one string, trimmed; text that starts like an object or an
    array but is malformed still fails.
    """
    try:
        return parse_json_lists(text)
    except JavaException:
        stripped = text.strip(_JAVA_BLANKS)
        if stripped[:1] in ("{", "["):
            raise
        return stripped, b""


def _loads_exact(text: str) -> Any:
    try:
        return json.loads(text, parse_float=_java_decimal, parse_constant=_reject_constant)
    except ValueError as error:  # json.JSONDecodeError, or a constant rejected below
        raise JavaException("net.minidev.json.parser.ParseException",
                            f"invalid JSON: {error}") from None


def _java_decimal(literal: str) -> float | Decimal:
    return Decimal(literal) if len(literal) > 18 else float(literal)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def with_json_arrays(value: Any, scan: bytes) -> Any:
    """Replace the lists in a parsed value by JsonArrays, in place where possible (the value
    itself is new if it is a list), stopping once as many have been found as the text's `scan`
    says there can be at most (counted only now: a template that prints JSON never asks)."""
    most = scan.count(91)   # "["
    kind = type(value)
    if kind is list:
        value = JsonArray(value)
        most -= 1
    elif kind is not dict:
        return value
    pending = [value]
    pop, push = pending.pop, pending.append
    while pending and most > 0:
        node = pop()
        for key, item in (node.items() if type(node) is dict else enumerate(node)):
            kind = type(item)
            if kind is dict:
                push(item)
            elif kind is list:
                item = node[key] = JsonArray(item)
                push(item)
                most -= 1
    return value


# orjson writes what json-smart writes except: "/" (json-smart escapes it), control characters
# (upper-case hex in json-smart), U+007F-U+009F and U+2000-U+20FF (escaped by json-smart), and
# doubles outside [1e-3, 1e7) (Java switches to E notation there; inside, Java 17 prints the
# shortest repr too, checked on 225,000 doubles). All but "/" (patched below) send the value to
# json-smart's rules. The checks are substring tests (str's are several times cheaper than
# bytes', which take a buffer each) and, for doubles, one translated copy of the output where
# only number characters survive as such, other letters than "e" deleted to make it short (a
# regular expression would cost more than the encoding). A false alarm only costs the slower,
# still exact, way.
def _number_marks() -> bytes:
    table = bytearray(b" " * 256)
    for byte, mark in zip(b"0123456789.e+-", b"0999999999.e++"):
        table[byte] = mark
    return bytes(table)


_NUMBER_MARKS = _number_marks()
_LETTERS = bytes(c for c in b"abcdfghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def to_json(value: Any) -> str:
    """`value` as the JSON text json-smart's JSONValue.toJSONString writes (compact)."""
    try:
        data = orjson.dumps(value)
    except TypeError:  # Decimal, a BigInteger, a host object: only json-smart's rules know
        return JSON_DATA.to_json(value)
    text = data.decode()
    if _written_differently(data, text):
        return JSON_DATA.to_json(value)
    # "/" only ever appears inside strings, where json-smart writes it as "\/"
    return text if "/" not in text else text.replace("/", "\\/")


def _written_differently(data: bytes, text: str) -> bool:
    if not data.isascii() and (0xC2 in data or 0xE2 in data):
        return True   # U+0080-U+00BF or U+2000-U+2FFF (their UTF-8 lead bytes)
    if "\x7f" in text or ("\\" in text and "\\u00" in text):   # one character: memchr
        return True   # U+007F, or an escaped control character
    if "." not in text and "e+" not in text and "e-" not in text:
        return False   # no double at all: orjson writes each with a "." or an exponent
    marks = data.translate(_NUMBER_MARKS, _LETTERS).decode()
    return ("9e+" in marks  # E notation: 1e+16, 1e-7
            or "0.000" in marks  # below 1e-3
            or "99999999." in marks.replace("0", "9"))  # 1e7 and above
