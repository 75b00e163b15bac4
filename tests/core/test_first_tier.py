"""The first tier (core/interpreter.py) renders what the compiled code renders, and raises the
same errors at the same positions; a template starts on it, moves to the compiled code once its
renders have paid for compiling, and skips it where the compiled code is at hand (disk cache) or
needed (coverage, macros). The goldens and the safety tests run through both tiers too
(tests/conftest.py `each_tier`); tools/compare_engines.py --tier compares them on 60,000
generated templates."""
import copy
import json
import re
import sys
from pathlib import Path

import pytest

from vtl_engine import Limits, Template, VtlError, VtlLimitError, VtlRuntimeError
from vtl_engine.core import parser, template
from vtl_engine.core.analysis import ANY, analyse
from vtl_engine.core.dialect import AWS
from vtl_engine.core.template import CompiledTemplate, FirstTier

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import vtlgen  # noqa: E402

LIMITS = Limits(max_loop_iterations=20_000, max_range=20_000, max_render_seconds=5.0,
                max_output_size=200_000, max_string_length=200_000)
# what objects with no Java value print: their identity, never the same twice
IDENTITY = re.compile(r"@[0-9a-f]+")


def outcome(source: str, context: dict, dialect: str, tier: int) -> dict:
    try:
        rendered = Template(source, dialect, limits=LIMITS, tier=tier).render(
            copy.deepcopy(context))
        return {"out": IDENTITY.sub("@", rendered)}
    except VtlError as e:
        return {"error": type(e).__name__, "message": IDENTITY.sub("@", str(e)),
                "at": (e.line, e.column)}


def test_generated_templates_render_alike_in_both_tiers():
    corpus, first = vtlgen.corpus(None), 0
    for seed in range(1200):
        source, context = vtlgen.random_case(seed, corpus)
        for dialect in ("velocity", "aws"):
            expected = outcome(source, context, dialect, 2)
            assert outcome(source, context, dialect, 1) == expected, (seed, source)
            first += Template(source, dialect, tier=1)._compiled.first_tier \
                if "error" not in expected or expected["error"] != "VtlSyntaxError" else 0
    assert first > 700   # most of them did run in the first tier


# each construct the interpreter runs, each way it can go
CONSTRUCTS = [
    "text #literal()$a #if#end", "#foo #foo($a) #@foo()body#end #{foo}",
    "$a $!a ${a} $!{a} $u $!u ${u} \\$a \\$u \\\\$a \\\\$u \\\\\\$u \\$!u \\\\$!u",
    "$a.class $a.Class.simpleName $m.k $m.k.z $m.get('k') $l.size() $l[0] $m['k'] $u.k $n[1]",
    "#set($x = $u)$x #set($x = $a)$x #set($!y = 1)$y #set(${z} = 1)$z #set($m.k = $a)$m.k",
    "#set($l[0] = 'z')$l #set($m['q'] = 2)$m.q #set($m.put('k', 1) = 3)$m.k #set($u.k = 1)",
    "#if($u)1#elseif($n)2#elseif($e)3#elseif($f)4#else 5#end #if('')6#end #if($l)7#end",
    "#if(\"$a\")8#end #if(1 + 2)9#end #if(1)10#end #if(!$u && $a || false)11#end #if(true)t#end",
    "#foreach($i in $l)$i/$velocityCount/$velocityHasNext/$foreach.hasNext #end",
    "#foreach($i in $n)[$i]#if($i)#set($i = 'x')#end#end $i",
    "#foreach($i in $n)#foreach($i in [1])$i#end$i#end $i",
    "#foreach($i in $m)$i #end#foreach($i)x#end#foreach($i in $u)x#end#foreach($i in 'ab')x#end",
    "#foreach($i in [1..3])#foreach($j in [1..3])$i$j#break($foreach.parent)#end#end",
    "#foreach($i in [1..5])$i#if($i == 2)#break#end#end #foreach($i in $l)$l.add(1)#end",
    "#foreach($i in [1..3])#set($s = \"$i#break\")x#end $s",
    "#foreach($i in $l.iterator())$i#end #foreach($e in $m.entrySet())$e.key=$e.value #end",
    "a#stop b", "a#break b", '#set($s = "q#stop")x', "#include($u)#parse($u)", "#parse('f')",
    "$u + 'x' #set($v = $u + 'x')$v #set($v = 'x' + $u)$v #set($v = $a + $u)$v #set($v = 1 + $u)$v",
    "#set($v = $a + 1)$v #set($v = 7 / 2)$v #set($v = 7 % $z)$v #set($v = 1 - 2 * 3)$v",
    "#set($v = 1 / 0)$v", "#set($v = $a * 2)$v #set($v = 2.5 * 2)$v #set($v = $l - 1)$v",
    "#if($a == 'a')eq#end#if($a != $u)ne#end#if(1 < 2.0)lt#end#if($l > 1)gt#end",
    "#set($r = [1..3])$r #set($r = [3..$u])$r #set($r = [1..100000000])",
    "#set($x = {'a': 1, 'a': 2, $a: [1, $u], 'n': {}})$x $x.size()",
    "#set($w = \"$a ${a}x $!u $u ## c\")$w #set($w = \"$a#if(true)!#end\")$w",
    "$input.path('$.k') $input.json('$') $input.params('p') $util.escapeJavaScript($a)",
    "$input.path($a) $input.foo() $util.nope('x') $input.path('$[') $input.params()",
]
CONTEXTS = [
    {"a": "a", "l": [1, 2], "m": {"k": "v"}, "n": [None, 1, None], "e": "", "f": False, "z": 0},
    {"a": None, "l": [], "m": {}, "n": None, "e": [], "f": "false", "z": 2},
]


