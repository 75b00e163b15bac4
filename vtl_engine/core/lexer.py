"""VTL's lexer: splits a template into the tokens `grammar/vtl.lark` is written over.

VTL's tokens depend on context: `(` is text in prose, a parenthesis after `#if`, an argument list
after `$a.b`; whitespace before `#set(` vanishes only where a new token starts; `#end` swallows the
rest of its line but `#if` does not swallow its indentation. Velocity 1.7 does this with a JavaCC
lexer of lexical states (DEFAULT, REFERENCE, REFMODIFIER, REFMOD2, REFINDEX, PRE_DIRECTIVE,
DIRECTIVE) whose rules decide the output's whitespace. This module reproduces those states as
methods (`tokens`, `_hash`, `_reference`, `_index`, `_directive_expression`), so the grammar
only has to describe structure. Text the lexer resolves itself (escapes, `#[[…]]#`, `#` and `$`
that start nothing) leaves it as TEXT tokens holding the exact output; comments leave nothing.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import VtlLimitError, VtlSyntaxError
from .limits import MAX_NESTING_DEPTH


class Token(str):
    """A token: its text (the str itself, and `value`), its `type` (a terminal of the grammar),
    where it starts (`start_pos`, and `line` and `column`, from 1) and where it ends
    (`end_pos`). Lark's Token has the same attributes; the parser runs the tables Lark builds
    from the grammar over these, so parsing never imports Lark (see parser._tables)."""

    type: str
    value: str
    start_pos: int | None
    line: int | None
    column: int | None
    end_pos: int | None

    def __new__(cls, type_: str, value: str, start_pos: int | None = None,
                line: int | None = None, column: int | None = None,
                end_pos: int | None = None) -> Token:
        token = str.__new__(cls, value)
        token.__dict__ = {"type": type_, "value": value, "start_pos": start_pos,
                          "end_pos": end_pos, "line": line, "column": column}
        return token


# ---- what tokens look like -------------------------------------------------------------------

# text, and what ends it
_TEXT = re.compile(r"[^$#\\]+")
_BACKSLASHES = re.compile(r"\\*")
# `#set(` with the blanks before it: a new token after any non-TEXT token (JavaCC's longest match)
_SET = re.compile(r"[ \t]*#(?:set|\{set\}) *\(")
_SET_FIRST = " \t#"   # what _SET can start with (most tokens start otherwise)
_LINE_END = re.compile(r"[ \t]*(?:\r\n|\n|\r)")
_LINE_END_OR_EOF = re.compile(r"\r\n|\n|\r|\Z")
_WHITESPACE = re.compile(r"[ \t\r\n]+")
_PAREN_AHEAD = re.compile(r"[ \t\r\n]*\(")

# Names. Velocity 1.7 has one kind for each place a name stands: a directive's (`#name`,
# `#{name}`), a reference's and its properties' and methods' (which may hold `-`), a bare word
# in a directive's arguments (which may not).
_WORD = re.compile(r"[a-zA-Z_@][a-zA-Z0-9_@]*")
_BRACKETED_WORD = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_@]*)\}")
_IDENTIFIER = re.compile(r"[a-zA-Z_][a-zA-Z0-9_-]*")
_DIRECTIVE_WORD = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")

# references
_BANG = re.compile(r"\\*!")
_DOLLAR_IDENTIFIER = re.compile(r"\$[a-zA-Z_][a-zA-Z0-9_-]*")
_GHOST_REFERENCE = re.compile(r"\{\$?!?(?=[a-zA-Z_])")
# A `$` that starts no reference is a MORE token in Velocity 1.7: it becomes part of the next
# token. Before the directive tokens of the REFERENCE state (#set, #if, #elseif, #else, #end and
# block comments) it vanishes into them; before any other `#name` the whole `$#name` is text.
_DOLLAR_RUN = r"(?:\\*\$!?)*"
_ABSORBS_DOLLAR = re.compile(
    _DOLLAR_RUN + r"(?:[ \t]*#(?:set|\{set\})[ \t]*\(|#(?:if|elseif|\{if\}|\{elseif\})[ \t]*\("
    r"|#(?:end|else)(?![a-zA-Z])|#\{(?:end|else)\}|#\*)")
_DIRECTIVE_AFTER_DOLLAR = re.compile(_DOLLAR_RUN + r"#(?:[a-zA-Z][a-zA-Z0-9_-]*|\{[a-zA-Z][a-zA-Z0-9_-]*\})")
# what a property would be if its name could start with something else than a letter
_PROPERTY_NAME = re.compile(r"\.((?![a-zA-Z])[\w-]+)")
_ARGUMENT_START = re.compile(r"""[\s)"'\[{$\\0-9a-zA-Z_]|[-.][0-9]""")

