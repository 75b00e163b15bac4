"""The Template API: compile once, render many times, dialects, errors, generated Python."""
import threading

import pytest

from vtl_engine import Template, VtlRuntimeError


def render(source, context=None, dialect="velocity"):
    return Template(source, dialect=dialect).render(context or {})


def test_default_dialect_is_aws():
    assert Template("$missing").dialect.name == "aws"
    assert Template("$missing").render() == ""
    assert render("$missing") == "$missing"


def test_unknown_dialect():
    with pytest.raises(ValueError):
        Template("x", dialect="jinja")


def test_compiled_once_per_source_and_dialect():
    a, b = Template("hello $x", dialect="aws"), Template("hello $x", dialect="aws")
    assert a._compiled is b._compiled
    assert Template("hello $x", dialect="velocity")._compiled is not a._compiled


def test_context_is_not_mutated_by_set():
    context = {"a": 1}
    Template("#set($a = 2)#set($b = 3)").render(context)
    assert context == {"a": 1}


def test_nested_mappings_are_shared_so_overrides_can_be_read_back():
    overrides = {"header": {}}
    Template("#set($o.header.X = 'y')").render({"o": overrides})
    assert overrides == {"header": {"X": "y"}}


def test_aws_context_lists_print_as_json_and_literals_as_java():
    assert render("$l|#set($m = [1, 'a'])$m", {"l": [1, "a", {"k": [2]}]}, "aws") == \
        '[1,"a",{"k":[2]}]|[1, a]'


def test_stop_keeps_output_so_far():
    assert render("a#stop b") == "a"


def test_runtime_error_has_position_and_java_class():
    with pytest.raises(VtlRuntimeError) as info:
        render("ok\n  $s.substring(9)", {"s": "abc"})
    e = info.value
    assert (e.line, e.column) == (2, 3)
    assert e.java_exception == "java.lang.StringIndexOutOfBoundsException"
    assert "$s.substring(9)" in e.snippet


def test_include_and_parse_raise_clear_errors():
    for directive in ("include", "parse"):
        with pytest.raises(VtlRuntimeError, match="API Gateway has no template files"):
            render(f'#{directive}("other.vm")')


def test_context_must_be_a_mapping():
    with pytest.raises(TypeError, match="context must be a mapping of variable names to values"):
        Template("x").render(["not", "a", "mapping"])  # type: ignore[arg-type]


def test_keyword_arguments_are_variables_merged_over_the_mapping_as_in_jinja2():
    t = Template("$name $n")
    assert t.render(name="Ada", n=1) == "Ada 1"
    assert t.render({"name": "Ada", "n": 1}, n=2) == "Ada 2"
    assert t.render({"name": "Ada", "n": 1}) == "Ada 1"
    data = {"n": 1}
    assert Template("$context.x").render(context={"x": "a variable named context"}) == \
        "a variable named context"
    Template("#set($n = 5)").render(data, name="x")
    assert data == {"n": 1}   # the caller's mapping is not changed


def test_renders_from_many_threads_give_serial_results():
    t = Template("#foreach($i in [1..50])$i:$n,#end#set($n = $n + 1)$n", dialect="velocity")
    expected = {n: t.render({"n": n}) for n in range(16)}
    results: dict[int, list[str]] = {n: [] for n in range(16)}

    def work(n):
        for _ in range(20):
            results[n].append(t.render({"n": n}))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(r == [expected[n]] * 20 for n, r in results.items())
