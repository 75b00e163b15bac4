"""Warnings for the mistakes people make in mapping templates that build JSON.

The linter reads the typed syntax tree (nodes.py). It follows the template's literal text with a
small JSON scanner, so it knows, at each reference the template prints, whether the output is
inside a JSON string, inside an array, or not JSON at all; and it renders the template once for a
sample request to see whether the output parses. Each warning has a code:

    W101  a request value printed inside a JSON string without $util.escapeJavaScript
    W102  $util.escapeJavaScript printed inside a JSON string: it turns ' into \\', invalid JSON
    W103  the output is not valid JSON for a sample request (by default one made up from the
          fields the template reads: strings where it quotes them, numbers where it does not,
          lists where it loops), reported after the template text that leads up to the fault
    W104  $input.path(...) printed as a JSON value (objects print as {a=1}), directly or through
          a variable set to it: $input.json is meant
    W105  $input.json(...) printed inside a JSON string (its quotes double up), or its text used
          as an object or looped over: $input.path is meant
    W106  $context.<name> that API Gateway does not have
    W107  #foreach printing JSON list items or object members without
          #if($foreach.hasNext),#end

A comment `## vtl: ignore[W101]` (several codes: `ignore[W101,W104]`; every code: `ignore`)
silences the warnings of its own line and of the line after it.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from typing import Any

import orjson

from ..core import nodes as n
from ..core.dialect import get_dialect
from ..core.errors import VtlRuntimeError, snippet
from ..core.parser import parse

RULES = {
    "W101": "request value printed inside a JSON string without $util.escapeJavaScript",
    "W102": "$util.escapeJavaScript inside a JSON string turns ' into \\', which is invalid JSON",
    "W103": "the output is not valid JSON for the sample request",
    "W104": "$input.path printed as a JSON value: $input.json is meant",
    "W105": "$input.json printed inside a JSON string, or used as an object: $input.path is meant",
    "W106": "unknown $context variable",
    "W107": "#foreach builds a JSON list or object without #if($foreach.hasNext),#end",
}

_IGNORE = re.compile(r"##\s*vtl:\s*ignore(?:\[([A-Za-z0-9,\s]*)\])?")
# $util functions whose result cannot break out of a JSON string
_SAFE_UTIL = frozenset({"escapeJavaScript", "urlEncode", "base64Encode"})
# methods whose result is a number or a boolean
_SCALAR_METHODS = frozenset({"size", "length", "isEmpty", "contains", "containsKey",
                             "startsWith", "endsWith", "equals", "matches", "indexOf",
                             "lastIndexOf", "hashCode", "compareTo", "equalsIgnoreCase"})
# what of $foreach tells where in the list an item is ($foreach.hasNext, .isLast(), …), lowercased
_LOOP_STATE = frozenset({"hasnext", "last", "first", "count", "index"})
_LOOP_VARIABLES = frozenset({"velocityHasNext", "velocityCount"})

# $context variables API Gateway documents that a request does not always have, so the offline
# defaults (apigateway/context.py) leave them out
_CONTEXT_OPTIONAL = frozenset({
    "authorizer", "error", "integrationLatency", "responseLatency", "responseLength", "status",
    "wafResponseCode", "webaclArn", "xrayTraceId", "isCanaryRequest", "customDomain",
    "integration", "authorize", "authenticate", "waf", "integrationStatus",
})
_CONTEXT_MEMBERS = {
    "identity": frozenset({"apiKey", "apiKeyId", "clientCert", "vpcId", "vpceId"}),
    "requestOverride": frozenset({"header", "querystring", "path"}),
    "responseOverride": frozenset({"header", "status"}),
    "error": frozenset({"message", "messageString", "responseType", "validationErrorString"}),
}


@dataclass(frozen=True)
class LintWarning:
    """One warning: its code (RULES), where it is in the template, what is wrong, and the
    template line with a caret under the column."""

    code: str
    line: int
    column: int
    message: str
    snippet: str = ""

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.code} {self.message}"


def lint(source: str, dialect: str = "aws", sample_body: str | None = None,
         name: str | None = None) -> list[LintWarning]:
    """The warnings for `source`, in template order; VtlSyntaxError if it does not parse.
    `sample_body` is the request body W103 renders (None: one made up from the template)."""
    tree = parse(source, get_dialect(dialect), name)
    linter = _Linter(source, tree)
    found = linter.run()
    if sample_body is None:
        sample_body = orjson.dumps(linter.sample.document()).decode()
    found += _json_output(source, tree, dialect, sample_body)
    ignored = _ignored(source)
    return sorted((w for w in found if not _is_ignored(w, ignored)),
                  key=lambda w: (w.line, w.column, w.code))


# -- silencing ------------------------------------------------------------------------------------

def _ignored(source: str) -> dict[int, frozenset[str] | None]:
    """line -> the codes silenced there (None: every code)."""
    ignored: dict[int, frozenset[str] | None] = {}
    for number, text in enumerate(source.splitlines(), start=1):
        match = _IGNORE.search(text)
        if match is None:
            continue
        codes = None if match.group(1) is None else frozenset(
            code.strip().upper() for code in match.group(1).split(",") if code.strip())
        for line in (number, number + 1):
            previous = ignored.get(line, frozenset())
            ignored[line] = None if codes is None or previous is None else previous | codes
    return ignored


def _is_ignored(warning: LintWarning, ignored: dict[int, frozenset[str] | None]) -> bool:
    if warning.line not in ignored:
        return False
    codes = ignored[warning.line]
    return codes is None or warning.code in codes


# -- the JSON the literal text builds -------------------------------------------------------------

@dataclass
class _Json:
    """Where the output is, as far as the template's literal text tells: inside a JSON string
    or not, and which brackets are open."""

    in_string: bool = False
    brackets: tuple[str, ...] = ()
    escaped: bool = False

    def feed(self, text: str) -> None:
        brackets = list(self.brackets)
        for char in text:
            if self.in_string:
                if self.escaped:
                    self.escaped = False
                elif char == "\\":
                    self.escaped = True
                elif char == '"':
                    self.in_string = False
            elif char == '"':
                self.in_string = True
            elif char in "[{":
                brackets.append(char)
            elif char in "]}" and brackets:
                brackets.pop()
        self.brackets = tuple(brackets)

    @property
    def is_json(self) -> bool:
        return bool(self.brackets)

    @property
    def container(self) -> str:
        """The bracket the output is directly in ("[" or "{"); "" inside a string or none."""
        return "" if self.in_string or not self.brackets else self.brackets[-1]


# -- the checks on the tree -----------------------------------------------------------------------

class _Linter:
    def __init__(self, source: str, tree: n.Template) -> None:
        self.source = source
        self.tree = tree
        self.found: list[LintWarning] = []
        self.tainted = _tainted_variables(tree)
        self.sample = _SampleBody(tree)
        # variables set to `$input.path(…)` or `$input.json(…)` and nothing more
        self.set_to = {method: {node.target.name for node in tree.find_all(n.Set)
                                if not node.target.suffixes
                                and isinstance(node.value, n.Reference)
                                and _is_input_method(node.value, method)
                                and len(node.value.suffixes) == 1}
                       for method in ("path", "json")}

    def run(self) -> list[LintWarning]:
        self._walk(self.tree.body, _Json())
        for macro in self.tree.macros.values():
            self._walk(macro.body, _Json())
        for node in n.walk(self.tree.body):
            if isinstance(node, n.Reference) and node.name == "context":
                self._check_context(node)
            elif isinstance(node, n.Reference) and node.name in self.set_to["json"] \
                    and node.suffixes and isinstance(node.suffixes[0], n.Property):
                self._warn("W105", node, f"${node.name} holds the JSON text $input.json(...) "
                           "gives, not an object: it has no properties; set it with "
                           "$input.path(...)")
            elif isinstance(node, n.Foreach) and self._is_json_text(node.iterable):
                self._warn("W105", node.iterable, f"#foreach over {node.iterable.literal}, JSON "
                           "text, not a list: the loop does not run; use $input.path(...)")
        return self.found

    def _is_json_text(self, expr: n.Node) -> bool:
        """`$input.json(…)`, or a variable set to it."""
        return isinstance(expr, n.Reference) and (
            (_is_input_method(expr, "json") and len(expr.suffixes) == 1)
            or (expr.name in self.set_to["json"] and not expr.suffixes))

    def _warn(self, code: str, node: n.Node, message: str) -> None:
        self.found.append(LintWarning(code, node.line, node.column, message,
                                      snippet(self.source, node.line, node.column)))

    def _walk(self, body: list[n.Node], json: _Json) -> _Json:
        for node in body:
            if isinstance(node, n.Text):
                json.feed(node.text)
            elif isinstance(node, n.Reference):
                if node.escapes % 2 == 0:
                    self._check_printed(node, json)
                    self.sample.read(node, "text" if json.in_string or not json.is_json
                                     else "number")
            elif isinstance(node, n.If):
                arms = [body for _, body in node.branches] + [node.otherwise or []]
                # the arms are taken to leave the JSON alike; the first one tells how
                json = [self._walk(arm, dataclasses.replace(json)) for arm in arms][0]
            elif isinstance(node, n.Foreach):
                self.sample.read(node.iterable, "list")
                self._check_foreach(node, json)
                self._walk(node.body, dataclasses.replace(json))
            elif isinstance(node, n.MacroCall) and node.body is not None:
                self._walk(node.body, dataclasses.replace(json))
        return json

    def _check_printed(self, ref: n.Reference, json: _Json) -> None:
        if not json.is_json:
            return
        if json.in_string:
            if _is_input_method(ref, "json"):
                self._warn("W105", ref, f"{ref.literal} prints JSON, quotes included, inside a "
                           "JSON string; use $input.path(...) there, or drop the quotes")
            elif _is_unfinished_escape(ref):
                self._warn("W102", ref, f"{ref.literal} turns ' into \\', which is not valid "
                           "inside a JSON string; add .replaceAll(\"\\\\'\", \"'\")")
            elif _is_tainted(ref, self.tainted):
                self._warn("W101", ref, f"{ref.literal} is printed inside a JSON string without "
                           "$util.escapeJavaScript: a quote or backslash in it breaks the JSON")
        elif (_is_input_method(ref, "path") and len(ref.suffixes) == 1) \
                or (ref.name in self.set_to["path"] and not ref.suffixes):
            self._warn("W104", ref, f"{ref.literal} prints objects and lists the Java way "
                       "({a=1}) and strings without quotes; $input.json(...) prints any JSON "
                       "value as JSON")

    def _check_foreach(self, loop: n.Foreach, json: _Json) -> None:
        """Items of a JSON array, or members of an object (text with a ':'), need commas."""
        texts = [node.text for node in loop.body if isinstance(node, n.Text)]
        if json.container == "[" and _prints(loop.body):
            what = "JSON list items"
        elif json.container == "{" and any(":" in text for text in texts):
            what = "JSON object members"
        else:
            return
        leading = next((node for node in loop.body
                        if not isinstance(node, n.Text) or node.text.strip()), None)
        if isinstance(leading, n.Text) and leading.text.lstrip().startswith(","):
            return  # `, item` after what comes before the loop
        if any(_reads_loop_state(node) for node in n.walk(loop.body)):
            return
        self._warn("W107", loop, f"#foreach(${loop.var} …) prints {what} but no comma between "
                   "them (or one after the last); add #if($foreach.hasNext),#end")

    def _check_context(self, ref: n.Reference) -> None:
        names: list[str] = []
        for suffix in ref.suffixes[:2]:
            if not isinstance(suffix, n.Property):
                break
            names.append(suffix.name)
        defaults = _context_defaults()
        if names and names[0] not in defaults and names[0] not in _CONTEXT_OPTIONAL:
            unknown = names[0]
        elif len(names) == 2 and names[0] in _CONTEXT_MEMBERS \
                and names[1] not in _CONTEXT_MEMBERS[names[0]] \
                and names[1] not in (defaults.get(names[0]) or {}):
            unknown = ".".join(names)
        else:
            return
        self._warn("W106", ref, f"$context.{unknown} is not a variable API Gateway sets")


@functools.cache
def _context_defaults() -> dict[str, Any]:
    """The offline `$context` (apigateway/context.py): every variable a request always has."""
    from ..apigateway.context import build_context

    return build_context({"requestTimeEpoch": 0, "requestId": "-", "extendedRequestId": "-"})


def _prints(body: list[n.Node]) -> bool:
    return any(isinstance(node, n.Reference) or (isinstance(node, n.Text) and node.text.strip())
               for node in body)


def _reads_loop_state(node: n.Node) -> bool:
    if not isinstance(node, n.Reference):
        return False
    if node.name in _LOOP_VARIABLES:
        return True
    return node.name == "foreach" and any(
        isinstance(s, (n.Property, n.Method))
        and s.name.removeprefix("is").removeprefix("get").lower() in _LOOP_STATE
        for s in node.suffixes)


def _is_input_method(ref: n.Reference, method: str) -> bool:
    return ref.name == "input" and bool(ref.suffixes) and isinstance(ref.suffixes[0], n.Method) \
        and ref.suffixes[0].name == method


def _is_unfinished_escape(ref: n.Reference) -> bool:
    """`$util.escapeJavaScript(…)` not followed by a replace of its `\\'`."""
    if ref.name != "util" or not ref.suffixes or not isinstance(ref.suffixes[0], n.Method) \
            or ref.suffixes[0].name != "escapeJavaScript":
        return False
    return not any(isinstance(s, n.Method) and s.name in ("replaceAll", "replace")
                   for s in ref.suffixes[1:])


def _tainted_variables(tree: n.Template) -> frozenset[str]:
    """The variables that hold what the client sent: set from `$input` (or from another such
    variable), directly or as a #foreach's items."""
    tainted: set[str] = set()
    assignments = [(node.target.name, node.value) for node in tree.find_all(n.Set)
                   if not node.target.suffixes]
    assignments += [(node.var, node.iterable) for node in tree.find_all(n.Foreach)]
    changed = True
    while changed:
        changed = False
        for name, value in assignments:
            if name not in tainted and _is_tainted(value, tainted):
                tainted.add(name)
                changed = True
    return frozenset(tainted)


