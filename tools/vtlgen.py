"""Random VTL templates and contexts, for fuzzing the engine and comparing it with Velocity 1.7.

Templates come from the grammar (grammar/vtl.lark: text, references with their suffixes, every
directive, expressions with every operator) or from mutating corpus templates (the case files
under fixtures/cases). Every choice goes through a Chooser, so the same code serves a seeded
`random.Random` (tools/fuzz.py, tools/difffuzz.py: fast, reproducible from the seed) and a
hypothesis `data` object (tests/safety/test_fuzz.py: shrinks a failure to a small template).

Generated templates keep loops and ranges small, so they finish quickly in both engines.
"""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence, TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent

NAMES = ("a", "b", "s", "n", "l", "m", "x", "i", "nil", "e")
PROPERTIES = ("size", "empty", "a", "k", "length", "key", "value", "first", "bytes",
              "count", "index", "hasNext")
# Java methods the values in a context have (and a few they do not), with argument shapes;
# not getClass() and .class, which the sandbox refuses on purpose (tests/safety/test_escapes.py)
METHODS = ("size()", "get(0)", "get(-1)", "get('k')", "get($i)", "length()", "substring(1)",
           "substring(0, 2)", "toUpperCase()", "toLowerCase()", "indexOf('a')", "isEmpty()",
           "contains('a')", "keySet()", "values()", "entrySet()", "add(1)", "add($s)",
           "put('k', 1)", "remove(0)", "remove('k')", "trim()", "split(',')", "replace('a', 'b')",
           "replaceAll('[a-z]', 'x')", "replaceAll('(a)', '$1$1')", "matches('.*')",
           "startsWith('a')", "endsWith('b')", "equals($a)", "equals('a')", "hashCode()",
           "toString()", "charAt(0)", "concat('x')", "compareTo('b')", "intValue()",
           "doubleValue()", "containsKey('k')", "addAll($l)", "subList(0, 1)", "isEmpty()",
           "foo()", "indexOf($a)", "lastIndexOf('a')", "equalsIgnoreCase('A')",
           "get(1)", "set(0, 2)", "clear()", "longValue()", "booleanValue()", "getKey()",
           "getValue()", "hasNext()", "getCount()", "isLast()", "toString($a)", "substring($a)")
TEXT_PIECES = ("a", "b", " ", "  ", "\n", "\t", "x y", "{", "}", "(", ")", "[", "]", '"', "'",
               ",", ".", "=", "-", "*", "!", "#", "$", "\\", "@", "é", "\u2028", "\r\n", "1",
               ";", ":", "<", ">", "&", "|", "%", "+", "~")
OPERATORS = ("+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "and", "or",
             "eq", "ne", "lt", "gt", "le", "ge")
INTEGERS = ("0", "1", "2", "-1", "7", "10", "2147483647", "2147483648", "-2147483648",
            "9223372036854775807", "9223372036854775808", "100000000000000000000", "3", "-0")
FLOATS = ("0.5", "1.0", "-2.5", "1e3", "1.5E-3", "0.1", "3.14159", "1e308", "2.0", "-0.0")
MUTATION_TOKENS = ("#end", "#if(", "#else", "#elseif(", "#set(", "#foreach(", "$", "#", "(", ")",
                   '"', "'", "\\", "[", "]", "{", "}", "$a", "$!a", "${a}", "\n", "##", "#*",
                   "*#", ".", ",", "#{end}", "#[[", "]]#", " ", "$a.b(", "..", "=", "#macro(",
                   "#break", "#stop", "#define(", "#evaluate(", "#@m()", "1", "'s'", '"$s"')


class Chooser(Protocol):
    def choice(self, options: Sequence[T]) -> T: ...

    def integer(self, low: int, high: int) -> int: ...


