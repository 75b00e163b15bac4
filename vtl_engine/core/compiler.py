"""Syntax tree → Python source → code object.

The generated module is meant to be read (`Template.python_source`): one function per body of
template code (the template, each macro, each #define, each interpolated string), one line or
block per construct, template names and text only ever inside `repr()` literals. Every body
function has the signature `(v, w, st)`: `v` maps the template's variables, `w` writes output,
`st` is the render's RenderState. `positions[i]` is the template (line, column) behind generated
line i + 1, so a failure while rendering can name the template position.

With `coverage=True` each body that can run or not (the template, every #if/#elseif/#else arm,
an #if's "no arm taken", #foreach bodies, macro and #define bodies) starts with `cov(N)`, N
indexing `GeneratedModule.coverage_points`; `cov` is bound by whoever runs the code. Without it
the generated code has no trace of coverage.
"""
from __future__ import annotations

import copy
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from . import nodes as n
from .analysis import Analysis, analyse, has_interpolated_strings, loop_depth, may_resize
from .dialect import Dialect
from .runtime.host import VARIABLE
from .runtime.methods import CLASS_PROPERTIES, direct_function

_COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}
_ARITHMETIC = {"-": "sub", "*": "mul", "/": "div", "%": "mod"}
# Python allows 20 nested blocks in one function and each #foreach takes two (try, for)
_MAX_LOOPS_PER_FUNCTION = 6


@dataclass(frozen=True)
class CoveragePoint:
    """A body that may run or not: `kind` says which ("#if arm", "#foreach body", ...), `line`
    where its directive is, `lines` the template lines of its own statements."""

    kind: str
    line: int
    lines: frozenset[int]


@dataclass
class GeneratedModule:
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
        self.assigned_once: set[str] = set()   # those whose #set root has written so far
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

    def bind(self, code: str) -> tuple[str, str]:
        """`code` as (name, first use): a local as it is; anything else into a temporary that
        its first use sets, `('t3', '(t3 := code)')`."""
        if code.isidentifier():
            return code, code
        t = self.fn.temp()
        return t, f"({t} := {code})"


