"""The LALR tables the parser runs are Lark's for grammar/vtl.lark, built ahead of time and
shipped beside it (grammar/vtl.tables.json, written by tools/build_parse_tables.py), so that a
process that parses never imports Lark; a changed grammar is still parsed right."""
import subprocess
import sys
from pathlib import Path

import orjson

from vtl_engine.core import parser
from vtl_engine.core.dialect import get_dialect

GRAMMAR = Path(__file__).resolve().parents[2] / "grammar"


def test_the_shipped_tables_are_the_grammars():
    # fails after a grammar change until `python tools/build_parse_tables.py` is run. Lark
    # numbers the states differently from one process to the next, so the states are matched
    # from the start state on: each must do the same as its match, for every terminal and rule.
    grammar = (GRAMMAR / "vtl.lark").read_text()
    shipped = orjson.loads((GRAMMAR / "vtl.tables.json").read_bytes())
    built = orjson.loads(orjson.dumps(parser.table_data(grammar)))
    assert shipped["grammar"] == built["grammar"] == parser.grammar_digest(grammar)
    assert shipped["rules"] == built["rules"]
    matched = {shipped["start"]: built["start"]}
    pending = [shipped["start"]]
    while pending:
        state = pending.pop()
        ours, theirs = shipped["actions"][state], built["actions"][matched[state]]
        assert ours.keys() == theirs.keys()
        for symbol, action in ours.items():
            if action < 0:   # a reduction: the rules are numbered alike
                assert theirs[symbol] == action
            elif action in matched:
                assert matched[action] == theirs[symbol]
            else:
                matched[action] = theirs[symbol]
                pending.append(action)
    assert len(set(matched.values())) == len(matched) == len(shipped["actions"]) \
        == len(built["actions"])
    assert matched[shipped["end"]] == built["end"]


def test_rendering_a_template_does_not_import_lark():
    program = ("import sys, vtl_engine; "
               "print(vtl_engine.Template('#if($a)$a.b#end').render({'a': {'b': 1}}), "
               "'lark' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.split() == ["1", "False"], done.stderr


def test_a_changed_grammar_gets_tables_built_for_it(monkeypatch):
    source = "#foreach($i in [1..2])$i#end"
    expected = parser.parse_full(source, get_dialect("aws"))
    changed = (GRAMMAR / "vtl.lark").read_text() + "\n// a comment: another digest\n"
    built_for = []
    build = parser.table_data
    monkeypatch.setattr(parser, "grammar_text", lambda: changed)
    monkeypatch.setattr(parser, "table_data", lambda grammar: built_for.append(grammar) or
                        build(grammar))
    parser._tables.cache_clear()
    try:
        assert parser.parse_full(source, get_dialect("aws")) == expected
        assert built_for == [changed]
    finally:
        parser._tables.cache_clear()
