"""JSONPath as Jayway JsonPath (the library AWS names) reads it, over parsed JSON values.

A *definite* path (only names and single indexes) gives the one value it points at, or NOT_FOUND;
an *indefinite* one (wildcard, deep scan, slice, filter, several indexes) gives a JSON array of
everything it matched, possibly empty. Definite paths, nearly all that templates use, are walked
here directly; so is the definite start of an indefinite path, where Jayway still reports a
missing step as PathNotFound; the rest is handed to jsonpath-ng's extended parser. Each distinct
path string is compiled once.
"""
from __future__ import annotations

import re
from functools import lru_cache
from collections.abc import Callable
from typing import Any

from ..core.runtime.signals import JavaException
from ..core.runtime.values import JSON_DATA, JsonArray

_INVALID_PATH = "com.jayway.jsonpath.InvalidPathException"


class _NotFound:
    """A definite path that leads nowhere (Jayway's PathNotFoundException)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_FOUND"


NOT_FOUND = _NotFound()

# One step of a definite path: `.name`, `['name']`, `["name"]` or `[index]` (Jayway allows a
# dot before a bracket).
_STEP = re.compile(r"""
      \.(?P<dot>[^.\[\]()\s'"*]+)
    | \.?\[\s*(?:'(?P<single>[^'\\]*)'|"(?P<double>[^"\\]*)")\s*\]
    | \.?\[\s*(?P<index>-?\d+)\s*\]
""", re.VERBOSE)
# Several quoted names at the end, `['a','b']`: definite, and Jayway answers with a map of them.
_NAMES = re.compile(r"""\[\s*(?:'[^'\\]*'|"[^"\\]*")(?:\s*,\s*(?:'[^'\\]*'|"[^"\\]*"))+\s*\]$""")
_QUOTED = re.compile(r"""'([^']*)'|"([^"]*)\"""")
_BLANK_AFTER_DOT = re.compile(r"\.\s")
_LENGTH = re.compile(r"\.length\(\)$")
# `$` and names after dots, nothing else
_NAMES_ONLY = re.compile(r"\$(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
# Jayway writes regex filters as /pattern/flags and full-matches them; jsonpath-ng searches a
# quoted pattern.
_REGEX_LITERAL = re.compile(r"=~\s*/((?:[^/\\\"]|\\.)*)/([a-z]*)")
# How an indefinite path goes on after its definite start: a filter, or a step only arrays have.
_FILTER_NEXT = re.compile(r"\.?\[\s*\?")
_ARRAY_NEXT = re.compile(r"\.?\[\s*-?\d*\s*[:,]")


class JsonPath:
    """One compiled path; `read(doc)` evaluates it."""

    __slots__ = ("text", "definite", "key_path", "reader", "_steps", "_names", "_length",
                 "_extended", "_next")

    def __init__(self, text: str) -> None:
        self.text = text
        self._extended = self._next = None
        if _NAMES_ONLY.fullmatch(text):
            # the commonest path, `$` or `$.a.b`: what the general reading below finds for it
            self.definite, self._names, self._length = True, None, False
            self._steps = self.key_path = tuple(text.split(".")[1:])
            self.reader = _names_reader(self.key_path)
            return
        path = _normalise(text)
        self._length = _LENGTH.search(path) is not None
        if self._length:
            path = _LENGTH.sub("", path)
        self._names: tuple[str, ...] | None = None
        names = _NAMES.search(path)
        if names is not None:
            self._names = tuple(a or b for a, b in _QUOTED.findall(names.group()))
            path = path[:names.start()]
        self._steps, end = _definite_start(path)
        self.definite = end == len(path)
        if not self.definite:
            if self._names is not None or self._length:
                raise JavaException(_INVALID_PATH, f"Unsupported JsonPath: {text}")
            rest = path[end:]
            self._next = _FILTER_NEXT if _FILTER_NEXT.match(rest) else (
                _ARRAY_NEXT if _ARRAY_NEXT.match(rest) else None)
            self._extended = _compile_extended("$" + rest, text)
        #: the names of a path of names only (`$.a.b`: ("a", "b")), else None
        self.key_path = (self._steps if self.definite and self._names is None
                         and not self._length and all(type(s) is str for s in self._steps)
                         else None)
        #: read(doc) as one plain function: for a path of names only, a short loop
        self.reader = _names_reader(self.key_path) if self.key_path is not None else self.read

    def read(self, doc: Any) -> Any:
        """The value at this path in `doc`: a value or NOT_FOUND if definite, else a JsonArray
        (or NOT_FOUND when the definite start of the path is missing, as in Jayway)."""
        node = doc
        for step in self._steps:
            if type(step) is int:
                if not isinstance(node, list):
                    return NOT_FOUND
                if not -len(node) <= step < len(node):
                    # Jayway ignores an index out of bounds: no result, no exception
                    return NOT_FOUND if self.definite else JsonArray()
                node = node[step]
            else:
                if not isinstance(node, dict):
                    return NOT_FOUND
                node = node.get(step, NOT_FOUND)
                if node is NOT_FOUND:
                    return NOT_FOUND
        if self._extended is not None:
            return self._read_rest(node)
        if self._names is not None:
            if not isinstance(node, dict):
                return NOT_FOUND
            return {name: node[name] for name in self._names if name in node}
        if self._length:
            return len(node) if isinstance(node, (list, dict)) else None
        return node

    def _read_rest(self, node: Any) -> JsonArray:
        if self._next is _FILTER_NEXT:
            if isinstance(node, dict):
                node = [node]   # Jayway filters a map as the one item to test
            elif not isinstance(node, list):
                shown = JSON_DATA.to_string(node)
                raise JavaException(_INVALID_PATH, "Filter: [?] can not be applied to primitives. "
                                                   f"Current context is: {shown}")
        elif self._next is _ARRAY_NEXT and not isinstance(node, list):
            return NOT_FOUND
        return JsonArray([match.value for match in self._extended.find(node)])


def _names_reader(steps: tuple[str, ...]) -> Callable[[Any], Any]:
    """JsonPath.read for a path of names only, as one small function."""

    def read(doc: Any) -> Any:
        node = doc
        for step in steps:
            if node.__class__ is not dict and not isinstance(node, dict):
                return NOT_FOUND
            node = node.get(step, NOT_FOUND)
            if node is NOT_FOUND:
                return NOT_FOUND
        return node

    return read


@lru_cache(maxsize=1024)
def compile_path(text: str) -> JsonPath:
    """The compiled form of a Jayway path string; raises JavaException for an invalid path."""
    return JsonPath(text)


def read_path(doc: Any, text: str) -> Any:
    """Evaluate `text` on `doc` (see JsonPath.read)."""
    return compile_path(text).read(doc)


def _normalise(text: str) -> str:
    """Jayway's reading of the path string: `$.` put in front unless it starts with `$` or `@`
    (its very first character: a leading blank gets the prefix, and then fails), then trimmed."""
    if not text:
        raise JavaException("java.lang.IllegalArgumentException", "path can not be null or empty")
    if text[0] == "$":
        path = text.strip()
    elif text[0] == "@":
        path = "$" + text[1:].strip()
    else:
        path = ("$." + text).strip()
    if path.endswith("."):
        raise JavaException(_INVALID_PATH, "Path must not end with a '.' or '..'")
    if _BLANK_AFTER_DOT.search(_QUOTED.sub("''", path)):
        # jsonpath-ng would skip the blank; Jayway refuses it
        raise JavaException(_INVALID_PATH, f"Could not parse token in path {text!r}")
    return path


def _definite_start(path: str) -> tuple[tuple[str | int, ...], int]:
    """The names and single indexes `path` starts with, and where the rest of it begins."""
    steps: list[str | int] = []
    pos, end = 1, len(path)
    while pos < end:
        match = _STEP.match(path, pos)
        if match is None:
            break
        index = match.group("index")
        if index is not None:
            steps.append(int(index))
        else:
            name = match.group("dot")
            if name is None:
                name = match.group("single")
                if name is None:
                    name = match.group("double")
            steps.append(name)
        pos = match.end()
    return tuple(steps), pos


def _compile_extended(path: str, text: str) -> Any:
    def full_match(match: re.Match[str]) -> str:
        flags = "".join(f for f in match.group(2) if f in "imsx")
        inline = f"(?{flags})" if flags else ""
        return f'=~ "{inline}^(?:{match.group(1)})$"'

    # imported here: a process that meets only definite paths never pays for loading it
    from jsonpath_ng.ext import parse as parse_extended

    try:
        return parse_extended(_REGEX_LITERAL.sub(full_match, path))
    except Exception as error:  # noqa: BLE001 - jsonpath-ng signals bad paths with several types
        raise JavaException(_INVALID_PATH, f"Could not parse path {text!r}: {error}") from None
