"""The compiled fast paths (loop variables in Python locals, inline dict reads and printing,
inline truth tests) give exactly what the general path gives. A #define anywhere in a template
turns the loop locals off, so a template and the same template with an unused #define after it
must render alike."""
import copy
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vtl_engine
from vtl_engine import Limits, VtlError

LIMITS = Limits(max_loop_iterations=2_000, max_range=2_000, max_render_seconds=2.0)
GENERAL = "#define($unused_block)#end"
# what objects without a Java value print (`$foreach`): their identity, never the same twice
IDENTITY = re.compile(r" object at 0x[0-9a-f]+|@[0-9a-f]+")

names = st.sampled_from(["it", "x", "foreach", "velocityCount", "velocityHasNext", "list", "m"])
tails = st.sampled_from(["", ".a", ".hasNext", ".index", ".count", ".first", ".last",
                         ".parent", ".size()", "[0]", ".a.b", ".get('a')"])
references = st.builds(lambda bang, name, tail: f"${bang}{name}{tail}",
                       st.sampled_from(["", "!"]), names, tails)
iterables = st.sampled_from(["$list", "$m", "[1, 2]", "[$x, $it]", "$it", "$it.a", "[{'a': 1}, "
                             "{'a': {'b': false}}]", "[null, 'n']", "$foreach.parent"])


@st.composite
def statements(draw, depth=0):
    """Loops, with what reads and writes loop variables inside them."""
    body = lambda: "".join(draw(st.lists(statements(depth + 1), max_size=3)))  # noqa: E731
    forms = {
        "text": lambda: draw(st.sampled_from(["-", ",", " ", "\n"])),
        "ref": lambda: draw(references),
        "set": lambda: f"#set({draw(references)} = {draw(st.one_of(references, iterables))})",
        "if": lambda: f"#if({draw(references)})T{body()}#else F#end",
        "foreach": lambda: f"#foreach(${draw(names)} in {draw(iterables)}){body()}#end",
        "string": lambda: f'#set($s = "<{draw(references)}>")$s',
        "break": lambda: "#break",
    }
    kinds = list(forms) if depth < 3 else ["text", "ref"]
    return forms[draw(st.sampled_from(kinds))]()


CONTEXT = {"it": {"a": 1}, "x": "ex", "list": [{"a": {"b": True}}, {"a": None}, 3],
           "m": {"k": "v", "a": [1]}}


def outcome(source: str, dialect: str) -> str:
    try:
        template = vtl_engine.Template(source, dialect=dialect, limits=LIMITS)
        output = template.render(copy.deepcopy(CONTEXT))   # templates change what they get
        return IDENTITY.sub("@", output)
    except VtlError as e:
        return f"{type(e).__name__}: {e.message if hasattr(e, 'message') else e}"


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(statements(), min_size=1, max_size=4).map("".join))
def test_fast_paths_render_what_the_general_path_renders(source):
    for dialect in ("aws", "velocity"):
        assert outcome(source, dialect) == outcome(source + GENERAL, dialect), (source, dialect)


def test_a_loop_variable_named_foreach_is_the_item():
    source = "#foreach($foreach in [1, 2])$foreach $foreach.hasNext|#end"
    assert vtl_engine.Template(source).render({}) == "1 |2 |"
    assert vtl_engine.Template(source + GENERAL).render({}) == "1 |2 |"


def _failure_position(source: str) -> tuple[int, int]:
    try:
        vtl_engine.Template(source).render({"a": "abc"})
    except VtlError as e:
        return e.line, e.column
    raise AssertionError("rendered without failing")


def test_text_and_references_written_together_still_fail_at_their_own_position():
    # a run of text, references and #if arms is written as one piece; each part keeps its place
    assert _failure_position("x$a.substring(0)-$a.substring(9)y") == (1, 18)
    assert _failure_position("x$a\n#if($a)\n  -$a.substring(9)#end") == (3, 4)
    assert _failure_position("x$a #if($a.substring(9))x#end") == (1, 9)
    assert _failure_position("#if(!$a)a#elseif(false)b#else\n$a.substring(9)#end") == (2, 1)


def test_nested_loops_over_the_same_name_each_keep_their_own_item():
    # found by the property test above: the inner loops' locals once shared one name
    source = "#foreach($x in $l)#foreach($x in $l)#foreach($x in $l)#end$x#end-#end"
    assert vtl_engine.Template(source).render({"l": [1, "b"]}) == "1b-1b-"


def test_a_variable_set_once_at_the_top_is_read_from_a_local_after_its_set():
    def render(source: str) -> tuple[str, str]:
        template = vtl_engine.Template(source)
        return template.render({"a": "A", "b": "B", "m": {"x": "X"}}), template.python_source

    output, python = render("#set($c = $b)$c|#if($c)$c#end")
    assert output == "B|B" and "s_c = " in python
    # read before its #set, set twice, read in its own #set: from v, as always
    assert render("$a#set($a = $b)$a")[0] == "AB"
    assert render("#set($a = $b)$a#set($a = $m.x)$a")[0] == "BX"
    assert render("#set($m = $m.x)$m")[0] == "X"
    assert "s_c" not in render("#if(true)#set($c = $b)#end$c")[1]


def test_the_inline_forms_are_the_gates_answers():
    from vtl_engine.core.runtime.methods import SIZED, call_method, direct_function, get_property
    from vtl_engine.core.runtime.values import JavaArray, JavaList, JsonArray

    samples = {list: [1, 2], JavaList: JavaList([1]), JsonArray: JsonArray([]), dict: {"a": 1},
               JavaArray: JavaArray(["x", "y", "z"])}
    assert SIZED == set(samples)
    for cls, value in samples.items():
        assert call_method(value, "size", []) == len(value)
    assert get_property({"a": 1, "size": 2}, "size") == 2

    class Host(vtl_engine.HostObject):
        vtl_methods = frozenset({"shown"})

        @classmethod
        def vtl_direct(cls, name, constants):
            return len   # offered for anything

    assert direct_function(Host, "shown", ()) is len
    assert direct_function(Host, "hidden", ()) is None
