"""Each limit in Limits (and the fixed ones) is hit by a small template and reported as a
VtlLimitError naming the limit, its value and the template position."""
import pytest

from vtl_engine import Limits, Template, VtlLimitError
from vtl_engine.core.limits import MAX_NESTING_DEPTH, MAX_NUMBER_DIGITS


def limit_error(source, limits=Limits(), context=None, dialect="velocity"):
    with pytest.raises(VtlLimitError) as e:
        Template(source, dialect, limits=limits).render(context or {})
    return e.value


def test_defaults_follow_api_gateway():
    limits = Limits()
    assert limits.max_output_size == 10 * 1024 * 1024
    assert limits.max_template_size == 300 * 1024


def test_loop_iterations():
    e = limit_error("#foreach($i in [1..100])\n  #foreach($j in [1..100])x#end#end",
                    Limits(max_loop_iterations=500))
    assert (e.limit, e.value, e.line, e.column) == ("max_loop_iterations", 500, 2, 3)
    assert "max_loop_iterations" in str(e) and "500" in str(e) and "line 2" in str(e)


def test_range_size_is_refused_before_allocating():
    e = limit_error("#set($r = [1..10000000000])$r.size()")
    assert (e.limit, e.value, e.line, e.column) == ("max_range", 1000000, 1, 1)


def test_range_within_limit():
    assert Template("$r.size()#set($r=[1..5000])$r.size()", "velocity",
                    limits=Limits(max_range=5000)).render() == "$r.size()5000"


def test_macro_depth():
    e = limit_error("#macro(down $n)#down($n)#end\n#down(1)", Limits(max_macro_depth=5))
    assert (e.limit, e.value) == ("max_macro_depth", 5)
    assert e.java_exception == "org.apache.velocity.exception.MacroOverflowException"
    assert e.line == 1


def test_exponential_macro_calls_stop_at_the_deadline():
    # 3**18 calls within the depth limit: only the wall clock can stop it
    source = '#macro(m $d)#if($d.length() < 18)#m("$d.")#m("$d.")#m("$d.")#end#end#m("")'
    e = limit_error(source, Limits(max_render_seconds=0.2))
    assert e.limit == "max_render_seconds" and e.value == 0.2 and e.line == 1


def test_evaluate_depth():
    e = limit_error("#set($s = '#evaluate($s)')#evaluate($s)", Limits(max_evaluate_depth=3))
    assert (e.limit, e.value, e.line) == ("max_evaluate_depth", 3, 1)


def test_define_depth_prints_the_reference_as_velocity_does():
    out = Template("#define($d)[$d]#end$d", "velocity", limits=Limits(max_define_depth=2)).render()
    assert out == "[[$d]]"


def test_render_seconds_in_a_loop():
    e = limit_error("#foreach($i in [1..1000000])#set($x = \"$i$i\")#end",
                    Limits(max_render_seconds=0.05))
    assert (e.limit, e.value, e.line) == ("max_render_seconds", 0.05, 1)


@pytest.mark.parametrize("call", ["$s.matches('(a|aa)+b')", "$s.replaceAll('(a|aa)+b', 'x')",
                                  "$s.split('(a|aa)+b')"])
def test_catastrophic_regex_stops_at_the_deadline(call):
    # a backtracking explosion is one long operation: it ends at the deadline, not minutes later
    template = Template(call, "velocity", limits=Limits(max_render_seconds=0.3))
    with pytest.raises(VtlLimitError) as e:
        template.render({"s": "a" * 64})
    assert e.value.limit == "max_render_seconds" and (e.value.line, e.value.column) == (1, 1)


def test_output_size_checked_in_loops():
    e = limit_error("#foreach($i in [1..100000])0123456789#end", Limits(max_output_size=10_000))
    assert (e.limit, e.value, e.line) == ("max_output_size", 10000, 1)


def test_output_size_without_loops():
    # one huge string printed many times: measured before the output is joined
    e = limit_error("$s$s$s$s$s$s$s$s$s$s$s", Limits(max_output_size=100_000),
                    {"s": "x" * 10_000})
    assert (e.limit, e.value) == ("max_output_size", 100_000)


def test_output_size_counts_utf8_bytes():
    limits = Limits(max_output_size=100)
    assert Template("$s", limits=limits).render({"s": "é" * 50}) == "é" * 50
    assert limit_error("$s", limits, {"s": "é" * 51}).limit == "max_output_size"