class RandomChooser:
    """Choices from a seeded random.Random."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def choice(self, options: Sequence[T]) -> T:
        return options[self.random.randrange(len(options))]

    def integer(self, low: int, high: int) -> int:
        return self.random.randint(low, high)


class TemplateGenerator:
    """One template's worth of choices, drawn from the grammar."""

    def __init__(self, chooser: Chooser, max_depth: int = 3) -> None:
        self.c = chooser
        self.max_depth = max_depth
        self.macros: list[tuple[str, int]] = []

    def flip(self, percent: int) -> bool:
        return self.c.integer(1, 100) <= percent

    # ---- statements ------------------------------------------------------------------------------

    def template(self) -> str:
        return self.body(0, self.c.integer(1, 8))

    def body(self, depth: int, count: int | None = None) -> str:
        if count is None:
            count = self.c.integer(0, 3)
        return "".join(self.statement(depth) for _ in range(count))

    def statement(self, depth: int) -> str:
        kinds = ["text", "text", "reference", "reference", "set", "set", "comment", "escape"]
        if depth < self.max_depth:
            kinds += ["if", "if", "foreach", "foreach", "macro", "define", "call", "evaluate",
                      "break", "stop", "literal", "block_call"]
        kind = self.c.choice(kinds)
        return getattr(self, "stmt_" + kind)(depth)

    def stmt_text(self, depth: int) -> str:
        return "".join(self.c.choice(TEXT_PIECES) for _ in range(self.c.integer(1, 4)))

    def stmt_reference(self, depth: int) -> str:
        return self.reference(depth)

    def stmt_set(self, depth: int) -> str:
        target = self.reference(depth, suffixes=self.c.choice((0, 0, 0, 1)), methods=False)
        return f"#set({self.blank()}{target}{self.blank()}={self.blank()}{self.expression(depth)})" \
               + self.line_end()

    def stmt_comment(self, depth: int) -> str:
        return self.c.choice(("## note\n", "#* block *#", "#** doc *#", "##", "#* $a #end *#"))

    def stmt_escape(self, depth: int) -> str:
        return self.c.choice(("\\$a", "\\\\$a", "\\$!a", "\\#if", "\\#end", "\\\\#set($a = 1)",
                              "#[[ $a #if ]]#", "\\${a}", "$\\!a", "#", "$", "$!", "#@", "$1"))

    def stmt_if(self, depth: int) -> str:
        out = f"#if({self.condition(depth)}){self.line_end()}{self.body(depth + 1)}"
        for _ in range(self.c.choice((0, 0, 1, 2))):
            out += f"#elseif({self.condition(depth)}){self.line_end()}{self.body(depth + 1)}"
        if self.flip(50):
            out += f"#else{self.line_end()}{self.body(depth + 1)}"
        return out + self.end()

    def stmt_foreach(self, depth: int) -> str:
        var = self.c.choice(("i", "x", "e", "item"))
        iterable = self.c.choice(("$l", "$m", "[1..3]", "[3..1]", "[]", "['a', 'b']", "$s",
                                  "$nil", "{'k': 1, 'j': 2}", "$m.keySet()", "$m.entrySet()",
                                  "[$a, $b]", "[1, [2, 3]]", "$s.split(',')"))
        body = self.body(depth + 1)
        if self.flip(30):
            body += self.c.choice(("$foreach.index", "$foreach.count", "$foreach.hasNext",
                                   "$velocityCount", "$foreach.first", "$foreach.last",
                                   "#if($foreach.hasNext),#end", "$foreach.parent.index"))
        return f"#foreach({self.blank()}${var} in {iterable}){self.line_end()}{body}{self.end()}"

    def stmt_macro(self, depth: int) -> str:
        name = self.c.choice(("m", "mm", "show", "m2"))
        params = self.c.integer(0, 2)
        self.macros.append((name, params))
        args = "".join(f" ${p}" for p in ("p", "q")[:params])
        return f"#macro({name}{args}){self.body(depth + 1)}{self.end()}"

    def stmt_call(self, depth: int) -> str:
        name, params = self.c.choice(self.macros or [("m", self.c.integer(0, 2))])
        args = " ".join(self.argument(depth) for _ in range(params + self.c.choice((0, 0, 0, 1))))
        return f"#{name}({args})"

    def stmt_block_call(self, depth: int) -> str:
        name, params = self.c.choice(self.macros or [("m", 0)])
        args = " ".join(self.argument(depth) for _ in range(params))
        return f"#@{name}({args}){self.body(depth + 1)}$!bodyContent{self.end()}"

    def stmt_define(self, depth: int) -> str:
        name = self.c.choice(("d", "a", "blk"))
        return f"#define(${name}){self.body(depth + 1)}{self.end()}${name}"

    def stmt_evaluate(self, depth: int) -> str:
        return f"#evaluate({self.c.choice(self.strings(depth))})"

    def stmt_break(self, depth: int) -> str:
        return self.c.choice(("#break", "#break($foreach)", "#{break}"))

    def stmt_stop(self, depth: int) -> str:
        return self.c.choice(("#stop", "#{stop}"))

    def stmt_literal(self, depth: int) -> str:
        return f"#literal(){self.body(depth + 1)}#end"

    def end(self) -> str:
        return self.c.choice(("#end", "#end", "#end", "#{end}", "#end\n", "  #end  \n"))

    def line_end(self) -> str:
        return self.c.choice(("", "", "", "\n", " \n", "  "))

    def blank(self) -> str:
        return self.c.choice(("", "", "", " ", "  "))

    # ---- references and expressions --------------------------------------------------------------

    def reference(self, depth: int, suffixes: int | None = None, methods: bool = True) -> str:
        name = self.c.choice(NAMES)
        if suffixes is None:
            suffixes = self.c.choice((0, 0, 1, 1, 2))
        tail = ""
        for _ in range(suffixes):
            kind = self.c.choice(("prop", "method", "index") if methods else ("prop", "index"))
            if kind == "prop":
                tail += "." + self.c.choice(PROPERTIES)
            elif kind == "method":
                tail += "." + self.c.choice(METHODS)
            else:
                tail += "[" + self.c.choice(("0", "1", "-1", "'k'", "$i", "'a'")) + "]"
        quiet = "!" if self.flip(20) else ""
        if self.flip(20):
            return f"${quiet}{{{name}{tail}}}"
        return f"${quiet}{name}{tail}"

    def argument(self, depth: int) -> str:
        return self.c.choice((self.reference(depth, methods=False), self.c.choice(INTEGERS),
                              "'w'", '"$a"', "[1, 2]", "{'k': 'v'}", "true"))

    def strings(self, depth: int) -> tuple[str, ...]:
        return ("'plain'", "''", '""', '"$a and $s"', '"#if($a)yes#end"', '"$nil"', '"$!nil"',
                '"x${a}y"', "'$a'", '"\\$a"', '"a""b"', "'it''s'", f'"{self.reference(depth)}"',
                '"#set($z = 1)$z"', '"\\u00e9"', '"$a$a"', '"## c"', '"#foreach($i in [1])$i#end"')

    def expression(self, depth: int, level: int = 0) -> str:
        kinds = ["reference", "integer", "float", "string", "boolean", "list", "map", "range"]
        if level < 2:
            kinds += ["binary", "binary", "not", "paren"]
        kind = self.c.choice(kinds)
        if kind == "reference":
            return self.reference(depth)
        if kind == "integer":
            return self.c.choice(INTEGERS)
        if kind == "float":
            return self.c.choice(FLOATS)
        if kind == "string":
            return self.c.choice(self.strings(depth))
        if kind == "boolean":
            return self.c.choice(("true", "false"))
        if kind == "list":
            items = [self.expression(depth, level + 1) for _ in range(self.c.integer(0, 3))]
            return "[" + ", ".join(items) + "]"
        if kind == "map":
            entries = [f"{self.c.choice(('k', 'j', 'a'))!r}: {self.expression(depth, level + 1)}"
                       for _ in range(self.c.integer(0, 2))]
            return "{" + ", ".join(entries) + "}"
        if kind == "range":
            ends = ("1", "3", "-2", "0", "$a", "$n", "'2'", "2.7", "$nil")
            return f"[{self.c.choice(ends)}..{self.c.choice(ends)}]"
        if kind == "not":
            return self.c.choice(("!", "not ", "! ")) + self.expression(depth, level + 1)
        if kind == "paren":
            return "(" + self.expression(depth, level + 1) + ")"
        op = self.c.choice(OPERATORS)
        return f"{self.expression(depth, level + 1)} {op} {self.expression(depth, level + 1)}"

    def condition(self, depth: int) -> str:
        return self.blank() + self.expression(depth) + self.blank()