# literals
_STRING = re.compile(r'"(?:[^"]|"")*"|\'(?:[^\']|\'\')*\'')
_INTEGER_RANGE = re.compile(r"-?[0-9]+(?=\.\.)")
_FLOAT = re.compile(r"-?(?:[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+)")
_INTEGER = re.compile(r"-?[0-9]+")

# Directive-state operator tokens (a two-character one is tried first).
_SYMBOLS = {
    "&&": "AND", "||": "OR", "==": "EQ", "!=": "NE", "<=": "LE", ">=": "GE", "..": "_DOUBLEDOT",
    "<": "LT", ">": "GT", "!": "NOT", "=": "_ASSIGN", "+": "PLUS", "-": "MINUS", "*": "STAR",
    "/": "SLASH", "%": "PERCENT", "[": "_LBRACKET", "]": "_RBRACKET", "{": "_LBRACE",
    "}": "_RBRACE", ",": "_COMMA", ":": "_COLON",
}
_WORD_OPERATORS = {
    "and": "AND", "or": "OR", "not": "NOT", "eq": "EQ", "ne": "NE",
    "lt": "LT", "le": "LE", "gt": "GT", "ge": "GE", "true": "TRUE", "false": "FALSE",
}
# What may appear in a method's argument list or an index: Velocity 1.7's REFMOD2 and REFINDEX
# states know no operators, so `$a.b($x + 1)` is a lexical error there, as in Java.
_ARGUMENT_SYMBOLS = {"_DOUBLEDOT", "_LBRACKET", "_RBRACKET", "_LBRACE", "_RBRACE", "_COMMA", "_COLON"}

_CONTROL_KEYWORDS = ("if", "elseif", "else", "end", "stop")


@dataclass(frozen=True)
class Directives:
    """The directive names a dialect knows, which decide how `#name(…)` lexes and parses."""

    block: frozenset[str]      # take a body up to #end (foreach, macro, define, …)
    line: frozenset[str]       # take no body (include, parse, evaluate, break)

    def known(self, name: str) -> bool:
        return name in self.block or name in self.line


