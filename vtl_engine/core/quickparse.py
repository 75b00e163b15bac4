"""The common shapes of templates, parsed in one pass from text to nodes.

`parser.parse_full` runs the lexer (lexer.py), then the LALR tables of grammar/vtl.lark over its
tokens: all of VTL, with Velocity 1.7's errors, at a few microseconds a token, which the first
render of a new template waits for. Most mapping templates are made of a few shapes only: text,
comments, references with properties and method calls whose arguments are literals or
references, #set, #if/#elseif/#else and #foreach with expressions of references, literals (lists,
ranges, maps, strings with references in them) and operators, #break and #stop. `parse_common`
reads a template made only of those straight into the nodes the full parse builds, without
tokens, about three times faster. It reads the text with the lexer's own patterns and follows
the lexer's states step by step (each method names the lexer method it follows). At anything
else (an escape, an index, a list or map among a method's arguments, a macro, #define, and any
error at all) it gives up, and the full parse takes the template, with its messages.
tests/core/test_quickparse.py checks that both give the same nodes on every corpus we have.
"""
from __future__ import annotations

import re
from bisect import bisect_right

from . import nodes as n
from .lexer import (
    _BRACKETED_WORD,
    _DIRECTIVE_WORD,
    _FLOAT,
    _GHOST_REFERENCE,
    _IDENTIFIER,
    _INTEGER,
    _INTEGER_RANGE,
    _LINE_END,
    _LINE_END_OR_EOF,
    _PAREN_AHEAD,
    _SET,
    _STRING,
    _SYMBOLS,
    _TEXT,
    _WHITESPACE,
    _WORD,
    _WORD_OPERATORS,
    _starts_argument,
)
from .limits import MAX_NESTING_DEPTH, MAX_NUMBER_DIGITS
from .parser import BINARY_OPERATORS, binary_tree


class _NotCommon(Exception):
    """The template holds something this module leaves to the full parse."""


# a directive's name after `#` (lexer._hash: `#{name}`, else `#name`)
_DIRECTIVE_NAME = re.compile(f"#(?:{_BRACKETED_WORD.pattern}|({_WORD.pattern}))")
# `$name`, `$!name`, `${name`, `$!{name`: a reference's start (lexer._reference), without the
# escapes and `${$name` that it leaves to the full parse
_HEAD = re.compile(rf"\$(!?)(\{{?)({_IDENTIFIER.pattern})")
# `.name` after a reference: a property, or a method if `(` follows (lexer._modifiers)
_SUFFIX = re.compile(rf"\.(?=[a-zA-Z])({_IDENTIFIER.pattern})")
# the commonest references in one match: up to three properties and method calls without
# arguments or with one single-quoted string (no quote, no line end in it), and nothing after
# them that could continue the reference (a `(`, `[`, `.name`), begin a ghost reference (`{`)
# or a `##` the lexer takes for text; anything else is read step by step (`reference`). The
# group is atomic: a name is never shortened, nor a suffix dropped, to make the end fit.
_SIMPLE_SUFFIX = rf"(?:\.(?=[a-zA-Z])({_IDENTIFIER.pattern})(\((?:'([^'\r\n]*)')?\))?)?"
_SIMPLE_REFERENCE = re.compile(
    rf"\$(!?)(\{{)?(?>({_IDENTIFIER.pattern}){_SIMPLE_SUFFIX * 3})"
    r"(?(2)\}|(?![(\[{]|\.[a-zA-Z]|##))")
# the groups of each suffix in _SIMPLE_REFERENCE: its name, its parentheses, its argument
_SIMPLE_SUFFIX_GROUPS = (4, 7, 10)
_BLANKS = " \t\r\n"
_LINE_BREAK = re.compile(r"\r\n|\n|\r")


def parse_common(source: str) -> n.Template | None:
    """The template's nodes, as parser.parse builds them; None when the template holds more
    than the common shapes (or is not valid VTL), which the full parse then handles."""
    try:
        body, closed_by = _Parser(source).statements(False)
    except _NotCommon:
        return None
    if closed_by is not None:   # an #end, #else or #elseif without its #if
        return None
    return n.Template(1, 1, body, {})


