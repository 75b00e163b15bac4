"""The LALR tables the parser runs are Lark's for grammar/vtl.lark, built ahead of time and
shipped beside it (grammar/vtl.tables.json, written by tools/build_parse_tables.py), so that a
process that parses never imports Lark; a changed grammar is still parsed right."""
import subprocess
import sys
from pathlib import Path

import orjson

from vtl_engine import VtlError
from vtl_engine.core import parser
from vtl_engine.core.dialect import get_dialect

GRAMMAR = Path(__file__).resolve().parents[2] / "grammar"
GOLDENS = Path(__file__).resolve().parents[2] / "fixtures" / "goldens"


def test_the_shipped_tables_are_the_grammars(monkeypatch):
    # fails after a grammar change until `python tools/build_parse_tables.py` is run. Lark
    # numbers the states differently from one process to the next, so the states are compared
    # by what they do: every golden template parses to the same tree, or error, with both.
    grammar = (GRAMMAR / "vtl.lark").read_text()
    shipped = orjson.loads((GRAMMAR / "vtl.tables.json").read_bytes())
    built = orjson.loads(orjson.dumps(parser.table_data(grammar)))
    assert shipped["grammar"] == built["grammar"] == parser.grammar_digest(grammar)
    assert shipped["rules"] == built["rules"] and len(shipped["actions"]) == len(built["actions"])
    cases = [orjson.loads(line) for path in sorted(GOLDENS.glob("*.jsonl"))
             for line in path.read_bytes().splitlines() if line.strip()]
    assert len(cases) > 1000
    results = []
    for data in (shipped, built):
        tables = parser._Tables(data)
        monkeypatch.setattr(parser, "_tables", lambda tables=tables: tables)
        results.append([_tree_or_error(case["template"], case.get("dialect", "velocity"))
                        for case in cases])
    assert results[0] == results[1]


def _tree_or_error(source: str, dialect: str) -> object:
    try:
        return parser.parse(source, get_dialect(dialect))
    except VtlError as error:
        return type(error).__name__, str(error)


def test_rendering_a_template_does_not_import_lark():
    program = ("import sys, vtl_engine; "
               "print(vtl_engine.Template('#if($a)$a.b#end').render({'a': {'b': 1}}), "
               "'lark' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.split() == ["1", "False"], done.stderr


def test_a_changed_grammar_gets_tables_built_for_it(monkeypatch):
    source = "#foreach($i in [1..2])$i#end"
    expected = parser.parse(source, get_dialect("aws"))
    changed = (GRAMMAR / "vtl.lark").read_text() + "\n// a comment: another digest\n"
    built_for = []
    build = parser.table_data
    monkeypatch.setattr(parser, "grammar_text", lambda: changed)
    monkeypatch.setattr(parser, "table_data", lambda grammar: built_for.append(grammar) or
                        build(grammar))
    parser._tables.cache_clear()
    try:
        assert parser.parse(source, get_dialect("aws")) == expected
        assert built_for == [changed]
    finally:
        parser._tables.cache_clear()
