"""The generated Python reads as code (`Template.python_source`, `vtl compile`): for every
template in fixtures/ (the .vtl files and the API definitions' mapping templates) and the
benchmark workloads, in both dialects, with and without API Gateway's known objects and
coverage, no line is over 120 characters, pyflakes finds nothing to say, and every statement has
its template position in the comment of its line or of a line before it in its function. The
code compiled is the same functions, one statement a line: its line map names the same
positions, statement by statement."""
import ast
import io
import re
from pathlib import Path

import pytest
from pyflakes.api import check
from pyflakes.reporter import Reporter

from vtl_engine.apigateway.definitions import load_definition
from vtl_engine.apigateway.mapping import KNOWN_OBJECTS
from vtl_engine.core import compiler, parser
from vtl_engine.core.dialect import DIALECTS
from vtl_engine.core.errors import VtlSyntaxError

ROOT = Path(__file__).resolve().parents[2]
_POSITION = re.compile(r"  # (\d+):(\d+)$")
_LINE_BREAKS = re.compile(r"\r\n?|\n")


def _templates() -> dict[str, str]:
    found = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
             for p in sorted((ROOT / "fixtures").rglob("*.vtl"))}
    found.update((str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))
                 for p in sorted((ROOT / "benchmarks" / "workloads").glob("*/template.vtl")))
    for path in sorted((ROOT / "fixtures" / "api").iterdir()):
        definition = load_definition(path)
        for route in definition.routes():
            integration = definition.integration(route)
            templates = dict(integration.request_templates)
            for response in integration.responses:
                templates.update((f"{response.selection_pattern} {media}", text)
                                 for media, text in response.response_templates.items())
            found.update((f"{path.name} {route} {media}", text)
                         for media, text in templates.items() if text)
    return found


TEMPLATES = _templates()
MODES = [(dialect, known, coverage) for dialect in DIALECTS for known in (False, True)
         for coverage in (False, True)]


def _modules(source: str):
    for dialect_name, known, coverage in MODES:
        dialect = DIALECTS[dialect_name]
        try:
            tree = parser.parse(source, dialect)
        except VtlSyntaxError:
            continue
        yield (dialect_name, known, coverage), compiler.generate(
            tree, dialect, None, KNOWN_OBJECTS if known else None, coverage)


def test_the_templates_are_there():
    assert len(TEMPLATES) >= 15
    assert sum("workloads" in name for name in TEMPLATES) == 4
    assert sum(" " in name for name in TEMPLATES) >= 5   # from the API definitions


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_generated_python_is_short_lined_clean_and_positioned(name):
    source = TEMPLATES[name]
    compiled = 0
    for mode, module in _modules(source):
        compiled += 1
        readable, positions = module.readable()
        longest = max(readable.splitlines(), key=len)
        assert len(longest) <= 120, (mode, longest)
        out = io.StringIO()
        assert check(readable, "<generated>", Reporter(out, out)) == 0, (mode, out.getvalue())
        _assert_positioned(readable, positions, source, mode)
        assert _statement_positions(module.source, module.positions) == \
            _statement_positions(readable, positions), mode
    assert compiled or name.endswith("unclosed.vtl")


def _statement_positions(source: str, positions: list[tuple[int, int]]) -> list:
    """The template position of each statement in the module's functions, in order."""
    return [positions[node.lineno - 1] for function in ast.parse(source).body
            if isinstance(function, ast.FunctionDef)
            for node in ast.walk(function) if isinstance(node, ast.stmt) and node is not function]


def _assert_positioned(source: str, positions: list[tuple[int, int]], template: str,
                       mode) -> None:
    """Every statement in a function starts on a line whose position, told by the comment on it
    or the last one before it in the function, is `positions`' and lies in the template."""
    lines = source.splitlines()
    assert len(positions) == len(lines)
    told: dict[int, tuple[int, int]] = {}
    for function in ast.parse(source).body:
        if not isinstance(function, ast.FunctionDef):
            continue
        shown = None
        body_start = function.body[0].lineno
        for number in range(body_start, function.end_lineno + 1):
            found = _POSITION.search(lines[number - 1])
            if found:
                shown = (int(found[1]), int(found[2]))
            told[number] = shown
        for node in ast.walk(function):
            if isinstance(node, ast.stmt) and node is not function:
                position = told[node.lineno]
                assert position == positions[node.lineno - 1], (mode, node.lineno)
                line, column = position
                assert 1 <= line <= len(_LINE_BREAKS.split(template)), (mode, position)
                assert column >= 1, (mode, position)


def test_a_template_position_names_the_line_that_failed():
    source = "#set($a = 1)\n#foreach($i in [1, 2])\n  $i.toString().substring(5)\n#end"
    from vtl_engine import Template, VtlError
    try:
        Template(source, "velocity").render()
    except VtlError as error:
        assert (error.line, error.column) == (3, 3)
    else:
        raise AssertionError("rendered")


def test_names_are_bound_once_and_lines_break_where_they_should():
    module = compiler.generate(parser.parse(TEMPLATES["benchmarks/workloads/w3_array/template.vtl"],
                                            DIALECTS["aws"]), DIALECTS["aws"], None, KNOWN_OBJECTS)
    source = module.readable()[0]
    assert "from vtl_engine.core.dialect import AWS" in source
    assert "text_or_empty = AWS.helpers.text_or_empty" in source
    # what the function uses again and again (in the loop) is a default argument
    assert re.search(r"def root\(v, w, st, .*loop_checkpoint=loop_checkpoint, .*prop=prop", source,
                     re.S)
    assert "loop_items=" not in source   # used once: a global
    # what the host binds: None in the module, its own values once loaded
    assert "(direct_1, general, known_input) = (None,) * 3" in source
    assert ", )" not in source   # no trailing commas in argument lists
    assert "  # 2:56\n" in source   # the loop body's text
