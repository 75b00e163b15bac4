"""JSON text to and from json-smart's values: the fast orjson paths agree with the exact ones."""
import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from vtl_engine.apigateway.jsondata import parse_body, parse_json, to_json
from vtl_engine.core.runtime.values import JAVA_DATA, JsonArray

scalars = (st.none() | st.booleans() | st.integers(-(1 << 70), 1 << 70)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text())
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=5), inner, max_size=4),
                           max_leaves=12)


def as_java(value):
    if isinstance(value, list):
        return JsonArray(as_java(v) for v in value)
    if isinstance(value, dict):
        return {k: as_java(v) for k, v in value.items()}
    return value


def exact(text):
    """The reference reading: every number literal judged by its own text."""
    def number(literal):
        return Decimal(literal) if len(literal) > 18 else float(literal)
    return as_java(json.loads(text, parse_float=number))


@settings(max_examples=400)
@given(json_values)
def test_to_json_is_json_smart_output(value):
    value = as_java(value)
    assert to_json(value) == JAVA_DATA.to_json(value)


@settings(max_examples=400)
@given(json_values)
def test_parse_json_reads_numbers_as_json_smart(value):
    text = json.dumps(value)
    parsed = parse_json(text)
    expected = exact(text)
    assert parsed == expected
    assert JAVA_DATA.to_json(parsed) == JAVA_DATA.to_json(expected)


def test_number_kinds():
    parsed = parse_json('[1, -5, 2147483648, 12345678901234567890, 1.5, 10.00, 1e5, '
                        '0.1234567890123456, -0.1234567890123456, 1.2345678901234567890, 1E400]')
    assert [type(v).__name__ for v in parsed] == [
        "int", "int", "int", "int", "float", "float", "float", "float", "Decimal", "Decimal",
        "float"]
    assert parsed[3] == 12345678901234567890 and parsed[5] == 10.0
    assert parsed[9] == Decimal("1.2345678901234567890") and parsed[10] == float("inf")
    assert to_json(parsed) == ('[1,-5,2147483648,12345678901234567890,1.5,10.0,100000.0,'
                               '0.1234567890123456,-0.1234567890123456,1.2345678901234567890,'
                               'null]')


def test_every_array_becomes_a_json_array():
    parsed = parse_json('{"a": [[1], {"b": [2, [3]]}], "s": "[not an array]"}')
    assert type(parsed["a"]) is JsonArray and type(parsed["a"][0]) is JsonArray
    assert type(parsed["a"][1]["b"]) is JsonArray and type(parsed["a"][1]["b"][1]) is JsonArray


def test_json_smart_escapes():
    assert to_json("a/b\u2028\u00e9\x01\x7f\x9f\"\\") == \
        '"a\\/b\\u2028\u00e9\\u0001\\u007F\\u009F\\"\\\\"'


def test_payloads_that_are_not_json():
    # json-smart's permissive reading, which JsonPath uses: text that is not JSON is one string
    assert parse_body("some raw data") == "some raw data"
    assert parse_body("  a=1&b=2 \n") == "a=1&b=2"
    assert parse_body("   ") == ""
