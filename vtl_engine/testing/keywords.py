"""`vtl test -k EXPR`: pytest's keyword expressions over a case's names.

    expression := or_expr
    or_expr    := and_expr ('or' and_expr)*
    and_expr   := not_expr ('and' not_expr)*
    not_expr   := 'not' not_expr | '(' or_expr ')' | word

A word matches a case when it is, ignoring case, part of one of the case's names (its own name
and its file's name), as in pytest: `-k "express and not json"`, `-k orders-api`.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

_TOKEN = re.compile(r"\s*(?:(\()|(\))|([\w:+\-.\[\]\\/]+))")
_KEYWORDS = {"and", "or", "not"}

Matcher = Callable[[Iterable[str]], bool]


class ExpressionError(ValueError):
    """A -k expression that does not parse; the message says where."""


def compile_expression(text: str) -> Matcher:
    """A function telling whether a case with these names is selected by `text`."""
    tokens = _tokens(text)
    if not tokens:
        raise ExpressionError("an empty expression selects nothing; leave -k out to run all")
    parser = _Parser(text, tokens)
    match = parser.or_expr()
    if parser.position < len(tokens):
        raise parser.error(f"unexpected {tokens[parser.position][0]!r}")
    return lambda names: match([name.lower() for name in names])


def _tokens(text: str) -> list[tuple[str, int]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None:
            position = len(text) - len(text[position:].lstrip())
            raise ExpressionError(f"{text!r}: unexpected character {text[position]!r} at column "
                                  f"{position + 1}")
        tokens.append((found.group(found.lastindex), found.start(found.lastindex)))
        position = found.end()
    return tokens


class _Parser:
    def __init__(self, text: str, tokens: list[tuple[str, int]]) -> None:
        self.text = text
        self.tokens = tokens
        self.position = 0

    def error(self, problem: str) -> ExpressionError:
        column = (self.tokens[self.position][1] if self.position < len(self.tokens)
                  else len(self.text)) + 1
        return ExpressionError(f"{self.text!r}: {problem} at column {column}")

    def peek(self) -> str | None:
        return self.tokens[self.position][0] if self.position < len(self.tokens) else None

    def take(self, word: str) -> bool:
        if self.peek() == word:
            self.position += 1
            return True
        return False

    def or_expr(self) -> Callable[[list[str]], bool]:
        parts = [self.and_expr()]
        while self.take("or"):
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else lambda names: any(p(names) for p in parts)

    def and_expr(self) -> Callable[[list[str]], bool]:
        parts = [self.not_expr()]
        while self.take("and"):
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else lambda names: all(p(names) for p in parts)

    def not_expr(self) -> Callable[[list[str]], bool]:
        if self.take("not"):
            inner = self.not_expr()
            return lambda names: not inner(names)
        if self.take("("):
            inner = self.or_expr()
            if not self.take(")"):
                raise self.error("expected ')'")
            return inner
        word = self.peek()
        if word is None:
            raise self.error("expected a word, 'not' or '('")
        if word in _KEYWORDS or word == ")":
            raise self.error(f"expected a word, got {word!r}")
        self.position += 1
        lowered = word.lower()
        return lambda names: any(lowered in name for name in names)