class _Operator:
    """An operator or bracket in a directive's parentheses: its token type (`AND`, `EQ`,
    `_LPAREN`, …) and position, all that parser.binary_tree reads of a token."""

    __slots__ = ("type", "line", "column")

    def __init__(self, kind: str, line: int, column: int) -> None:
        self.type = kind
        self.line = line
        self.column = column


class _Parser:
    """One template's parse. `pos` is where the lexer would start its next token; `depth`
    counts what parser._check_nesting counts (open blocks and brackets)."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.depth = 0
        # where each line starts (lexer._Position)
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(source)]

    def at(self, pos: int) -> tuple[int, int]:
        """The line and column of offset `pos`."""
        starts = self.starts
        line = bisect_right(starts, pos)
        return line, pos - starts[line - 1] + 1

    def open(self) -> None:
        """An #if, #foreach or bracket opens: refused past the nesting limit, as the full
        parse refuses it."""
        self.depth += 1
        if self.depth > MAX_NESTING_DEPTH:
            raise _NotCommon

    # ---- the DEFAULT state (lexer.tokens, lexer._hash) ------------------------------------

    def statements(self, in_if: bool) -> tuple[list[n.Node], str | None]:
        """Statements from self.pos up to the end of the text, or to the #end, #else or
        #elseif that ends the block being read; returns them and that directive's name."""
        src, length, starts = self.src, len(self.src), self.starts
        body: list[n.Node] = []
        text: list[str] = []   # adjacent text (the lexer's TEXT tokens, which it merges)
        text_start = 0
        pos = self.pos
        while pos < length:
            c = src[pos]
            if c == "#":
                m = _DIRECTIVE_NAME.match(src, pos)
                if m is None:   # a comment, an unparsed block, or a `#` that is text
                    shown, end = self.comment_or_text(pos)
                    if shown:
                        if not text:
                            text_start = pos
                        text.append(shown)
                    pos = end
                    continue
                name = m.group(1) or m.group(2)
                if name == "set":
                    m = _SET.match(src, pos)
                    if m is None:
                        raise _NotCommon
            elif c == "\\":
                raise _NotCommon
            elif c == "$":
                m = _SIMPLE_REFERENCE.match(src, pos)
                if m is not None and self.depth < MAX_NESTING_DEPTH:
                    if text:
                        line = bisect_right(starts, text_start)
                        body.append(n.Text(line, text_start - starts[line - 1] + 1,
                                           "".join(text)))
                        text = []
                    body.append(self.simple_reference(m))
                    pos = self.pos
                    continue
                m = None
            elif (c == " " or c == "\t") and (m := _SET.match(src, pos)) is not None:
                name = "set"   # the blanks where a token starts go with `#set(`
            else:
                m = _TEXT.match(src, pos)
                if not text:
                    text_start = pos
                text.append(m.group())
                pos = m.end()
                continue
            if text:
                line = bisect_right(starts, text_start)
                body.append(n.Text(line, text_start - starts[line - 1] + 1, "".join(text)))
                text = []
            if m is None:
                self.pos = pos
                body.append(self.reference(pos, False))
            elif name == "set":
                self.pos = m.end() - 1
                body.append(self.set_directive(pos))
            else:
                self.pos = m.end()
                closed_by = self.directive(name, pos, body, in_if)
                if closed_by is not None:
                    return body, closed_by
            pos = self.pos
        if text:
            line = bisect_right(starts, text_start)
            body.append(n.Text(line, text_start - starts[line - 1] + 1, "".join(text)))
        self.pos = pos
        return body, None

    def comment_or_text(self, start: int) -> tuple[str, int]:
        """At a `#` that starts no directive: a comment (showing nothing), `#[[…]]#` or a `#`
        that is text, as (what it shows, where it ends)."""
        src = self.src
        two = src[start:start + 2]
        if two == "##":
            nl = _LINE_END_OR_EOF.search(src, start)
            if nl.start() == len(src):   # the lexer checks how a last line comment ends
                raise _NotCommon
            return "", nl.end()
        if two == "#*":
            close = src.find("*#", start + 2)
            if close < 0:
                raise _NotCommon
            return "", close + 2
        if src.startswith("#[[", start):
            close = src.find("]]#", start + 3)
            if close < 0:
                raise _NotCommon
            return src[start + 3:close], close + 3
        if start + 1 == len(src):
            raise _NotCommon
        return "#", start + 1

    def directive(self, name: str, start: int, body: list[n.Node], in_if: bool) -> str | None:
        """The directive `#name` at `start` (lexer._control, lexer._pluggable; self.pos after
        its name) added to `body`; or the name of the #end, #else or #elseif that ends the block
        being read."""
        src, end = self.src, self.pos
        if name == "end" or name == "else":
            if name == "else" and not in_if:
                raise _NotCommon
            m = _LINE_END.match(src, end)
            if m is not None:
                self.pos = m.end()
            if name == "end":
                self.depth -= 1
            return name
        if name == "elseif":
            if not in_if:
                raise _NotCommon
            return name
        if name == "stop":
            body.append(n.Stop(*self.at(start)))
            return None
        paren = _PAREN_AHEAD.match(src, end)
        if name == "if" and paren is not None:
            self.pos = paren.end() - 1
            body.append(self.if_directive(start))
        elif name == "foreach" and paren is not None:
            self.pos = paren.end() - 1
            body.append(self.foreach(start))
        elif name == "break" and paren is None:
            body.append(n.Break(*self.at(start)))
        else:
            raise _NotCommon
        return None

    # ---- directives ------------------------------------------------------------------------------

    def set_directive(self, start: int) -> n.Set:
        """`#set(` from `start` (its blanks included); self.pos at the `(`."""
        items = self.directive_items()
        if len(items) < 3 or items[0].__class__ is not n.Reference \
                or items[1].__class__ is not _Operator or items[1].type != "_ASSIGN":
            raise _NotCommon
        return n.Set(*self.at(start), items[0], self.expression(items, 2))

    def if_directive(self, start: int) -> n.If:
        """`#if` at `start`, self.pos at its `(`; its #elseif and #else, up to its #end."""
        self.open()
        at = self.at(start)
        branches = []
        while True:
            condition = self.expression(self.directive_items(), 0)
            body, closed_by = self.statements(True)
            branches.append((condition, body))
            if closed_by != "elseif":
                break
            paren = _PAREN_AHEAD.match(self.src, self.pos)
            if paren is None:
                raise _NotCommon
            self.pos = paren.end() - 1
        otherwise = None
        if closed_by == "else":
            otherwise, closed_by = self.statements(False)
        if closed_by != "end":
            raise _NotCommon
        return n.If(*at, branches, otherwise)

    def foreach(self, start: int) -> n.Foreach:
        """`#foreach` at `start`, self.pos at its `(` (parser's block_directive): `($item in
        iterable)`, each argument after an optional comma, and the body up to its #end."""
        self.open()
        items, args, i = self.directive_items(), [], 0
        while i < len(items):
            if items[i].__class__ is _Operator and items[i].type == "_COMMA":
                i += 1
            if i < len(items) and items[i].__class__ is n.Word:
                args.append(items[i])
                i += 1
            else:
                arg, i = self.value(items, i)
                args.append(arg)
        if not (2 <= len(args) <= 3) or args[0].__class__ is not n.Reference \
                or args[0].suffixes or args[1].__class__ is not n.Word \
                or args[-1].__class__ is n.Word and len(args) == 3:
            raise _NotCommon
        body, closed_by = self.statements(False)
        if closed_by != "end":
            raise _NotCommon
        at = self.at(start)
        iterable = args[2] if len(args) == 3 else n.Literal(*at, None)
        return n.Foreach(*at, args[0].name, iterable, body)

    def directive_items(self) -> list:
        """A directive's parentheses, from the `(` at self.pos (lexer._directive_expression):
        literals and references as nodes, words as Word nodes, the rest as _Operators; self.pos
        after the closing `)` and the blanks and line end it swallows."""
        src, length = self.src, len(self.src)
        pos = self.pos + 1
        self.open()
        items: list = []
        opened = 1
        while True:
            if pos >= length:
                raise _NotCommon
            c = src[pos]
            if c in _BLANKS:
                pos += 1
                if pos < length and src[pos] in _BLANKS:
                    pos = _WHITESPACE.match(src, pos).end()
                if src.startswith("]", pos) and _is(items, len(items) - 1, "_LBRACKET"):
                    raise _NotCommon   # `[ ]`, which the lexer refuses
            elif c == "$":
                self.pos = pos
                items.append(self.reference(pos, True))
                pos = self.pos
            elif c == ")":
                self.depth -= 1
                opened -= 1
                pos += 1
                if opened == 0:
                    m = _LINE_END.match(src, pos)
                    self.pos = m.end() if m is not None else pos
                    return items
                items.append(_Operator("_RPAREN", 0, 0))
            elif c == "(":
                self.open()
                items.append(_Operator("_LPAREN", 0, 0))
                opened += 1
                pos += 1
            elif c == "'" or c == '"':
                string, pos = self.string(pos)
                items.append(string)
            elif c.isascii() and c.isalpha() or c == "_":
                word = _DIRECTIVE_WORD.match(src, pos).group()
                kind = _WORD_OPERATORS.get(word, "WORD")
                if kind == "WORD":
                    items.append(n.Word(*self.at(pos), word))
                elif kind == "TRUE" or kind == "FALSE":
                    items.append(n.Literal(*self.at(pos), kind == "TRUE"))
                else:
                    items.append(_Operator(kind, *self.at(pos)))
                pos += len(word)
            else:
                number = None
                if c.isdigit() or c in "-." and pos + 1 < length and (
                        src[pos + 1].isdigit() or c == "-" and src[pos + 1] == "."):
                    number = self.number(pos)
                if number is not None:
                    items.append(number)
                    pos = self.pos
                    continue
                kind = _SYMBOLS.get(src[pos:pos + 2])   # (lexer._symbol)
                size = 2
                if kind is None:
                    kind = _SYMBOLS.get(c)
                    size = 1
                    if kind is None:
                        raise _NotCommon
                    if c == "[" or c == "{":
                        self.open()
                    elif c == "]" or c == "}":
                        self.depth -= 1
                items.append(_Operator(kind, *self.at(pos)))
                pos += size

    def expression(self, items: list, first: int) -> n.Expr:
        """The expression that `items[first:]` make, all of them (grammar: expression)."""
        node, end = self.binary(items, first)
        if end != len(items):
            raise _NotCommon
        return node

    def binary(self, items: list, i: int) -> tuple[n.Expr, int]:
        """Operands and the binary operators between them from items[i], as the parser's
        `expression` builds them; and the index after them."""
        operand, i = self.operand(items, i)
        children = [operand]
        count = len(items)
        while i < count and items[i].__class__ is _Operator \
                and items[i].type in BINARY_OPERATORS:
            operand, after = self.operand(items, i + 1)
            children += (items[i], operand)
            i = after
        return binary_tree(children), i

    def operand(self, items: list, i: int) -> tuple[n.Expr, int]:
        """A reference, a literal, `!` and an operand, or an expression in parentheses."""
        if i >= len(items):
            raise _NotCommon
        item = items[i]
        kind = item.__class__
        if kind is not _Operator and kind is not n.Word:
            return item, i + 1
        if kind is _Operator and item.type == "NOT":
            operand, i = self.operand(items, i + 1)
            return n.Not(item.line, item.column, operand), i
        if kind is _Operator and item.type == "_LPAREN":
            node, i = self.binary(items, i + 1)
            if i >= len(items) or items[i].__class__ is not _Operator \
                    or items[i].type != "_RPAREN":
                raise _NotCommon
            return node, i + 1
        return self.value(items, i)

    def value(self, items: list, i: int) -> tuple[n.Expr, int]:
        """A reference or a value (grammar: `reference | value`) from items[i]: what a list,
        a map and a directive's arguments hold."""
        if i >= len(items):
            raise _NotCommon
        item = items[i]
        kind = item.__class__
        if kind is not _Operator:
            if kind is n.Word:
                raise _NotCommon
            return item, i + 1
        if item.type == "_LBRACKET":
            return self.list_or_range(items, i)
        if item.type == "_LBRACE":
            return self.map(items, i)
        raise _NotCommon

    def list_or_range(self, items: list, i: int) -> tuple[n.Expr, int]:
        """`[a, b]` or `[a..b]` from the `[` at items[i] (grammar: list, range)."""
        opening = items[i]
        if _is(items, i + 1, "_RBRACKET"):
            return n.ListLiteral(opening.line, opening.column, []), i + 2
        first, i = self.value(items, i + 1)
        if _is(items, i, "_DOUBLEDOT"):
            end, i = self.value(items, i + 1)
            if not (_is_bound(first) and _is_bound(end) and _is(items, i, "_RBRACKET")):
                raise _NotCommon
            return n.Range(opening.line, opening.column, first, end), i + 1
        elements = [first]
        while _is(items, i, "_COMMA"):
            element, i = self.value(items, i + 1)
            elements.append(element)
        if not _is(items, i, "_RBRACKET"):
            raise _NotCommon
        return n.ListLiteral(opening.line, opening.column, elements), i + 1

    def map(self, items: list, i: int) -> tuple[n.Expr, int]:
        """`{k: v, …}` from the `{` at items[i] (grammar: map, map_entry)."""
        opening, entries = items[i], []
        i += 1
        if not _is(items, i, "_RBRACE"):
            while True:
                key, i = self.value(items, i)
                if not _is(items, i, "_COLON"):
                    raise _NotCommon
                value, i = self.value(items, i + 1)
                entries.append((key, value))
                if not _is(items, i, "_COMMA"):
                    break
                i += 1
            if not _is(items, i, "_RBRACE"):
                raise _NotCommon
        return n.MapLiteral(opening.line, opening.column, entries), i + 1

    # ---- values --------------------------------------------------------------------------------

    def string(self, start: int) -> tuple[n.StringLiteral, int]:
        """The string literal at `start` (lexer._string, parser's `string`), and where it
        ends."""
        m = _STRING.match(self.src, start)
        if m is None:
            raise _NotCommon
        image, end = m.group(), m.end()
        line, column = self.at(start)
        if image[0] == "'":
            return n.StringLiteral(line, column, image[1:-1].replace("''", "'")), end
        if "\\u" in image:
            raise _NotCommon   # escapes to decode
        content = image[1:-1].replace('""', '"')
        if "$" not in image and "#" not in image:
            return n.StringLiteral(line, column, content), end
        # interpolated: parsed with a space appended, every node at the string's position
        body, closed_by = _Parser(content + " ").statements(False)
        if closed_by is not None:
            raise _NotCommon
        for node in n.walk(body):
            node.line, node.column = line, column
        return n.StringLiteral(line, column, content, body, trim_last="##" not in content), end

    def number(self, pos: int) -> n.Literal | None:
        """The number literal at `pos` (lexer._directive_expression), self.pos after it; None
        where the lexer reads no number."""
        src = self.src
        i = _INTEGER_RANGE.match(src, pos)   # a range's first bound
        f = None if i else _FLOAT.match(src, pos)
        i = i or _INTEGER.match(src, pos)
        if f and (not i or f.end() > i.end()):
            self.pos = f.end()
            return n.Literal(*self.at(pos), float(f.group()))
        if i:
            if i.end() - pos > MAX_NUMBER_DIGITS:
                raise _NotCommon
            self.pos = i.end()
            return n.Literal(*self.at(pos), int(i.group()))
        return None

    # ---- references (lexer._reference, lexer._modifiers) -----------------------------------------

    def reference(self, start: int, inside: bool) -> n.Reference:
        """The reference at `start` (a `$`), inside a directive's or method's parentheses or
        not; self.pos after it."""
        src, starts = self.src, self.starts
        simple = _SIMPLE_REFERENCE.match(src, start)
        if simple is not None and self.depth < MAX_NESTING_DEPTH:
            return self.simple_reference(simple)
        head = _HEAD.match(src, start)
        if head is None:
            raise _NotCommon
        name = head[3]
        if name == "true" or name == "false":
            raise _NotCommon
        line = bisect_right(starts, start)
        column = start - starts[line - 1] + 1
        suffixes: list[n.Suffix] = []
        pos = head.end()
        after_property = False
        while True:
            m = _SUFFIX.match(src, pos)
            if m is None:
                break
            end = m.end()
            if src.startswith("(", end) and _starts_argument(src, end + 1):
                at = self.at(pos + 1)
                self.pos = end
                suffixes.append(n.Method(*at, m[1], self.arguments()))
                pos = self.pos
                after_property = False
            else:
                suffixes.append(n.Property(*self.at(pos + 1), m[1]))
                pos = end
                after_property = True
        if src.startswith("[", pos):
            raise _NotCommon
        if head[2]:   # `${`: its `}`
            if not src.startswith("}", pos):
                raise _NotCommon
            pos += 1
        elif not inside and (after_property and src.startswith("##", pos)
                             or src.startswith("{", pos) and _GHOST_REFERENCE.match(src, pos)):
            raise _NotCommon
        self.pos = pos
        return n.Reference(line, column, name, suffixes, src[start:pos], head[1] == "!")

    def simple_reference(self, m: re.Match) -> n.Reference:
        """The reference _SIMPLE_REFERENCE matched (on one line); self.pos after it."""
        name = m[3]
        if name == "true" or name == "false":
            raise _NotCommon
        start = m.start()
        starts = self.starts
        line = bisect_right(starts, start)
        offset = starts[line - 1] - 1   # a column is an offset less this
        suffixes: list[n.Suffix] = []
        for group in _SIMPLE_SUFFIX_GROUPS:
            suffix = m[group]
            if suffix is None:
                break
            if m[group + 1] is None:
                suffixes.append(n.Property(line, m.start(group) - offset, suffix))
            else:
                argument = m[group + 2]
                arguments = [] if argument is None else [
                    n.StringLiteral(line, m.start(group + 2) - 1 - offset, argument)]
                suffixes.append(n.Method(line, m.start(group) - offset, suffix, arguments))
        self.pos = m.end()
        return n.Reference(line, start - offset, name, suffixes, m.group(), m[1] == "!")

    def arguments(self) -> list[n.Expr]:
        """A method's arguments from the `(` at self.pos (lexer._directive_expression with
        `arguments`): literals and references, a comma between each two; self.pos after the
        `)`."""
        src, length = self.src, len(self.src)
        pos = self.pos + 1
        self.open()
        args: list[n.Expr] = []
        comma = False   # whether a comma came after the last argument
        while True:
            if pos >= length:
                raise _NotCommon
            c = src[pos]
            if c in _BLANKS:
                pos = _WHITESPACE.match(src, pos).end()
                continue
            if c == ")":
                if comma:
                    raise _NotCommon
                self.depth -= 1
                self.pos = pos + 1
                return args
            if c == ",":
                if comma or not args:
                    raise _NotCommon
                comma = True
                pos += 1
                continue
            if args and not comma:
                raise _NotCommon   # two arguments without a comma between them
            comma = False
            if c == "'" or c == '"':
                string, pos = self.string(pos)
                args.append(string)
            elif c == "$":
                self.pos = pos
                args.append(self.reference(pos, True))
                pos = self.pos
            elif c.isdigit() or c in "-." and pos + 1 < length and (
                    src[pos + 1].isdigit() or c == "-" and src[pos + 1] == "."):
                number = self.number(pos)
                if number is None:
                    raise _NotCommon
                args.append(number)
                pos = self.pos
            elif c == "t" or c == "f":
                word = _DIRECTIVE_WORD.match(src, pos).group()
                if word != "true" and word != "false":
                    raise _NotCommon   # a bare word: the lexer reads a reference there
                args.append(n.Literal(*self.at(pos), word == "true"))
                pos += len(word)
            else:
                raise _NotCommon


def _is(items: list, i: int, kind: str) -> bool:
    """Whether items[i] is the operator or bracket `kind`."""
    return i < len(items) and items[i].__class__ is _Operator and items[i].type == kind


def _is_bound(node: n.Expr) -> bool:
    """What a range's bound may be: a reference or an integer (grammar: range)."""
    return node.__class__ is n.Reference or node.__class__ is n.Literal \
        and node.value.__class__ is int
