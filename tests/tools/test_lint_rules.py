"""The lint rules one by one (in process: vtl_engine.tools.lint.lint), each with what it must not flag."""
import pytest

from vtl_engine.core.dialect import AWS
from vtl_engine.core.errors import VtlSyntaxError
from vtl_engine.tools.lint import RULES, _Linter, lint
from vtl_engine.core.parser import parse


def codes(source, **kwargs):
    return [(w.code, w.line, w.column) for w in lint(source, **kwargs)]


@pytest.mark.parametrize("source, expected", [
    # W101: client data inside a JSON string, directly or through variables and loops
    ('{"a": "$input.path(\'$.a\')"}', [("W101", 1, 8)]),
    ('#set($b = $input.path(\'$\'))\n{"a": "$b.name"}', [("W101", 2, 8)]),
    ('{"a": [#foreach($x in $input.path(\'$.xs\'))"$x"#if($foreach.hasNext),#end#end]}',
     [("W101", 1, 44)]),
    ('{"ua": "$context.identity.userAgent", "c": "$context.authorizer.claims.email"}',
     [("W101", 1, 9), ("W101", 1, 45)]),
    ('{"a": "$util.escapeJavaScript($input.path(\'$.a\')).replaceAll("\\\\\'", "\'")"}', []),
    ('{"n": "$input.path(\'$.a\').length()", "id": "$context.requestId", "s": "$stageVariables.x"}',
     []),
    ('{"a": "$util.urlEncode($input.params(\'q\'))"}', []),
    ("<a>$input.path('$.a')</a>", []),               # not JSON: nothing to escape for
    # W102: the \' escapeJavaScript leaves
    ('{"a": "$util.escapeJavaScript($input.body)"}', [("W102", 1, 8)]),
    ('#set($s = $util.escapeJavaScript($input.body))$s', []),
    # W104 and W105: path and json swapped
    ('{"a": $input.path(\'$.obj\')}', [("W104", 1, 7)]),
    ('{"a": $input.json(\'$.obj\'), "b": $input.path(\'$.s\').length()}', []),
    ('{"a": "$input.json(\'$.name\')"}', [("W103", 1, 8), ("W105", 1, 8)]),  # ""sample""
    ('#set($j = $input.json(\'$\'))$j.name', [("W105", 1, 28)]),
    ('#foreach($i in $input.json(\'$.items\'))$i#end', [("W105", 1, 16)]),
    ('#set($j = $input.json(\'$\'))#foreach($i in $j)$i#end $j', [("W105", 1, 43)]),
    ('#set($o = $input.path(\'$.o\'))\n{"o": $o, "n": $o.n}', [("W103", 2, 7), ("W104", 2, 7)]),
    ('#set($o = $input.path(\'$.o\'))\n{"n": $o.n, "j": $input.json(\'$.o\')}', []),
    # W106: $context variables
    ('$context.requestId $context.identity.sourceIp $context.authorizer.anything '
     '$context.error.messageString $context.responseOverride.status', []),
    ('$context.requestid', [("W106", 1, 1)]),
    ('$context.identity.sourceIP', [("W106", 1, 1)]),
    ('#set($context.requestOverride.headers.X = "1")', [("W106", 1, 6)]),
    # W107: JSON lists need commas
    ('[#foreach($x in [1, 2]){"v": $x}#end]', [("W107", 1, 2), ("W103", 1, 30)]),
    ('[#foreach($x in [1, 2]){"v": $x}#if($velocityHasNext),#end#end]', []),
    ('[#foreach($x in [1, 2])#if($foreach.count > 1),#end{"v": $x}#end]', []),
    ('{#foreach($x in [1, 2])#end}', []),
    ('{#foreach($k in ["a", "b"])"$k": 1#end}', [("W107", 1, 2), ("W103", 1, 35)]),
    ('{"a": 1#foreach($k in ["b", "c"]), "$k": 1#end}', []),   # a leading comma
    ('{#foreach($k in ["a"])#set($n = $k)#end"a": 1}', []),
])
def test_rule(source, expected):
    assert codes(source) == expected


def test_w103_reports_the_output_position_and_the_template_text_before_it():
    [warning] = lint('{"a": $input.json(\'$.n\'),\n}')
    assert warning.code == "W103" and "output line 1" in warning.message, warning
    # the value printed without a comma after it is on line 3, at column 8
    [warning] = lint('{\n  "a": 1,\n  "b": $input.path(\'$.b\').length()\n  "c": 2\n}')
    assert (warning.line, warning.column) == (3, 8), warning
    assert "output line 4, column 3" in warning.message
    assert lint('{"a": 1}', sample_body="not json") == []   # a template may ignore the body


def test_sample_body_follows_the_fields_the_template_reads():
    source = ('#set($o = $input.path(\'$.order\'))\n{"total": $o.total, "lines": ['
              '#foreach($l in $o.lines){"sku": "$util.urlEncode($l.sku)", "n": $l.n}'
              '#if($foreach.hasNext),#end#end], "tags": $input.json(\'$.tags\')}')
    linter = _Linter(source, parse(source, AWS))
    linter.run()
    assert linter.sample.document() == {"order": {"total": 1, "lines": [
        {"sku": "sample", "n": 1}, {"sku": "sample", "n": 1}]}, "tags": 1}
    assert lint(source) == []
    source = '{"n": $input.json("$.a.n")}'   # double quotes, nothing to interpolate
    linter = _Linter(source, parse(source, AWS))
    linter.run()
    assert linter.sample.document() == {"a": {"n": 1}}


def test_ignore_comments():
    source = ('{\n## vtl: ignore[W101]\n"a": "$input.body",\n"b": "$input.body" ## vtl: ignore\n'
              ',"c": "$input.body"\n,"d": "$input.body"}')
    assert codes(source) == [("W101", 6, 8)]   # line 5 is silenced by line 4's comment
    assert codes('## vtl: ignore[W104, W999]\n{"a": $input.path(\'$\')}') == []
    assert codes('## vtl: ignore[W101]\n{"a": $input.path(\'$\')}') == [("W104", 2, 7)]


def test_syntax_errors_raise():
    with pytest.raises(VtlSyntaxError):
        lint("#if($x)")


def test_every_rule_is_documented():
    documented = open("docs/cli.md", encoding="utf-8").read()
    for code in RULES:
        assert f"| {code} |" in documented