Lines = list[tuple[tuple[int, int], str]]   # code lines of an expression, with their positions


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
        self.lines: list[str] = []
        self.positions: list[tuple[int, int]] = []
        self.indent = 0
        self.position = (1, 1)
        self.pending: list[tuple[str, str, list[n.Node]]] = []
        self.counter = 0

    # ---- output --------------------------------------------------------------------------------

    def write(self, code: str) -> None:
        self.lines.append("    " * self.indent + code)
        self.positions.append(self.position)

    def at(self, node: n.Node) -> None:
        self.position = (node.line, node.column)

    @contextmanager
    def indented(self, levels: int = 1) -> Iterator[None]:
        self.indent += levels
        try:
            yield
        finally:
            self.indent -= levels

    def insert(self, index: int, code: str, position: tuple[int, int]) -> None:
        """Write a line before those written since `index` (at the current indentation)."""
        self.lines.insert(index, "    " * self.indent + code)
        self.positions.insert(index, position)

    def new_function(self, prefix: str, kind: str, body: list[n.Node]) -> str:
        self.counter += 1
        name = f"{prefix}_{self.counter}"
        self.pending.append((name, kind, body))
        return name

    # ---- module --------------------------------------------------------------------------------

    def generate(self, template: n.Template) -> GeneratedModule:
        self.facts = analyse(template, self.dialect)
        title = f" {self.template_name!r}" if self.template_name else ""
        self.write(f"# Compiled by vtl_engine from the VTL template{title}, dialect "
                   f"{self.dialect.name!r}.")
        self.write("# v: the template's variables, w: writes output, st: this render's state.")
        self.function("root", "root", template.body)
        macro_names: dict[str, str] = {}
        if self.dialect.inline_macros:
            for macro in template.macros.values():
                macro_names[macro.name] = self.new_function("macro", "macro", macro.body)
        while self.pending:
            name, kind, body = self.pending.pop(0)
            self.function(name, kind, body)
        self.write("")
        entries = ", ".join(
            f"{name!r}: ({function}, {tuple(template.macros[name].params)!r})"
            for name, function in macro_names.items())
        self.write(f"MACROS = {{{entries}}}")
        if self.direct_calls:
            self.write("")
            self.write("# Direct calls, made for the known objects' classes (known_<name>):")
        for global_name, name, method, constants in self.direct_calls:
            self.write(f"# {global_name} = known_{name}.vtl_direct({method!r}, {constants!r})")
        return GeneratedModule("\n".join(self.lines) + "\n", self.positions, macro_names,
                               self.coverage_points or [], self.direct_calls,
                               self.direct_functions)

    def function(self, name: str, kind: str, body: list[n.Node]) -> None:
        frame = Frame(Function(name, kind))
        self.write("")
        self.write(f"def {name}(v, w, st):")
        with self.indented():
            start = len(self.lines)
            # an interpolated string is part of an expression, and a loop moved into a function
            # of its own part of its enclosing body: neither is a body that may or may not run
            body_kind = _BODY_KINDS.get(name.rsplit("_", 1)[0]) if kind != "string" else None
            if body_kind is not None:
                self.cover(body_kind, body[0].line if body else 1, body)
            self.block(body, frame)
            fn = frame.fn
            if fn.guarded:   # only root's: see direct_call
                checks = " or ".join(f"k_{o}.__class__ is not known_{o}"
                                     for o in sorted(fn.guarded))
                self.insert(start, "    return general(v, w, st)", (1, 1))
                self.insert(start, f"if {checks}:", (1, 1))
            for hoisted in sorted(fn.hoisted, reverse=True):   # only root's: see fixed_variable
                self.insert(start, f"k_{hoisted} = v.get({hoisted!r})", (1, 1))

    def fixed_variable(self, name: str, frame: Frame) -> str | None:
        """The local that holds variable `name` in the root function when nothing in the
        template can rebind it (see Analysis.fixed): root then reads it from `v` once, at its
        start."""
        if not frame.fn.is_root or name not in self.facts.fixed:
            return None
        frame.fn.hoisted.add(name)
        return f"k_{name}"

    def cover(self, kind: str, line: int, body: list[n.Node]) -> None:
        """With coverage on, record that `body` ran."""
        if self.coverage_points is None:
            return
        lines = frozenset(number for node in body for number in _statement_lines(node))
        self.write(f"cov({len(self.coverage_points)})")
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
            lines[0] = (lines[0][0], f"w({lines[0][1]}")
            lines[-1] = (lines[-1][0], f"{lines[-1][1]})")
            for position, code in lines:
                self.position = position
                self.write(code)
        run.clear()

    def joined(self, nodes: list[n.Node], frame: Frame) -> Lines:
        """The lines of an expression for the text `nodes` print together, with positions."""
        if len(nodes) == 1:
            return self.printed(nodes[0], frame)
        lines = [((nodes[0].line, nodes[0].column), "''.join((")]
        for node in nodes:
            part = self.printed(node, frame)
            lines += [(position, "    " + code) for position, code in part[:-1]]
            lines.append((part[-1][0], f"    {part[-1][1]},"))
        lines.append((lines[-1][0], "))"))
        return lines

    def printed(self, node: n.Node, frame: Frame) -> Lines:
        """The lines of an expression for the text a mergeable node prints."""
        position = (node.line, node.column)
        if isinstance(node, n.Text):
            return [(position, repr(node.text))]
        if isinstance(node, n.Reference):
            return [(position, self.printed_reference(node, frame))]
        assert isinstance(node, n.If)
        lines = [(position, "(")]
        for condition, body in node.branches:
            lines += self.arm(body, position, frame)
            lines.append(((condition.line, condition.column),
                          f"if {self.truth(condition, frame)} else"))
        lines += self.arm(node.otherwise or [], position, frame)
        lines.append((lines[-1][0], ")"))
        return lines

    def arm(self, body: list[n.Node], position: tuple[int, int], frame: Frame) -> Lines:
        """An #if arm's expression (a reference's, a conditional expression, in parentheses)."""
        lines = self.joined(body, frame) if body else [(position, "''")]
        if len(body) == 1 and isinstance(body[0], n.Reference):
            lines = [(lines[0][0], f"({lines[0][1]})")]
        return [(at, "    " + code) for at, code in lines]

    # ---- statements ----------------------------------------------------------------------------

    def stmt_Text(self, node: n.Text, frame: Frame) -> None:
        self.write(f"w({node.text!r})")

    def stmt_Reference(self, node: n.Reference, frame: Frame) -> None:
        if node.escapes % 2 == 1 and self.dialect.invalid.escaped_is_statement:
            # `\$a` where it is never invalid: evaluated for its side effects and written as
            # it is
            self.write(self.reference_value(node, frame))
            self.write(f"w({chr(92) * (node.escapes // 2) + node.literal!r})")
            return
        self.write(f"w({self.printed_reference(node, frame)})")

    def printed_reference(self, node: n.Reference, frame: Frame) -> str:
        """The expression for the text a reference prints (not a `\\$a` that is a statement
        of its own, see stmt_Reference)."""
        if node.escapes % 2 == 1:
            # `\$a` prints `$a` when $a has a value, and `\$a` when it has none
            escape = "\\" * (node.escapes // 2)
            t = frame.temp()
            return (f"{escape + node.literal!r} if ({t} := {self.reference_value(node, frame)}) "
                    f"is not None else {escape + chr(92) + node.literal!r}")
        value = self.reference_value(node, frame)
        return self.dialect.invalid.printed(node, value, frame.temp, frame.loops > 0)

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
                    frame.fn.assigned_once.add(target.name)
                    return
                self.write(f"v[{target.name!r}] = {value}")
                return
            t = frame.temp()
            self.write(f"if ({t} := {value}) is not None:")
            with self.indented():
                self.write(f"v[{target.name!r}] = {t}")
            return
        base = self.reference_value(n.Reference(target.line, target.column, target.name,
                                                target.suffixes[:-1], target.literal), frame)
        last = target.suffixes[-1]
        if isinstance(last, n.Property):
            self.write(f"assign_property({base}, {last.name!r}, {value})")
        elif isinstance(last, n.Index):
            self.write(f"assign_index({base}, {self.expr(last.key, frame)}, {value})")
        else:   # #set($a.b() = …): Velocity evaluates nothing and sets nothing
            self.write("pass")

    def stmt_If(self, node: n.If, frame: Frame) -> None:
        for i, (condition, body) in enumerate(node.branches):
            self.at(condition)
            self.write(f"{'if' if i == 0 else 'elif'} {self.truth(condition, frame)}:")
            with self.indented():
                self.cover("#if arm" if i == 0 else "#elseif arm", condition.line, body)
                self.block(body, frame)
        if node.otherwise is not None:
            self.write("else:")
            with self.indented():
                self.cover("#else arm", node.line, node.otherwise)
                self.block(node.otherwise, frame)
        elif self.coverage_points is not None:
            self.write("else:")
            with self.indented():
                self.cover("#if with no arm taken", node.line, [])

    def stmt_Foreach(self, node: n.Foreach, frame: Frame) -> None:
        if frame.loops >= _MAX_LOOPS_PER_FUNCTION:
            self.write(f"{self.new_function('loop', frame.fn.kind, [node])}(v, w, st)")
            return
        items, saved, scope, item = frame.temp(), frame.temp(), frame.temp(), frame.temp()
        names = (node.var, "foreach", "velocityCount", "velocityHasNext")
        self.write(f"{items} = loop_items({self.expr(node.iterable, frame)})")
        self.write(f"{saved} = ({', '.join(f'v.get({k!r}, MISSING)' for k in names)})")
        self.write(f"{scope} = ForeachScope(len({items}), {saved}[1])")
        self.write(f"v['foreach'] = {scope}")
        self.write("try:")
        local_names = self.facts.loop_locals
        in_locals = frame.fn.is_root and local_names is not None
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
            self.write(f"    loop_checkpoint(st, {scope}, {items})")
            # what runs in functions of their own reads the item from v; the body itself, the
            # local
            if not (in_locals and node.var in local_names and item.startswith("l")
                    and node.var not in ("velocityCount", "velocityHasNext")
                    and not self.has_functions(node.body, frame)):
                self.write(f"v[{node.var!r}] = {item}")
            if not in_locals or "velocityCount" in self.facts.reads:
                self.write(f"v['velocityCount'] = {scope}.index + 1")
            if not in_locals or "velocityHasNext" in self.facts.reads:
                self.write(f"v['velocityHasNext'] = {scope}.index + 1 < {scope}.size")
            if in_locals:   # in the order the loop writes them to v
                if "foreach" in local_names:
                    body.loop_locals["foreach"] = scope
                    body.scopes.add(scope)
                if (node.var in local_names and item.startswith("l")
                        and node.var not in ("velocityCount", "velocityHasNext")):   # after
                    body.loop_locals[node.var] = item
            self.cover("#foreach body", node.line, node.body)
            body_start, flag = len(self.lines), f"d{item}"
            if body.loop_locals.get(node.var) == item:
                body.item_flags[item] = flag
            self.block(node.body, body)
            if flag in frame.fn.flags_read:   # the item's properties are read: test its class
                self.insert(body_start, f"{flag} = {item}.__class__ is dict",
                            (node.line, node.column))
        self.at(node)
        self.write("except BreakScope as e:")
        self.write(f"    if e.scope is not {scope}:")
        self.write("        raise")
        self.write("finally:")
        self.write(f"    end_loop(v, st, {scope}, {saved}, {names!r})")

    def has_functions(self, body: list[n.Node], frame: Frame) -> bool:
        """Whether code in `body` compiles to functions of its own: interpolated strings, and
        loops nested too deep for this function."""
        return (has_interpolated_strings(body)
                or frame.loops + loop_depth(body) >= _MAX_LOOPS_PER_FUNCTION)

    def stmt_MacroDef(self, node: n.MacroDef, frame: Frame) -> None:
        pass   # macros are collected at compile time: a definition prints nothing

    def stmt_MacroCall(self, node: n.MacroCall, frame: Frame) -> None:
        thunks = "".join(f"lambda: {self.expr(a, frame)}, " for a in node.args)
        literals = tuple(a.literal if isinstance(a, n.Reference) else "" for a in node.args)
        body = "None"
        if node.body is not None:
            body = self.new_function("block", "block", node.body)
        self.write(f"if not call_macro(st, {node.name!r}, v, w, ({thunks}), {literals!r}, {body}):")
        self.write(f"    w({node.source!r})")

    def stmt_Define(self, node: n.Define, frame: Frame) -> None:
        function = self.new_function("define", "block", node.body)
        self.write(f"v[{node.name!r}] = Block({function}, v, st)")

    def stmt_LiteralBlock(self, node: n.LiteralBlock, frame: Frame) -> None:
        self.write(f"w({node.text!r})")

    def stmt_Evaluate(self, node: n.Evaluate, frame: Frame) -> None:
        self.write(f"evaluate(st, {self.expr(node.arg, frame)}, v, w)")

    def stmt_Include(self, node: n.Include, frame: Frame) -> None:
        args = "".join(f"{self.expr(a, frame)}, " for a in node.args)
        self.write(f"include(w, {node.directive!r}, ({args}))")

    def stmt_Break(self, node: n.Break, frame: Frame) -> None:
        if node.scope is not None:   # #break($foreach.parent): ends the loop of that scope
            self.write(f"raise BreakScope({self.expr(node.scope, frame)})")
        elif frame.loops:
            self.write("break")
        elif frame.fn.kind in ("macro", "block"):
            self.write("return")
        else:
            self.write("raise StopRender()")

    def stmt_Stop(self, node: n.Stop, frame: Frame) -> None:
        self.write("raise StopRender()")

    # ---- expressions ---------------------------------------------------------------------------

    def reference_value(self, node: n.Reference, frame: Frame) -> str:
        """The reference's value, None when Velocity would find it invalid."""
        suffixes = node.suffixes
        local = frame.loop_locals.get(node.name)
        code = self.fixed_variable(node.name, frame) or f"v.get({node.name!r})"
        if node.name in frame.fn.assigned_once and frame.fn.is_root:
            code = f"s_{node.name}"
        if local is not None:
            code = local
            has_next = self.has_next(node, frame)
            if has_next is not None:
                code, suffixes = has_next, suffixes[1:]
        if suffixes and isinstance(suffixes[0], n.Method) and node.name in self.known_objects:
            direct = self.direct_call(node.name, suffixes[0], code, frame)
            if direct is not None:
                code, suffixes = direct, suffixes[1:]
        for suffix in suffixes:
            if isinstance(suffix, n.Property) and suffix.name in CLASS_PROPERTIES:
                # getClass() is every Java object's getter, found before a map's keys
                code = f"call({code}, 'getClass', ())"
            elif isinstance(suffix, n.Property):
                # a JSON object (a dict) is read inline, anything else through prop()
                flag = frame.item_flags.get(code)
                if flag is not None:   # a loop's item: whether it is a dict is known already
                    frame.fn.flags_read.add(flag)
                    code = (f"({code}.get({suffix.name!r}) if {flag} "
                            f"else prop({code}, {suffix.name!r}))")
                    continue
                t, bound = frame.bind(code)
                code = (f"({t}.get({suffix.name!r}) if {bound}.__class__ is dict "
                        f"else prop({t}, {suffix.name!r}))")
            elif isinstance(suffix, n.Method) and suffix.name == "size" and not suffix.args:
                # List.size() and Map.size() of the common containers, without the method table
                t = frame.temp()
                code = (f"(len({t}) if ({t} := {code}).__class__ in SIZED "
                        f"else call({t}, 'size', ()))")
            elif isinstance(suffix, n.Method):
                args = "".join(f"{self.expr(a, frame)}, " for a in suffix.args)
                code = f"call({code}, {suffix.name!r}, ({args}))"
            else:
                code = f"index({code}, {self.expr(suffix.key, frame)})"
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
        args = "".join(f"{self.expr(a, frame)}, " for a in method.args)
        with_object = not isinstance(function, staticmethod)   # a staticmethod: f(*args)
        receiver = f"{base}, " if with_object else ""
        if base == f"k_{name}":
            # a fixed object (see fixed_variable): root checks its class once, at its start, and
            # runs the template compiled without known objects (`general`) if it is not theirs
            frame.fn.guarded.add(name)
            return f"{global_name}({receiver}{args})"
        if not all(_simple(a) for a in method.args):
            # the arguments' code written once, their values kept in a tuple for either branch
            if not base.isidentifier():
                return (f"call_known({base}, known_{name}, {global_name}, {method.name!r}, "
                        f"({args}), {with_object})")
            t = frame.temp()
            return (f"({global_name}({receiver}*{t}) if ({t} := ({args})) and "
                    f"{base}.__class__ is known_{name} else call({base}, {method.name!r}, {t}))")
        t, bound = frame.bind(base)
        if with_object:
            receiver = f"{t}, "
        return (f"({global_name}({receiver}{args}) if {bound}.__class__ is known_{name} "
                f"else call({t}, {method.name!r}, ({args})))")

    def expr(self, node: n.Expr, frame: Frame) -> str:
        return getattr(self, "expr_" + type(node).__name__)(node, frame)

    def expr_Reference(self, node: n.Reference, frame: Frame) -> str:
        return self.dialect.invalid.operand(self.reference_value(node, frame), frame.bind)

    def expr_Literal(self, node: n.Literal, frame: Frame) -> str:
        value = node.value
        if isinstance(value, float) and not math.isfinite(value):
            return f"float({str(value)!r})"
        return repr(value)

    def expr_StringLiteral(self, node: n.StringLiteral, frame: Frame) -> str:
        if node.body is None:
            return repr(node.value)
        function = self.new_function("string", "string", node.body)
        return f"render_string({function}, v, st, {node.trim_last!r})"

    def expr_Word(self, node: n.Word, frame: Frame) -> str:
        return repr(node.name)

    def expr_Range(self, node: n.Range, frame: Frame) -> str:
        return (f"make_range({self.expr(node.start, frame)}, {self.expr(node.end, frame)}, "
                "st.limits.max_range)")

    def expr_ListLiteral(self, node: n.ListLiteral, frame: Frame) -> str:
        return "JavaList([" + ", ".join(self.expr(item, frame) for item in node.items) + "])"

    def expr_MapLiteral(self, node: n.MapLiteral, frame: Frame) -> str:
        entries = (f"{self.expr(k, frame)}: {self.expr(v, frame)}" for k, v in node.entries)
        return "{" + ", ".join(entries) + "}"

    def expr_Binary(self, node: n.Binary, frame: Frame) -> str:
        op = node.op
        if op in ("&&", "||"):
            left, right = self.truth(node.left, frame), self.truth(node.right, frame)
            return f"({left} {'and' if op == '&&' else 'or'} {right})"
        left, right = self.expr(node.left, frame), self.expr(node.right, frame)
        if op in ("==", "!=") and _constant(node.right).__class__ is str:
            # a String compared with a String is String.equals: inline, before the general rule
            t = frame.temp()
            return (f"({t} {op} {right} if ({t} := {left}).__class__ is str "
                    f"else compare({op!r}, {t}, {right}))")
        if op in _COMPARISONS:
            return f"compare({op!r}, {left}, {right})"
        if op == "+":
            return f"add({left}, {right}, {_literal(node.left)!r}, {_literal(node.right)!r})"
        return f"{_ARITHMETIC[op]}({left}, {right})"

    def expr_Not(self, node: n.Not, frame: Frame) -> str:
        return f"(not {self.truth(node.operand, frame)})"

    def truth(self, node: n.Expr, frame: Frame) -> str:
        """The condition as Velocity 1.7 evaluates it: references by their value, operators by
        their result, true/false as themselves; any other node is false (SimpleNode.evaluate)."""
        if isinstance(node, n.Reference):
            has_next = self.has_next(node, frame)
            if has_next is not None and len(node.suffixes) == 1:
                return has_next   # a boolean already
            return self.dialect.invalid.condition(self.reference_value(node, frame))
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


def unwrap_direct(function: Any) -> Any:
    """What generated code calls for a function vtl_direct gave (a staticmethod's function)."""
    return function.__func__ if isinstance(function, staticmethod) else function


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
