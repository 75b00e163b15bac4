"""Known objects: calls on a variable the host fills with a known HostObject class compile to
direct calls, which give what the general call gives, and only when the variable holds that
class at render time."""
from typing import Any, ClassVar

from vtl_engine import Template
from vtl_engine.core.runtime.host import VARIABLE, HostObject
from vtl_engine.core.runtime.signals import MISSING


class Greeter(HostObject):
    vtl_methods: ClassVar[frozenset[str]] = frozenset({"greet"})
    direct_made: ClassVar[list] = []

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        return f"hello {args[0]}" if len(args) == 1 else MISSING

    @classmethod
    def vtl_direct(cls, name, constants):
        cls.direct_made.append((name, constants))
        if name != "greet" or len(constants) != 1:
            return None
        return lambda greeter, who: f"hello {who}!"   # tells a direct call from a general one


SOURCE = "$g.greet('ada') $g.greet($who) $g.greet() $g.greet('a', 'b')"


def test_a_known_class_gets_direct_calls_with_its_constants():
    Greeter.direct_made.clear()
    t = Template(SOURCE, known_objects={"g": Greeter})
    assert t.render({"g": Greeter(), "who": "bob"}) == "hello ada! hello bob!  "
    assert ("greet", ("ada",)) in Greeter.direct_made
    assert ("greet", (VARIABLE,)) in Greeter.direct_made
    assert "direct_1(" in t.python_source


def test_another_value_in_the_variable_takes_the_general_call():
    t = Template(SOURCE, known_objects={"g": Greeter})

    class Other(Greeter):
        pass

    assert t.render({"g": Other(), "who": "bob"}) == "hello ada hello bob  "
    assert t.render({"g": {"greet": 1}, "who": "bob"}) == "   "


def test_without_known_objects_nothing_is_direct():
    t = Template(SOURCE)
    assert "direct_" not in t.python_source
    assert t.render({"g": Greeter(), "who": "bob"}) == "hello ada hello bob  "


def test_api_gateway_templates_call_input_and_util_directly():
    from vtl_engine.apigateway import render_mapping_template
    from vtl_engine.apigateway.mapping import compiled_template

    source = "#set($p = '$.a')$input.path('$.a') $input.json($p) $util.urlEncode('a b')"
    assert render_mapping_template(source, body='{"a": [1, "/"]}').body == '[1,"\\/"] [1,"\\/"] a+b'
    python = compiled_template(source).python_source
    assert "known_input" in python and "known_util" in python


def test_an_invalid_constant_path_fails_only_when_rendered():
    import pytest

    from vtl_engine import VtlRuntimeError
    from vtl_engine.apigateway import render_mapping_template

    source = "#if(false)$input.path('$[')#end ok"
    assert render_mapping_template(source, body="{}").body == " ok"
    with pytest.raises(VtlRuntimeError, match="InvalidPathException"):
        render_mapping_template("$input.path('$[')", body="{}")


def test_a_known_object_nothing_rebinds_is_read_once():
    from vtl_engine.apigateway.mapping import compiled_template

    def python(source):
        return compiled_template(source).python_source

    fixed = python("$input.path('$.a') $input.json('$')")
    assert "k_input = v.get('input')" in fixed
    # its class is checked once, at the start; the calls themselves are not guarded
    assert "if k_input.__class__ is not known_input:\n        return general(v, w, st)" in fixed
    assert "k_input.__class__ is known_input" not in fixed
    assert "k_input" not in python("$input.path('$.a')#set($input = 1)")
    assert "k_input" not in python("$input.path('$.a')#foreach($input in [1])#end")
    assert "k_input" not in python("$input.path('$.a')#evaluate('')")


DIFFERENTIAL = [
    "$input.path('$.a') $input.path('a') $input.path('$.b[0]') $input.path('$..x') $input.path('$.n')",
    "$input.json('$') $input.json('$.b') $input.json('$.missing') $input.json('$.b[*]')",
    "#set($p = '$.a')$input.path($p) $input.json($p) $input.path($nothing)",
    "$input.params('q') $input.params() $input.params(1) $input.params('q', 'r') $input.body",
    "$util.escapeJavaScript($input.path('$.s')) $util.urlEncode(12) $util.base64Encode('é')",
    "$util.escapeJavaScript() $util.urlEncode('a', 'b') $util.nothing('x') $util.urlDecode($n)",
    "#set($util = {'escapeJavaScript': 1})$util.escapeJavaScript('x')|$input.path('$.a').size()",
    "#set($input = 'text')$input.path('$.a')|$input.length()",
    "$input.path('$.a')#set($input = 'text')$input.path('$.a')|$input.length()",
    "$util.urlEncode('a b')#foreach($util in ['x'])$util.urlEncode('a b')|#end$util.urlEncode('a b')",
    "#define($d)#set($input = 'x')#end$input.path('$.a')$d$input.path('$.a')",
    "#foreach($k in $input.path('$.b'))$util.escapeJavaScript($k)$input.json(\"$.b[$foreach.index]\")#end",
    "$input.path('$[')",
    "$util.base64Decode('!!')",
]


def test_direct_calls_give_what_general_calls_give():
    from vtl_engine import VtlError
    from vtl_engine.apigateway.input import Input
    from vtl_engine.apigateway.mapping import KNOWN_OBJECTS
    from vtl_engine.apigateway.util import UTIL

    body = '{"a": {"x": "/"}, "b": ["q", "é\\"", 3], "s": "it\'s", "n": null}'

    def outcome(source, known):
        variables = {"input": Input(body, {"path": {}, "querystring": {"q": "1"}, "header": {}}),
                     "util": UTIL, "context": {}}
        try:
            return Template(source, known_objects=known).render_values(variables)
        except VtlError as e:
            return f"{type(e).__name__}: {e}"

    for source in DIFFERENTIAL:
        assert outcome(source, KNOWN_OBJECTS) == outcome(source, None), source
