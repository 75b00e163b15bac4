"""The typed syntax tree of a VTL template: what the parser builds and the compiler reads.

Every node carries the 1-based line and column where it starts in the template, so errors found
while compiling or rendering can point at the template.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Node:
    line: int
    column: int


# ---- expressions ---------------------------------------------------------------------------------

@dataclass
class Expr(Node):
    pass


@dataclass
class Literal(Expr):
    """An integer, float or boolean literal (value as Python holds it: int, float, bool)."""
    value: object


@dataclass
class StringLiteral(Expr):
    """A string: single-quoted ones are constant; double-quoted ones with `$` or `#` in them are
    templates (`body`) rendered each time they are evaluated."""
    value: str
    body: list[Node] | None = None   # parsed content of an interpolated string
    trim_last: bool = False          # drop the last character rendered (see parser.string)


@dataclass
class Property(Node):
    name: str


@dataclass
class Method(Node):
    name: str
    args: list[Expr]


@dataclass
class Index(Node):
    key: Expr


Suffix = Property | Method | Index


@dataclass
class Reference(Expr):
    """`$name.suffix…`: `literal` is its source text without escapes (what Velocity prints for
    a reference it cannot resolve); `escapes` counts the backslashes before the `$`."""
    name: str
    suffixes: list[Suffix]
    literal: str
    quiet: bool = False
    escapes: int = 0


@dataclass
class Word(Expr):
    """A bare word among directive arguments: `in` of #foreach, a macro's name."""
    name: str


@dataclass
class Range(Expr):
    start: Expr
    end: Expr


@dataclass
class ListLiteral(Expr):
    items: list[Expr]


@dataclass
class MapLiteral(Expr):
    entries: list[tuple[Expr, Expr]]


@dataclass
class Binary(Expr):
    """`left op right`; op is the operator's canonical symbol (`==`, `&&`, `+`, …)."""
    op: str
    left: Expr
    right: Expr


@dataclass
class Not(Expr):
    operand: Expr


# ---- statements ----------------------------------------------------------------------------------

@dataclass
class Text(Node):
    text: str


@dataclass
class Set(Node):
    target: Reference
    value: Expr


@dataclass
class If(Node):
    branches: list[tuple[Expr, list[Node]]]
    otherwise: list[Node] | None = None


@dataclass
class Foreach(Node):
    var: str
    iterable: Expr
    body: list[Node]


@dataclass
class MacroDef(Node):
    name: str
    params: list[str]
    body: list[Node]


@dataclass
class MacroCall(Node):
    """`#name(args)`, `#name` or the block form `#@name(args) … #end`. When no macro of that
    name exists Velocity prints `source` (the call's own text) instead."""
    name: str
    args: list[Expr]
    source: str
    body: list[Node] | None = None


@dataclass
class Define(Node):
    name: str
    body: list[Node]


@dataclass
class Evaluate(Node):
    arg: Expr


@dataclass
class Include(Node):
    """#include or #parse: API Gateway has no files, so rendering one is an error."""
    directive: str
    args: list[Expr]


@dataclass
class LiteralBlock(Node):
    """#literal() … #end: the body's source, unrendered."""
    text: str


@dataclass
class Break(Node):
    scope: Expr | None = None   # #break($foreach.parent) names the loop to end


@dataclass
class Stop(Node):
    pass


@dataclass
class Template(Node):
    body: list[Node]
    macros: dict[str, MacroDef] = field(default_factory=dict)
