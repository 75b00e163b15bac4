"""Syntax tree → Python source → code object.

The generated module is meant to be read (`Template.python_source`, `vtl compile`): it imports
what it calls from the runtime, then has one function per body of template code (the template,
each macro, each #define, each interpolated string), one line or block per construct, template
names only inside mangled local names and template text only inside `repr()` literals. Every
body function has the signature `(v, w, st)`: `v` maps the template's variables, `w` writes
output, `st` is the render's RenderState. A name it uses again and again (a runtime helper, a
known object's direct call) it binds as a default argument, a local, the fastest name to look
up. The module's first lines say where its names come from: imports from the runtime, the
dialect's helpers, and what the host binds when it loads the module (known objects' classes and
direct calls, `general`, `cov`), set to None for reading.

The code object is compiled from the module's functions with one statement a line
(`GeneratedModule.source`), in the namespace those first lines describe (`namespace`: made once,
not compiled each time), whose `positions[i]` is the template (line, column) behind line i + 1,
so that a failure while rendering can name the template position. The module laid out for
reading (`readable`, layout.py: lines of at most 120 characters, each with the template
line:column it comes from in a comment) costs nothing until someone reads it.

The template-wide facts the generator relies on come from analysis.py; where the code being
written is (its function, the loops around it) is a Frame.

With `coverage=True` each body that can run or not (the template, every #if/#elseif/#else arm,
an #if's "no arm taken", #foreach bodies, macro and #define bodies) starts with `cov(N)`, N
indexing `GeneratedModule.coverage_points`; `cov` is bound by whoever runs the code. Without it
the generated code has no trace of coverage.
"""
from __future__ import annotations

import copy
import importlib
import math
import re
import textwrap
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from . import nodes as n
from .analysis import (
    Analysis,
    VariablePaths,
    analyse,
    has_interpolated_strings,
    loop_depth,
    may_resize,
)
from .dialect import Dialect
from .layout import (
    BREAK,
    COMMA,
    LINE_WIDTH,
    STEP,
    Line,
    arguments,
    call,
    choice,
    either,
    lay_out,
    literal,
    unmarked,
)
from .limits import MAX_LOOPS_PER_FUNCTION
from .runtime.host import VARIABLE
from .runtime.methods import CLASS_PROPERTIES, direct_function, unwrap_direct

_COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}
_ARITHMETIC = {"-": "sub", "*": "mul", "/": "div", "%": "mod"}
# What generated code calls, by the module that has it; the dialect's helpers (Dialect.helpers)
# besides, and the builtins dict, int, float, len, enumerate, str, repr, abs
_RUNTIME = {
    "vtl_engine.core.runtime.support": (
        "Block", "BreakScope", "ForeachScope", "StopRender", "assign_property", "call_macro",
        "NullHolder", "empty_if_invalid", "end_loop", "include", "loop_checkpoint", "loop_items",
        "null_text", "prop", "render_string", "truth"),
    "vtl_engine.core.runtime.arith": ("div", "mod", "mul", "sub"),
    "vtl_engine.core.runtime.methods": ("SIZED",),
    "vtl_engine.core.runtime.signals": ("MISSING",),
    "vtl_engine.core.runtime.values": ("JavaList", "make_range"),
}
# what the host binds when it loads the module (see namespace)
_HOST_NAMES = re.compile(r"known_\w+|direct_\d+|general|cov")


@dataclass(frozen=True)
class CoveragePoint:
    """A body that may run or not: `kind` says which ("#if arm", "#foreach body", ...), `line`
    where its directive is, `lines` the template lines of its own statements."""

    kind: str
    line: int
    lines: frozenset[int]


@dataclass
class GeneratedModule:
    #: what is compiled: one statement a line, `positions[i]` the template position of line i+1
    source: str
    positions: list[tuple[int, int]]
    macro_names: dict[str, str] = field(default_factory=dict)   # template name -> function
    coverage_points: list[CoveragePoint] = field(default_factory=list)
    #: (global name, known object, method, constant arguments) of each direct call: the
    #: function behind the global name is `methods.direct_function(known_objects[object],
    #: method, constants)`
    direct_calls: list[tuple[str, str, str, tuple[Any, ...]]] = field(default_factory=list)
    #: global name -> the function direct_function gave (a staticmethod unwrapped)
    direct_functions: dict[str, Any] = field(default_factory=dict)
    #: the lines `source` is made of, with where they may break (see layout.py)
    lines: list[Line] = field(default_factory=list)
    #: what the module's first lines say (see Header)
    header: Header | None = None
    #: the paths of each variable the template can read (Analysis.variable_paths)
    variable_paths: VariablePaths = field(default_factory=dict)

    def listing(self) -> list[Line]:
        """All the lines of the module as it is read: its first lines, which say where its
        names come from (they are the namespace it runs in, not compiled), `lines`, and a note
        of the direct calls."""
        found = self.header.lines() if self.header is not None else []
        found += self.lines
        if self.direct_calls:
            found += [_note(""), _note("# Direct calls, made for the known objects' classes "
                                       "(known_<name>):")]
        for global_name, name, method, constants in self.direct_calls:
            said = f"{global_name} = direct_function(known_{name}, {method!r}, {constants!r})"
            found += [_note(f"# {line}") for line in
                      (textwrap.wrap(said, LINE_WIDTH - 2, subsequent_indent="    ")
                       if len(said) > LINE_WIDTH - 2 else [said])]
        return found

    def readable(self) -> tuple[str, list[tuple[int, int]]]:
        """The module laid out for reading, and the template position of each of its lines."""
        source, positions = lay_out(self.listing())
        return "\n".join(source) + "\n", positions