def _is_tainted(expr: n.Node, tainted: set[str] | frozenset[str]) -> bool:
    """Whether `expr` may be a string the client chose (and not made safe for JSON)."""
    if isinstance(expr, n.StringLiteral):
        return expr.body is not None and any(_is_tainted(part, tainted) for part in expr.body)
    if isinstance(expr, n.Binary):
        return expr.op == "+" and (_is_tainted(expr.left, tainted)
                                   or _is_tainted(expr.right, tainted))
    if not isinstance(expr, n.Reference):
        return False
    if expr.suffixes and isinstance(expr.suffixes[-1], n.Method) \
            and expr.suffixes[-1].name in _SCALAR_METHODS:
        return False
    if expr.name == "util":
        first = expr.suffixes[0] if expr.suffixes else None
        if not isinstance(first, n.Method) or first.name in _SAFE_UTIL:
            return False
        return any(_is_tainted(arg, tainted) for arg in first.args)
    if expr.name == "input":
        return True
    if expr.name == "context":
        names = [s.name for s in expr.suffixes[:2] if isinstance(s, n.Property)]
        return names[:1] == ["authorizer"] or names == ["identity", "userAgent"]
    return expr.name in tainted


# -- a sample request ----------------------------------------------------------------------------

_KINDS = ("text", "number", "list")  # the more telling last


