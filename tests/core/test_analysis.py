"""The syntax tree's one walker (nodes.py: `children`, `walk`, `find_all`) and the template-wide
facts analysis.py finds with it."""
import dataclasses
import json
from pathlib import Path

import pytest

from vtl_engine.core import nodes as n
from vtl_engine.core.analysis import ANY, analyse, loop_depth, may_resize
from vtl_engine.core.dialect import AWS, VELOCITY
from vtl_engine.core.errors import VtlSyntaxError
from vtl_engine.core.parser import parse

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "cases"


def _case_templates() -> list[str]:
    found = []
    for path in sorted(CASES.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.strip():
                case = json.loads(line)
                found.append((case["template"], case.get("dialect", "velocity")))
    return found


def _holds_a_node(value) -> bool:
    if isinstance(value, n.Node):
        return True
    if isinstance(value, (list, tuple)):
        return any(map(_holds_a_node, value))
    return False


def test_children_name_every_field_that_holds_nodes():
    checked = set()
    for source, dialect in _case_templates():
        try:
            tree = parse(source, VELOCITY if dialect == "velocity" else AWS)
        except VtlSyntaxError:
            continue
        for node in n.walk([tree]):
            checked.add(type(node))
            for f in dataclasses.fields(node):
                if f.name not in node.children and not (isinstance(node, n.Template)
                                                        and f.name == "macros"):
                    assert not _holds_a_node(getattr(node, f.name)), (type(node), f.name)
    # the case files use every kind of node that has children
    kinds = {cls for cls in vars(n).values()
             if isinstance(cls, type) and issubclass(cls, n.Node) and cls.children}
    assert kinds <= checked


def test_walk_is_in_template_order():
    tree = parse("a$b.c($d)#if($e)f#else$g#end#foreach($h in [$i, {'j': $k}])$h#end", VELOCITY)
    names = [x.name for x in n.walk(tree.body) if isinstance(x, n.Reference)]
    assert names == ["b", "d", "e", "g", "i", "k", "h"]
    assert [x.name for x in tree.find_all(n.Reference)] == names
    assert list(tree.find_all(n.Template)) == []   # itself not included


def test_what_a_template_reads_binds_and_sets_once():
    facts = analyse(parse("#set($a = $input.x)#set($b = 1)#set($b = 2)$a$c"
                          "#foreach($i in $a)$i$velocityCount#end", AWS), AWS)
    assert facts.reads == {"a", "b", "c", "i", "input", "velocityCount"}
    assert facts.set_counts == {"a": 1, "b": 2}
    assert facts.loop_names == {"i", "foreach", "velocityCount", "velocityHasNext"}
    assert not facts.runs_other_code
    assert facts.fixed == {"c", "input"}
    assert facts.loop_locals == {"c", "i", "input", "velocityCount"}
    assert set(facts.set_once) == {"a"}


def test_set_once_needs_a_value_that_is_never_null():
    source = "#set($a = $input.x)$a"
    assert set(analyse(parse(source, AWS), AWS).set_once) == {"a"}
    assert analyse(parse(source, VELOCITY), VELOCITY).set_once == {}
    # read before its #set, or in it: not once
    assert analyse(parse("$a#set($a = $x)", AWS), AWS).set_once == {}
    assert analyse(parse("#set($a = $a.b)", AWS), AWS).set_once == {}


@pytest.mark.parametrize("other", ["#define($d)x#end", "#macro(m)#end", "#m()",
                                   "#evaluate('x')"])
def test_code_out_of_sight_turns_the_plans_off(other):
    facts = analyse(parse("#set($a = $x)$a#foreach($i in $a)$i#end" + other, VELOCITY), VELOCITY)
    assert facts.runs_other_code
    assert facts.fixed == frozenset() and facts.loop_locals is None and facts.set_once == {}
    assert facts.paths("context") is ANY


def test_paths_read_of_a_variable():
    source = ("$context.requestId $context.identity.sourceIp $context.identity.sourceIp.length()"
              " $context.authorizer.claims[$k] #set($context.requestOverride.header.h = 1)"
              " $other.requestId")
    facts = analyse(parse(source, AWS), AWS)
    assert facts.paths("context") == {("requestId",), ("identity", "sourceIp"),
                                      ("authorizer", "claims"), ("requestOverride", "header")}
    assert facts.paths("nothing") == frozenset()
    assert facts.variable_paths() == {"context": facts.paths("context"), "other": {("requestId",)},
                                      "k": {()}}
    # the whole value: printed, passed on, set to another name, looped over
    for whole in ("$context", "$util.toJson($context)", "#set($c = $context)",
                  "#foreach($x in $context)#end", "$context.get('a')"):
        assert () in analyse(parse(whole, AWS), AWS).paths("context"), whole


def test_body_facts():
    body = parse("#foreach($a in $l)#if($x)#foreach($b in $a)$b.add(1)#end#end#end", VELOCITY).body
    assert loop_depth(body) == 2 and loop_depth(body[0].body[0].branches[0][1]) == 1
    assert may_resize(body) and not may_resize(parse("$l.size()", VELOCITY).body)
