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
