"""$util: each helper byte-exact with the Java it stands for.

Expected strings were produced by Java 17 with Commons Lang 2.4 (escapeJavaScript),
java.net.URLEncoder/URLDecoder and java.util.Base64, on the same inputs.
"""
from decimal import Decimal

import pytest

from vtl_engine.apigateway import UTIL
from vtl_engine.apigateway.util import (base64_decode, base64_encode, escape_javascript,
                                        parse_json, url_decode, url_encode)
from vtl_engine.core.runtime.signals import MISSING, JavaException
from vtl_engine.core.runtime.values import JsonArray

CONTROL_AND_UNICODE = ("\b\f\n\r\t\x00\x01\x1b\x1f\x7f\x80\u00e9\u0100\u0fff\u1000\u20ac\uffff")


@pytest.mark.parametrize("text, expected", [
    ("", ""),
    ("plain", "plain"),
    ("O'Reilly \"q\" back\\slash a/b", "O\\'Reilly \\\"q\\\" back\\\\slash a\\/b"),
    (CONTROL_AND_UNICODE,
     "\\b\\f\\n\\r\\t\\u0000\\u0001\\u001B\\u001F\x7f"
     "\\u0080\\u00E9\\u0100\\u0FFF\\u1000\\u20AC\\uFFFF"),
    # the same escapes on ASCII-only and Latin-1-only text (separate code paths; not run in Java)
    ("a\x7fb\x01\n/\t", "a\x7fb\\u0001\\n\\/\\t"),
    ("caf\u00e9 \x7f'\x00", "caf\\u00E9 \x7f\\'\\u0000"),
    ("emoji \U0001F600!", "emoji \\uD83D\\uDE00!"),
    ("lone \ud800 x", "lone \\uD800 x"),
    ("~*._- +%&=?#", "~*._- +%&=?#"),
    ("\u4e2d\u6587", "\\u4E2D\\u6587"),
])
def test_escape_javascript(text, expected):
    assert escape_javascript(text) == expected


def test_escape_javascript_null_and_non_strings():
    assert escape_javascript(None) is None
    assert escape_javascript({"a": "x/y"}) == "{a=x\\/y}"
    assert escape_javascript(JsonArray(["a/b"])) == '[\\"a\\\\\\/b\\"]'


@pytest.mark.parametrize("text, expected", [
    ("", ""),
    ("plain", "plain"),
    ("O'Reilly \"q\" back\\slash a/b", "O%27Reilly+%22q%22+back%5Cslash+a%2Fb"),
    (CONTROL_AND_UNICODE,
     "%08%0C%0A%0D%09%00%01%1B%1F%7F%C2%80%C3%A9%C4%80%E0%BF%BF%E1%80%80%E2%82%AC%EF%BF%BF"),
    ("emoji \U0001F600!", "emoji+%F0%9F%98%80%21"),
    ("lone \ud800 x", "lone+%3F+x"),
    ("~*._- +%&=?#", "%7E*._-+%2B%25%26%3D%3F%23"),
    ("100% sure", "100%25+sure"),
    ("a+b%2Bc", "a%2Bb%252Bc"),
    ("\u4e2d\u6587", "%E4%B8%AD%E6%96%87"),
])
def test_url_encode(text, expected):
    assert url_encode(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("a+b%2Bc", "a b+c"),
    ("%41%42", "AB"),
    ("%e2%82%ac", "\u20ac"),
    ("%E2%82", "\ufffd"),
    ("%ff%fe", "\ufffd\ufffd"),
    ("caf%C3%A9", "caf\u00e9"),
    ("%+1", "\x01"),
    ("\u00e9+%20", "\u00e9  "),
    ("%C3%A9%C3", "\u00e9\ufffd"),
    ("no escapes", "no escapes"),
])
def test_url_decode(text, expected):
    assert url_decode(text) == expected