@dataclass
class Header:
    """What the first lines of a generated module say: its template and dialect, the runtime's
    names and the dialect's helpers it uses, and the names the host binds."""

    template_name: str | None
    dialect: Dialect
    used: set[str]
    host: set[str]

    def lines(self) -> list[Line]:
        title = f" {self.template_name!r}" if self.template_name else ""
        said = [f"# Compiled by vtl_engine from the VTL template{title}, dialect "
                f"{self.dialect.name!r}.",
                "# Each function writes a body of the template: w(text) writes, v holds its "
                "variables, st is the",
                "# render's state; a name it uses again and again it binds as a default "
                "argument. Its locals: k_a",
                "# holds $a read once, s_a $a set once, l0_a a loop's item $a, t1 a temporary. "
                "The comment after",
                "# a line is the template line:column it comes from."]
        dialect = self.dialect.name.upper()
        helpers = sorted(self.used & vars(self.dialect.helpers).keys())
        if helpers:
            said.append(f"from vtl_engine.core.dialect import {dialect}")
        for module, names in _RUNTIME.items():
            names = sorted(self.used.intersection(names))
            if names:
                said.append(f"from {module} import ({COMMA.join(names)})"
                            if len(names) > 1 else f"from {module} import {names[0]}")
        if helpers:
            said.append("")
        said += [f"{name} = {dialect}.helpers.{name}" for name in helpers]
        if self.host:
            host = sorted(self.host)
            said += ["", "# bound by the host when it loads the module (known_<name>: the class "
                     "of a known object, direct_<n>:", "# the call made for it, listed at the "
                     "end; general: the template compiled without them)",
                     f"({COMMA.join(host)}) = (None,) * {len(host)}" if len(host) > 1
                     else f"{host[0]} = None"]
        return [_note(line) for line in said]


def _note(code: str) -> Line:
    """A line outside the functions that is only read (not compiled)."""
    return Line(0, code, (1, 1), in_function=False)


class Function:
    """A generated function being written: its kind decides what #break means (root | macro |
    block | string); the root function also reads some variables once at its start."""

    def __init__(self, name: str, kind: str) -> None:
        self.name = name
        self.kind = kind
        self.is_root = name == "root"
        self.temps = 0
        self.loop_locals = 0      # loop variables made Python locals so far
        self.hoisted: set[str] = set()         # the variables root reads at its start
        self.guarded: set[str] = set()         # those whose class root checks once (direct_call)
        # those whose #set root has written so far (see Analysis.set_once), and its line
        self.set_once: dict[str, Line] = {}
        self.set_once_read: set[str] = set()   # those of them read from their local
        # the runtime's and the host's names its code uses, once for each use (twice in a loop)
        self.uses: list[str] = []
        self.flags_read: set[str] = set()      # the item flags (see Frame) read

    def temp(self) -> str:
        self.temps += 1
        return f"t{self.temps}"


class Frame:
    """Where code is being written: the function, and what the loops around the code keep in
    Python locals. A loop's body gets a copy (`inner`), so what a loop adds ends with it."""

    def __init__(self, fn: Function) -> None:
        self.fn = fn
        self.loops = 0                          # the loops around the code, in this function
        self.loop_locals: dict[str, str] = {}   # a loop variable in scope -> its local
        self.scopes: set[str] = set()           # the locals that hold a loop's ForeachScope
        # a loop item's local -> the local saying whether it is a dict
        self.item_flags: dict[str, str] = {}

    def inner(self) -> Frame:
        """The frame of a loop's body."""
        frame = copy.copy(self)
        frame.loops += 1
        frame.loop_locals = dict(self.loop_locals)
        frame.scopes = set(self.scopes)
        frame.item_flags = dict(self.item_flags)
        return frame

    def temp(self) -> str:
        return self.fn.temp()

    def use(self, name: str) -> str:
        """`name`, a name of the runtime's or the host's that the function uses (see
        CodeGenerator.signature)."""
        self.fn.uses.append(name)
        if self.loops:   # used again and again
            self.fn.uses.append(name)
        return name

    def call(self, function: str, *args: str) -> str:
        """A call of the runtime's `function` (see layout.call)."""
        return call(self.use(function), *args)

    def bind(self, code: str) -> tuple[str, str]:
        """`code` as (name, first use): a local as it is; anything else into a temporary that
        its first use sets, `('t3', '(t3 := code)')`."""
        if code.isidentifier():
            return code, code
        t = self.fn.temp()
        return t, f"({t} := {code})"


