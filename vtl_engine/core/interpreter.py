"""The first tier: a template's nodes run as they are, with no Python generated and no compile().

Generating a template's Python (compiler.py) and Python's compile() of it cost several times what
parsing the template does, and a first render would wait for both. The Interpreter walks the
nodes instead, calling for each construct the runtime helpers the generated code calls for it
(support, arith, the dialect's Helpers and its invalid-reference policy, and through them the one
access gate, methods.py), so the semantics stay in the runtime. It takes the path the generated
code takes when it knows nothing more of the template (no loop variables in Python locals, no
inline reads: the compiled fast paths are proven to give what that path gives, in
tests/core/test_fast_paths.py), and calls the host's known objects as the compiled code does. A
template renders with it until its compiled code is worth compiling (template.FirstTier);
tests/core/test_first_tier.py and `tools/compare_engines.py --tier` check that both give the
same outputs and errors. (Closures built from the nodes, one per construct, render faster but
cost more to build than a first render takes: measured on the w2 workload, building them alone
took 40% of parsing.)

A template that defines macros, or has #define or #evaluate, is left to the compiler
(`takes` says no): those run template code from elsewhere (macro bodies with arguments passed by
name, blocks printed later, text compiled while rendering), can recurse deeply, and are rare in
API Gateway templates.

Positions: each method that runs statements or tests conditions keeps the node it is at in its
local `at`, so that a failure while rendering names the innermost one (`position`), as the
compiled code's line map names the statement it was running. A body runs with `(v, w, st)`, as a
generated body function: the variables, the write function, the render state.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from types import FrameType
from typing import Any

from . import nodes as n
from .dialect import Dialect
from .runtime.arith import div, mod, mul, sub
from .runtime.host import VARIABLE, HostObject
from .runtime.methods import CLASS_PROPERTIES, direct_function, unwrap_direct
from .runtime.signals import MISSING
from .runtime.support import (
    BreakScope,
    ForeachScope,
    NullHolder,
    StopRender,
    assign_property,
    end_loop,
    include,
    loop_checkpoint,
    loop_items,
    prop,
    render_string,
)
from .runtime.values import JavaList, make_range

_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})
_ARITHMETIC = {"-": sub, "*": mul, "/": div, "%": mod}
_LEFT_TO_THE_COMPILER = (n.MacroDef, n.Define, n.Evaluate)


class _Break(Exception):
    """#break in a #foreach body: ends that loop (the compiled code's `break`)."""


def takes(template: n.Template, source: str) -> bool:
    """Whether the first tier runs this template of `source` (see the module's docstring)."""
    if template.macros:
        return False
    if "define" not in source and "evaluate" not in source:   # (the directives' names)
        return True
    return not any(isinstance(node, _LEFT_TO_THE_COMPILER) for node in n.walk(template.body))


def position(frame: FrameType) -> tuple[int, int] | None:
    """The template position a frame of the interpreter was at, if it runs statements."""
    if frame.f_code in _KEEPS_POSITION:
        at = frame.f_locals.get("at")
        if at is not None:
            return at.line, at.column
    return None


