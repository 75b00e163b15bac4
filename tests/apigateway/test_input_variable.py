"""$input through whole templates: body, json, path, params, and the values JSON gives."""
import pytest

import vtl_engine
from vtl_engine.apigateway import render_mapping_template
from vtl_engine.apigateway.input import Input


def render(template, body="", **kwargs):
    return render_mapping_template(template, body=body, **kwargs).body


# -- $input.body --------------------------------------------------------------------------------

@pytest.mark.parametrize("body, expected", [
    ("", "{}"),                                   # an empty payload reads as {}
    ('{"some": "value"}', '{"some": "value"}'),   # verbatim, spacing kept
    ("some raw data", "some raw data"),
])
def test_body_is_the_raw_payload(body, expected):
    assert render("$input.body", body) == expected
    assert render("Action=SendMessage&MessageBody=$input.body", body) == \
        "Action=SendMessage&MessageBody=" + expected


def test_url_encoded_empty_body_and_missing_property():
    assert render("$util.urlEncode($input.body)&[$util.urlEncode($input.body.testAccess)]") == \
        "%7B%7D&[]"


# -- $input.json --------------------------------------------------------------------------------

@pytest.mark.parametrize("path, expected", [
    ("$", '{"a":{"b":"x/y","n":1.5,"l":[1,"two",null,true]},"e":[]}'.replace("/", "\\/")),
    ("$.a.b", '"x\\/y"'),
    ("$.a.n", "1.5"),
    ("$.a.l", '[1,"two",null,true]'),
    ("$.a.l[1]", '"two"'),
    ("$.a.l[2]", "null"),
    ("$.e", "[]"),
    ("$.missing", '""'),
    ("$.a.l[*]", '[1,"two",null,true]'),
    ("$..b", '["x\\/y"]'),
])
def test_json_writes_the_value_as_compact_json(path, expected):
    body = '{"a": {"b": "x/y", "n": 1.5, "l": [1, "two", null, true]}, "e": []}'
    assert render(f"$input.json('{path}')", body) == expected


def test_json_numbers_and_escapes_as_json_smart_writes_them():
    body = ('{"big": 1e7, "small": 0.0001, "int": 10000000000, "exact": 10.00, '
            '"long": 0.30000000000000004, "s": "\\u2028\\u00e9\\u0001\\u007f"}')
    assert render("$input.json('$')", body) == (
        '{"big":1.0E7,"small":1.0E-4,"int":10000000000,"exact":10.0,'
        '"long":0.30000000000000004,"s":"\\u2028\u00e9\\u0001\\u007F"}')


def test_json_of_a_missing_path_inside_escape_javascript():
    assert render("$util.escapeJavaScript($input.json('$.missing'))", '{"a": 1}') == '\\"\\"'


# -- $input.path --------------------------------------------------------------------------------

@pytest.mark.parametrize("json_at_path, template, expected", [
    ('{"foo":"bar"}', "$result", "{foo=bar}"),
    ('[{"foo":"bar"}]', "$result", '[{"foo":"bar"}]'),
    ('{"nested":{"foo":"bar"}}', "$result.nested", "{foo=bar}"),
    ('{"nested":[{"foo":"bar"}]}', "$result.nested", '[{"foo":"bar"}]'),
    ('[{"foo":"bar"}]', "$result[0]", "{foo=bar}"),
    ('[[{"foo":"bar"}]]', "$result[0]", '[{"foo":"bar"}]'),
    ('{"foo":[{"nested":"bar"}]}', "$result", '{foo=[{"nested":"bar"}]}'),
    ('{"bigger":"dict","to":"test","with":"separators"}', "$result",
     "{bigger=dict, to=test, with=separators}"),
    ('{"list":[{"foo":"bar"}]}', "$result.toString()", '{list=[{"foo":"bar"}]}'),
])
def test_path_values_print_as_on_api_gateway(json_at_path, template, expected):
    # the recorded AWS cases (reference §1.4)
    body = '{"json": %s}' % json_at_path
    assert render('#set($result = $input.path("$.json"))' + template, body) == expected