class _SampleBody:
    """A request body with the fields the template reads: `$input.path('$.a.b')` and
    `$input.json(…)`, and properties of variables set from them or looping over them."""

    _LIST = "[]"

    def __init__(self, tree: n.Template) -> None:
        #: path in the body -> how the template reads it: "text", "number" or "list"
        self.fields: dict[tuple[str, ...], str] = {}
        self.variables: dict[str, tuple[str, ...]] = {}
        bindings = [(node.target.name, node.value, ()) for node in tree.find_all(n.Set)
                    if not node.target.suffixes]
        bindings += [(node.var, node.iterable, (self._LIST,))
                     for node in tree.find_all(n.Foreach)]
        for _ in range(2):  # a variable may be set from one set further down
            for name, value, step in bindings:
                self._bind(name, value, step)

    def _bind(self, name: str, value: n.Node, step: tuple[str, ...]) -> None:
        path = self._path(value)
        if path is not None:
            self.variables[name] = path + step

    def _path(self, expr: n.Node) -> tuple[str, ...] | None:
        """The body path `expr` reads, when it reads one."""
        if not isinstance(expr, n.Reference):
            return None
        suffixes = expr.suffixes
        if expr.name == "input" and suffixes and isinstance(suffixes[0], n.Method) \
                and suffixes[0].name in ("path", "json") and suffixes[0].args \
                and _constant(suffixes[0].args[0]) is not None:
            path = _dotted(_constant(suffixes[0].args[0]))
            suffixes = suffixes[1:]
        else:
            path = self.variables.get(expr.name)
        if path is None:
            return None
        for suffix in suffixes:
            if not isinstance(suffix, n.Property):
                break
            path += (suffix.name,)
        return path

    def read(self, expr: n.Node, kind: str) -> None:
        """Note that the template reads `expr` as text, a number or a list."""
        if isinstance(expr, n.Reference) and expr.name == "util":
            for suffix in expr.suffixes[:1]:
                for arg in getattr(suffix, "args", ()):
                    self.read(arg, kind)
            return
        path = self._path(expr)
        if path is None:
            return
        if any(isinstance(s, n.Method) for s in expr.suffixes[expr.name == "input":]):
            kind = "text"  # a method's result is printed: the field's own type is unknown
        if _KINDS.index(kind) > _KINDS.index(self.fields.get(path, "text")) \
                or path not in self.fields:
            self.fields[path] = kind

    def document(self) -> object:
        root: dict[str, object] = {}
        for path, kind in sorted(self.fields.items(), key=lambda item: len(item[0])):
            self._put(root, path, kind)
        return root

    def _put(self, node: object, path: tuple[str, ...], kind: str) -> None:
        """Make `path` exist in `node`, ending in a sample value of `kind`; what is there
        already (a container, a value) wins."""
        for index, step in enumerate(path):
            last = index == len(path) - 1
            wanted: object = {"text": "sample", "number": 1, "list": ["sample", "sample"]}[kind] \
                if last \
                else [] if path[index + 1] == self._LIST else {}
            if step == self._LIST:
                if not isinstance(node, list):
                    return
                if not node or not last and type(node[0]) is not type(wanted):
                    node[:] = [wanted, wanted]  # two items: a list that needs commas
                node = node[0]
            elif isinstance(node, dict):
                if step not in node or (not last and type(node[step]) is not type(wanted)):
                    node[step] = wanted
                node = node[step]
            else:
                return


