"""Template source → typed syntax tree: the lexer's tokens, Lark's LALR parser over
`grammar/vtl.lark`, and a Transformer whose methods (named after the grammar's rules) build nodes.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedInput, VisitError
from lark.lexer import Lexer as LarkLexer

from . import nodes as n
from .dialect import Dialect
from .errors import VtlError, VtlLimitError, VtlSyntaxError
from .lexer import MAX_NESTING_DEPTH, Lexer
from .runtime.budget import MAX_NUMBER_DIGITS


class _Tokens(LarkLexer):
    """Hands Lark the tokens our lexer already made (Lark's `text` is that list)."""

    def __init__(self, lexer_conf) -> None:  # noqa: ANN001 - Lark's interface
        pass

    def lex(self, tokens):  # noqa: ANN001, ANN201 - Lark's interface
        return iter(tokens)


def _grammar_text() -> str:
    # In a checkout the grammar sits at the repository's top, beside the package; an installed
    # wheel carries it as the data package vtl_engine.grammar (see pyproject.toml).
    checkout = Path(__file__).resolve().parent.parent / "grammar" / "vtl.lark"
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8")
    return resources.files("vtl_engine.grammar").joinpath("vtl.lark").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = _grammar_text()
    return Lark(grammar, parser="lalr", lexer=_Tokens, propagate_positions=True,
                maybe_placeholders=False)


_OPERATORS = {
    "OR": "||", "AND": "&&", "EQ": "==", "NE": "!=", "LT": "<", "LE": "<=", "GT": ">",
    "GE": ">=", "PLUS": "+", "MINUS": "-", "STAR": "*", "SLASH": "/", "PERCENT": "%",
}
_OPENING = frozenset({"IF", "BLOCK_DIRECTIVE", "_LPAREN", "_LBRACKET", "_LBRACE", "_INDEX_OPEN"})
_CLOSING = frozenset({"END", "_RPAREN", "_RBRACKET", "_RBRACE", "_INDEX_CLOSE"})

_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_BAD_UNICODE_ESCAPE = re.compile(r"\\u(?![0-9a-fA-F]{4})")


def parse(source: str, dialect: Dialect, name: str | None = None) -> n.Template:
    """Parse a whole template; raises VtlSyntaxError with the line, column and a snippet."""
    builder = _Builder(source, dialect, name)
    body = builder.parse_body(source, 0)
    return n.Template(1, 1, body, builder.macros)


class _Builder:
    """One template's parse: runs lexer and parser, and keeps what the Transformer needs."""

    def __init__(self, source: str, dialect: Dialect, name: str | None) -> None:
        self.source = source
        self.dialect = dialect
        self.name = name
        self.macros: dict[str, n.MacroDef] = {}

    def parse_body(self, text: str, offset: int, line: int = 1, column: int = 1) -> list[n.Node]:
        """Parse `text` (the template, or an interpolated string found at `offset`)."""
        try:
            lexer = Lexer(text, self.dialect.directives, self.name)
            tokens = lexer.tokens()
        except VtlSyntaxError as e:
            if offset == 0:
                raise
            raise VtlSyntaxError(f"in a string literal: {e.message}", line, column,
                                 self.source, self.name) from None
        self._check_nesting(tokens, offset, line, column)
        try:
            tree = _lark().parse(tokens)
            return _ToNodes(self, text, lexer.ends, (line, column) if offset else None).transform(tree)
        except UnexpectedInput as e:
            raise self._syntax_error(e, text, offset, line, column) from None
        except VisitError as e:
            if isinstance(e.orig_exc, VtlError):
                raise e.orig_exc from None
            raise

    def _check_nesting(self, tokens: list[Token], offset: int, line: int, column: int) -> None:
        depth = 0
        for token in tokens:
            if token.type in _OPENING:
                depth += 1
                if depth > MAX_NESTING_DEPTH:
                    where = (token.line, token.column) if not offset else (line, column)
                    raise VtlLimitError("max_nesting_depth", MAX_NESTING_DEPTH, *where,
                                        self.source, self.name)
            elif token.type in _CLOSING:
                depth -= 1

    def _syntax_error(self, e: UnexpectedInput, text: str, offset: int, line: int,
                      column: int) -> VtlSyntaxError:
        token = getattr(e, "token", None)
        if offset:
            return VtlSyntaxError("invalid template in a string literal", line, column,
                                  self.source, self.name)
        if token is None or token.type == "$END":
            line_, column_ = _end_position(text)
            return VtlSyntaxError("unexpected end of template", line_, column_, text, self.name)
        return VtlSyntaxError(f"unexpected {_describe(token)}", token.line, token.column,
                              text, self.name)


def _end_position(text: str) -> tuple[int, int]:
    lines = text.splitlines() or [""]
    return len(lines), len(lines[-1]) + 1


_DESCRIPTIONS = {
    "_RPAREN": "')'", "_LPAREN": "'('", "_ASSIGN": "'='", "_COMMA": "','", "_COLON": "':'",
    "_DOUBLEDOT": "'..'", "_LBRACKET": "'['", "_RBRACKET": "']'", "_LBRACE": "'{'",
    "_RBRACE": "'}'", "END": "#end", "ELSE": "#else", "ELSEIF": "#elseif", "TEXT": "text",
}


def _describe(token: Token) -> str:
    if token.type in _DESCRIPTIONS:
        return _DESCRIPTIONS[token.type]
    if token.type in ("INTEGER", "FLOAT", "STRING", "WORD"):
        return f"{token.type.lower()} {token.value!r}"
    return repr(str(token.value))


@v_args(meta=True)
class _ToNodes(Transformer):
    """Parse tree → nodes. Methods are named after the grammar's rules."""

    def __init__(self, builder: _Builder, text: str, ends: dict[int, int],
                 shift: tuple[int, int] | None) -> None:
        super().__init__()
        self.b = builder
        self.text = text
        self.ends = ends
        # positions inside an interpolated string are reported at the string itself
        self.shift = shift

    def _at(self, meta_or_token) -> tuple[int, int]:  # noqa: ANN001
        if self.shift:
            return self.shift
        line = getattr(meta_or_token, "line", None)
        return (line, meta_or_token.column) if line is not None else (1, 1)

    def _error(self, message: str, where) -> VtlSyntaxError:  # noqa: ANN001
        line, column = self._at(where)
        return VtlSyntaxError(message, line, column, self.b.source, self.b.name)

    # ---- statements ----------------------------------------------------------------------------

    def start(self, meta, children):
        return [self._statement(c) for c in children]

    def block(self, meta, children):
        return [self._statement(c) for c in children]

    def _statement(self, child):  # noqa: ANN001
        if isinstance(child, n.StringLiteral):   # a reference that is only text
            return n.Text(child.line, child.column, child.value)
        if isinstance(child, Token):
            line, column = self._at(child)
            if child.type == "TEXT":
                return n.Text(line, column, str(child))
            return n.Stop(line, column)   # STOP
        return child

    def set_directive(self, meta, children):
        _, target, value = children
        if not isinstance(target, n.Reference):
            raise self._error("#set needs a reference on the left of '='", meta)
        return n.Set(*self._at(meta), target, value)

    def if_directive(self, meta, children):
        _, condition, body, *rest = children
        branches = [(condition, body)]
        otherwise = None
        for clause in rest:
            if isinstance(clause, tuple):
                branches.append(clause)
            elif isinstance(clause, list):
                otherwise = clause
        return n.If(*self._at(meta), branches, otherwise)

    def elseif_clause(self, meta, children):
        return (children[1], children[2])

    def else_clause(self, meta, children):
        return children[1]

    def _no_words(self, token: Token, args: list, allowed: tuple[int, ...] = ()) -> None:
        """Velocity 1.7 rejects a bare word among a directive's arguments, except where the
        directive takes one (#foreach's `in`, #macro's name)."""
        for i, arg in enumerate(args):
            if isinstance(arg, n.Word) and i not in allowed:
                raise self._error(f"invalid argument {arg.name!r} to #{token}", token)

    def block_directive(self, meta, children):
        token, *args, body, _end = children
        name = str(token)
        at = self._at(token)
        self._no_words(token, args, {"foreach": (1,), "macro": (0,)}.get(name, ()))
        if name == "foreach":
            # Velocity 1.7 never checks the word `in`, and without an iterable loops over nothing
            if not args or not _is_variable(args[0]) or len(args) > 3:
                raise self._error("#foreach expects ($item in expression)", token)
            iterable = args[2] if len(args) == 3 else n.Literal(*at, None)
            return n.Foreach(*at, args[0].name, iterable, body)
        if name == "macro":
            if not args or not isinstance(args[0], n.Word):
                raise self._error("#macro expects its name first: #macro(name $arg …)", token)
            params = []
            for arg in args[1:]:
                if not _is_variable(arg):
                    raise self._error("macro parameters must be plain references like $arg", token)
                params.append(arg.name)
            macro = n.MacroDef(*at, args[0].name, params, body)
            self.b.macros.setdefault(macro.name, macro)   # the first definition wins
            return macro
        if name == "literal":
            # #literal() … #end prints its body's source as written, less comments (Velocity
            # 1.7 rebuilds it from tokens); an empty body fails in 1.7 (a NullPointerException)
            start = self.ends.get(token.start_pos, token.end_pos)
            if start >= _end.start_pos:
                raise self._error("#literal() needs a body: Velocity 1.7 fails on an empty one",
                                  token)
            text = _LITERAL_REBUILT.sub(_literal_rebuilt, self.text[start:_end.start_pos])
            return n.LiteralBlock(*at, text)
        if name == "define":
            if len(args) != 1 or not _is_variable(args[0]):
                raise self._error("#define expects one reference: #define($name)", token)
            return n.Define(*at, args[0].name, body)
        # #@name(…) … #end: a block macro call; without such a macro it prints as written
        source = _BLOCK_CALL_REBUILT.sub(_literal_rebuilt,
                                         self.text[token.start_pos:_end.end_pos])
        return n.MacroCall(*at, name[1:], args, source, body)

    def line_directive(self, meta, children):
        token, *args = children
        name = str(token)
        at = self._at(token)
        defined = self.b.macros.get(name)
        if name in self.b.dialect.directives.line or (
                defined is not None and (defined.line, defined.column) < at):
            self._no_words(token, args)
        known = self.b.dialect.directives.line
        if name in ("include", "parse") and name in known:
            return n.Include(*at, name, args)
        if name == "break" and name in known:
            return n.Break(*at, args[0] if args else None)
        if name == "evaluate" and name in known:
            if len(args) != 1 or not isinstance(args[0], (n.StringLiteral, n.Reference)):
                raise self._error("#evaluate expects one string literal or reference", token)
            return n.Evaluate(*at, args[0])
        end = self.ends.get(token.start_pos, token.end_pos)
        return n.MacroCall(*at, name, args, self.text[token.start_pos:end])

    def bare_directive(self, meta, children):
        token = children[0]
        name = str(token)
        at = self._at(token)
        if name == "break":
            return n.Break(*at)
        if name in self.b.dialect.directives.block or name == "evaluate" and \
                name in self.b.dialect.directives.line:
            raise self._error(f"#{name} needs its arguments in parentheses", token)
        if name == "include" and name in self.b.dialect.directives.line:
            return n.Text(*at, "")   # Velocity 1.7 includes nothing
        if name == "parse" and name in self.b.dialect.directives.line:
            return n.Include(*at, name, [])   # fails at render time, as in 1.7
        source = self.text[token.start_pos:self.ends.get(token.start_pos, token.end_pos)]
        return n.MacroCall(*at, name.lstrip("@"), [], source)   # `#{name}` prints as written

    # ---- references ----------------------------------------------------------------------------

    def reference(self, meta, children):
        head, ident, *suffixes = children
        prefix = str(head)
        escapes = len(prefix) - len(prefix.lstrip("\\"))
        if "\\!" in prefix:
            # `$\!name…` is no reference for Velocity 1.7: it prints `$!name` (one backslash
            # fewer), whatever follows the name, and evaluates nothing
            dollar = prefix.index("$")
            shown = prefix[:dollar + 1] + prefix[dollar + 2:].replace("{", "") + str(ident)
            return n.StringLiteral(*self._at(head), shown)
        start = head.start_pos + escapes
        end = self.ends.get(head.start_pos, ident.end_pos)
        return n.Reference(*self._at(head), str(ident), suffixes, self.text[start:end],
                           quiet="!" in prefix, escapes=escapes)

    def property(self, meta, children):
        return n.Property(*self._at(children[0]), str(children[0]))

    def method(self, meta, children):
        name, *args = children
        return n.Method(*self._at(name), str(name), args)

    def index(self, meta, children):
        return n.Index(*self._at(meta), self._value(children[0]))

    # ---- values ----------------------------------------------------------------------------------

    def _value(self, child):  # noqa: ANN001
        """index_value is inlined, so its tokens arrive bare."""
        if not isinstance(child, Token):
            return child
        return {"STRING": self.string, "INTEGER": self.integer, "TRUE": self.true,
                "FALSE": self.false}[child.type](None, [child])

    def word(self, meta, children):
        return n.Word(*self._at(children[0]), str(children[0]))

    def string(self, meta, children):
        token = children[0]
        at = self._at(token)
        image = str(token)
        quote, content = image[0], image[1:-1]
        if quote == "'":
            return n.StringLiteral(*at, content.replace("''", "'"))
        content = self._unicode_escapes(content, token)
        content = content.replace('""', '"')
        if "$" not in image and "#" not in image:
            return n.StringLiteral(*at, content)
        # Velocity 1.7 parses an interpolated string with a space appended (so a trailing `$`
        # or `#` is text) and cuts the last character off the result, unless the string holds
        # a `##` comment, which ate the space: "the dreaded MORE kludge".
        body = self.b.parse_body(content + " ", token.start_pos + 1, *at)
        return n.StringLiteral(*at, content, body, trim_last="##" not in content)

    def _unicode_escapes(self, content: str, token: Token) -> str:
        r"""Decode `\uXXXX` as Java does (UTF-16 halves pair up into one character)."""
        if "\\u" not in content:
            return content
        if _BAD_UNICODE_ESCAPE.search(content):
            raise self._error("\\u in a string must be followed by four hex digits", token)
        decoded = _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), content)
        return decoded.encode("utf-16", "surrogatepass").decode("utf-16", "replace")

    def integer(self, meta, children):
        digits = children[0]
        if len(digits) > MAX_NUMBER_DIGITS:
            raise VtlLimitError("max_number_digits", MAX_NUMBER_DIGITS, *self._at(digits),
                                self.b.source, self.b.name)
        return n.Literal(*self._at(digits), int(digits))

    def float(self, meta, children):
        return n.Literal(*self._at(children[0]), float(children[0]))

    def true(self, meta, children):
        return n.Literal(*self._at(children[0]), True)

    def false(self, meta, children):
        return n.Literal(*self._at(children[0]), False)

    def range(self, meta, children):
        return n.Range(*self._at(meta), children[0], children[1])

    def list(self, meta, children):
        return n.ListLiteral(*self._at(meta), children)

    def map(self, meta, children):
        return n.MapLiteral(*self._at(meta), children)

    def map_entry(self, meta, children):
        return (children[0], children[1])

    def binary(self, meta, children):
        left, op, right = children
        return n.Binary(*self._at(op), _OPERATORS[op.type], left, right)

    def negation(self, meta, children):
        return n.Not(*self._at(children[0]), children[1])


