"""Syntax tree → Python source → code object.

The generated module is meant to be read (`Template.python_source`): one function per body of
template code (the template, each macro, each #define, each interpolated string), one line or
block per construct, template names and text only ever inside `repr()` literals. Every body
function has the signature `(v, w, st)`: `v` maps the template's variables, `w` writes output,
`st` is the render's RenderState. `positions[i]` is the template (line, column) behind generated
line i + 1, so a failure while rendering can name the template position.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import nodes as n
from .dialect import Dialect

_COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}
_ARITHMETIC = {"-": "sub", "*": "mul", "/": "div", "%": "mod"}
# Python allows 20 nested blocks in one function and each #foreach takes two (try, for)
_MAX_LOOPS_PER_FUNCTION = 6


@dataclass
class GeneratedModule:
    source: str
    positions: list[tuple[int, int]]
    macro_names: dict[str, str] = field(default_factory=dict)   # template name -> function


class _Function:
    """Where code is being written: its kind decides what #break means."""

    def __init__(self, name: str, kind: str) -> None:
        self.name = name
        self.kind = kind          # root | macro | block | string
        self.loops = 0
        self.temps = 0


class CodeGenerator:
    def __init__(self, dialect: Dialect, template_name: str | None = None) -> None:
        self.dialect = dialect
        self.template_name = template_name
        self.lines: list[str] = []
        self.positions: list[tuple[int, int]] = []
        self.indent = 0
        self.position = (1, 1)
        self.pending: list[tuple[str, str, list[n.Node]]] = []
        self.counter = 0
        self.fn = _Function("root", "root")

    # ---- output --------------------------------------------------------------------------------

    def write(self, code: str) -> None:
        self.lines.append("    " * self.indent + code)
        self.positions.append(self.position)

    def at(self, node: n.Node) -> None:
        self.position = (node.line, node.column)

    def temp(self) -> str:
        self.fn.temps += 1
        return f"t{self.fn.temps}"

    def new_function(self, prefix: str, kind: str, body: list[n.Node]) -> str:
        self.counter += 1
        name = f"{prefix}_{self.counter}"
        self.pending.append((name, kind, body))
        return name

    # ---- module --------------------------------------------------------------------------------

    def generate(self, template: n.Template) -> GeneratedModule:
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
        return GeneratedModule("\n".join(self.lines) + "\n", self.positions, macro_names)

    def function(self, name: str, kind: str, body: list[n.Node]) -> None:
        self.fn = _Function(name, kind)
        self.write("")
        self.write(f"def {name}(v, w, st):")
        self.indent += 1
        self.block(body)
        self.indent -= 1

    def block(self, body: list[n.Node]) -> None:
        before = len(self.lines)
        for node in body:
            self.at(node)
            getattr(self, "stmt_" + type(node).__name__)(node)
        if len(self.lines) == before:
            self.write("pass")

    # ---- statements ----------------------------------------------------------------------------

    def stmt_Text(self, node: n.Text) -> None:
        self.write(f"w({node.text!r})")

    def stmt_Reference(self, node: n.Reference) -> None:
        value = self.reference_value(node)
        escape = "\\" * (node.escapes // 2)
        t = self.temp()
        if node.escapes % 2 == 1:
            # `\$a` prints `$a` when $a has a value, and `\$a` when it has none
            if self.dialect.invalid_reference_is_empty:
                self.write(value)   # evaluated for its side effects; never invalid here
                self.write(f"w({escape + node.literal!r})")
            else:
                self.write(f"w({escape + node.literal!r} if ({t} := {value}) is not None "
                           f"else {escape + chr(92) + node.literal!r})")
            return
        if self.dialect.invalid_reference_is_empty:
            value = f"empty_if_invalid({value})"
            null = repr(escape * 2 + node.literal)
        elif node.quiet:
            null = repr(escape * 2)
        elif escape:
            null = f"{escape * 2!r} + null_text(v, {node.literal!r})"
        else:
            null = f"null_text(v, {node.literal!r})"
        shown = f"{escape!r} + {t}" if escape else t
        self.write(f"w({shown} if ({t} := text_or_none({value})) is not None else {null})")

    def stmt_Set(self, node: n.Set) -> None:
        target = node.target
        value = self.expr(node.value)
        if (target.quiet or target.literal.startswith("${")) and not target.suffixes:
            # Velocity 1.7 evaluates #set($!a = …) and #set(${a} = …) but sets nothing
            # (though it does set $!a.b and ${a[0]})
            self.write(value)
            return
        if not target.suffixes:
            t = self.temp()
            self.write(f"if ({t} := {value}) is not None:")
            self.indent += 1
            self.write(f"v[{target.name!r}] = {t}")
            self.indent -= 1
            return
        base = self.reference_value(n.Reference(target.line, target.column, target.name,
                                                target.suffixes[:-1], target.literal))
        last = target.suffixes[-1]
        if isinstance(last, n.Property):
            self.write(f"assign_property({base}, {last.name!r}, {value})")
        elif isinstance(last, n.Index):
            self.write(f"assign_index({base}, {self.expr(last.key)}, {value})")
        else:   # #set($a.b() = …): Velocity evaluates nothing and sets nothing
            self.write("pass")

    def stmt_If(self, node: n.If) -> None:
        for i, (condition, body) in enumerate(node.branches):
            self.at(condition)
            self.write(f"{'if' if i == 0 else 'elif'} {self.truth(condition)}:")
            self.indent += 1
            self.block(body)
            self.indent -= 1
        if node.otherwise is not None:
            self.write("else:")
            self.indent += 1
            self.block(node.otherwise)
            self.indent -= 1

    def stmt_Foreach(self, node: n.Foreach) -> None:
        if self.fn.loops >= _MAX_LOOPS_PER_FUNCTION:
            self.write(f"{self.new_function('loop', self.fn.kind, [node])}(v, w, st)")
            return
        items, saved, scope, item = self.temp(), self.temp(), self.temp(), self.temp()
        names = (node.var, "foreach", "velocityCount", "velocityHasNext")
        self.write(f"{items} = loop_items({self.expr(node.iterable)})")
        self.write(f"{saved} = ({', '.join(f'v.get({k!r}, MISSING)' for k in names)})")
        self.write(f"{scope} = ForeachScope(len({items}), {saved}[1])")
        self.write(f"v['foreach'] = {scope}")
        self.write("try:")
        self.indent += 1
        self.write(f"for {scope}.index, {item} in enumerate({items}):")
        self.indent += 1
        self.write(f"count_iteration(st, {scope}, {items})")
        self.write(f"v[{node.var!r}] = {item}")
        self.write(f"v['velocityCount'] = {scope}.index + 1")
        self.write(f"v['velocityHasNext'] = {scope}.index + 1 < {scope}.size")
        self.fn.loops += 1
        self.block(node.body)
        self.fn.loops -= 1
        self.indent -= 2
        self.at(node)
        self.write("except BreakScope as e:")
        self.indent += 1
        self.write(f"if e.scope is not {scope}:")
        self.write("    raise")
        self.indent -= 1
        self.write("finally:")
        self.indent += 1
        for i, name in enumerate(names):
            self.write(f"restore(v, {name!r}, {saved}[{i}])")
        self.indent -= 1

    def stmt_MacroDef(self, node: n.MacroDef) -> None:
        pass   # macros are collected at compile time: a definition prints nothing

    def stmt_MacroCall(self, node: n.MacroCall) -> None:
        thunks = "".join(f"lambda: {self.expr(a)}, " for a in node.args)
        literals = tuple(a.literal if isinstance(a, n.Reference) else "" for a in node.args)
        body = "None"
        if node.body is not None:
            body = self.new_function("block", "block", node.body)
        self.write(f"if not call_macro(st, {node.name!r}, v, w, ({thunks}), {literals!r}, {body}):")
        self.indent += 1
        self.write(f"w({node.source!r})")
        self.indent -= 1

    def stmt_Define(self, node: n.Define) -> None:
        function = self.new_function("define", "block", node.body)
        self.write(f"v[{node.name!r}] = Block({function}, v, st)")

    def stmt_LiteralBlock(self, node: n.LiteralBlock) -> None:
        self.write(f"w({node.text!r})")

    def stmt_Evaluate(self, node: n.Evaluate) -> None:
        self.write(f"evaluate(st, {self.expr(node.arg)}, v, w)")

    def stmt_Include(self, node: n.Include) -> None:
        args = "".join(f"{self.expr(a)}, " for a in node.args)
        self.write(f"include(w, {node.directive!r}, ({args}))")

    def stmt_Break(self, node: n.Break) -> None:
        if node.scope is not None:   # #break($foreach.parent): ends the loop of that scope
            self.write(f"raise BreakScope({self.expr(node.scope)})")
        elif self.fn.loops:
            self.write("break")
        elif self.fn.kind in ("macro", "block"):
            self.write("return")
        else:
            self.write("raise StopRender()")

    def stmt_Stop(self, node: n.Stop) -> None:
        self.write("raise StopRender()")

    # ---- expressions ---------------------------------------------------------------------------

    def reference_value(self, node: n.Reference) -> str:
        """The reference's value, None when Velocity would find it invalid."""
        code = f"v.get({node.name!r})"
        for suffix in node.suffixes:
            if isinstance(suffix, n.Property):
                code = f"prop({code}, {suffix.name!r})"
            elif isinstance(suffix, n.Method):
                args = "".join(f"{self.expr(a)}, " for a in suffix.args)
                code = f"call({code}, {suffix.name!r}, ({args}))"
            else:
                code = f"index({code}, {self.expr(suffix.key)})"
        return code

    def expr(self, node: n.Expr) -> str:
        return getattr(self, "expr_" + type(node).__name__)(node)

    def expr_Reference(self, node: n.Reference) -> str:
        value = self.reference_value(node)
        return f"empty_if_invalid({value})" if self.dialect.invalid_reference_is_empty else value

    def expr_Literal(self, node: n.Literal) -> str:
        value = node.value
        if isinstance(value, float) and not math.isfinite(value):
            return f"float({str(value)!r})"
        return repr(value)

    def expr_StringLiteral(self, node: n.StringLiteral) -> str:
        if node.body is None:
            return repr(node.value)
        function = self.new_function("string", "string", node.body)
        return f"render_string({function}, v, st, {node.trim_last!r})"

    def expr_Word(self, node: n.Word) -> str:
        return repr(node.name)

    def expr_Range(self, node: n.Range) -> str:
        return f"make_range({self.expr(node.start)}, {self.expr(node.end)}, st.limits.max_range)"

    def expr_ListLiteral(self, node: n.ListLiteral) -> str:
        return "[" + ", ".join(self.expr(item) for item in node.items) + "]"

    def expr_MapLiteral(self, node: n.MapLiteral) -> str:
        return "{" + ", ".join(f"{self.expr(k)}: {self.expr(v)}" for k, v in node.entries) + "}"

    def expr_Binary(self, node: n.Binary) -> str:
        op = node.op
        if op in ("&&", "||"):
            return f"({self.truth(node.left)} {'and' if op == '&&' else 'or'} {self.truth(node.right)})"
        left, right = self.expr(node.left), self.expr(node.right)
        if op in _COMPARISONS:
            return f"compare({op!r}, {left}, {right})"
        if op == "+":
            return f"add({left}, {right}, {_literal(node.left)!r}, {_literal(node.right)!r})"
        return f"{_ARITHMETIC[op]}({left}, {right})"

    def expr_Not(self, node: n.Not) -> str:
        return f"(not {self.truth(node.operand)})"

    def truth(self, node: n.Expr) -> str:
        """The condition as Velocity 1.7 evaluates it: references by their value, operators by
        their result, true/false as themselves; any other node is false (SimpleNode.evaluate)."""
        if isinstance(node, n.Reference):
            return f"truth({self.expr(node)})"
        if isinstance(node, n.Binary) and (node.op in _COMPARISONS or node.op in ("&&", "||")):
            return self.expr(node)
        if isinstance(node, n.Not):
            return self.expr(node)
        if isinstance(node, n.Literal) and isinstance(node.value, bool):
            return repr(node.value)
        return "False"


def _literal(node: n.Expr) -> str:
    """What `+` writes for a null operand: the reference's text."""
    return node.literal if isinstance(node, n.Reference) else "null"


def generate(template: n.Template, dialect: Dialect, name: str | None = None) -> GeneratedModule:
    return CodeGenerator(dialect, name).generate(template)
