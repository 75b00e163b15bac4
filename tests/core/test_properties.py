"""Property tests: whatever the template, parsing and rendering raise nothing but VtlError and
finish quickly."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vtl_engine
from vtl_engine import Limits, VtlError

LIMITS = Limits(max_loop_iterations=10_000, max_range=10_000, max_render_seconds=2.0)

names = st.sampled_from(["a", "b", "list", "map", "s", "n", "foreach", "velocityCount", "x-y"])
references = st.builds(
    lambda bang, formal, name, tail: ("$" + bang + ("{" + name + tail + "}" if formal else name + tail)),
    st.sampled_from(["", "!"]), st.booleans(), names,
    st.sampled_from(["", ".size()", ".get(0)", "[0]", ".a", ".substring(1)", ".keySet()",
                     ".put('k', 1)", ".add($a)", ".length()", ".toString()", "[-1]", ".__class__"]))
literals = st.sampled_from(["1", "-2", "3.5", "'s'", '"i$a"', "true", "false", "[1, 2]",
                            "[1..3]", "{'k': 1}", "[]", "{}", "2147483647", "0"])
operators = st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||", "eq", "and"])


@st.composite
def expressions(draw, depth=0):
    if depth > 2 or draw(st.booleans()):
        return draw(st.one_of(references, literals))
    left, right = draw(expressions(depth + 1)), draw(expressions(depth + 1))
    if draw(st.booleans()):
        return f"!{left}"
    return f"({left} {draw(operators)} {right})"


@st.composite
def statements(draw, depth=0):
    kind = draw(st.sampled_from(["text", "ref", "set", "if", "foreach", "macro", "define",
                                 "escape", "comment", "call", "break"] if depth < 3 else
                                ["text", "ref", "set", "escape"]))
    body = lambda: "".join(draw(st.lists(statements(depth + 1), max_size=3)))  # noqa: E731
    if kind == "text":
        return draw(st.text(alphabet=" \n\tab{}()[]\"',.=-#$\\!*", max_size=8))
    if kind == "ref":
        return draw(references)
    if kind == "set":
        return f"#set({draw(references)} = {draw(expressions())})"
    if kind == "if":
        return f"#if({draw(expressions())}){body()}#else{body()}#end"
    if kind == "foreach":
        return f"#foreach($i in {draw(expressions())})$i{body()}#end"
    if kind == "macro":
        return f"#macro(m $p){body()}#m($p)#end"
    if kind == "define":
        return f"#define($d){body()}$d#end$d"
    if kind == "escape":
        return draw(st.sampled_from(["\\$a", "\\\\$a", "\\#if", "#[[$raw]]#", "\\#end"]))
    if kind == "comment":
        return draw(st.sampled_from(["## c\n", "#* c *#", "#** c *#"]))
    if kind == "call":
        return f"#m({draw(expressions())})"
    return "#break"


CONTEXT = {"a": 1, "b": "two", "list": [1, 2, 3], "map": {"a": 1, "k": [1]}, "s": "str", "n": None}


def check(source: str) -> None:
    for dialect in ("velocity", "aws"):
        try:
            vtl_engine.Template(source, dialect=dialect, limits=LIMITS).render(dict(CONTEXT))
        except VtlError:
            pass


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(statements(), max_size=6).map("".join))
def test_generated_templates_raise_only_vtl_errors(source):
    check(source)


@settings(max_examples=300, deadline=2000)
@given(st.text(alphabet="#$\\!{}[]()\"'. \nabceflnorstu0123*=+-<>&|,:@", max_size=40))
def test_random_text_raises_only_vtl_errors(source):
    check(source)