def context(chooser: Chooser) -> dict[str, Any]:
    """JSON-like variables for the names templates use (both engines read them the same way)."""
    c = chooser
    return {
        "a": c.choice((1, 2, "a", "", 0, -1, 2.5, True, None, "A")),
        "b": c.choice((2, "b", 3000000000, 0.1, False, [1], {"k": 1})),
        "s": c.choice(("a,b", "hello", "", " x ", "é,ü", "a,,b,", "ABC")),
        "n": c.choice((3, 0, -5, 2147483647, 1.5, 100000000000000000000)),
        "l": c.choice(([1, 2, 3], [], ["a", "b"], [1, [2, 3], {"k": "v"}], [None, 1])),
        "m": c.choice(({"k": "v", "a": 1}, {}, {"k": [1, 2], "j": {"x": None}})),
        "i": c.choice((0, 1, 5, -1)),
    }


# ---- mutation of corpus templates ----------------------------------------------------------------

def corpus(dialect: str | None = "velocity") -> list[str]:
    """Every template in fixtures/cases (of one dialect, or all)."""
    templates = []
    for path in sorted((ROOT / "fixtures" / "cases").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.strip():
                case = json.loads(line)
                if dialect is None or case.get("dialect", "velocity") == dialect:
                    if "aws" not in case:
                        templates.append(case["template"])
    return templates


def mutate(chooser: Chooser, source: str) -> str:
    """One to three edits: delete, duplicate or swap a span, or insert a token."""
    c = chooser
    for _ in range(c.integer(1, 3)):
        n = len(source)
        i, j = sorted((c.integer(0, n), c.integer(0, n)))
        j = min(j, i + 12)
        edit = c.choice(("delete", "duplicate", "insert", "insert", "replace"))
        if edit == "delete":
            source = source[:i] + source[j:]
        elif edit == "duplicate":
            source = source[:j] + source[i:j] + source[j:]
        elif edit == "insert":
            source = source[:i] + c.choice(MUTATION_TOKENS) + source[i:]
        else:
            source = source[:i] + c.choice(MUTATION_TOKENS) + source[j:]
    return source


def minimise(source: str, still_fails: Callable[[str], bool]) -> str:
    """The shortest template found by removing spans of `source` while `still_fails` holds."""
    span = max(len(source) // 2, 1)
    while span >= 1:
        i = 0
        while i < len(source):
            candidate = source[:i] + source[i + span:]
            if still_fails(candidate):
                source = candidate
            else:
                i += span
        span //= 2
    return source


def random_case(seed: int, templates: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """The template and context for one fuzz input: generated (2 in 3) or a mutated corpus one."""
    chooser = RandomChooser(seed)
    if templates and chooser.integer(0, 2) == 0:
        source = mutate(chooser, chooser.choice(templates))
    else:
        source = TemplateGenerator(chooser).template()
    return source, context(chooser)