@pytest.mark.parametrize("source", CONSTRUCTS)
def test_each_construct_renders_alike_in_both_tiers(source):
    from vtl_engine.apigateway.input import Input
    from vtl_engine.apigateway.util import UTIL
    from vtl_engine.apigateway.mapping import KNOWN_OBJECTS

    for dialect in ("velocity", "aws"):
        for context in CONTEXTS:
            outcomes = []
            for tier in (1, 2):
                variables = {**copy.deepcopy(context), "input": Input('{"k": [1]}', {}),
                             "util": UTIL}
                try:
                    t = Template(source, dialect, limits=LIMITS, tier=tier,
                                 known_objects=KNOWN_OBJECTS)
                    outcomes.append(IDENTITY.sub("@", t.render_values(variables)))
                except VtlError as e:
                    outcomes.append((type(e).__name__, IDENTITY.sub("@", str(e))))
            assert outcomes[0] == outcomes[1], (dialect, context)


def test_the_benchmark_workloads_render_alike_in_both_tiers():
    from vtl_engine.apigateway import render_mapping_template

    request = json.loads((ROOT / "benchmarks/workloads/request.json").read_text("utf-8"))
    for folder in sorted((ROOT / "benchmarks/workloads").glob("w*")):
        for tier in (1, 2):
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("VTL_TIER", str(tier))
                patch.setattr(template, "COMPILE_COST", float("inf"))
                result = render_mapping_template(
                    (folder / "template.vtl").read_text("utf-8"),
                    body=(folder / "payload.json").read_text("utf-8"), params=request["params"],
                    context=request["context"], stage_variables=request["stageVariables"])
            assert result.body == (folder / "expected.txt").read_text("utf-8"), (folder, tier)


@pytest.mark.parametrize(("source", "error", "at"), [
    ("a\n  #if($a.substring(5) == 'x')y#end", VtlRuntimeError, (2, 23)),   # at the `==`
    ("#foreach($i in [1..100])\n  #foreach($j in [1..100])x#end#end", VtlLimitError, (2, 3)),
    ('#set($s = "x$a.substring(5)")', VtlRuntimeError, (1, 11)),
    ("#if(false)\n#elseif($a.substring(5))x#end", VtlRuntimeError, (2, 9)),
])
def test_errors_name_the_innermost_construct(source, error, at):
    for tier in (1, 2):
        with pytest.raises(error) as caught:
            Template(source, "velocity", limits=Limits(max_loop_iterations=500),
                     tier=tier).render({"a": "abc"})
        assert (caught.value.line, caught.value.column) == at, tier


