"""The dialect is one object that says how its values print and what an invalid reference
becomes; nothing of it travels through the render's state."""
import pytest

from vtl_engine import Template
from vtl_engine.apigateway.input import Input
from vtl_engine.core.dialect import AWS, VELOCITY, get_dialect
from vtl_engine.core.runtime.values import JavaList, JsonArray


def test_the_caller_lists_are_json_arrays_in_aws_and_java_lists_in_velocity():
    data = {"l": [1, "a", {"k": [True]}]}
    assert AWS.values.to_string(data) == '{l=[1,"a",{"k":[true]}]}'
    assert VELOCITY.values.to_string(data) == "{l=[1, a, {k=[true]}]}"
    assert AWS.values.class_name([]) == "net.minidev.json.JSONArray"
    assert VELOCITY.values.class_name([]) == "java.util.ArrayList"
    # what a template makes is a Java list in both
    for dialect in (AWS, VELOCITY):
        assert dialect.values.to_string(JavaList([1, "a"])) == "[1, a]"
        assert dialect.values.to_string(JsonArray([1, "a"])) == '[1,"a"]'


def test_the_helpers_need_no_render_to_know_their_dialect():
    assert AWS.helpers.call([1], "toJSONString", ()) == "[1]"
    assert VELOCITY.helpers.call([1], "toJSONString", ()) is None   # an ArrayList has none
    assert AWS.helpers.call([1], "toString", ()) == "[1]"
    assert VELOCITY.helpers.call([1], "toString", ()) == "[1]"
    assert AWS.helpers.compare("==", ["a"], '["a"]') is True
    assert VELOCITY.helpers.compare("==", ["a"], "[a]") is True
    assert AWS.helpers.text_or_empty({"l": ["x"]}, "$m") == '{l=["x"]}'
    assert VELOCITY.helpers.text_or_none({"l": ["x"]}) == "{l=[x]}"


@pytest.mark.parametrize(("dialect", "shown"), [("aws", '["x",1]'), ("velocity", "[x, 1]")])
def test_a_render_prints_the_caller_lists_as_its_dialect_says(dialect, shown):
    source = "#set($m = {'k': $l})$l $l.getClass().getSimpleName() $m"
    simple = "JSONArray" if dialect == "aws" else "ArrayList"
    assert Template(source, dialect).render({"l": ["x", 1]}) == f"{shown} {simple} {{k={shown}}}"


def test_an_invalid_reference_is_what_the_dialect_says():
    source = "#set($a = $nothing)[$nothing] #if($nothing)true#{else}false#end [$a]"
    assert Template(source, "aws").render() == "[] true []"
    assert Template(source, "velocity").render() == "[$nothing] false [$a]"
    assert AWS.invalid.never_null and not VELOCITY.invalid.never_null


def test_input_keeps_the_payload_lists_where_the_dialect_has_json_lists():
    body = '{"a": [1, [2]]}'
    params = {"path": {}, "querystring": {}, "header": {}}
    assert type(Input(body, params, AWS).document()["a"]) is list
    for other in (VELOCITY, None):
        document = Input(body, params, other).document()
        assert type(document["a"]) is JsonArray and type(document["a"][1]) is JsonArray


def test_get_dialect():
    assert get_dialect("aws") is AWS and get_dialect(VELOCITY) is VELOCITY
    with pytest.raises(ValueError, match="unknown dialect"):
        get_dialect("jinja")