# Velocity 1.7 prints a #literal body, and an undefined block macro call, from their tokens:
# unparsed blocks stay, block comments go, line comments keep `##` and escapes lose their
# backslashes. In the block macro call, a `$` or `#` that starts nothing (a MORE token's
# prefix) is lost too.
_LITERAL = (r"(#\[\[.*?\]\]#)|#\*.*?\*#|##[^\r\n]*|(?<!\\)\\+(?=\$[!{a-zA-Z])"
            r"|(?<!\\)\\(?=#[{a-zA-Z])")
# in the body only: a `#` before a reference, a `$` the closing #end absorbs
_LITERAL_REBUILT = re.compile(_LITERAL + r"|#(?=\$!?[{a-zA-Z_])|\$\Z", re.DOTALL)
_BLOCK_CALL_REBUILT = re.compile(
    _LITERAL + r"|\$(?!!?[a-zA-Z_{#])!?|#(?!\{[a-zA-Z@][a-zA-Z0-9_@-]*\}|[a-zA-Z@*#\[])",
    re.DOTALL)


def _literal_rebuilt(m: re.Match) -> str:
    if m.group(1):
        return m.group(1)
    return "##" if m.group().startswith("##") else ""


def _is_variable(node: object) -> bool:
    return isinstance(node, n.Reference) and not node.suffixes