@pytest.mark.parametrize("body, path, expected", [
    ('{"json": null}', "$.nonExisting", '"", "", true, true'),
    ('{"json": {"listValue": []}}', "$.json.listValue", '"[]", "", false, false'),
    ('{"json": {"listValue": null}}', "$.json.listValue", '"", "", true, true'),
])
def test_missing_and_null_paths(body, path, expected):
    template = (f'#set($result = $input.path("{path}"))"$result", "$result.nested", '
                '#if($result == $null)true#{else}false#end, #if($result == "")true#{else}false#end')
    assert render(template, body) == expected


def test_path_values_are_java_values():
    body = '{"a": [1, 2.5, "s", true, null], "m": {"k": "v"}, "n": 3}'
    assert render("$input.path('$.a').size() $input.path('$.a').get(1) "
                  "#foreach($x in $input.path('$.a'))[$x]#end "
                  "$input.path('$.m').keySet() $input.path('$.n').intValue()", body) \
        == "5 2.5 [1][2.5][s][true][] [k] 3"


def test_path_on_bodies_that_are_not_json_objects():
    assert render("[$input.path('$')][$input.path('$.x')][$input.json('$')]", "some raw data") \
        == '[some raw data][]["some raw data"]'
    assert render("$input.path('$')", "") == "{}"
    assert render("$input.path('$').size()", "[1, 2]") == "2"


def test_malformed_json_body_fails_the_render():
    with pytest.raises(vtl_engine.VtlRuntimeError):
        render("$input.path('$.a')", '{"a": ')


def test_mutating_a_path_value_shows_in_json():
    body = '{"id": 7}'
    assert render("#set($b = $input.path('$'))#set($b.url = \"https://example.tld/$b.id\")"
                  "$input.json('$')", body) == '{"id":7,"url":"https:\\/\\/example.tld\\/7"}'


def test_the_body_is_parsed_once_and_only_when_needed():
    params = {"path": {}, "querystring": {}, "header": {}}
    source = Input('{"a": [1]}', params)
    assert source.path("$") is source.path("$")  # one parse, shared by every call
    unparsed = Input("{not json", params)
    assert unparsed.get_body() == "{not json"    # reading the body never parses it
    assert render("$input.body $input.params('x')", "{not json") == "{not json "


def test_invalid_path_fails_the_render():
    with pytest.raises(vtl_engine.VtlRuntimeError) as raised:
        render("$input.path('$.a.')", '{"a": 1}')
    assert raised.value.java_exception == "com.jayway.jsonpath.InvalidPathException"


# -- $input.params ------------------------------------------------------------------------------

PARAMS = {"path": {"id": "p1"}, "querystring": {"id": "q1", "page": "3"},
          "header": {"id": "h1", "Accept": "application/json"}}


@pytest.mark.parametrize("template, expected", [
    ("$input.params('id')", "p1"),                 # path first
    ("$input.params('page')", "3"),                # then the query string
    ("$input.params('Accept')", "application/json"),  # then headers
    ("[$input.params('nope')]", "[]"),
    ("$input.params().path.id", "p1"),
    ("$input.params().header.get('Accept')", "application/json"),
    ("$input.params().querystring", "{id=q1, page=3}"),
    ("#foreach($kind in $input.params().keySet())$kind #end", "path querystring header "),
    ("$input.params()", "{path={id=p1}, querystring={id=q1, page=3}, "
                        "header={id=h1, Accept=application/json}}"),
])
def test_params(template, expected):
    assert render(template, params=PARAMS) == expected


def test_params_missing_kinds_are_empty_maps():
    assert render("$input.params().header.size() $input.params().path", params={}) == "0 {}"


def test_unknown_input_members_render_empty():
    assert render("[$input.nothing][$input.nothing()][$input.json()]", "{}") == "[][][]"