@pytest.mark.parametrize("text, message", [
    ("%", "URLDecoder: Incomplete trailing escape (%) pattern"),
    ("%4", "URLDecoder: Incomplete trailing escape (%) pattern"),
    ("abc%", "URLDecoder: Incomplete trailing escape (%) pattern"),
    ("%%", "URLDecoder: Incomplete trailing escape (%) pattern"),
    ("a%2", "URLDecoder: Incomplete trailing escape (%) pattern"),
    ("%zz", 'URLDecoder: Illegal hex characters in escape (%) pattern - Error at index 0 in: "zz"'),
    ("%5z", 'URLDecoder: Illegal hex characters in escape (%) pattern - Error at index 1 in: "5z"'),
    ("%-1", "URLDecoder: Illegal hex characters in escape (%) pattern - negative value"),
])
def test_url_decode_malformed_escapes_throw(text, message):
    with pytest.raises(JavaException) as raised:
        url_decode(text)
    assert raised.value.java_class == "java.lang.IllegalArgumentException"
    assert raised.value.message == message


@pytest.mark.parametrize("text, expected", [
    ("", ""),
    ("plain", "cGxhaW4="),
    ("O'Reilly \"q\" back\\slash a/b", "TydSZWlsbHkgInEiIGJhY2tcc2xhc2ggYS9i"),
    (CONTROL_AND_UNICODE, "CAwKDQkAARsff8KAw6nEgOC/v+GAgOKCrO+/vw=="),
    ("emoji \U0001F600!", "ZW1vamkg8J+YgCE="),
    ("lone \ud800 x", "bG9uZSA/IHg="),
    ("tilde~star*", "dGlsZGV+c3Rhcio="),
])
def test_base64_encode(text, expected):
    assert base64_encode(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("aGVsbG8=", "hello"),
    ("aGVsbG8", "hello"),       # Java accepts a missing final padding
    ("aGVsbA", "hell"),
    ("aGVsbA==", "hell"),
    ("ab", "i"),
    ("abc", "i\ufffd"),
    ("abcd", "i\ufffd\x1d"),
    ("+/+/", "\ufffd\ufffd\ufffd"),
    ("8J+YgA==", "\U0001F600"),
    ("7aCA", "\ufffd"),         # an encoded surrogate is one malformed unit for Java
    ("", ""),
])
def test_base64_decode(text, expected):
    assert base64_decode(text) == expected


@pytest.mark.parametrize("text, message", [
    ("aGVsbA=", "Input byte array has wrong 4-byte ending unit"),
    ("aGVsb", "Last unit does not have enough valid bits"),
    ("a", "Input byte[] should at least have 2 bytes for base64 bytes"),
    ("=", "Input byte[] should at least have 2 bytes for base64 bytes"),
    ("ab=", "Input byte array has wrong 4-byte ending unit"),
    ("aGVs bG8=", "Illegal base64 character 20"),
    ("aGVs\nbG8=", "Illegal base64 character a"),
    ("aGVsbG8=x", "Input byte array has incorrect ending byte at 8"),
    ("aGVsbG8==", "Input byte array has incorrect ending byte at 8"),
    ("-_-_", "Illegal base64 character 2d"),   # the URL-safe alphabet is not accepted
    ("====", "Input byte array has wrong 4-byte ending unit"),
    ("ab=c", "Input byte array has wrong 4-byte ending unit"),
    ("YQ==YQ==", "Input byte array has incorrect ending byte at 4"),
    ("\u00e9===", "Illegal base64 character -17"),
    ("\u4e2d\u6587\u4e2d\u6587", "Illegal base64 character 3f"),
])
def test_base64_decode_invalid_input_throws(text, message):
    with pytest.raises(JavaException) as raised:
        base64_decode(text)
    assert raised.value.java_class == "java.lang.IllegalArgumentException"
    assert raised.value.message == message


def test_url_and_base64_encode_take_java_strings_of_non_strings():
    assert url_encode({"a": "x/y"}) == "%7Ba%3Dx%2Fy%7D"
    assert url_encode(12) == "12"
    assert base64_encode(JsonArray([1, "a"])) == base64_encode('[1,"a"]') == "WzEsImEiXQ=="
    assert base64_encode(True) == "dHJ1ZQ=="