def _constant(expr: n.Node) -> str | None:
    """The text of a string literal with nothing to interpolate ("$.a" has only text)."""
    if not isinstance(expr, n.StringLiteral):
        return None
    if expr.body is None or all(isinstance(part, n.Text) for part in expr.body):
        return expr.value
    return None


def _dotted(path: str) -> tuple[str, ...] | None:
    """('a', 'b') for the JSONPath '$.a.b'; None for anything fancier."""
    if path == "$":
        return ()
    if not path.startswith("$.") or any(c in path for c in "[]*?@()"):
        return None
    return tuple(path[2:].split("."))


# -- the output for a sample request --------------------------------------------------------------

def _json_output(source: str, tree: n.Template, dialect: str,
                 sample_body: str) -> list[LintWarning]:
    """W103 when the template's output starts like JSON but does not parse; reported where the
    template's text leads up to the fault (line 1 when that cannot be told)."""
    from ..apigateway import render_mapping_template

    try:
        output = render_mapping_template(source, body=sample_body, dialect=dialect).body
    except VtlRuntimeError:  # the sample does not suit the template: nothing to judge
        return []
    text = output.strip()
    if not text or text[0] not in "{[":
        return []
    try:
        orjson.loads(output)
    except orjson.JSONDecodeError as error:
        line, column = _position(output, error.pos)
        where = _template_position(tree, output, error.pos)
        shown = " ".join(sample_body.split())
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        return [LintWarning("W103", *where, f"the output is not valid JSON for the sample "
                            f"request (body {shown}): {error.msg} at output line {line}, column "
                            f"{column}",
                            "output: " + snippet(output, line, column).replace("\n", "\n        "))]
    return []


