"""The one-pass parse of the common shapes (core/quickparse.py) gives exactly the nodes of the full
parse (lexer + LALR tables), in both dialects, or leaves the template to it: never a tree for a
template the full parse refuses. Checked on every template of the fixtures and the benchmark
workloads, on generated and mutated ones (tools/vtlgen.py), and on templates made of the common
shapes (hypothesis); most templates people write take the fast path."""
import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vtl_engine import VtlError
from vtl_engine.core import parser
from vtl_engine.core.dialect import AWS, VELOCITY
from vtl_engine.core.quickparse import parse_common

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import vtlgen  # noqa: E402


def fixture_templates() -> list[str]:
    templates = []
    for folder in ("goldens", "cases"):
        for path in sorted((ROOT / "fixtures" / folder).glob("*.jsonl")):
            templates += [json.loads(line)["template"]
                          for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    for pattern in ("fixtures/examples/*.vtl", "benchmarks/workloads/*/template.vtl"):
        templates += [path.read_text(encoding="utf-8") for path in sorted(ROOT.glob(pattern))]
    return templates


def parsed_alike(source: str) -> bool:
    """Whether the one-pass parse took `source`; when it did, its nodes are the full parse's."""
    common = parse_common(source)
    if common is None:
        return False
    for dialect in (AWS, VELOCITY):
        assert common == parser.parse_full(source, dialect), source
    return True


def test_the_fixtures_parse_alike_and_mostly_in_one_pass():
    templates = fixture_templates()
    taken = sum(map(parsed_alike, templates))
    valid = 0
    for source in templates:
        try:
            parser.parse_full(source, VELOCITY)
            valid += 1
        except VtlError:
            pass
    assert len(templates) > 2500 and taken > 0.7 * valid


def test_the_benchmark_workloads_take_the_one_pass_parse():
    for path in sorted(ROOT.glob("benchmarks/workloads/*/template.vtl")):
        assert parse_common(path.read_text(encoding="utf-8")) is not None, path


def test_generated_and_mutated_templates_parse_alike():
    templates = vtlgen.corpus(None)
    taken = sum(parsed_alike(vtlgen.random_case(seed, templates)[0]) for seed in range(1500))
    assert taken > 150


COMMON = [
    "text only", "$a $!b ${c} $!{d.e} $a.b.c.d.e", "$input.path('$.a').size() $util.m($input.json('$'))",
    "  #set($a = $b.c)\n#set( $a.b = 1 + 2 * -3 )x $a #set($c = \"$a-${b}\")",
    "#if($a == 'x' && !$b || ($c > 1.5))y#elseif($d)z#{else}w#end\n",
    "#foreach($i in [1, 'a', [2], {'k': $v}])$i,#break#end #foreach($j, in, [1..$n])#stop#end",
    "## comment\n#* block *#a#[[ $raw ]]#b # c",
    '#set($m = {"k": "v$x", $k: []})#if("$m"=="")#end',
]


def test_the_common_shapes_take_the_one_pass_parse():
    for source in COMMON:
        assert parsed_alike(source), source


def test_parse_takes_the_one_pass_parse_when_it_can():
    source = '#set($a = "x$b")#if($a == [1..3])$a.c($d, 2)#end'
    assert parser.parse(source, AWS) == parse_common(source) == parser.parse_full(source, AWS)
    assert parse_common("\\$a") is None and parser.parse("\\$a", AWS).body


# ---- templates made of the common shapes ---------------------------------------------------------

names = st.sampled_from(["a", "b", "input", "x-y", "_z", "foreach", "true"])
suffixes = st.sampled_from(["", ".a", ".b.c", ".size()", ".get('k')", ".get($a)", ".m(1, 'x')",
                            ".path('$.a').b", ".m( )", ".m(-1.5e3)", ".m(\"s\")", ".m('it''s')",
                            ".a.b.c.d", ".m(true)", ".m(false, $b.c)", "(", ".", "[0]"])
references = st.builds("${}{}{}{}{}".format, st.sampled_from(["", "!"]),
                       st.sampled_from(["", "{"]), names, suffixes, st.sampled_from(["", "}"]))
literals = st.sampled_from(["1", "-2", "0.5", "1.", ".5", "1e3", "'s'", '"s"', '"x$a y"', '"#"',
                            "true", "false", "[]", "[1, $a]", "[1..3]", "[$a..-2]", "{}",
                            "{'k': 1, $a: [2]}", "[ ]", "[1.5..2]", "9" * 5000, '""""', "'''a'"])
operators = st.sampled_from([" + ", "-", " * ", "/", " % ", " == ", "!=", " < ", "<=", " > ",
                             " >= ", " && ", " || ", " and ", " or ", " eq ", " ne ", "=", ","])


@st.composite
def expressions(draw, depth=0):
    operand = draw(st.one_of(references, literals))
    if depth < 2 and draw(st.booleans()):
        operand = f"({draw(expressions(depth + 1))})"
    if draw(st.booleans()):
        operand = draw(st.sampled_from(["!", "! ", "not "])) + operand
    if depth < 2 and draw(st.booleans()):
        return operand + draw(operators) + draw(expressions(depth + 1))
    return operand


ELSE = ["", "#elseif($b)x", "#elseif ($b == 1)\n", "#else", "#{else}", "#else\n"]
END = ["#end", "#{end}", "#end ", "#end\n", " #end \r\n", ""]


@st.composite
def statements(draw, depth=0):
    body = lambda: "".join(draw(st.lists(statements(depth + 1), max_size=3)))  # noqa: E731
    forms = [
        lambda: draw(st.sampled_from(["a", " ", "  ", "\n", "\r\n", "\t", "x y", '"', ",", ":",
                                      "{", "}", "(", ")", ".", "#", "$", "é", "#[[$a]]#",
                                      "## c\n", "#* c *#", "\\", "##"])),
        lambda: draw(references),
        lambda: f"{draw(st.sampled_from(['', ' ', chr(9)]))}#set({draw(references)} = "
                f"{draw(expressions())})",
        lambda: f"#if({draw(expressions())}){body()}{draw(st.sampled_from(ELSE))}{body()}"
                f"{draw(st.sampled_from(END))}",
        lambda: f"#foreach({draw(references)} {draw(st.sampled_from(['in', 'x', '']))} "
                f"{draw(st.one_of(references, literals))}){body()}#end",
        lambda: draw(st.sampled_from(["#break", "#stop", "#break($foreach)", "#end", "#else",
                                      "#macro(m)x#end", "#define($d)x#end", "#foo"])),
    ]
    kinds = len(forms) if depth < 2 else 2
    return forms[draw(st.integers(0, kinds - 1))]()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(statements(), min_size=1, max_size=5).map("".join))
def test_templates_of_the_common_shapes_parse_alike(source):
    parsed_alike(source)


@pytest.mark.parametrize("depth", [38, 39, 40, 41])
def test_nesting_up_to_the_limit_parses_alike(depth):
    for source in ["#set($a = " + "[" * depth + "]" * depth + ")",
                   "#set($a = " + "{'k': " * depth + "1" + "}" * depth + ")",
                   "#if(" + "(" * depth + "true" + ")" * depth + ")x#end",
                   "#if(true)" * depth + "x" + "#end" * depth,
                   "$a.b(" * depth + ")" * depth,
                   "#foreach($i in [1])" * depth + "$i" + "#end" * depth]:
        try:
            parser.parse_full(source, VELOCITY)
        except VtlError:
            assert parse_common(source) is None
        else:
            parsed_alike(source)