class _Indented:
    __slots__ = ("generator", "levels")

    def __init__(self, generator: CodeGenerator, levels: int) -> None:
        self.generator = generator
        self.levels = levels

    def __enter__(self) -> None:
        self.generator.indent += self.levels

    def __exit__(self, *exc_info: object) -> None:
        self.generator.indent -= self.levels


# the lines of an expression: (template position, indentation steps, code)
Lines = list[tuple[tuple[int, int], int, str]]


class CodeGenerator:
    """Writes the module: the analysis says what the template does, a Frame where the code
    being written is, the generator the lines and their template positions."""

    def __init__(self, dialect: Dialect, template_name: str | None = None,
                 known_objects: Mapping[str, type] | None = None, coverage: bool = False) -> None:
        self.dialect = dialect
        self.template_name = template_name
        self.coverage_points: list[CoveragePoint] | None = [] if coverage else None
        # variable name -> the HostObject class the host puts there; its vtl_direct offers
        # functions that generated code calls directly (guarded by a class check)
        self.known_objects = dict(known_objects or {})
        self.direct_calls: list[tuple[str, str, str, tuple[Any, ...]]] = []
        self.direct_functions: dict[str, Any] = {}
        self.facts: Analysis   # the template's, made by generate
        self.helpers = frozenset(vars(dialect.helpers))
        self.used: set[str] = set()   # the runtime's and the dialect's names the code uses
        self.host: set[str] = set()   # the names the host binds that the code uses
        self.lines: list[Line] = []
        self.indent = 0
        self.position = (1, 1)
        self.pending: list[tuple[str, str, list[n.Node]]] = []
        self.counter = 0

    # ---- output --------------------------------------------------------------------------------

    def write(self, code: str, continued: bool = False) -> None:
        """Write a line of a function at the current indentation (see layout.Line)."""
        self.lines.append(Line(self.indent, code, self.position, continued))

    def write_module(self, code: str = "") -> None:
        """Write a line outside the functions."""
        self.lines.append(Line(0, code, (1, 1), in_function=False))


    def at(self, node: n.Node) -> None:
        self.position = (node.line, node.column)

    def indented(self, levels: int = 1) -> _Indented:
        """`with self.indented():` writes what it holds `levels` steps further in."""
        return _Indented(self, levels)

    def insert(self, index: int, code: str, position: tuple[int, int]) -> None:
        """Write a line before those written since `index` (at the current indentation)."""
        self.lines.insert(index, Line(self.indent, code, position))

    def new_function(self, prefix: str, kind: str, body: list[n.Node]) -> str:
        self.counter += 1
        name = f"{prefix}_{self.counter}"
        self.pending.append((name, kind, body))
        return name

    # ---- module --------------------------------------------------------------------------------

    def generate(self, template: n.Template) -> GeneratedModule:
        self.facts = analyse(template, self.dialect)
        self.function("root", "root", template.body)
        macro_names: dict[str, str] = {}
        if self.dialect.inline_macros:
            for macro in template.macros.values():
                macro_names[macro.name] = self.new_function("macro", "macro", macro.body)
        while self.pending:
            name, kind, body = self.pending.pop(0)
            self.function(name, kind, body)
        self.write_module()
        self.write_module()
        entries = (f"{name!r}: ({function}, {tuple(template.macros[name].params)!r})"
                   for name, function in macro_names.items())
        self.write_module(f"MACROS = {{{COMMA.join(entries)}}}")
        lines = self.lines
        source = unmarked("\n".join(STEP * line.indent + line.code for line in lines))
        return GeneratedModule(source + "\n", [line.position for line in lines], macro_names,
                               self.coverage_points or [], self.direct_calls,
                               self.direct_functions, lines,
                               Header(self.template_name, self.dialect, self.used, self.host),
                               self.facts.variable_paths())

    def function(self, name: str, kind: str, body: list[n.Node]) -> None:
        frame = Frame(Function(name, kind))
        self.write_module()
        self.write_module()
        start = len(self.lines)
        with self.indented():
            # an interpolated string is part of an expression, and a loop moved into a function
            # of its own part of its enclosing body: neither is a body that may or may not run
            body_kind = _BODY_KINDS.get(name.rsplit("_", 1)[0]) if kind != "string" else None
            if body_kind is not None:
                self.cover(body_kind, body[0].line if body else 1, body, frame)
            self.block(body, frame)
            fn = frame.fn
            if fn.guarded:   # only root's: see direct_call
                checks = f" or{BREAK} ".join(f"k_{o}.__class__ is not {frame.use('known_' + o)}"
                                             for o in sorted(fn.guarded))
                frame.use("general")
                self.insert(start, "    return general(v, w, st)", (1, 1))
                self.insert(start, f"if ({checks}):" if len(fn.guarded) > 1 else f"if {checks}:",
                            (1, 1))
            for hoisted in sorted(fn.hoisted, reverse=True):   # only root's: see Analysis.fixed
                self.insert(start, f"k_{hoisted} = v.get({hoisted!r})", (1, 1))
        for variable, line in fn.set_once.items():   # only root's: see stmt_Set
            if variable not in fn.set_once_read:   # never read after its #set: no local needed
                line.code = line.code.replace(f" s_{variable} =", "", 1)
        self.lines.insert(start, Line(0, self.signature(name, Counter(fn.uses)), (1, 1),
                                      in_function=False))

    def signature(self, name: str, uses: Counter[str]) -> str:
        """The `def` line of a function that uses `uses`, the runtime's names and the host's:
        those it uses more than once, or in a loop, are its default arguments (locals, the
        fastest names to look up); binding one used once would cost what it saves."""
        host = {x for x in uses if _HOST_NAMES.fullmatch(x)}
        self.host.update(host)
        self.used.update(uses.keys() - host)
        parameters = ["v", "w", "st", *(f"{x}={x}" for x in sorted(uses) if uses[x] > 1)]
        return f"def {name}({COMMA.join(parameters)}):"

    def cover(self, kind: str, line: int, body: list[n.Node], frame: Frame) -> None:
        """With coverage on, record that `body` ran."""
        if self.coverage_points is None:
            return
        lines = frozenset(number for node in body for number in _statement_lines(node))
        self.write(f"{frame.use('cov')}({len(self.coverage_points)})")
        self.coverage_points.append(CoveragePoint(kind, line, lines))

    def block(self, body: list[n.Node], frame: Frame) -> None:
        before = len(self.lines)
        run: list[n.Node] = []   # what prints text only, to write as one piece
        for node in body:
            if self.mergeable(node):
                run.append(node)
                continue
            self.write_run(run, frame)
            self.at(node)
            getattr(self, "stmt_" + type(node).__name__)(node, frame)
        self.write_run(run, frame)
        if len(self.lines) == before:
            self.write("pass")

    def mergeable(self, node: n.Node) -> bool:
        """Whether `node` only prints text (text, a reference, an #if whose arms only do so), so
        that it can be part of one write with its neighbours. Never when the template has what
        can stop a render in the middle of a reference (#stop inside a #define or macro body
        that a reference prints), which must keep what came before; #if arms not when coverage
        records them."""
        if self.facts.runs_other_code:
            return False
        if isinstance(node, n.Text):
            return True
        if isinstance(node, n.Reference):   # `\$a` may be a statement of its own
            return node.escapes % 2 == 0 or not self.dialect.invalid.escaped_is_statement
        if isinstance(node, n.If) and self.coverage_points is None:
            arms = [body for _, body in node.branches] + [node.otherwise or []]
            return all(self.mergeable(part) for body in arms for part in body)
        return False

    def write_run(self, run: list[n.Node], frame: Frame) -> None:
        """Write what `run` prints as one piece of output, each part on generated lines of its
        own, so that a failure still names its own template position. Empties `run`."""
        if run:
            lines = self.joined(run, frame)
            first, last = lines[0], lines[-1]
            lines[0] = (first[0], first[1], f"w({first[2]}")
            lines[-1] = (last[0], last[1], f"{lines[-1][2]})")
            indent = self.indent
            self.lines += [Line(indent + depth, code, position, i > 0)
                           for i, (position, depth, code) in enumerate(lines)]
            self.position = lines[-1][0]
        run.clear()

    def joined(self, nodes: list[n.Node], frame: Frame) -> Lines:
        """The lines of an expression for the text `nodes` print together, with positions."""
        if len(nodes) == 1:
            return self.printed(nodes[0], frame)
        lines = [((nodes[0].line, nodes[0].column), 0, "''.join((")]
        for node in nodes:
            if node.__class__ is not n.If:   # (one line: the commonest)
                lines.append(((node.line, node.column), 1,
                              self.printed_line(node, frame) + ","))
                continue
            part = self.printed(node, frame)
            lines += [(position, depth + 1, code) for position, depth, code in part[:-1]]
            position, depth, code = part[-1]
            lines.append((position, depth + 1, f"{code},"))
        lines.append((lines[-1][0], 0, "))"))
        return lines

    def printed(self, node: n.Node, frame: Frame) -> Lines:
        """The lines of an expression for the text a mergeable node prints."""
        position = (node.line, node.column)
        if not isinstance(node, n.If):
            return [(position, 0, self.printed_line(node, frame))]
        lines = [(position, 0, "(")]
        for condition, body in node.branches:
            lines += self.arm(body, position, frame)
            lines.append(((condition.line, condition.column), 0,
                          f"if {self.truth(condition, frame)} else"))
        lines += self.arm(node.otherwise or [], position, frame)
        lines.append((lines[-1][0], 0, ")"))
        return lines

    def printed_line(self, node: n.Node, frame: Frame) -> str:
        """The expression for the text a Text or a Reference prints."""
        if node.__class__ is n.Text:
            return literal(node.text)
        return self.printed_reference(node, frame)

    def arm(self, body: list[n.Node], position: tuple[int, int], frame: Frame) -> Lines:
        """An #if arm's expression (a reference's, a conditional expression, in parentheses)."""
        lines = self.joined(body, frame) if body else [(position, 0, "''")]
        if len(body) == 1 and isinstance(body[0], n.Reference):
            lines = [(lines[0][0], 0, f"({lines[0][2]})")]
        return [(at, depth + 1, code) for at, depth, code in lines]

    # ---- statements ----------------------------------------------------------------------------

    def stmt_Text(self, node: n.Text, frame: Frame) -> None:
        self.write(f"w({literal(node.text)})")

    def stmt_Reference(self, node: n.Reference, frame: Frame) -> None:
        if node.escapes % 2 == 1 and self.dialect.invalid.escaped_is_statement:
            # `\$a` where it is never invalid: evaluated for its side effects and written as
            # it is
            self.write(self.reference_value(node, frame))
            self.write(f"w({literal(chr(92) * (node.escapes // 2) + node.literal)})")
            return
        self.write(f"w({self.printed_reference(node, frame)})")

    def printed_reference(self, node: n.Reference, frame: Frame) -> str:
        """The expression for the text a reference prints (not a `\\$a` that is a statement
        of its own, see stmt_Reference)."""
        if node.escapes % 2 == 1:
            # `\$a` prints `$a` when $a has a value, and `\$a` when it has none
            escape = "\\" * (node.escapes // 2)
            return either(literal(escape + node.literal),
                          f"{self.reference_value(node, frame)} is not None",
                          literal(escape + chr(92) + node.literal))
        value = self.reference_value(node, frame)
        return self.dialect.invalid.printed(node, value, frame, frame.loops > 0)

    def stmt_Set(self, node: n.Set, frame: Frame) -> None:
        target = node.target
        value = self.expr(node.value, frame)
        if (target.quiet or target.literal.startswith("${")) and not target.suffixes:
            # Velocity 1.7 evaluates #set($!a = …) and #set(${a} = …) but sets nothing
            # (though it does set $!a.b and ${a[0]})
            self.write(value)
            return
        if not target.suffixes:
            if self.dialect.invalid.never_null and isinstance(node.value, n.Reference):
                if frame.fn.is_root and self.facts.set_once.get(target.name) is node:
                    self.write(f"v[{target.name!r}] = s_{target.name} = {value}")
                    frame.fn.set_once[target.name] = self.lines[-1]
                    return
                self.write(f"v[{target.name!r}] = {value}")
                return
            t, first_use = frame.bind(value)
            self.write(f"if {first_use} is not None:")
            with self.indented():
                self.write(f"v[{target.name!r}] = {t}")
            return
        base = self.reference_value(n.Reference(target.line, target.column, target.name,
                                                target.suffixes[:-1], target.literal), frame)
        last = target.suffixes[-1]
        if isinstance(last, n.Property):
            self.write(frame.call("assign_property", base, repr(last.name), value))
        elif isinstance(last, n.Index):
            self.write(frame.call("assign_index", base, self.expr(last.key, frame), value))
        else:   # #set($a.b() = …): Velocity evaluates nothing and sets nothing
            self.write("pass")

    def stmt_If(self, node: n.If, frame: Frame) -> None:
        for i, (condition, body) in enumerate(node.branches):
            self.at(condition)
            self.write(f"{'if' if i == 0 else 'elif'} {self.truth(condition, frame)}:")
            with self.indented():
                self.cover("#if arm" if i == 0 else "#elseif arm", condition.line, body, frame)
                self.block(body, frame)
        if node.otherwise is not None:
            self.write("else:")
            with self.indented():
                self.cover("#else arm", node.line, node.otherwise, frame)
                self.block(node.otherwise, frame)
        elif self.coverage_points is not None:
            self.write("else:")
            with self.indented():
                self.cover("#if with no arm taken", node.line, [], frame)

    def stmt_Foreach(self, node: n.Foreach, frame: Frame) -> None:
        if frame.loops >= MAX_LOOPS_PER_FUNCTION:
            self.write(f"{self.new_function('loop', frame.fn.kind, [node])}(v, w, st)")
            return
        items, saved, scope, item = frame.temp(), frame.temp(), frame.temp(), frame.temp()
        names = (node.var, "foreach", "velocityCount", "velocityHasNext")
        self.write(f"{items} = {frame.call('loop_items', self.expr(node.iterable, frame))}")
        missing = frame.use("MISSING")
        self.write(f"{saved} = {arguments([f'v.get({k!r}, {missing})' for k in names])}")
        self.write(f"{scope} = {frame.use('ForeachScope')}(len({items}), {saved}[1])")
        self.write(f"v['foreach'] = {scope}")
        held = node.var in self.facts.held
        if held:   # the variables outside the loop, and what the body of a null item sees
            outside, hiding = frame.temp(), frame.temp()
            self.write(f"{outside}, {hiding} = v, {frame.use('NullHolder')}(v, {node.var!r})")
        self.write("try:")
        local_names = self.facts.loop_locals
        in_locals = frame.fn.is_root and local_names is not None and not held
        if in_locals and node.var.isidentifier():
            # mangled: no clash with Python names, nor with an enclosing loop's of the same name
            item = f"l{frame.fn.loop_locals}_{node.var}"
            frame.fn.loop_locals += 1
        body = frame.inner()
        with self.indented():
            self.write(f"for {scope}.index, {item} in enumerate({items}):")
        with self.indented(2):
            # Java's iterator fails once the list it walks changes size: tested at every
            # iteration unless nothing in the body can add or remove
            resized = ("" if in_locals and not may_resize(node.body)
                       else f" or len({items}) != {scope}.size")
            self.write(f"if not {scope}.index & 31{resized}:")
            self.write(f"    {body.use('loop_checkpoint')}(st, {scope}, {items})")
            # what runs in functions of their own reads the item from v; the body itself, the
            # local
            variables = outside if held else "v"   # (the loop's own, not the body's)
            if not (in_locals and node.var in local_names and item.startswith("l")
                    and node.var not in ("velocityCount", "velocityHasNext")
                    and not self.has_functions(node.body, frame)):
                self.write(f"{variables}[{node.var!r}] = {item}")
            if not in_locals or "velocityCount" in self.facts.reads:
                self.write(f"{variables}['velocityCount'] = {scope}.index + 1")
            if not in_locals or "velocityHasNext" in self.facts.reads:
                self.write(f"{variables}['velocityHasNext'] = {scope}.index + 1 < {scope}.size")
            if held:   # a null item's body sees the variable hidden (see support.NullHolder)
                self.write(f"v = {either(outside, f'{item} is not None', hiding)}")
            if in_locals:   # in the order the loop writes them to v
                if "foreach" in local_names:
                    body.loop_locals["foreach"] = scope
                    body.scopes.add(scope)
                if (node.var in local_names and item.startswith("l")
                        and node.var not in ("velocityCount", "velocityHasNext")):   # after
                    body.loop_locals[node.var] = item
            self.cover("#foreach body", node.line, node.body, body)
            body_start, flag = len(self.lines), f"d{item}"
            if body.loop_locals.get(node.var) == item:
                body.item_flags[item] = flag
            self.block(node.body, body)
            if flag in frame.fn.flags_read:   # the item's properties are read: test its class
                self.insert(body_start, f"{flag} = {item}.__class__ is dict",
                            (node.line, node.column))
        self.at(node)
        self.write(f"except {frame.use('BreakScope')} as e:")
        self.write(f"    if e.scope is not {scope}:")
        self.write("        raise")
        self.write("finally:")
        if held:
            self.write(f"    v = {outside}")
        self.write(f"    {frame.use('end_loop')}(v, st, {scope}, {saved}, {names!r})")

    def has_functions(self, body: list[n.Node], frame: Frame) -> bool:
        """Whether code in `body` compiles to functions of its own: interpolated strings, and
        loops nested too deep for this function."""
        return (has_interpolated_strings(body)
                or frame.loops + loop_depth(body) >= MAX_LOOPS_PER_FUNCTION)

    def stmt_MacroDef(self, node: n.MacroDef, frame: Frame) -> None:
        pass   # macros are collected at compile time: a definition prints nothing

    def stmt_MacroCall(self, node: n.MacroCall, frame: Frame) -> None:
        thunks = [f"lambda: {self.expr(a, frame)}" for a in node.args]
        literals = tuple(a.literal if isinstance(a, n.Reference) else "" for a in node.args)
        body = "None"
        if node.body is not None:
            body = self.new_function("block", "block", node.body)
        called = frame.call("call_macro", "st", repr(node.name), "v", "w", arguments(thunks),
                      repr(literals), body)
        self.write(f"if not {called}:")
        self.write(f"    w({literal(node.source)})")

    def stmt_Define(self, node: n.Define, frame: Frame) -> None:
        function = self.new_function("define", "block", node.body)
        self.write(f"v[{node.name!r}] = {frame.use('Block')}({function}, v, st)")

    def stmt_LiteralBlock(self, node: n.LiteralBlock, frame: Frame) -> None:
        self.write(f"w({literal(node.text)})")

    def stmt_Evaluate(self, node: n.Evaluate, frame: Frame) -> None:
        self.write(frame.call("evaluate", "st", self.expr(node.arg, frame), "v", "w"))

    def stmt_Include(self, node: n.Include, frame: Frame) -> None:
        args = [self.expr(a, frame) for a in node.args]
        self.write(frame.call("include", "w", repr(node.directive), arguments(args)))

    def stmt_Break(self, node: n.Break, frame: Frame) -> None:
        if node.scope is not None:   # #break($foreach.parent): ends the loop of that scope
            self.write(f"raise {frame.call('BreakScope', self.expr(node.scope, frame))}")
        elif frame.loops:
            self.write("break")
        elif frame.fn.kind in ("macro", "block"):
            self.write("return")
        else:
            self.write(f"raise {frame.use('StopRender')}()")

    def stmt_Stop(self, node: n.Stop, frame: Frame) -> None:
        self.write(f"raise {frame.use('StopRender')}()")

    # ---- expressions ---------------------------------------------------------------------------

    def reference_value(self, node: n.Reference, frame: Frame) -> str:
        """The reference's value, None when Velocity would find it invalid."""
        suffixes = node.suffixes
        name = node.name
        local = frame.loop_locals.get(name)
        if local is not None:
            code = local
            has_next = self.has_next(node, frame)
            if has_next is not None:
                code, suffixes = has_next, suffixes[1:]
        elif name in frame.fn.set_once:   # (root's only)
            code = f"s_{name}"
            frame.fn.set_once_read.add(name)
        elif name in self.facts.fixed and frame.fn.is_root:
            # nothing in the template can rebind it (see Analysis.fixed): root reads it from v
            # once, at its start, into a local
            frame.fn.hoisted.add(name)
            code = f"k_{name}"
        else:
            code = f"v.get({name!r})"
        if suffixes and isinstance(suffixes[0], n.Method) and node.name in self.known_objects:
            direct = self.direct_call(node.name, suffixes[0], code, frame)
            if direct is not None:
                code, suffixes = direct, suffixes[1:]
        for suffix in suffixes:
            if isinstance(suffix, n.Property) and suffix.name in CLASS_PROPERTIES:
                code = frame.call("call", code, "'getClass'", "()")
            elif isinstance(suffix, n.Property):
                # a JSON object (a dict) is read inline, anything else through prop()
                name = repr(suffix.name)
                flag = frame.item_flags.get(code)
                if flag is not None:   # a loop's item: whether it is a dict is known already
                    frame.fn.flags_read.add(flag)
                    code = choice(f"{code}.get({name})", flag, frame.call("prop", code, name))
                    continue
                t, first_use = frame.bind(code)
                code = choice(f"{t}.get({name})", f"{first_use}.__class__ is dict",
                              frame.call("prop", t, name))
            elif isinstance(suffix, n.Method) and suffix.name == "size" and not suffix.args:
                # List.size() and Map.size() of the common containers, without the method table
                t, first_use = frame.bind(code)
                code = choice(f"len({t})", f"{first_use}.__class__ in {frame.use('SIZED')}",
                              frame.call("call", t, "'size'", "()"))
            elif isinstance(suffix, n.Method):
                args = [self.expr(a, frame) for a in suffix.args]
                code = frame.call("call", code, repr(suffix.name), arguments(args))
            else:
                code = frame.call("index", code, self.expr(suffix.key, frame))
        return code

    def has_next(self, node: n.Reference, frame: Frame) -> str | None:
        """`$foreach.hasNext` of a loop whose $foreach is a local, read without a lookup."""
        local = frame.loop_locals.get(node.name)
        suffixes = node.suffixes
        if (local in frame.scopes and suffixes and isinstance(suffixes[0], n.Property)
                and suffixes[0].name == "hasNext"):
            return f"({local}.index + 1 < {local}.size)"
        return None

    def direct_call(self, name: str, method: n.Method, base: str, frame: Frame) -> str | None:
        """`$name.method(args)` as a direct call of what the known object's class offers, when
        the variable holds that class at render time; the general call() otherwise."""
        constants = tuple(_constant(a) for a in method.args)
        function = direct_function(self.known_objects[name], method.name, constants)
        if function is None:
            return None
        global_name = f"direct_{len(self.direct_calls) + 1}"
        self.direct_calls.append((global_name, name, method.name, constants))
        self.direct_functions[global_name] = unwrap_direct(function)
        args = [self.expr(a, frame) for a in method.args]
        with_object = not isinstance(function, staticmethod)   # a staticmethod: f(*args)
        direct = frame.use(global_name)
        if base == f"k_{name}":
            # a fixed object (see Analysis.fixed): root checks its class once, at its start, and
            # runs the template compiled without known objects (`general`) if it is not theirs
            frame.fn.guarded.add(name)
            return call(direct, *([base] if with_object else []), *args)
        known = frame.use(f"known_{name}")
        method_name = repr(method.name)
        if not all(_simple(a) for a in method.args):
            # the arguments' code written once, their values kept in a tuple for either branch
            if not base.isidentifier():
                return frame.call("call_known", base, known, direct, method_name,
                                  arguments(args), repr(with_object))
            t = frame.temp()
            receiver = [base] if with_object else []
            return choice(call(direct, *receiver, f"*{t}"),
                          f"({t} := {arguments(args)}) and {base}.__class__ is {known}",
                          frame.call("call", base, method_name, t))
        t, first_use = frame.bind(base)
        receiver = [t] if with_object else []
        return choice(call(direct, *receiver, *args), f"{first_use}.__class__ is {known}",
                      frame.call("call", t, method_name, arguments(args)))

    def expr(self, node: n.Expr, frame: Frame) -> str:
        return getattr(self, "expr_" + type(node).__name__)(node, frame)

    def expr_Reference(self, node: n.Reference, frame: Frame) -> str:
        return self.dialect.invalid.operand(self.reference_value(node, frame), frame)

    def expr_Literal(self, node: n.Literal, frame: Frame) -> str:
        value = node.value
        if isinstance(value, float) and not math.isfinite(value):
            return f"float({str(value)!r})"
        return repr(value)

    def expr_StringLiteral(self, node: n.StringLiteral, frame: Frame) -> str:
        if node.body is None:
            return literal(node.value)
        function = self.new_function("string", "string", node.body)
        return frame.call("render_string", function, "v", "st", repr(node.trim_last))

    def expr_Word(self, node: n.Word, frame: Frame) -> str:
        return repr(node.name)

    def expr_Range(self, node: n.Range, frame: Frame) -> str:
        return frame.call("make_range", self.expr(node.start, frame), self.expr(node.end, frame),
                    "st.limits.max_range")

    def expr_ListLiteral(self, node: n.ListLiteral, frame: Frame) -> str:
        items = COMMA.join(self.expr(item, frame) for item in node.items)
        return f"{frame.use('JavaList')}([{items}])"

    def expr_MapLiteral(self, node: n.MapLiteral, frame: Frame) -> str:
        pairs = [(self.expr(k, frame), self.expr(v, frame)) for k, v in node.entries]
        constants = [_constant(k) for k, _ in node.entries if _constant(k) is not VARIABLE]
        if len(set(constants)) < len(constants):   # a key twice: the last value stays
            return f"dict({arguments([f'({k}, {v})' for k, v in pairs])})"
        return "{" + COMMA.join(f"{k}: {v}" for k, v in pairs) + "}"

    def expr_Binary(self, node: n.Binary, frame: Frame) -> str:
        op = node.op
        if op in ("&&", "||"):
            left, right = self.truth(node.left, frame), self.truth(node.right, frame)
            return f"({left}{BREAK} {'and' if op == '&&' else 'or'} {right})"
        left, right = self.expr(node.left, frame), self.expr(node.right, frame)
        if op in ("==", "!=") and _constant(node.right).__class__ is str:
            # a String compared with a String is String.equals: inline, before the general rule
            t, first_use = frame.bind(left)
            return choice(f"{t} {op} {right}", f"{first_use}.__class__ is str",
                          frame.call("compare", repr(op), t, right))
        if op in _COMPARISONS:
            return frame.call("compare", repr(op), left, right)
        if op == "+":
            return frame.call("add", left, right, literal(_literal(node.left)),
                        literal(_literal(node.right)))
        return frame.call(_ARITHMETIC[op], left, right)

    def expr_Not(self, node: n.Not, frame: Frame) -> str:
        return f"(not {self.truth(node.operand, frame)})"

    def truth(self, node: n.Expr, frame: Frame) -> str:
        """The condition as Velocity 1.7 evaluates it: references by their value, operators by
        their result, true/false as themselves; any other node is false (SimpleNode.evaluate)."""
        if isinstance(node, n.Reference):
            has_next = self.has_next(node, frame)
            if has_next is not None and len(node.suffixes) == 1:
                return has_next   # a boolean already
            return self.dialect.invalid.condition(self.reference_value(node, frame), frame)
        if isinstance(node, n.Binary) and (node.op in _COMPARISONS or node.op in ("&&", "||")):
            return self.expr(node, frame)
        if isinstance(node, n.Not):
            return self.expr(node, frame)
        if isinstance(node, n.Literal) and isinstance(node.value, bool):
            return repr(node.value)
        return "False"


# a body function's name prefix -> what its coverage point is called
_BODY_KINDS = {"root": "template", "macro": "#macro body", "define": "#define body",
               "block": "#@macro call body"}


def _statement_lines(node: n.Node) -> range:
    """The template lines a statement's own text covers (a directive: the line it starts on)."""
    if isinstance(node, (n.Text, n.LiteralBlock)) and node.text:
        return range(node.line, node.line + node.text.count("\n", 0, len(node.text) - 1) + 1)
    return range(node.line, node.line + 1)


def _literal(node: n.Expr) -> str:
    """What `+` writes for a null operand: the reference's text."""
    return node.literal if isinstance(node, n.Reference) else "null"


def namespace(dialect: Dialect, host: Mapping[str, Any]) -> dict[str, Any]:
    """The globals to run a generated module's code in: the runtime's names and the dialect's
    helpers its first lines import (see CodeGenerator.header), and what the host binds
    (known_<name>, direct_<n>, general, cov), from `host`."""
    found = dict(_runtime_names(dialect))
    found.update(host)
    return found


@lru_cache(maxsize=None)
def _runtime_names(dialect: Dialect) -> dict[str, Any]:
    found = {name: getattr(importlib.import_module(module), name)
             for module, names in _RUNTIME.items() for name in names}
    found.update(vars(dialect.helpers))
    return found


def _simple(node: n.Expr) -> bool:
    """A literal or a plain variable: short code, cheap to evaluate."""
    return _constant(node) is not VARIABLE or (isinstance(node, n.Reference)
                                               and not node.suffixes)


def _constant(node: n.Expr) -> Any:
    """A literal argument's value; VARIABLE for any other."""
    if isinstance(node, n.Literal) or (isinstance(node, n.StringLiteral) and node.body is None):
        return node.value
    return VARIABLE


def generate(template: n.Template, dialect: Dialect, name: str | None = None,
             known_objects: Mapping[str, type] | None = None,
             coverage: bool = False) -> GeneratedModule:
    return CodeGenerator(dialect, name, known_objects, coverage).generate(template)
