"""The typed syntax tree of a VTL template: what the parser builds and the compiler reads.

Every node carries the 1-based line and column where it starts in the template, so errors found
while compiling or rendering can point at the template.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

N = TypeVar("N", bound="Node")


@dataclass
class Node:
    line: int
    column: int

    #: the fields that hold the nodes below this one: a node, None, or a list of nodes or of
    #: pairs of them (an #if's branches, a map literal's entries)
    children: ClassVar[tuple[str, ...]] = ()

    def iter_child_nodes(self) -> Iterator[Node]:
        """The nodes directly below this one, in template order."""
        found: list[Node] = []
        for name in self.children:
            _collect(getattr(self, name), found)
        return iter(found)

    def find_all(self, node_type: type[N] | tuple[type[N], ...]) -> Iterator[N]:
        """Every node below this one (itself not included) of `node_type`, in template order."""
        return (x for x in walk(self.iter_child_nodes()) if isinstance(x, node_type))


def walk(nodes: Iterable[Node]) -> Iterator[Node]:
    """`nodes` and every node below them, each before its children, in template order."""
    pending = list(nodes)
    pending.reverse()
    while pending:
        node = pending.pop()
        yield node
        if node.children:
            below: list[Node] = []
            for name in node.children:
                value = getattr(node, name)
                if value.__class__ is list:   # of nodes, or of pairs (branches, entries)
                    for item in value:
                        if item.__class__ is tuple:
                            _collect(item, below)
                        else:
                            below.append(item)
                elif value is not None:
                    below.append(value)
            if below:
                below.reverse()
                pending += below


def _collect(value: Any, found: list[Node]) -> None:
    """Add the nodes a child field holds to `found`."""
    if isinstance(value, Node):
        found.append(value)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, found)


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
    children = ("body",)
    value: str
    body: list[Node] | None = None   # parsed content of an interpolated string
    trim_last: bool = False          # drop the last character rendered (see parser.string)


@dataclass
class Property(Node):
    name: str


@dataclass
class Method(Node):
    children = ("args",)
    name: str
    args: list[Expr]


@dataclass
class Index(Node):
    children = ("key",)
    key: Expr


Suffix = Property | Method | Index


@dataclass
class Reference(Expr):
    """`$name.suffix…`: `literal` is its source text without escapes (what Velocity prints for
    a reference it cannot resolve); `escapes` counts the backslashes before the `$`."""
    children = ("suffixes",)
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
    children = ("start", "end")
    start: Expr
    end: Expr


@dataclass
class ListLiteral(Expr):
    children = ("items",)
    items: list[Expr]


@dataclass
class MapLiteral(Expr):
    children = ("entries",)
    entries: list[tuple[Expr, Expr]]


@dataclass
class Binary(Expr):
    """`left op right`; op is the operator's canonical symbol (`==`, `&&`, `+`, …)."""
    children = ("left", "right")
    op: str
    left: Expr
    right: Expr


@dataclass
class Not(Expr):
    children = ("operand",)
    operand: Expr


# ---- statements ----------------------------------------------------------------------------------

@dataclass
class Text(Node):
    text: str


@dataclass
class Set(Node):
    children = ("target", "value")
    target: Reference
    value: Expr


@dataclass
class If(Node):
    children = ("branches", "otherwise")
    branches: list[tuple[Expr, list[Node]]]
    otherwise: list[Node] | None = None


@dataclass
class Foreach(Node):
    children = ("iterable", "body")
    var: str
    iterable: Expr
    body: list[Node]


@dataclass
class MacroDef(Node):
    children = ("body",)
    name: str
    params: list[str]
    body: list[Node]


@dataclass
class MacroCall(Node):
    """`#name(args)`, `#name` or the block form `#@name(args) … #end`. When no macro of that
    name exists Velocity prints `source` (the call's own text) instead."""
    children = ("args", "body")
    name: str
    args: list[Expr]
    source: str
    body: list[Node] | None = None


@dataclass
class Define(Node):
    children = ("body",)
    name: str
    body: list[Node]


@dataclass
class Evaluate(Node):
    children = ("arg",)
    arg: Expr


@dataclass
class Include(Node):
    """#include or #parse: API Gateway has no files, so rendering one is an error."""
    children = ("args",)
    directive: str
    args: list[Expr]


@dataclass
class LiteralBlock(Node):
    """#literal() … #end: the body's source, unrendered."""
    text: str


@dataclass
class Break(Node):
    children = ("scope",)
    scope: Expr | None = None   # #break($foreach.parent) names the loop to end


@dataclass
class Stop(Node):
    pass


@dataclass
class Template(Node):
    """The whole template; `macros` indexes the #macro definitions of its body by name (the
    first of each name), which the body holds too."""
    children = ("body",)
    body: list[Node]
    macros: dict[str, MacroDef] = field(default_factory=dict)