def test_template_size():
    source = "line\n" * 10 + "x" * 100
    with pytest.raises(VtlLimitError) as e:
        Template(source, limits=Limits(max_template_size=60))
    assert (e.value.limit, e.value.value, e.value.line, e.value.column) == \
        ("max_template_size", 60, 11, 11)


def test_template_size_applies_to_evaluate():
    e = limit_error("#evaluate($s)", Limits(max_template_size=100), {"s": "x" * 101})
    assert e.limit == "max_template_size"


def test_string_growth_by_interpolation_stops_early():
    e = limit_error('#set($s = "ab")\n#foreach($i in [1..64])#set($s = "$s$s")#end',
                    Limits(max_string_length=1_000_000))
    assert (e.limit, e.value, e.line) == ("max_string_length", 1000000, 2)


def test_string_growth_by_concatenation_and_methods():
    limits = Limits(max_string_length=1_000_000)
    for grow in ('$s + $s', '$s.concat($s)', '$s.replace("a", "aa")', '$s.replaceAll("a", "$0$0")'):
        source = '#set($s = "a")#foreach($i in [1..64])#set($s = ' + grow + ')#end'
        assert limit_error(source, limits).limit == "max_string_length", grow


def test_quadratic_replace_refused_before_building():
    e = limit_error('#set($r = $s.replace("a", $s))', Limits(max_string_length=1_000_000),
                    {"s": "a" * 100_000})
    assert e.limit == "max_string_length"


def test_list_growth():
    e = limit_error("#set($l = [1])#foreach($i in [1..64])#set($ok = $l.addAll($l))#end",
                    Limits(max_string_length=1_000_000))
    assert e.limit == "max_string_length"


def test_printing_a_list_nested_in_itself_many_times():
    e = limit_error("#set($l = [1])#foreach($i in [1..40])#set($l = [$l, $l])#end$l",
                    Limits(max_string_length=1_000_000))
    assert e.limit == "max_string_length"


def test_string_total():
    # each string is small, all of them together are not
    e = limit_error('#foreach($i in [1..10000])#set($s = "$i.......................")#end',
                    Limits(max_string_total=100_000))
    assert (e.limit, e.value) == ("max_string_total", 100000)


def test_number_digits():
    e = limit_error("#set($n = 3)#foreach($i in [1..40])#set($n = $n * $n)#end$n")
    assert (e.limit, e.value) == ("max_number_digits", MAX_NUMBER_DIGITS)


def test_number_literal_digits():
    with pytest.raises(VtlLimitError) as e:
        Template("#set($n = " + "9" * 5000 + ")")
    assert (e.value.limit, e.value.line, e.value.column) == ("max_number_digits", 1, 11)


@pytest.mark.parametrize("source", [
    "#if(true)" * 5000 + "#end" * 5000,
    "#set($a = " + "(" * 5000 + "1" + ")" * 5000 + ")",
    "$a.b(" * 5000 + ")" * 5000,
    "$a[" * 5000 + "0" + "]" * 5000,
    "#set($a = " + "[" * 5000 + "]" * 5000 + ")",
    "#foreach($i in [1])" * 1000 + "#end" * 1000,
])
def test_nesting_depth(source):
    with pytest.raises(VtlLimitError) as e:
        Template(source, "velocity")
    assert (e.value.limit, e.value.value, e.value.line) == ("max_nesting_depth",
                                                             MAX_NESTING_DEPTH, 1)


@pytest.mark.parametrize("source", ["#set($a = 1" + " + 1" * 1000 + ")$a",
                                    "#if(true" + " && true" * 1000 + ")y#end"])
def test_operator_chains_deeper_than_python_recurses(source):
    # no nesting: each operator is the left operand of the next, a tree 1,000 deep
    assert limit_error(source).limit == "recursion depth"


def test_nesting_within_the_limit_compiles():
    # loops deeper than Python's nested-block limit allows in one function
    source = "#foreach($i in [1, 2])" * 12 + "x" + "#end" * 12
    assert Template(source, "velocity").render() == "x" * 2 ** 12
    deep_if = "#if(true)" * 30 + "y" + "#end" * 30
    assert Template(deep_if, "velocity").render() == "y"
