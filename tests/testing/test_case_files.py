"""The case file format, the comparison of outcomes, and the compiler's coverage option."""
import pytest

from vtl_engine.core.template import Template
from vtl_engine.testing.cases import CaseFileError, load_case_file
from vtl_engine.testing.runner import Outcome, compare, same_json


def load(tmp_path, text, name="t.vtltest.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return load_case_file(path)


def test_file_values_are_defaults_for_each_case(tmp_path):
    cases = load(tmp_path, """
template: a.vtl
request: {headers: {Accept: text/plain}, query: {n: 1, on: yes, off: true}}
cases:
  - name: one
    expect: {body: x}
  - name: two
    template: b.vtl
    dialect: velocity
    request: {query: {n: 2}, body: {a: [1]}}
    expect: {json: null, status: null, headers: {X: null}}
""")
    one, two = cases
    assert one.template.name == "a.vtl" and one.request.headers == {"Accept": "text/plain"}
    # parameters are text; YAML 1.2 booleans (`on` and `yes` are not booleans)
    assert one.request.query == {"n": "1", "on": "yes", "off": "true"}
    assert two.template.name == "b.vtl" and two.dialect == "velocity"
    assert two.request.query == {"n": "2"} and two.request.body == '{"a":[1]}'
    assert two.expect.json is None and two.expect.status is None
    assert two.expect.headers == {"X": None}


@pytest.mark.parametrize("text, message", [
    ("cases: []", "'cases' must be a non-empty list"),
    ("template: a.vtl", "no 'cases' list"),
    ("- 1", "the file: expected a mapping, got a list"),
    ("cases: [{expect: {body: x}}]", "case 1: give either 'template' or 'api'"),
    ("api: x.yaml\ncases: [{expect: {body: x}}]", "'api' needs a 'route'"),
    ("template: a\ncases: [{name: n}]", "case 'n': no 'expect'"),
    ("template: a\ncases: [{name: n, expect: {body: x, json: 1}}]", "not both"),
    ("template: a\ncases: [{name: n, side: response, expect: {}}]", "'side' is for API routes"),
    ("template: a\ncases: [{name: n, expect: {status: '201'}}]", "expected a number or null"),
    ("template: a\ncases: [{name: n, request: {headers: [1]}, expect: {}}]",
     "case 'n'.request.headers: expected a mapping, got a list"),
    ("template: a\ncases: [{name: n, request: {body_file: no.json}, expect: {}}]",
     "cannot read no.json"),
    ("template: a\ncases: [{name: n, expect: {}}, {name: n, expect: {}}]",
     "two cases are named 'n'"),
])
def test_format_mistakes_name_the_file_and_place(tmp_path, text, message):
    with pytest.raises(CaseFileError) as error:
        load(tmp_path, text)
    assert str(error.value).startswith(str(tmp_path / "t.vtltest.yaml") + ": ")
    assert message in str(error.value)


def test_invalid_json_file(tmp_path):
    with pytest.raises(CaseFileError, match=r"t.vtltest.json: invalid JSON at line 1, column 2"):
        load(tmp_path, "{]", "t.vtltest.json")


def test_json_equality_is_json_not_python():
    assert same_json({"a": [1, 2.0]}, {"a": [1.0, 2]})
    assert not same_json(True, 1) and not same_json([1, 2], [2, 1]) and not same_json(None, 0)


def test_compare_lists_each_difference():
    outcome = Outcome(body='{"a": 1}', status=200, headers={"content-type": "application/json"},
                      request_override={"header": {"X": "1"}})
    expect = load_expect(json={"a": 1}, status=200, headers={"Content-Type": "application/json"},
                         request_override={"header": {"X": "1", "Y": None}})
    assert compare(expect, outcome) == []
    expect = load_expect(json={"a": 2}, status=None, headers={"X": "y"},
                         request_override={"header": {"X": None}})
    failures = compare(expect, outcome)
    assert failures[0].startswith("JSON body differs")
    assert failures[1:] == ["status: expected none set, got 200",
                            "headers['X']: expected 'y', got absent",
                            "request_override.header['X']: expected absent, got '1'"]
    assert compare(load_expect(body="x"), Outcome(error="boom")) == ["rendering failed: boom"]
    assert compare(load_expect(error="bo"), Outcome(error="boom")) == []


def test_invalid_json_body_is_said_so():
    [failure] = compare(load_expect(json={"a": 1}), Outcome(body='{"a": 1,}'))
    assert failure.startswith("body is not valid JSON (line 1, column")


def load_expect(**expect):
    from pathlib import Path

    from vtl_engine.testing.cases import _Where
    return _Where(Path("x")).expectation(expect, "expect")


def test_coverage_is_off_by_default_and_compiled_apart():
    source = "#if($a)yes#{else}no#end#foreach($i in [1])$i#end"
    plain = Template(source, dialect="velocity")
    assert "cov(" not in plain.python_source and plain.coverage is None
    covered = Template(source, dialect="velocity", coverage=True)
    assert covered._compiled is not plain._compiled
    points, hits = covered.coverage
    assert [p.kind for p in points] == ["template", "#if arm", "#else arm", "#foreach body"]
    hits.clear()
    assert covered.render({"a": False}) == "no1" == plain.render({"a": False})
    assert hits == {0, 2, 3}
    assert "    cov(1)\n" in covered.python_source


def test_if_without_else_counts_the_no_arm_branch():
    t = Template("a\n#if($x)\nb\n#elseif($y)c#end\n", dialect="velocity", coverage=True)
    points, hits = t.coverage
    assert [(p.kind, p.line, sorted(p.lines)) for p in points] == [
        ("template", 1, [1, 2]), ("#if arm", 2, [3]), ("#elseif arm", 4, [4]),
        ("#if with no arm taken", 2, [])]
    hits.clear()
    t.render({})
    assert hits == {0, 3}


def test_macro_and_define_bodies_are_branches():
    source = "#macro(greet $who)\nHello $who\n#end\n#define($block)\nin block\n#end\n" \
             "#if($x)#greet('a')#end\n$block\n"
    t = Template(source, dialect="velocity", coverage=True)
    points, hits = t.coverage
    assert sorted((p.kind, p.line) for p in points) == [
        ("#define body", 5), ("#if arm", 7), ("#if with no arm taken", 7), ("#macro body", 2),
        ("template", 1)]
    hits.clear()
    t.render({"x": False})
    assert {points[i].kind for i in hits} == {"template", "#if with no arm taken", "#define body"}
