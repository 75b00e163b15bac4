"""Template source → typed syntax tree: the lexer's tokens, the LALR tables Lark builds from
`grammar/vtl.lark`, and methods named after the grammar's rules that build nodes as rules are
reduced (no parse tree is built). Every node takes its position from a token.

The tables are Lark's, built from the grammar ahead of time and shipped beside it (as Lark's
standalone mode would); the loop that runs them is ours (`_parse_tokens`): Lark's own loop spends
most of a parse on its generality (Rule objects hashed and compared per reduction, a chain of
wrappers per callback, a parse-tree node per inlined rule), several times what the parse needs,
and a process that parses need not import Lark at all.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from . import nodes as n
from .dialect import Dialect
from .errors import VtlLimitError, VtlSyntaxError
from .lexer import Lexer, Token
from .limits import MAX_NESTING_DEPTH, MAX_NUMBER_DIGITS


def _grammar_file(name: str) -> Any:
    # In a checkout the grammar sits at the repository's top, beside the package; an installed
    # wheel carries it as the data package vtl_engine.grammar (see pyproject.toml).
    checkout = Path(__file__).resolve().parents[2] / "grammar" / name
    if checkout.is_file():
        return checkout
    return resources.files("vtl_engine.grammar").joinpath(name)


def grammar_text() -> str:
    return _grammar_file("vtl.lark").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    """The tables, read once per process from the file shipped beside the grammar
    (`vtl.tables.json`, made by `python tools/build_parse_tables.py`, checked by the tests to be
    the grammar's); built by Lark (~0.1 s with its import) only when the grammar has changed
    since."""
    grammar = grammar_text()
    try:
        data = orjson.loads(_grammar_file("vtl.tables.json").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        data = {}
    if data.get("grammar") != grammar_digest(grammar):
        data = table_data(grammar)
    return _Tables(data)


def grammar_digest(grammar: str) -> str:
    return hashlib.sha256(grammar.encode("utf-8")).hexdigest()


def table_data(grammar: str) -> dict:
    """Lark's LALR tables for `grammar` as plain data: for each state, what each terminal or
    rule name leads to (a state to shift or go to, ≥ 0, or ~the number of a rule to reduce);
    for each rule what _reducer needs; the start and end states; the grammar's digest.

    Read from Lark's own serialisation of a parser (`Lark.memo_serialize`, which `Lark.save`,
    `python -m lark.tools.serialize` and Lark's standalone generator write): the parse table
    as `{"tokens": {id: terminal}, "states": {state: {token id: (0, state) to shift or go to,
    or (1, rule) to reduce}}, "start_states", "end_states"}`, the rules as Lark's `Rule`
    fields, a rule or terminal held once in the memo and referred to as `{"@": id}`."""
    from lark import Lark
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    # the tokens come from our lexer, never from Lark's: the lexer is the least Lark builds
    lark = Lark(grammar, parser="lalr", lexer="basic", maybe_placeholders=False)
    data, memo = lark.memo_serialize([TerminalDef, Rule])
    table = data["parser"]["parser"]
    numbers = {reference["@"]: i for i, reference in enumerate(data["rules"])}
    terminals = table["tokens"]
    actions: list[dict[str, int]] = [{} for _ in table["states"]]
    for state, state_actions in table["states"].items():
        actions[state] = {terminals[token]: ~numbers[target["@"]] if reduce else target
                          for token, (reduce, target) in state_actions.items()}
    rules = []
    for reference in data["rules"]:
        rule = memo[reference["@"]]
        options, origin, alias = rule["options"], rule["origin"]["name"], rule["alias"]
        kept = tuple((i, symbol["__type__"] == "NonTerminal" and symbol["name"].startswith("_"))
                     for i, symbol in enumerate(rule["expansion"])
                     if options["keep_all_tokens"] or not symbol.get("filter_out"))
        rules.append((str(alias or origin), str(origin), len(rule["expansion"]), kept,
                      bool(options["expand1"] and not alias)))
    return {"grammar": grammar_digest(grammar), "actions": actions, "rules": rules,
            "start": table["start_states"]["start"], "end": table["end_states"]["start"]}


class _Tables:
    """The tables in the shape `_parse_tokens` reads: the actions of each state, and for each
    rule its length, name and reducer."""

    def __init__(self, data: dict) -> None:
        self.actions: list[dict[str, int]] = data["actions"]
        self.rules = [(size, origin, _reducer(name, size, tuple(map(tuple, kept)), expand1))
                      for name, origin, size, kept, expand1 in data["rules"]]
        self.start: int = data["start"]
        self.end: int = data["end"]


# After the last token: Lark's name for the end of input.
_END = Token("$END", "")


class _Unexpected(Exception):
    """A token the grammar does not allow where it stands (_END: the template ended early)."""

    def __init__(self, token: Token) -> None:
        self.token = token


def _parse_tokens(tokens: list[Token], nodes: _ToNodes) -> list[n.Node]:
    """Run the LALR tables over `tokens` (which gets _END appended), reducing rules to nodes as
    Lark's parser would. The current state is kept apart from the stack of those below it."""
    tables = _tables()
    actions, rules, end = tables.actions, tables.rules, tables.end
    state = tables.start
    below: list[int] = []
    values: list = []
    tokens.append(_END)
    for token in tokens:
        kind = token.type
        while True:
            action = actions[state].get(kind)
            if action is None:
                raise _Unexpected(token)
            if action >= 0:
                below.append(state)
                values.append(token)
                state = action
                break
            size, name, reduce = rules[~action]
            if reduce is _ONLY_CHILD:   # the value stays, and so do the states below
                pass
            elif reduce is _FIRST_ITEM:
                values[-1] = [values[-1]]
            elif reduce is _NEXT_ITEM:
                item = values.pop()
                values[-1].append(item)
                below.pop()
            elif size:
                children = values[-size:]
                del values[-size:]
                if size > 1:
                    del below[1 - size:]
                values.append(reduce(nodes, children))
            else:
                below.append(state)
                values.append(reduce(nodes, []))
            state = actions[below[-1]][name]
            if state == end:
                return values[-1]
    raise AssertionError("the tables never accepted the end of input")


# Reductions the loop does itself: a `?rule` of one child gives that child; a repetition starts
# a list with its first item and appends each next one (`__name_star_n: item | __name_star_n item`).
_ONLY_CHILD, _FIRST_ITEM, _NEXT_ITEM = object(), object(), object()


def _reducer(name: str, size: int, kept: tuple[tuple[int, bool], ...], expand1: bool) -> object:
    """What Lark's tree builder (LALR, no placeholders) would call when a rule is reduced: the
    method of _ToNodes named after the rule (`name`: its alias, or its name), given the rule's
    children that are `kept` (not filtered-out `_TOKENS`), with the children of inlined rules
    (`_name`, and the `__name_star_n` repetitions Lark makes) in their place. An inlined rule's
    value is its children's list; a `?rule` (`expand1`) without a method gives its only child."""
    unfiltered = len(kept) == size
    method = getattr(_ToNodes, name, None)
    if method is None and name.startswith("_"):
        if unfiltered and kept == ((0, False),):
            return _FIRST_ITEM
        if unfiltered and kept == ((0, True), (1, False)):
            return _NEXT_ITEM
        method = _children
    elif method is None and expand1 and len(kept) == 1:
        if unfiltered and kept == ((0, False),):
            return _ONLY_CHILD
        method = _only_child
    elif method is None or expand1:
        raise ValueError(f"rule {name} needs a method of the same name in parser._ToNodes")
    if unfiltered and not any(inlined for _, inlined in kept):
        return method

    def reduce(nodes: _ToNodes, children: list) -> object:
        values: list = []
        for i, inlined in kept:
            if not inlined:
                values.append(children[i])
            elif values:
                values += children[i]
            else:   # the repetitions' left recursion: keep growing the same list
                values = children[i]
        return method(nodes, values)

    return reduce


def _children(nodes: _ToNodes, children: list) -> list:
    return children


def _only_child(nodes: _ToNodes, children: list) -> object:
    return children[0]


_OPERATORS = {
    "OR": "||", "AND": "&&", "EQ": "==", "NE": "!=", "LT": "<", "LE": "<=", "GT": ">",
    "GE": ">=", "PLUS": "+", "MINUS": "-", "STAR": "*", "SLASH": "/", "PERCENT": "%",
}
# how tightly each binary operator binds
_PRECEDENCE = {
    "OR": 1, "AND": 2, "EQ": 3, "NE": 3, "LT": 4, "LE": 4, "GT": 4, "GE": 4,
    "PLUS": 5, "MINUS": 5, "STAR": 6, "SLASH": 6, "PERCENT": 6,
}
#: the token types of the binary operators
BINARY_OPERATORS = frozenset(_PRECEDENCE)
_OPENING = frozenset({"IF", "BLOCK_DIRECTIVE", "_LPAREN", "_LBRACKET", "_LBRACE", "_INDEX_OPEN"})
_CLOSING = frozenset({"END", "_RPAREN", "_RBRACKET", "_RBRACE", "_INDEX_CLOSE"})

_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_BAD_UNICODE_ESCAPE = re.compile(r"\\u(?![0-9a-fA-F]{4})")


def parse(source: str, dialect: Dialect, name: str | None = None) -> n.Template:
    """Parse a whole template; raises VtlSyntaxError with the line, column and a snippet. A
    template of the common shapes only is parsed in one pass (quickparse.py), to the same
    nodes; any other by `parse_full`."""
    common = parse_common(source)
    return common if common is not None else parse_full(source, dialect, name)


def parse_full(source: str, dialect: Dialect, name: str | None = None) -> n.Template:
    """Parse a whole template with the lexer and the LALR tables: any template, and every
    error with its message."""
    builder = _Builder(source, dialect, name)
    body = builder.parse_body(source, 0)
    builder.check_macro_calls()
    return n.Template(1, 1, body, builder.macros)


class _Builder:
    """One template's parse: runs lexer and parser over it and over the strings in it."""

    def __init__(self, source: str, dialect: Dialect, name: str | None) -> None:
        self.source = source
        self.dialect = dialect
        self.name = name
        self.macros: dict[str, n.MacroDef] = {}
        # (macro name, the first bare word among its arguments, the call's token) of each macro
        # call given a bare word, refused once the whole template is parsed if it defines that
        # macro (anywhere: Velocity 1.7 checks the calls after parsing)
        self.word_calls: list[tuple[str, str, Token]] = []

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
        if offset:
            # positions inside an interpolated string are reported at the string itself
            for token in tokens:
                token.line, token.column = line, column
        try:
            return _parse_tokens(tokens, _ToNodes(self, text, lexer.ends))
        except _Unexpected as e:
            raise self._syntax_error(e.token, text, offset, line, column) from None

    def check_macro_calls(self) -> None:
        """Refuse a call of a macro the template defines that passes it a bare word."""
        for macro, word, token in self.word_calls:
            if macro in self.macros:
                raise VtlSyntaxError(f"invalid argument {word!r} to #{token}", token.line,
                                     token.column, self.source, self.name)

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

    def _syntax_error(self, token: Token, text: str, offset: int, line: int,
                      column: int) -> VtlSyntaxError:
        if offset:
            return VtlSyntaxError("invalid template in a string literal", line, column,
                                  self.source, self.name)
        if token is _END:
            line_, column_ = _end_position(text)
            return VtlSyntaxError("unexpected end of template", line_, column_, text, self.name)
        return VtlSyntaxError(f"unexpected {_describe(token, text)}", token.line, token.column,
                              text, self.name)


def _end_position(text: str) -> tuple[int, int]:
    lines = text.splitlines() or [""]
    return len(lines), len(lines[-1]) + 1


_DESCRIPTIONS = {
    "_RPAREN": "')'", "_LPAREN": "'('", "_ASSIGN": "'='", "_COMMA": "','", "_COLON": "':'",
    "_DOUBLEDOT": "'..'", "_LBRACKET": "'['", "_RBRACKET": "']'", "_LBRACE": "'{'",
    "_RBRACE": "'}'", "END": "#end", "ELSE": "#else", "ELSEIF": "#elseif", "TEXT": "text",
}


def _describe(token: Token, text: str) -> str:
    if token.type in _DESCRIPTIONS:
        return _DESCRIPTIONS[token.type]
    if token.type in ("INTEGER", "FLOAT", "STRING", "WORD"):
        return f"{token.type.lower()} {token.value!r}"
    if token.type in ("REF", "REF_FORMAL"):
        return repr(_prefix(token, text))
    return repr(str(token.value))


def _at(token: Token) -> tuple[int, int]:
    return token.line, token.column


def _prefix(reference: Token, text: str) -> str:
    """What a REF or REF_FORMAL token holds before the name (`$`, `\\$!{`, …)."""
    return text[reference.start_pos:reference.end_pos - len(reference.value)]


class _ToNodes:
    """Rule matches → nodes, for one text being parsed (the template, or a string in it), called
    as rules are reduced. Methods are named after the grammar's rules; each receives the rule's
    children (nodes, and the tokens the grammar keeps). Every rule is looked up by name, inlined
    `_rules` too: helpers must not share a rule's name."""

    def __init__(self, builder: _Builder, text: str, ends: dict[int, int]) -> None:
        self.builder = builder
        self.text = text
        self.ends = ends   # the lexer's end offsets of references and directives

    def _error(self, message: str, token: Token) -> VtlSyntaxError:
        builder = self.builder
        return VtlSyntaxError(message, token.line, token.column, builder.source, builder.name)

    # ---- statements ----------------------------------------------------------------------------

    def block(self, children):
        return [self._as_statement(c) for c in children]

    def _as_statement(self, child):  # noqa: ANN001
        if isinstance(child, n.StringLiteral):   # a reference that is only text
            return n.Text(child.line, child.column, child.value)
        if isinstance(child, Token):
            line, column = _at(child)
            if child.type == "TEXT":
                return n.Text(line, column, str(child))
            return n.Stop(line, column)   # STOP
        return child

    def set_directive(self, children):
        token, target, value = children
        if not isinstance(target, n.Reference):
            raise self._error("#set needs a reference on the left of '='", token)
        return n.Set(*_at(token), target, value)

    def if_directive(self, children):
        token, condition, body, *rest = children
        branches = [(condition, body)]
        otherwise = None
        for clause in rest:
            if isinstance(clause, tuple):
                branches.append(clause)
            elif isinstance(clause, list):
                otherwise = clause
        return n.If(*_at(token), branches, otherwise)

    def elseif_clause(self, children):
        return (children[1], children[2])

    def else_clause(self, children):
        return children[1]

    def _no_words(self, token: Token, args: list, allowed: tuple[int, ...] = ()) -> None:
        """Velocity 1.7 rejects a bare word among a directive's arguments, except where the
        directive takes one (#foreach's `in`, #macro's name)."""
        for i, arg in enumerate(args):
            if isinstance(arg, n.Word) and i not in allowed:
                raise self._error(f"invalid argument {arg.name!r} to #{token}", token)

    def _no_words_to_macro(self, macro: str, token: Token, args: list) -> None:
        """A macro call's bare word is refused if the template defines the macro (known once
        it is all parsed); where macros cannot be defined, the call is text and may hold any."""
        if self.builder.dialect.inline_macros:
            words = [arg.name for arg in args if isinstance(arg, n.Word)]
            if words:
                self.builder.word_calls.append((macro, words[0], token))

    def block_directive(self, children):
        token, *args, body, _end = children
        name = str(token)
        at = _at(token)
        if name.startswith("@"):
            self._no_words_to_macro(name[1:], token, args)
        else:
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
            self.builder.macros.setdefault(macro.name, macro)   # the first wins
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

    def line_directive(self, children):
        token, *args = children
        name = str(token)
        at = _at(token)
        known = self.builder.dialect.directives.line
        if name in known:
            self._no_words(token, args)
        else:
            self._no_words_to_macro(name, token, args)
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

    def bare_directive(self, children):
        token = children[0]
        name = str(token)
        at = _at(token)
        if name == "break":
            return n.Break(*at)
        directives = self.builder.dialect.directives
        if name in directives.block or name == "evaluate" and name in directives.line:
            raise self._error(f"#{name} needs its arguments in parentheses", token)
        if name == "include" and name in directives.line:
            return n.Text(*at, "")   # Velocity 1.7 includes nothing
        if name == "parse" and name in directives.line:
            return n.Include(*at, name, [])   # fails at render time, as in 1.7
        source = self.text[token.start_pos:self.ends.get(token.start_pos, token.end_pos)]
        if name.startswith("@"):   # a block macro call needs parentheses: without, it is text
            return n.Text(*at, source)
        return n.MacroCall(*at, name, [], source)   # `#{name}` prints as written

    # ---- references ----------------------------------------------------------------------------

    def reference(self, children):
        head, *suffixes = children
        ident = str(head)
        prefix = _prefix(head, self.text)
        escapes = len(prefix) - len(prefix.lstrip("\\"))
        if "\\!" in prefix:
            # `$\!name…` is no reference for Velocity 1.7: it prints `$!name` (one backslash
            # fewer), whatever follows the name, and evaluates nothing
            dollar = prefix.index("$")
            shown = prefix[:dollar + 1] + prefix[dollar + 2:].replace("{", "") + ident
            return n.StringLiteral(*_at(head), shown)
        start = head.start_pos + escapes
        end = self.ends.get(head.start_pos, head.end_pos)
        suffixes = [n.Property(*_at(suffix), str(suffix)) if isinstance(suffix, Token) else suffix
                    for suffix in suffixes]   # a PROP token, or a Method or Index node
        return n.Reference(*_at(head), ident, suffixes, self.text[start:end],
                           quiet="!" in prefix, escapes=escapes)

    def method(self, children):
        name, *args = children
        return n.Method(*_at(name), str(name), args)

    def index(self, children):
        opening, key, _closing = children   # `!index`: the brackets are kept
        if isinstance(key, Token):   # the grammar takes the key's tokens bare
            key = {"STRING": self.string, "INTEGER": self.integer, "TRUE": self.true,
                   "FALSE": self.false}[key.type]([key])
        return n.Index(*_at(opening), key)

    # ---- values ----------------------------------------------------------------------------------

    def word(self, children):
        return n.Word(*_at(children[0]), str(children[0]))

    def string(self, children):
        token = children[0]
        at = _at(token)
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
        body = self.builder.parse_body(content + " ", token.start_pos + 1, *at)
        return n.StringLiteral(*at, content, body, trim_last="##" not in content)

    def _unicode_escapes(self, content: str, token: Token) -> str:
        r"""Decode `\uXXXX` as Java does (UTF-16 halves pair up into one character)."""
        if "\\u" not in content:
            return content
        if _BAD_UNICODE_ESCAPE.search(content):
            raise self._error("\\u in a string must be followed by four hex digits", token)
        decoded = _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), content)
        return decoded.encode("utf-16", "surrogatepass").decode("utf-16", "replace")

    def integer(self, children):
        digits = children[0]
        if len(digits) > MAX_NUMBER_DIGITS:
            builder = self.builder
            raise VtlLimitError("max_number_digits", MAX_NUMBER_DIGITS, *_at(digits),
                                builder.source, builder.name)
        return n.Literal(*_at(digits), int(digits))

    def float(self, children):
        return n.Literal(*_at(children[0]), float(children[0]))

    def true(self, children):
        return n.Literal(*_at(children[0]), True)

    def false(self, children):
        return n.Literal(*_at(children[0]), False)

    def range(self, children):
        start, end = _nodes(children)
        return n.Range(*_at(children[0]), start, end)

    def list(self, children):
        return n.ListLiteral(*_at(children[0]), _nodes(children))

    def map(self, children):
        return n.MapLiteral(*_at(children[0]), _nodes(children))

    def map_entry(self, children):
        return (children[0], children[1])

    def expression(self, children):
        return binary_tree(children)

    def negation(self, children):
        return n.Not(*_at(children[0]), children[1])


def binary_tree(children: list) -> n.Expr:
    """Operands and the operators between them (tokens, or anything with their `type`, `line`
    and `column`) → nested Binary nodes: an operator waits on a stack until one that binds no
    tighter follows (all are left-associative)."""
    if len(children) == 1:
        return children[0]
    operands, operators = [children[0]], []
    for i in range(1, len(children), 2):
        operator = children[i]
        while operators and _PRECEDENCE[operators[-1].type] >= _PRECEDENCE[operator.type]:
            _apply(operands, operators.pop())
        operators.append(operator)
        operands.append(children[i + 1])
    while operators:
        _apply(operands, operators.pop())
    return operands[0]


def _apply(operands: list, operator: Token) -> None:
    right = operands.pop()
    operands[-1] = n.Binary(operator.line, operator.column, _OPERATORS[operator.type],
                            operands[-1], right)


def _nodes(children: list) -> list:
    """The values among a rule's children: `!` rules (index, range, list, map) keep their
    punctuation, whose first token gives the node its position."""
    return [child for child in children if not isinstance(child, Token)]


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


from .quickparse import parse_common  # noqa: E402 - it builds on this module, so it comes last
