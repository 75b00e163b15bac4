"""JSON text to and from the values API Gateway's JSON library (json-smart) hands templates.

json-smart reads an object as a map, an array as a JSONArray (printed as JSON), a whole number as
Integer/Long/BigInteger, a decimal as Double unless its text is longer than 18 characters (then
BigDecimal). Here: dict, JsonArray, int, float or Decimal. orjson does the parsing; the rare text
with such long numbers (which orjson would round or reject) goes through the json module instead.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import orjson

from ..runtime.signals import JavaException
from ..runtime.values import JsonArray, json_array_to_string

# A run of number characters long enough to be a BigDecimal or to overflow 64 bits. It may also
# match inside a string; that only sends the text down the exact (slower) path.
_LONG_NUMBER = re.compile(r"[-+.0-9eE]{19,}")
# Java's String.trim() removes every character up to and including the space.
_JAVA_BLANKS = "".join(map(chr, range(33)))


def parse_json(text: str) -> Any:
    """Parse strict JSON into json-smart's kinds of values; invalid JSON throws a JavaException
    whose message says where."""
    try:
        value = orjson.loads(text) if _LONG_NUMBER.search(text) is None else _loads_exact(text)
    except orjson.JSONDecodeError:
        # orjson also refuses numbers beyond double range, which json-smart reads as Infinity
        value = _loads_exact(text)
    return _with_json_arrays(value)


def parse_body(text: str) -> Any:
    """A request or response payload as JsonPath sees it.

    json-smart's permissive parser, which JsonPath uses, reads text that is not JSON at all
    (`some raw data`, `a=1&b=2`) as one string, trimmed; text that starts like an object or an
    array but is malformed still fails.
    """
    try:
        return parse_json(text)
    except JavaException:
        stripped = text.strip(_JAVA_BLANKS)
        if stripped[:1] in ("{", "["):
            raise
        return stripped


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


def _with_json_arrays(value: Any) -> Any:
    """Replace every list in a freshly parsed value by a JsonArray, in place where possible."""
    kind = type(value)
    if kind is list:
        value = JsonArray(value)
    elif kind is not dict:
        return value
    pending = [value]
    pop, push = pending.pop, pending.append
    while pending:
        node = pop()
        if type(node) is dict:
            for key, item in node.items():
                kind = type(item)
                if kind is dict:
                    push(item)
                elif kind is list:
                    push(JsonArray(item))
                    node[key] = pending[-1]
        else:
            for i, item in enumerate(node):
                kind = type(item)
                if kind is dict:
                    push(item)
                elif kind is list:
                    push(JsonArray(item))
                    node[i] = pending[-1]
    return value


# orjson writes what json-smart writes except: "/" (json-smart escapes it), control characters
# (upper-case hex in json-smart), U+007F-U+009F and U+2000-U+20FF (escaped by json-smart), and
# doubles outside [1e-3, 1e7) (Java switches to E notation there; inside, both print the shortest
# repr). Output with any of these is written again the json-smart way.
_ORJSON_DIFFERS = re.compile(rb"[/\x7f]|\\u00|\xc2[\x80-\x9f]|\xe2[\x80-\x83]|\d{8}\.|\d[eE]|0\.000")


def to_json(value: Any) -> str:
    """`value` as the JSON text json-smart's JSONValue.toJSONString writes (compact)."""
    try:
        data = orjson.dumps(value)
    except TypeError:  # Decimal, a BigInteger, a host object: only json-smart's rules know
        return json_array_to_string(value)
    if _ORJSON_DIFFERS.search(data) is None:
        return data.decode()
    return json_array_to_string(value)