def test_a_template_moves_to_the_compiled_code_once_its_renders_paid_for_it(monkeypatch):
    source = "#foreach($i in [1..3])$i#end $x"
    first = Template(source)
    assert isinstance(first._compiled, FirstTier) and first.render({"x": 1}) == "123 1"
    monkeypatch.setattr(first._compiled, "_budget", first._compiled.seconds)
    assert first.render({"x": 2}) == "123 2" and isinstance(first._compiled, CompiledTemplate)
    assert isinstance(Template(source)._compiled, CompiledTemplate)   # a new one starts there


def test_a_template_moves_to_the_compiled_code_after_so_many_renders(monkeypatch):
    monkeypatch.setattr(template, "COMPILE_COST", float("inf"))
    counted = Template("$counted")
    for _ in range(template.MAX_FIRST_TIER_RENDERS):
        assert counted._compiled.first_tier and counted.render() == ""
    assert counted.render() == "" and not counted._compiled.first_tier


def test_a_template_python_cannot_compile_stays_on_the_first_tier():
    # 250 terms: within what the first tier evaluates, past Python's 200 nested parentheses
    source = "#set($a = 1" + " + 1" * 250 + ")$a"
    chain = Template(source, "velocity")
    for _ in range(template.MAX_FIRST_TIER_RENDERS + 2):
        assert chain.render() == "251"
    assert chain._compiled.first_tier
    with pytest.raises(VtlLimitError) as e:
        Template(source, "velocity", tier=2)
    assert e.value.limit == "nesting depth of the compiled code"


def test_templates_of_a_source_share_the_first_tier():
    assert Template("$shared1")._compiled is Template("$shared1")._compiled


def test_a_tier_can_be_chosen(monkeypatch):
    monkeypatch.setattr(template, "COMPILE_COST", 0.0)
    one = Template("$one", tier=1)
    assert one.render({"one": 1}) == "1" and one.render() == "" and one._compiled.first_tier
    assert not Template("$two", tier=2)._compiled.first_tier
    monkeypatch.setenv("VTL_TIER", "2")
    assert not Template("$three")._compiled.first_tier
    with pytest.raises(ValueError):
        Template("$four", tier=3)


@pytest.mark.parametrize("source", ["#macro(m)x#end#m()", "#define($d)x#end$d",
                                    '#evaluate("$a")', '#set($s = "#define($d)#end")'])
def test_what_runs_template_code_from_elsewhere_is_compiled_at_once(source):
    assert not Template(source, "velocity", tier=1)._compiled.first_tier


def test_coverage_is_compiled_at_once():
    assert not Template("$covered", coverage=True)._compiled.first_tier


def test_with_a_disk_cache_the_compiled_code_is_stored_and_loaded(tmp_path, monkeypatch):
    saved = template.disk_cache_dir()
    template.set_disk_cache(tmp_path)
    try:
        assert Template("$on_disk").render({"on_disk": 1}) == "1"
        assert len(list(tmp_path.glob("*.vtlc"))) == 1
        template.compile_source.cache_clear()
        monkeypatch.setattr(parser, "parse", None)   # a hit neither parses nor interprets
        assert not Template("$on_disk")._compiled.first_tier
    finally:
        template.set_disk_cache(saved)
        template.compile_source.cache_clear()


def test_the_python_source_of_a_first_tier_template_is_its_compiled_code():
    shown = Template("$py_source.a")
    assert shown._compiled.first_tier and "def root(v, w, st" in shown.python_source


@pytest.mark.parametrize("source", [
    "$context.requestId $context.identity.sourceIp",
    "#set($c = $context)$c.stage",
    "#foreach($k in $context.keySet())$k#end",
    "$input.json('$')",
])
def test_a_template_may_read_anything_until_the_compiler_has_analysed_it(source):
    first, compiled = Template(source, tier=1), Template(source, tier=2)
    assert isinstance(first._compiled, FirstTier)
    assert first.paths("context") is ANY
    assert compiled.paths("context") is not ANY
    assert compiled.paths("context") == analyse(parser.parse(source, AWS), AWS).paths("context")