def test_null_arguments_throw_like_java():
    for function in (url_encode, url_decode, base64_encode, base64_decode, parse_json):
        with pytest.raises(JavaException) as raised:
            function(None)
        assert raised.value.java_class == "java.lang.NullPointerException"


def test_parse_json_values():
    value = parse_json('{"a": [1, {"b": [true, null]}], "n": 2147483648, "d": 1.5, '
                       '"big": 0.30000000000000004, "huge": 123456789012345678901234}')
    assert value == {"a": [1, {"b": [True, None]}], "n": 2147483648, "d": 1.5,
                     "big": Decimal("0.30000000000000004"), "huge": 123456789012345678901234}
    assert type(value["a"]) is JsonArray and type(value["a"][1]["b"]) is JsonArray
    assert type(value["big"]) is Decimal and type(value["huge"]) is int
    assert parse_json('"text"') == "text"
    assert parse_json("12") == 12
    assert type(parse_json("[]")) is JsonArray


def test_parse_json_invalid_says_where():
    with pytest.raises(JavaException) as raised:
        parse_json('{"a": 1,}')
    assert "char 8" in raised.value.message


def test_util_object_dispatch():
    assert UTIL.vtl_call("urlEncode", ["a b"]) == "a+b"
    assert UTIL.vtl_call("escapeJavaScript", ["'"]) == "\\'"
    assert UTIL.vtl_call("noSuchMethod", ["x"]) is MISSING
    assert UTIL.vtl_call("urlEncode", []) is MISSING
    assert UTIL.vtl_call("urlEncode", ["a", "b"]) is MISSING


# -- through templates --------------------------------------------------------------------------

def render(template, **kwargs):
    from vtl_engine.apigateway import render_mapping_template
    return render_mapping_template(template, **kwargs).body


def test_util_in_templates():
    assert render("$util.escapeJavaScript($input.path('$.s'))", body='{"s": "it\'s \\"q\\""}') \
        == "it\\'s \\\"q\\\""
    assert render("$util.escapeJavaScript(\"it's\").replaceAll(\"\\\\'\", \"'\")") == "it's"
    assert render("$util.urlEncode('a b&c') $util.urlDecode('a+b%26c')") == "a+b%26c a b&c"
    assert render("$util.base64Encode('{\"a\":1}') $util.base64Decode('eyJhIjoxfQ==')") == \
        'eyJhIjoxfQ== {"a":1}'
    assert render("#set($o = $util.parseJson('{\"key2\": {\"arr\": [1, 2]}}'))$o.key2.arr[0] "
                  "$o.key2 $o.key2.arr.size()") == '1 {arr=[1,2]} 2'
    assert render("$util.base64Encode($util.parseJson('{\"hoge\": \"huga\", "
                  "\"hoge2\": {\"hello\": \"world\"}}'))") == \
        "e2hvZ2U9aHVnYSwgaG9nZTI9e2hlbGxvPXdvcmxkfX0="  # the map's toString, {hoge=huga, ...}


def test_unknown_util_methods_render_empty():
    assert render("[$util.toJson('x')][$util.qr('x')][$util.time.nowISO8601()]") == "[][][]"


@pytest.mark.parametrize("template, java_class, text", [
    ("x\n  $util.parseJson('{\"a\": 1,')", "net.minidev.json.parser.ParseException", "(char 8)"),
    ("$util.urlDecode('100%')", "java.lang.IllegalArgumentException", "Incomplete trailing"),
    ("$util.base64Decode('a')", "java.lang.IllegalArgumentException", "at least have 2 bytes"),
])
def test_java_failures_are_positioned_runtime_errors(template, java_class, text):
    import vtl_engine
    with pytest.raises(vtl_engine.VtlRuntimeError) as raised:
        render(template)
    error = raised.value
    assert error.java_exception == java_class and text in str(error)
    assert error.line == template.count("\n") + 1 and error.column is not None
