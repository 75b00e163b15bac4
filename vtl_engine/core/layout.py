"""How generated Python is laid out: lines of at most LINE_WIDTH characters, each with the
template position it comes from in a comment after it.

The code generator writes a statement as one logical line and marks where it may be broken:
BREAK after an argument's comma, before an `and` or `or` and between the pieces of a long
string; ALTERNATIVE before the `if` and `else` of a conditional. `lay_out` breaks a line that
is too long at its outermost marks, and again inside the pieces still too long, each line after
the first aligned with the bracket it is in.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

#: where a line may be broken: between items (as many a line as fit), or before an alternative
#: (one a line); never in generated code otherwise, since repr() escapes both
BREAK, ALTERNATIVE = "\x00", "\x01"
#: what separates items: a comma, then a place to break
COMMA = "," + BREAK + " "
LINE_WIDTH = 120
#: the room a line leaves for its position comment ("  # 1234:123")
_COMMENT_ROOM = 12
STEP = "    "   # one level of indentation
# the string literals repr() writes (brackets in them do not count), and the marks
_STRINGS = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
_MARK = re.compile("[\x00\x01]")
# a string literal is cut into pieces of at most this many characters (and after each newline)
_PIECE = 60
# continuation lines align with their bracket unless it is further right than this
_ALIGN_UP_TO = 60


@dataclass(slots=True)
class Line:
    """A logical line of generated code: `code` may hold marks (BREAK, ALTERNATIVE);
    `continued` says that it is inside brackets opened on a line before it (so it may break at
    its own top level)."""

    indent: int
    code: str
    position: tuple[int, int]
    continued: bool = False
    in_function: bool = True


def unmarked(code: str) -> str:
    """`code` without its marks: as it is compiled."""
    return code.replace(BREAK, "").replace(ALTERNATIVE, "")


def literal(text: str) -> str:
    """`text` as Python string literals: one, or for a long text adjacent pieces (cut after
    each newline) that a long line may break between."""
    if len(text) <= _PIECE:
        return repr(text)
    pieces = []
    for line in text.splitlines(keepends=True):
        pieces += [line[i:i + _PIECE] for i in range(0, len(line), _PIECE)]
    return f"{BREAK} ".join(map(repr, pieces))


def call(function: str, *args: str) -> str:
    """`function(args)`, breakable after each comma."""
    return f"{function}({COMMA.join(args)})"


def arguments(args: list[str]) -> str:
    """A tuple of arguments: `()`, `(a,)`, `(a, b)`."""
    return f"({args[0]},)" if len(args) == 1 else f"({COMMA.join(args)})"


def either(value: str, condition: str, other: str, break_before_if: bool = True) -> str:
    """`value if condition else other`, breakable before `if` and before `else`; a chain of
    them (`other` being one too) breaks into one line per alternative."""
    before_if = ALTERNATIVE if break_before_if else ""
    return f"{value}{before_if} if {condition}{ALTERNATIVE} else {other}"


def choice(value: str, condition: str, other: str) -> str:
    """`either` in parentheses, an operand of its own."""
    return f"({either(value, condition, other)})"


def lay_out(lines: list[Line]) -> tuple[list[str], list[tuple[int, int]]]:
    """The source lines and the template position of each: every line of a function with a
    position unlike the line's before it gets it in a comment."""
    source: list[str] = []
    positions: list[tuple[int, int]] = []
    shown = None
    width = LINE_WIDTH - _COMMENT_ROOM
    for line in lines:
        indent = STEP * line.indent
        code = line.code
        if len(indent) + len(code) <= width:   # (marks only make it longer)
            broken = [indent + unmarked(code)]
        else:
            broken = _wrap(code, len(indent), width, line.continued)
        if not line.in_function:
            shown = None
        elif line.position != shown:
            shown = line.position
            broken[0] += f"  # {line.position[0]}:{line.position[1]}"
        source += broken
        positions += [line.position] * len(broken)
    return source, positions


# a place a line may break: where in the code without marks, how many brackets are open there,
# and which mark
_Mark = tuple[int, int, str]


def _wrap(code: str, column: int, width: int, continued: bool) -> list[str]:
    """`code` from `column` on, broken into lines of at most `width` characters where it can
    be: at its outermost marks inside brackets (or at its top level when `continued`), each
    line after the first aligned with the bracket it is in (or, that too far right, one step
    further in than the first)."""
    flat = unmarked(code)
    # the code with its string literals blanked out: brackets in them do not count
    blank = _STRINGS.sub(_blanked, flat)
    marks: list[_Mark] = []
    for removed, mark in enumerate(_MARK.finditer(code)):
        at = mark.start() - removed
        marks.append((at, _depth(blank, 0, at), mark.group()))
    return _split(flat, blank, marks, 0, len(flat), column, width, 0, continued)


def _blanked(literal: re.Match[str]) -> str:
    return "'" + " " * (len(literal.group()) - 2) + "'"


def _depth(blank: str, start: int, end: int) -> int:
    """How many more brackets `blank[start:end]` opens than it closes."""
    count = blank.count
    return (count("(", start, end) + count("[", start, end) + count("{", start, end)
            - count(")", start, end) - count("]", start, end) - count("}", start, end))


def _bracket(blank: str, start: int, at: int) -> int:
    """Where the innermost bracket open at `at` opens, from `start` on (-1: before it)."""
    end = at
    while True:
        opening = max(blank.rfind("(", start, end), blank.rfind("[", start, end),
                      blank.rfind("{", start, end))
        if opening < 0 or _depth(blank, opening, at) > 0:
            return opening
        end = opening


def _split(flat: str, blank: str, marks: list[_Mark], start: int, end: int, column: int,
           width: int, base: int, at_base: bool) -> list[str]:
    """The lines of `flat[start:end]` from `column` on: broken at the outermost of its marks
    deeper than `base` brackets (or at `base` too, with `at_base`)."""
    if start:   # a piece after a mark: the space after the mark goes
        while flat[start] == " ":
            start += 1
    if column + end - start <= width:
        return [" " * column + flat[start:end]]
    outermost = -1
    level: list[_Mark] = []
    for mark in marks[bisect_right(marks, (start, 1 << 30)):bisect_left(marks, (end,))]:
        depth = mark[1]
        if depth < base or (depth == base and not at_base) or (level and depth > outermost):
            continue
        if not level or depth < outermost:
            outermost, level = depth, [mark]
        else:
            level.append(mark)
    if not level:
        return [" " * column + flat[start:end]]
    if level[-1][2] == ALTERNATIVE or any(mark[2] == ALTERNATIVE for mark in level):
        level = [mark for mark in level if mark[2] == ALTERNATIVE]
    bracket = _bracket(blank, start, level[0][0])
    aligned = column + bracket - start + 1
    inner = aligned if bracket >= 0 and aligned <= _ALIGN_UP_TO else column + len(STEP)
    cuts = [start] + [mark[0] for mark in level] + [end]
    if level[0][2] == BREAK:   # items after commas: as many a line as fit
        kept = [start]
        for i in range(1, len(cuts) - 1):
            room = width - (column if len(kept) == 1 else inner)
            if cuts[i + 1] - kept[-1] > room:
                kept.append(cuts[i])
        cuts = kept + [end]
    lines = _split(flat, blank, marks, cuts[0], cuts[1], column, width, base, at_base)
    for piece_start, piece_end in zip(cuts[1:], cuts[2:]):
        lines += _split(flat, blank, marks, piece_start, piece_end, inner, width, outermost, True)
    return lines
