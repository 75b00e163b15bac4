"""Bad input, clear errors: whatever the body, the data or the template, a failure is a typed
VtlError with a position, never a RecursionError, MemoryError, KeyError or raw traceback."""
import re
from decimal import Decimal

import pytest

from vtl_engine import HostObject, Template, VtlError, VtlLimitError, VtlRuntimeError, VtlSyntaxError
from vtl_engine.apigateway import render_mapping_template


def mapping_error(template, body="", error=VtlRuntimeError):
    with pytest.raises(error) as e:
        render_mapping_template(template, body=body)
    return e.value


@pytest.mark.parametrize(("template", "body", "where"), [
    ("$input.path('$.a')", '{"a": 1,', "line 1 column 9"),
    ("$input.json('$')", '{"a": tru}', "line 1 column 7"),
    ("#set($x = 1)\n$input.json('$.a')", '[1,\n 2', "line 2 column 3"),
    ("$util.parseJson($input.body)", '{"a" 1}', "line 1 column 6"),
])
def test_invalid_json_body_is_a_typed_error_with_the_json_position(template, body, where):
    e = mapping_error(template, body)
    assert e.java_exception == "net.minidev.json.parser.ParseException"
    assert where in e.message
    assert e.line == template.count("\n") + 1 and e.column == 1


def test_body_as_bytes_is_utf8_with_replacement_characters():
    out = render_mapping_template("$input.body|$input.json('$')", body=b"\xff\xfeok").body
    assert out == '\ufffd\ufffdok|"\ufffd\ufffdok"'


def test_binary_body_with_nul_bytes():
    out = render_mapping_template("$util.escapeJavaScript($input.body)", body=b"\x00\x01\x80").body
    assert out == "\\u0000\\u0001\\uFFFD"   # commons-lang escapes non-ASCII too


def test_body_of_another_type():
    with pytest.raises(TypeError, match="body must be text"):
        render_mapping_template("$input.body", body=42)


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000,
                                  '{"a":' * 20_000 + "1" + "}" * 20_000])
def test_deeply_nested_json_is_a_limit_error(body):
    e = mapping_error("$input.json('$')", body, VtlLimitError)
    assert e.line == 1


def test_nested_json_within_reason_works():
    body = '{"a":' * 50 + "1" + "}" * 50
    assert render_mapping_template("$input.json('$')", body=body).body == body.replace(" ", "")


@pytest.mark.parametrize(("body", "expected"), [
    ('{"a": 123456789012345678901234567890}', "123456789012345678901234567890"),
    ('{"a": 1e999999}', "Infinity"),
    ('{"a": -1e999999}', "-Infinity"),
    ('{"a": 1e-999999}', "0.0"),
])
def test_huge_numbers_in_the_body(body, expected):
    assert render_mapping_template("$input.path('$').a", body=body).body == expected


def test_huge_number_literal_in_the_body():
    e = mapping_error("$input.path('$').a", '{"a": ' + "9" * 10_000 + "}", VtlError)
    assert isinstance(e, VtlError)


@pytest.mark.parametrize(("template", "exception"), [
    ("$util.base64Decode('!!!')", "java.lang.IllegalArgumentException"),
    ("$util.base64Decode('a')", "java.lang.IllegalArgumentException"),
    ("$util.urlDecode('%zz')", "java.lang.IllegalArgumentException"),
    ("$util.urlDecode('100%')", "java.lang.IllegalArgumentException"),
    ("$util.parseJson('{bad')", "net.minidev.json.parser.ParseException"),
    ("$input.path('$..[')", "com.jayway.jsonpath.InvalidPathException"),
    ("$input.path('')", "java.lang.IllegalArgumentException"),
])
def test_invalid_escapes_and_paths(template, exception):
    assert mapping_error(template, '{"a": 1}').java_exception == exception


@pytest.mark.parametrize("call", ["matches('(')", "replaceAll('[', '')", "replaceFirst('a{2', '')",
                                  "split('*')", "matches('(?<n>a)\\k<m>')", "split('\\')"])
def test_invalid_java_regex(call):
    with pytest.raises(VtlRuntimeError) as e:
        Template("#set($s = 'a')\n  $s." + call, "velocity").render()
    assert e.value.java_exception == "java.util.regex.PatternSyntaxException"
    assert (e.value.line, e.value.column) == (2, 3)
    assert re.search(r"\^", str(e.value))


def test_invalid_replacement_group():
    with pytest.raises(VtlRuntimeError) as e:
        Template("$s.replaceAll('a', '$2')", "velocity").render({"s": "a"})
    assert e.value.java_exception == "java.lang.IndexOutOfBoundsException"


@pytest.mark.parametrize("context", [[1, 2], "text", 42])
def test_context_that_is_not_a_mapping(context):
    with pytest.raises(TypeError, match="context must be a mapping"):
        Template("$a").render(context)


@pytest.mark.parametrize("source", [b"$a", None, 1.5])
def test_template_that_is_not_text(source):
    with pytest.raises(VtlSyntaxError):
        Template(source)


@pytest.mark.parametrize("text", ["\x00", "\ud800", "\udfff$a", "\U0001F600#if(true)\U0001F600#end",
                                  "\ufeff$a", "\r\r\n\u2028\u0085"])
def test_odd_characters_in_templates(text):
    out = Template(text, "velocity").render({"a": "A"})
    assert out == text.replace("$a", "A").replace("#if(true)", "").replace("#end", "")


def test_self_containing_values_print_as_java_does():
    out = Template("#set($l = [1])#set($ok = $l.add($l))$l", "velocity").render()
    assert out == "[1, (this Collection)]"
    with pytest.raises(VtlRuntimeError) as e:   # two lists holding each other: Java overflows
        Template("#set($a = [])#set($b = [$a])#set($ok = $a.add($b))$a", "velocity").render()
    assert e.value.java_exception == "java.lang.StackOverflowError"


def test_host_method_called_with_the_wrong_number_of_arguments():
    class Greeter(HostObject):
        vtl_methods = frozenset({"greet"})

        def greet(self, name):
            return "hi " + name

    out = Template("$g.greet('x') $g.greet() $g.greet(1, 2)", "velocity").render({"g": Greeter()})
    assert out == "hi x $g.greet() $g.greet(1, 2)"


def test_decimals_with_huge_exponents_from_the_caller():
    context = {"d": Decimal("1E+999999999")}
    out = Template("$d $d.intValue() $d.longValue() #set($r = [1..$d])$r.size()", "velocity")
    # Java keeps the low bits: all zero (and #set eats the blank before it)
    assert out.render(context) == "1E+999999999 0 02"
    with pytest.raises(VtlLimitError) as e:
        Template("#set($x = $d + 1)", "velocity").render(context)
    assert e.value.limit == "max_number_digits"


@pytest.mark.parametrize("dialect", ["aws", "velocity"])
def test_deeply_nested_context_data(dialect):
    nested = []
    for _ in range(5000):
        nested = [nested]
    with pytest.raises(VtlError):
        Template("$a", dialect).render({"a": nested})


def test_deeply_nested_api_gateway_context():
    nested = {}
    for _ in range(5000):
        nested = {"k": nested}
    with pytest.raises(VtlLimitError):
        render_mapping_template("$context.x", context={"x": nested})