class _Position:
    """1-based line and column of source offsets."""

    def __init__(self, source: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n|\n|\r", source)]

    def __call__(self, pos: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, pos)
        return line, pos - self.starts[line - 1] + 1


class Lexer:
    """Turns one template source into a list of Tokens."""

    def __init__(self, source: str, directives: Directives, name: str | None = None) -> None:
        self.src = source
        self.directives = directives
        self.name = name
        self.pos = 0
        self.out: list[Token] = []
        self.where = _Position(source)
        self.macro_names: set[str] = set()
        # end offset of each reference and directive, by the start offset of its first token:
        # the parser needs the source text of whole constructs, whose last tokens are punctuation
        self.ends: dict[int, int] = {}
        # (token, opening directive) for every #if / block directive not yet closed by #end
        self.open_blocks: list[Token] = []
        self.nesting = 0   # argument lists and indexes being lexed, one inside another
        self.text_follows_text = False   # whether _merge_text has work (or may have)

    # -- output -------------------------------------------------------------------------------

    def error(self, message: str, pos: int) -> VtlSyntaxError:
        line, column = self.where(pos)
        return VtlSyntaxError(message, line, column, self.src, self.name)

    def _enter_nested(self, pos: int) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING_DEPTH:
            line, column = self.where(pos)
            raise VtlLimitError("max_nesting_depth", MAX_NESTING_DEPTH, line, column, self.src,
                                self.name)

    def emit(self, kind: str, value: str, start: int, end: int) -> Token:
        """Token(kind, value, start, line, column, end), built in place (a call less per token)
        with _Position's work inlined."""
        line_starts = self.where.starts
        line = bisect.bisect_right(line_starts, start)
        token = str.__new__(Token, value)
        token.__dict__ = {"type": kind, "value": value, "start_pos": start, "end_pos": end,
                          "line": line, "column": start - line_starts[line - 1] + 1}
        self.out.append(token)
        return token

    def text(self, value: str, start: int, end: int) -> None:
        if value:
            if self.out and self.out[-1].type == "TEXT":
                self.text_follows_text = True
            self.emit("TEXT", value, start, end)

    # -- DEFAULT state --------------------------------------------------------------------------

    def tokens(self) -> list[Token]:
        src, n = self.src, len(self.src)
        while self.pos < n:
            start = self.pos
            c = src[start]
            m = _SET.match(src, start) if c in _SET_FIRST else None
            if m:
                self.emit("SET", m.group()[:-1], start, m.end() - 1)
                self._directive_expression(m.end() - 1, "#set")
                continue
            if c == "$":
                self._reference(start, start)
            elif c == "#":
                self._hash(start)
            elif c == "\\":
                self._backslashes(start)
            else:
                m = _TEXT.match(src, start)
                self.text(m.group(), start, m.end())
                self.pos = m.end()
        if self.open_blocks:
            opener = self.open_blocks[-1]
            raise VtlSyntaxError(
                f"#{_opened_name(opener)} opened here is never closed: missing #end",
                opener.line, opener.column, self.src, self.name)
        return _merge_text(self.out) if self.text_follows_text else self.out

    def _backslashes(self, start: int) -> None:
        """A run of backslashes in text: escaping the reference or directive after it, or text."""
        src = self.src
        end = _BACKSLASHES.match(src, start).end()
        count = end - start
        if src.startswith("$", end):
            self._reference(start, end)
            return
        named = self._directive_name(end) if src.startswith("#", end) else None
        if named and count % 2 == 1:
            # An escaped directive (`\#if`, `\\\#foreach`) prints as text with its backslashes
            # halved, if the name is one Velocity knows; otherwise verbatim.
            name, name_end = named
            image = src[start:name_end]
            if self._runs(name) or name == "set" or name in self.macro_names:
                image = "\\" * (count // 2) + src[end:name_end]
            self.text(image, start, name_end)
            self.pos = name_end
            return
        # Pairs of backslashes before a directive that will run print as one backslash each.
        if named and count % 2 == 0 and self._runs(named[0]):
            self.text("\\" * (count // 2), start, end)
        else:
            self.text(src[start:end], start, end)
        self.pos = end

    def _directive_name(self, hash_pos: int) -> tuple[str, int] | None:
        """The name of the `#name` or `#{name}` at hash_pos, and where it ends; None if no
        name follows the `#`."""
        m = _BRACKETED_WORD.match(self.src, hash_pos + 1)
        if m:
            return m.group(1), m.end()
        m = _WORD.match(self.src, hash_pos + 1)
        return (m.group(), m.end()) if m else None

    def _runs(self, name: str) -> bool:
        """Whether `#name` is a control directive or a pluggable directive the dialect knows."""
        return name in _CONTROL_KEYWORDS or self.directives.known(name)

    # -- '#': comments, text blocks, directives (PRE_DIRECTIVE) ---------------------------------

    def _hash(self, start: int) -> None:
        src = self.src
        two = src[start:start + 2]
        if two == "##":
            nl = _LINE_END_OR_EOF.search(src, start)
            if nl.start() == len(src) > start + 2 and src[-1] in "#$":
                # Velocity 1.7's lexer fails on a last line comment ending in `#` or `$`
                raise self.error(f"a template cannot end with a comment ending in "
                                 f"'{src[-1]}'", len(src) - 1)
            self.pos = nl.end()
            return
        if src.startswith("#[[", start):
            close = src.find("]]#", start + 3)
            if close < 0:
                raise self.error("#[[ opens an unparsed block that is never closed with ]]#", start)
            self.text(src[start + 3:close], start, close + 3)
            self.pos = close + 3
            return
        if two == "#*":
            if start + 2 == len(src):
                raise self.error("a template cannot end with '#*'", start)
            close = src.find("*#", start + 2)
            # Velocity 1.7 silently drops an unclosed comment and everything after it.
            self.pos = len(src) if close < 0 else close + 2
            return
        named = self._directive_name(start)
        if not named:
            if start + 1 == len(src):
                raise self.error("a template cannot end with '#'", start)
            self.text("#", start, start + 1)
            self.pos = start + 1
            return
        name, end = named
        if name in _CONTROL_KEYWORDS:
            self._control(name, start, end)
        else:
            self._pluggable(name, start, end)

    def _control(self, name: str, start: int, end: int) -> None:
        src = self.src
        if name in ("end", "else"):
            m = _LINE_END.match(src, end)
            if m:
                end = m.end()
            self.emit(name.upper(), src[start:end], start, end)
            self.pos = end
            if name == "end":
                if not self.open_blocks:
                    raise self.error("#end without a matching #if, #foreach, #macro or #define", start)
                self.open_blocks.pop()
            elif not self.open_blocks or self.open_blocks[-1].type != "IF":
                raise self.error("#else without a matching #if", start)
            return
        if name == "stop":
            self.emit("STOP", src[start:end], start, end)
            self.pos = end
            return
        # #if / #elseif: a condition in parentheses must follow.
        token = self.emit(name.upper(), src[start:end], start, end)
        if name == "elseif" and (not self.open_blocks or self.open_blocks[-1].type != "IF"):
            raise self.error("#elseif without a matching #if", start)
        paren = _PAREN_AHEAD.match(src, end)
        if not paren:
            raise self.error(f"#{name} must be followed by a condition in parentheses", end)
        if name == "if":
            self.open_blocks.append(token)
        self._directive_expression(paren.end() - 1, "#" + name)

    def _pluggable(self, name: str, start: int, end: int) -> None:
        src = self.src
        paren = _PAREN_AHEAD.match(src, end)
        block = name in self.directives.block or name.startswith("@")
        if not paren:
            if name == "macro":
                raise self.error("#macro needs parentheses with at least the macro's name", start)
            self.emit("BARE_DIRECTIVE", name, start, end)
            self.ends[start] = self.pos = end
            return
        token = self.emit("BLOCK_DIRECTIVE" if block else "LINE_DIRECTIVE", name, start, end)
        if block:
            self.open_blocks.append(token)
        first = len(self.out)
        self._directive_expression(paren.end() - 1, "#" + name)
        self.ends[start] = self.pos
        if name == "macro":
            words = [t for t in self.out[first:] if t.type == "WORD"]
            if words:
                self.macro_names.add(str(words[0]))

    # -- DIRECTIVE / REFMOD2 states: inside parentheses -----------------------------------------

    def _directive_expression(self, open_pos: int, owner: str, arguments: bool = False) -> None:
        """Lex from the `(` at open_pos to its matching `)`, and leave self.pos after it.

        `arguments`: a method's argument list (REFMOD2), which holds references and literals only
        (no operators, no parentheses; a bare word is a reference); otherwise a directive's
        arguments or condition. `owner` names the construct in error messages.
        """
        src, n = self.src, len(self.src)
        self._enter_nested(open_pos)
        self.emit("_LPAREN", "(", open_pos, open_pos + 1)
        pos = open_pos + 1
        depth = 1
        while depth:
            if pos >= n:
                raise self.error(f"{owner}( is never closed: missing ')'", open_pos)
            c = src[pos]
            if c in " \t\r\n":
                pos = _WHITESPACE.match(src, pos).end()
                if src.startswith("]", pos) and self.out[-1].type == "_LBRACKET":
                    # `[ ]`: Velocity 1.7 reads the blank as the start of a missing element
                    raise self.error("a list cannot hold only blanks: write []", pos)
            elif c == ")":
                depth -= 1
                pos = self._close_paren(pos, depth == 0 and not arguments)
            elif c == "(" and not arguments:
                self.emit("_LPAREN", "(", pos, pos + 1)
                depth += 1
                pos += 1
            elif c == "$" or c == "\\":
                pos = self._reference_in_parentheses(pos, owner)
            elif c == '"' or c == "'":
                pos = self._string(pos)
            elif c in "-." or c.isdigit():
                end = self._number(pos)
                pos = end if end is not None else self._symbol(pos, owner, arguments)
            elif c.isascii() and c.isalpha() or c == "_":
                pos = self._word(pos, arguments)
            else:
                pos = self._symbol(pos, owner, arguments)
        self.pos = pos
        self.nesting -= 1

    def _close_paren(self, pos: int, closes_directive: bool) -> int:
        """The `)` at pos; a directive's last one also takes trailing blanks and one line end
        (JavaCC's RPAREN in the DIRECTIVE state), a method's does not. Where it ends."""
        end = pos + 1
        if closes_directive:
            m = _LINE_END.match(self.src, end)
            if m:
                end = m.end()
        self.emit("_RPAREN", self.src[pos:end], pos, end)
        return end

    def _reference_in_parentheses(self, pos: int, owner: str) -> int:
        """The reference at pos (after any backslashes); where it ends."""
        src = self.src
        if self._inner_reference(pos):
            return self.pos
        if src[pos] == "$" and not src.startswith("!", pos + 1):
            return pos + 1   # a `$` that starts nothing: Velocity's lexer drops it
        dollar = _BACKSLASHES.match(src, pos).end()
        shown = src[pos:dollar + 1] if src.startswith("$", dollar) else "\\"
        raise self.error(f"unexpected '{shown}' in {owner}(…)", pos)

    def _number(self, pos: int) -> int | None:
        """The integer or decimal literal at pos (`-2`, `1.5`, `.5`, `1e3`, the `1` of `1..3`);
        where it ends, or None if no number starts there."""
        src = self.src
        c = src[pos]
        if not c.isdigit():   # `-` or `.`
            after = src[pos + 1:pos + 2]
            if not (after.isdigit() or c == "-" and after == "."):
                return None
        m = _INTEGER_RANGE.match(src, pos)
        if m:
            self.emit("INTEGER", m.group(), pos, m.end())
            return m.end()
        f = _FLOAT.match(src, pos)
        i = _INTEGER.match(src, pos)
        if f and (not i or f.end() > i.end()):
            self.emit("FLOAT", f.group(), pos, f.end())
            return f.end()
        if i:
            self.emit("INTEGER", i.group(), pos, i.end())
            return i.end()
        return None

    def _word(self, pos: int, arguments: bool) -> int:
        """A word: an operator (`and`, `eq`, …), a boolean or a name; where it ends."""
        m = _DIRECTIVE_WORD.match(self.src, pos)
        word = m.group()
        kind = _WORD_OPERATORS.get(word, "WORD")
        if arguments and kind not in ("TRUE", "FALSE"):
            # In a method's arguments a bare identifier is a reference (REFMOD2 lexes it as
            # IDENTIFIER): `$m.put('k', null)` passes the undefined `$null`.
            self._reference(pos, pos - 1, inside=True)
            return self.pos
        self.emit(kind, word, pos, m.end())
        return m.end()

    def _symbol(self, pos: int, owner: str, arguments: bool) -> int:
        """An operator or punctuation at pos; where it ends."""
        src = self.src
        symbol = src[pos:pos + 2]
        kind = _SYMBOLS.get(symbol)
        if kind is None:
            symbol = src[pos]
            kind = _SYMBOLS.get(symbol)
        if kind is not None:
            if arguments and kind not in _ARGUMENT_SYMBOLS:
                raise self.error(f"unexpected '{symbol}' in {owner}(…): Velocity 1.7 allows only "
                                 "literals and references in method arguments", pos)
            self.emit(kind, symbol, pos, pos + len(symbol))
            return pos + len(symbol)
        if symbol == "#" and not src.startswith(("##", "#*"), pos):
            return pos + 1   # a stray `#` prefixes the next token, which keeps its meaning
        raise self._unexpected(pos, f"in {owner}(…)")

    def _unexpected(self, pos: int, where: str) -> VtlSyntaxError:
        """The error for the character at pos, which starts nothing `where` it stands."""
        for token in reversed(self.out):   # a reference that ends at pos
            if token.type in ("REF", "REF_FORMAL") and self.ends.get(token.start_pos) == pos:
                error = self._property_name_error(pos, self.src[token.start_pos:pos])
                if error is not None:
                    return error
                break
        return self.error(f"unexpected character {self.src[pos]!r} {where}", pos)

    def _property_name_error(self, pos: int, reference: str,
                             close: str = "") -> VtlSyntaxError | None:
        """If a property whose name does not start with a letter follows `reference` at pos
        (`$out.__type`): the error saying that Velocity's grammar wants the letter, and how to
        read such a key (`close`: what closes the reference)."""
        name = _PROPERTY_NAME.match(self.src, pos)
        if name is None:
            return None
        key = name.group(1)
        return self.error(f"a property name must start with a letter (a-z, A-Z), as Velocity's "
                          f"grammar requires: for the key '{key}' write "
                          f"{reference}.get('{key}'){close}", pos)

    # -- what parentheses and an index both hold ------------------------------------------------

    def _string(self, pos: int) -> int:
        """The string literal at pos; where it ends."""
        m = _STRING.match(self.src, pos)
        if not m:
            raise self.error("string literal is never closed", pos)
        self.emit("STRING", m.group(), pos, m.end())
        return m.end()

    def _inner_reference(self, pos: int) -> bool:
        """Lex the reference at pos (after any backslashes) inside parentheses or an index, and
        leave self.pos after it; False, having emitted nothing, if no reference starts there."""
        dollar = _BACKSLASHES.match(self.src, pos).end()
        return self.src.startswith("$", dollar) and self._reference(pos, dollar, inside=True)

    # -- REFERENCE / REFMODIFIER states ---------------------------------------------------------

    def _reference(self, start: int, dollar: int, inside: bool = False) -> bool:
        """Lex `\\…$!{name.prop.method(args)[index]}` starting at start (its backslashes).

        Returns False (having emitted nothing) when no identifier follows, which outside a
        directive makes the characters plain text.
        """
        src, n = self.src, len(self.src)
        pos = dollar + 1
        bang = _BANG.match(src, pos)   # `!`, or `\!` (which makes the whole reference text)
        if bang:
            pos = bang.end()
        formal = src.startswith("{", pos)
        m = None
        if formal:
            pos += 1
            # `${$name}`: Velocity 1.7 folds the second `$` into the name, which is then never
            # defined (its lexer's DOLLAR is a MORE token in every state).
            m = _DOLLAR_IDENTIFIER.match(src, pos)
        m = m or _IDENTIFIER.match(src, pos)
        if not m:
            if inside:
                return False
            self._no_reference(start, dollar, pos, bool(bang), formal)
            return True
        if m.group() in ("true", "false"):
            # Velocity 1.7 lexes `$true` as `$` (a MORE token) and the boolean: a literal inside
            # a directive, a parse error anywhere else
            if not inside or bang or formal or src.startswith((".", "["), m.end()):
                raise self.error(f"Velocity 1.7 reads ${m.group()} as the boolean {m.group()}, "
                                 "which can only stand in a directive's arguments", start)
            self.emit(m.group().upper(), m.group(), m.start(), m.end())
            self.pos = m.end()
            return True
        # one token from the first backslash to the end of the name; its value is the name, and
        # what comes before the name (`\\$!{`) the prefix
        self.emit("REF_FORMAL" if formal else "REF", m.group(), start, m.end())
        pos, after_property = self._modifiers(m.end())
        if after_property and not (formal or inside) and src.startswith("##", pos) \
                and not src.startswith("#", pos + 2):
            # Velocity 1.7's lexer, still in its REFMOD2 state after a property, takes `##` for
            # text there (but `###` for a comment), and fails on `##` at the very end
            if pos + 2 == n:
                raise self.error("a template cannot end with '##' right after a property", pos)
            self.ends[start] = pos
            self.text("##", pos, pos + 2)
            self.pos = pos + 2
            return True
        if formal:
            if not src.startswith("}", pos):
                raise (self._property_name_error(pos, src[start:pos], "}")
                       or self.error("${ reference is never closed with }", start))
            self.emit("_REF_FORMAL_END", "}", pos, pos + 1)
            pos += 1
        self.ends[start] = self.pos = pos
        ghost = None if formal or inside else _GHOST_REFERENCE.match(src, pos)
        if ghost:
            self._ghost_reference(ghost.end())
        return True

    def _no_reference(self, start: int, dollar: int, pos: int, bang: bool, formal: bool) -> None:
        """`\\…$!{` at start, whose `$` (at dollar) starts no reference in text: what Velocity 1.7
        makes of it, up to pos (after the `!` and `{`) or beyond."""
        src = self.src
        if not formal:
            if _ABSORBS_DOLLAR.match(src, pos):
                self.pos = pos
                return
            named = _DIRECTIVE_AFTER_DOLLAR.match(src, pos)
            if named:
                end = named.end()
                paren = _PAREN_AHEAD.match(src, end)
                if paren:   # `$#name(…)`: the arguments are lexed, and printed as written
                    emitted = len(self.out)
                    self._directive_expression(paren.end() - 1, src[pos:end])
                    del self.out[emitted:]
                    end = self.pos
                self.text(src[start:end], start, end)
                self.pos = end
                return
            backslashes_end = _BACKSLASHES.match(src, pos).end()
            if start == dollar and backslashes_end > pos and src.startswith("$", backslashes_end):
                # `$\\$a`: the `$` and the backslashes are MORE tokens, the prefix of the
                # reference after them, which they do not escape; they print as written
                self.text(src[start:backslashes_end], start, backslashes_end)
                self.pos = backslashes_end
                return
        if pos == len(src) and not formal:
            raise self.error(f"a template cannot end with '{src[dollar:pos]}'", start)
        # `$!` that starts no reference prints as `$`: the `!` is lost, as in Velocity 1.7,
        # unless another `$`, a `}` or a `##` comment follows
        lost = bang and not formal and not src.startswith(("$", "}", "##"), pos)
        shown = src[start:dollar + 1] if lost else src[start:pos]
        self.text(shown, start, pos)
        self.pos = pos

    def _ghost_reference(self, pos: int) -> None:
        """`$x{y.z}`: Velocity 1.7 parses the `{y.z}` after an unbraced reference as a reference
        without its `$`, evaluates nothing and prints only the `{`."""
        kept = len(self.out)
        pos = self._modifiers(_IDENTIFIER.match(self.src, pos).end())[0]
        del self.out[kept:]
        if not self.src.startswith("}", pos):
            raise self.error("expected '}' or '[' after the reference in braces", pos)
        self.text("{", self.pos, pos + 1)
        self.pos = pos + 1

    def _modifiers(self, pos: int) -> tuple[int, bool]:
        """Lex the `[index]`, `.property` and `.method(args)` after a reference's name; where
        they end, and whether the last was a property."""
        src, n = self.src, len(self.src)
        after_property = False
        while pos < n:
            c = src[pos]
            if c == "[":
                pos = self._index(pos)
            elif c == "." and pos + 1 < n and src[pos + 1].isascii() and src[pos + 1].isalpha():
                m = _IDENTIFIER.match(src, pos + 1)
                if src.startswith("(", m.end()) and _starts_argument(src, m.end() + 1):
                    self.emit("METHOD", m.group(), m.start(), m.end())
                    self._directive_expression(m.end(), f".{m.group()}", arguments=True)
                    pos = self.pos
                    after_property = False
                else:
                    self.emit("PROP", m.group(), m.start(), m.end())
                    pos = m.end()
                    after_property = True
            else:
                break
        return pos, after_property

    def _index(self, pos: int) -> int:
        """Lex `[ param ]` after a reference: a string, integer, boolean or reference."""
        src, n = self.src, len(self.src)
        self._enter_nested(pos)
        self.emit("_INDEX_OPEN", "[", pos, pos + 1)
        pos += 1
        while True:
            if pos >= n:
                raise self.error("[ index is never closed with ]", pos)
            c = src[pos]
            if c in " \t\r\n":
                pos = _WHITESPACE.match(src, pos).end()
            elif c == "]":
                self.emit("_INDEX_CLOSE", "]", pos, pos + 1)
                self.nesting -= 1
                return pos + 1
            elif c in "\"'":
                pos = self._string(pos)
            elif "0" <= c <= "9" or c == "-":
                m = _INTEGER.match(src, pos)
                if not m:
                    raise self.error("unexpected '-' in an index", pos)
                self.emit("INTEGER", m.group(), pos, m.end())
                pos = m.end()
            elif src.startswith("true", pos) or src.startswith("false", pos):
                word = "true" if src.startswith("true", pos) else "false"
                self.emit(word.upper(), word, pos, pos + len(word))
                pos += len(word)
            elif c in "$\\":
                if not self._inner_reference(pos):
                    raise self.error("unexpected character in an index", pos)
                pos = self.pos
            else:
                raise self._unexpected(pos, "in an index")


def _starts_argument(src: str, pos: int) -> bool:
    """Whether `.name(` continues as a method call: Velocity 1.7 looks one token past the `(`
    and otherwise takes `.name` as a property and the `(` as text (`$a.b(#set(…)`)."""
    return _ARGUMENT_START.match(src, pos) is not None


def _opened_name(token: Token) -> str:
    return "if" if token.type == "IF" else str(token.value)


def _merge_text(tokens: Iterable[Token]) -> list[Token]:
    """Adjacent TEXT tokens become one, so the compiler writes each run of text once."""
    merged: list[Token] = []
    for token in tokens:
        if token.type == "TEXT" and merged and merged[-1].type == "TEXT":
            prev = merged[-1]
            merged[-1] = Token("TEXT", prev.value + token.value, prev.start_pos, prev.line,
                               prev.column, token.end_pos)
        else:
            merged.append(token)
    return merged