def _position(text: str, offset: int) -> tuple[int, int]:
    """Line and column of `offset`; the end of the last line for an offset past the text."""
    lines = text[:offset].splitlines() or [""]
    return len(lines), len(lines[-1]) + 1


def _template_position(tree: n.Template, output: str, offset: int) -> tuple[int, int]:
    """Where in the template the output at `offset` comes from: the end of a piece of literal
    text the output has just before the fault, long and close to it (the fault is mostly the
    value printed right after that text); line 1, column 1 when no text matches."""
    before = output[max(0, offset - 80):offset]
    texts = sorted(tree.find_all(n.Text), key=lambda node: (node.line, node.column))
    best: tuple[int, tuple[int, int]] | None = None
    for end in range(len(before), 2, -1):
        if best is not None and 3 * end - 2 * len(before) <= best[0]:
            break  # no piece ending this early can score better
        for start in range(end - 2):
            score = (end - start) - 2 * (len(before) - end)
            if best is not None and score <= best[0]:
                break  # shorter pieces from here on
            piece = before[start:end]
            node = next((node for node in texts if piece in node.text), None)
            if node is not None:
                line, column = _position(node.text, node.text.find(piece) + len(piece))
                best = score, (node.line + line - 1,
                               (node.column if line == 1 else 1) + column - 1)
                break
    return best[1] if best is not None else (1, 1)