class Interpreter:
    """Runs one template's nodes; `root(v, w, st)` renders it. Renders share it (from many
    threads): it keeps only what it learns once, the functions of known objects' direct calls.
    `kind` says what #break does where a statement is: in a `loop` body it ends the loop, in
    the `root` body or a `string`'s it stops the render (as in the compiled functions)."""

    def __init__(self, template: n.Template, dialect: Dialect,
                 known_objects: Mapping[str, type[HostObject]]) -> None:
        self.template = template
        self.helpers = dialect.helpers
        self.invalid = dialect.invalid
        self.known_objects = known_objects
        # id of a Method node called on a known object -> (function, whether it takes the
        # object), or False when the class offers none
        self.direct: dict[int, Any] = {}

    def root(self, v: Any, w: Callable[[str], Any], st: Any) -> None:
        self.body(self.template.body, "root", v, w, st)

    def body(self, nodes: list[n.Node], kind: str, v: Any, w: Callable[[str], Any],
             st: Any) -> None:
        statements = _STATEMENTS
        for at in nodes:
            statements[at.__class__](self, at, kind, v, w, st)

    # ---- statements ------------------------------------------------------------------------------

    def stmt_Text(self, node: n.Text, kind: str, v: Any, w: Callable[[str], Any],
                  st: Any) -> None:
        w(node.text)

    stmt_LiteralBlock = stmt_Text

    def stmt_MacroCall(self, node: n.MacroCall, kind: str, v: Any, w: Callable[[str], Any],
                       st: Any) -> None:
        # a template here defines no macro and evaluates no text, so no macro exists while it
        # renders: the call prints its own text, as support.call_macro then has it
        w(node.source)

    def stmt_Reference(self, node: n.Reference, kind: str, v: Any, w: Callable[[str], Any],
                       st: Any) -> None:
        value = self.value(node, v, st)
        if node.escapes % 2 == 0:
            self.invalid.write(node, value, v, w, self.helpers)
            return
        escape = "\\" * (node.escapes // 2)
        if self.invalid.escaped_is_statement or value is not None:
            # `\$a` prints `$a` when $a has a value, and where it is never invalid (evaluated
            # for what it may do)
            w(escape + node.literal)
        else:
            w(escape + "\\" + node.literal)

    def stmt_Set(self, node: n.Set, kind: str, v: Any, w: Callable[[str], Any],
                 st: Any) -> None:
        target = node.target
        if not target.suffixes:
            value = self.expr(node.value, v, st)
            # Velocity 1.7 evaluates #set($!a = …) and #set(${a} = …) but sets nothing
            if value is not None and not target.quiet and not target.literal.startswith("${"):
                v[target.name] = value
            return
        last = target.suffixes[-1]
        if last.__class__ is n.Method:
            return   # #set($a.b() = …): Velocity evaluates and sets nothing
        base = self.value(target, v, st, len(target.suffixes) - 1)
        if last.__class__ is n.Property:
            assign_property(base, last.name, self.expr(node.value, v, st))
        else:
            key = self.expr(last.key, v, st)
            self.helpers.assign_index(base, key, self.expr(node.value, v, st))

    def stmt_If(self, node: n.If, kind: str, v: Any, w: Callable[[str], Any],
                st: Any) -> None:
        for at, body in node.branches:
            if self.truth(at, v, st):
                self.body(body, kind, v, w, st)
                return
        if node.otherwise:
            self.body(node.otherwise, kind, v, w, st)

    def stmt_Foreach(self, node: n.Foreach, kind: str, v: Any, w: Callable[[str], Any],
                     st: Any) -> None:
        """The loop as the compiled code runs it when nothing is known of its body: every loop
        variable kept in `v`, the item hidden from the body when it is null (support.NullHolder,
        which changes nothing for a body that does not set it)."""
        at = node   # where a failure in the loop's own steps is (see `position`)
        var, body, run = at.var, at.body, self.body
        items = loop_items(self.expr(at.iterable, v, st))
        saved = (v.get(var, MISSING), v.get("foreach", MISSING), v.get("velocityCount", MISSING),
                 v.get("velocityHasNext", MISSING))
        scope = ForeachScope(len(items), saved[1])
        v["foreach"] = scope
        hiding = NullHolder(v, var)
        try:
            for scope.index, item in enumerate(items):
                if not scope.index & 31 or len(items) != scope.size:
                    loop_checkpoint(st, scope, items)
                v[var] = item
                v["velocityCount"] = scope.index + 1
                v["velocityHasNext"] = scope.index + 1 < scope.size
                try:
                    run(body, "loop", v if item is not None else hiding, w, st)
                except _Break:
                    break
        except BreakScope as e:
            if e.scope is not scope:
                raise
        finally:
            end_loop(v, st, scope, saved, (var, "foreach", "velocityCount", "velocityHasNext"))

    def stmt_Break(self, node: n.Break, kind: str, v: Any, w: Callable[[str], Any],
                   st: Any) -> None:
        if node.scope is not None:   # #break($foreach.parent): ends the loop of that scope
            raise BreakScope(self.expr(node.scope, v, st))
        raise _Break if kind == "loop" else StopRender

    def stmt_Stop(self, node: n.Stop, kind: str, v: Any, w: Callable[[str], Any],
                  st: Any) -> None:
        raise StopRender

    def stmt_Include(self, node: n.Include, kind: str, v: Any, w: Callable[[str], Any],
                     st: Any) -> None:
        include(w, node.directive, self.arguments(node.args, v, st))

    # ---- expressions ---------------------------------------------------------------------------

    def expr(self, node: n.Expr, v: Any, st: Any) -> Any:
        return _EXPRESSIONS[node.__class__](self, node, v, st)

    def arguments(self, nodes: list[n.Expr], v: Any, st: Any) -> tuple:
        expressions = _EXPRESSIONS
        return tuple([expressions[node.__class__](self, node, v, st) for node in nodes])

    def expr_Reference(self, node: n.Reference, v: Any, st: Any) -> Any:
        return self.invalid.operand_value(self.value(node, v, st))

    def expr_Literal(self, node: n.Literal, v: Any, st: Any) -> Any:
        return node.value

    def expr_Word(self, node: n.Word, v: Any, st: Any) -> Any:
        return node.name

    def expr_StringLiteral(self, node: n.StringLiteral, v: Any, st: Any) -> Any:
        if node.body is None:
            return node.value
        return render_string(partial(self.body, node.body, "string"), v, st, node.trim_last)

    def expr_Range(self, node: n.Range, v: Any, st: Any) -> Any:
        start = self.expr(node.start, v, st)
        return make_range(start, self.expr(node.end, v, st), st.limits.max_range)

    def expr_ListLiteral(self, node: n.ListLiteral, v: Any, st: Any) -> Any:
        return JavaList(self.arguments(node.items, v, st))

    def expr_MapLiteral(self, node: n.MapLiteral, v: Any, st: Any) -> Any:
        # each key, then its value, entry after entry; a key twice keeps the last value
        expr = self.expr
        return {expr(key, v, st): expr(value, v, st) for key, value in node.entries}

    def expr_Binary(self, node: n.Binary, v: Any, st: Any) -> Any:
        op = node.op
        if op == "&&":
            return self.truth(node.left, v, st) and self.truth(node.right, v, st)
        if op == "||":
            return self.truth(node.left, v, st) or self.truth(node.right, v, st)
        left = self.expr(node.left, v, st)
        right = self.expr(node.right, v, st)
        if op in _COMPARISONS:
            return self.helpers.compare(op, left, right)
        if op == "+":
            return self.helpers.add(left, right, _literal(node.left), _literal(node.right))
        return _ARITHMETIC[op](left, right)

    def expr_Not(self, node: n.Not, v: Any, st: Any) -> Any:
        return not self.truth(node.operand, v, st)

    def truth(self, node: n.Expr, v: Any, st: Any) -> bool:
        """The condition as Velocity 1.7 evaluates it (compiler's `truth`): references by their
        value, operators by their result, true and false as themselves; any other node is false,
        and not evaluated."""
        kind = node.__class__
        if kind is n.Reference:
            return self.invalid.condition_value(self.value(node, v, st))
        if kind is n.Binary and (node.op in _COMPARISONS or node.op == "&&" or node.op == "||") \
                or kind is n.Not:
            return self.expr(node, v, st)
        return kind is n.Literal and node.value is True

    def value(self, node: n.Reference, v: Any, st: Any, count: int | None = None) -> Any:
        """The reference's value (of its first `count` suffixes only, if given), None when
        Velocity would find it invalid: the variable, then each suffix applied in turn."""
        value = v.get(node.name)
        suffixes = node.suffixes
        end = len(suffixes) if count is None else count
        if not end:
            return value
        helpers, first = self.helpers, 0
        cls = self.known_objects.get(node.name)
        if cls is not None and suffixes[0].__class__ is n.Method:
            args = self.arguments(suffixes[0].args, v, st)
            value = (self.known_call(cls, suffixes[0], value, args) if value.__class__ is cls
                     else helpers.call(value, suffixes[0].name, args))
            first = 1
        for i in range(first, end):
            suffix = suffixes[i]
            kind = suffix.__class__
            if kind is n.Property:
                if suffix.name in CLASS_PROPERTIES:
                    value = helpers.call(value, "getClass", ())
                else:
                    value = prop(value, suffix.name)
            elif kind is n.Method:
                value = helpers.call(value, suffix.name, self.arguments(suffix.args, v, st))
            else:
                value = helpers.index(value, self.expr(suffix.key, v, st))
        return value

    def known_call(self, cls: type[HostObject], method: n.Method, value: Any,
                   args: tuple) -> Any:
        """`.method(args)` on a known object of its class, as the compiled code calls it
        (compiler's direct_call): the function the class offers (methods.direct_function,
        found at the first such call, so that a template rendered once does not pay for it),
        or the general call when it offers none."""
        direct = self.direct.get(id(method))
        if direct is None:
            found = direct_function(cls, method.name, tuple(map(_constant, method.args)))
            direct = self.direct[id(method)] = found is not None and (
                unwrap_direct(found), not isinstance(found, staticmethod))
        if not direct:
            return self.helpers.call(value, method.name, args)
        function, with_object = direct
        return function(value, *args) if with_object else function(*args)


_STATEMENTS = {cls: getattr(Interpreter, f"stmt_{cls.__name__}") for cls in (
    n.Text, n.LiteralBlock, n.MacroCall, n.Reference, n.Set, n.If, n.Foreach, n.Break, n.Stop,
    n.Include)}
_EXPRESSIONS = {cls: getattr(Interpreter, f"expr_{cls.__name__}") for cls in (
    n.Reference, n.Literal, n.Word, n.StringLiteral, n.Range, n.ListLiteral, n.MapLiteral,
    n.Binary, n.Not)}


def _constant(node: n.Expr) -> Any:
    """A literal argument's value, VARIABLE for any other (what vtl_direct is given)."""
    if isinstance(node, n.Literal) or (isinstance(node, n.StringLiteral) and node.body is None):
        return node.value
    return VARIABLE


def _literal(node: n.Expr) -> str:
    """What `+` writes for a null operand: the reference's text."""
    return node.literal if isinstance(node, n.Reference) else "null"


# the methods that keep the node they are at in `at`
_KEEPS_POSITION = frozenset(method.__code__ for method in (
    Interpreter.body, Interpreter.stmt_If, Interpreter.stmt_Foreach))
