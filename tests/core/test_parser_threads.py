"""Every parse shares the parser's tables and keeps its own state (strings inside strings parse
while their template does): parses in many threads at once give what they give one at a time."""
import sys
import threading

from vtl_engine import VtlSyntaxError
from vtl_engine.core import parser
from vtl_engine.core.dialect import get_dialect

SOURCES = [
    '#set($a = "x $b.c(\'$d\') [${e}]")$a #foreach($i in [1..3])$i#end',
    '#macro(m $p)<$p>#end#m("$q") #literal()$raw#end',
    '$m.get("k$n")["$o"] #if($p == "a$q")yes#{else}no#end',
    '#set($a = "unclosed $b.c(")',
    '#if($a)',
]


def outcome(source):
    try:
        return repr(parser.parse(source, get_dialect("velocity")))
    except VtlSyntaxError as e:
        return f"{e.message} {e.line}:{e.column}"


def test_parses_in_threads_at_once_give_what_they_give_alone():
    expected = [outcome(s) for s in SOURCES]
    found: list[list[str]] = []

    def parse_all():
        found.append([outcome(s) for _ in range(30) for s in SOURCES])

    threads = [threading.Thread(target=parse_all) for _ in range(4)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)   # threads take turns often, within every parse
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert len(found) == 4
    assert all(results == expected * 30 for results in found)
