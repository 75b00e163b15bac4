"""Java regular expressions (java.util.regex, Java 17) on Python's regex engine, for String's
regex methods.

A Java pattern is parsed here and rewritten as an equivalent Python pattern, once per pattern
string. What the two dialects spell or mean differently is translated, not passed through:
`.` `^` `$` and the line terminators they respect, \\d \\w \\s being ASCII-only, (?i) folding only
ASCII unless (?u), flags switched on mid-pattern, character classes with nesting and `&&`,
\\p{...} properties, \\Q...\\E quoting, `(?<name>...)`, octal and \\x{...} escapes. A malformed
pattern raises JavaException("java.util.regex.PatternSyntaxException"); no re.error escapes.
Replacement strings follow Matcher.appendReplacement: $n, ${name}, and \\ quoting.

Patterns run on the `regex` package (in its re-compatible V0 mode) rather than `re`, because it
can stop a match: a pattern that backtracks catastrophically ends at the render's deadline with
a VtlLimitError instead of hanging the render.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable

from vtl_engine.core.runtime.budget import charge, out_of_time, seconds_left
from vtl_engine.core.runtime.signals import JavaException
from vtl_engine.core.runtime.values import JavaArray

if TYPE_CHECKING:   # imported when the first pattern is compiled: most renders run none
    import regex as _regex

_PSE = "java.util.regex.PatternSyntaxException"
_MAX = sys.maxunicode

# Java's flag letters and bits (bit values are ours)
_I, _D, _M, _S, _UCASE, _X, _UCLASS = 1, 2, 4, 8, 16, 32, 64
_FLAG_LETTERS = {"i": _I, "d": _D, "m": _M, "s": _S, "u": _UCASE, "x": _X, "U": _UCLASS | _UCASE}

_LINE_TERMINATORS = "\\n\\r\\x85\\u2028\\u2029"
_JAVA_SPACE = " \t\n\x0b\f\r"

Ranges = tuple[tuple[int, int], ...]


class _SyntaxError(Exception):
    def __init__(self, desc: str, index: int) -> None:
        super().__init__(desc)
        self.desc = desc
        self.index = index


def _syntax_message(desc: str, index: int, pattern: str) -> str:
    """PatternSyntaxException.getMessage()."""
    text = f"{desc} near index {index}\n{pattern}" if index >= 0 else f"{desc}\n{pattern}"
    if 0 <= index < len(pattern):
        text += "\n" + " " * index + "^"
    return text


# ---- sets of code points as sorted, disjoint, inclusive ranges -----------------------------------

def _normalize(ranges: list[tuple[int, int]]) -> Ranges:
    out: list[list[int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return tuple((lo, hi) for lo, hi in out)


def _union(a: Ranges, b: Ranges) -> Ranges:
    return _normalize([*a, *b])


def _negate(a: Ranges) -> Ranges:
    out = []
    start = 0
    for lo, hi in a:
        if lo > start:
            out.append((start, lo - 1))
        start = hi + 1
    if start <= _MAX:
        out.append((start, _MAX))
    return tuple(out)


def _intersect(a: Ranges, b: Ranges) -> Ranges:
    return _negate(_union(_negate(a), _negate(b)))


def _chars(text: str) -> Ranges:
    return _normalize([(ord(c), ord(c)) for c in text])


@lru_cache(maxsize=None)
def _where(test: Callable[[str], bool]) -> Ranges:
    """All code points whose character passes `test` (computed once, on first use)."""
    out = []
    start = None
    for cp in range(_MAX + 2):
        if cp <= _MAX and test(chr(cp)):
            if start is None:
                start = cp
        elif start is not None:
            out.append((start, cp - 1))
            start = None
    return tuple(out)


@lru_cache(maxsize=None)
def _category(prefix: str) -> Ranges:
    """General category `prefix` (one letter: the whole group), from Python's Unicode tables."""
    if len(prefix) == 1:
        return _where(lambda c: unicodedata.category(c)[0] == prefix)
    return _where(lambda c: unicodedata.category(c) == prefix)


_DIGIT = ((0x30, 0x39),)
_WORD = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
_SPACE = _chars(_JAVA_SPACE)
_HSPACE = _chars(" \t\xa0\u1680\u180e\u202f\u205f\u3000") + ((0x2000, 0x200A),)
_VSPACE = _chars("\n\x0b\f\r\x85\u2028\u2029")
_WHITE_SPACE = _normalize([*_chars("\t\n\x0b\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"),
                           (0x2000, 0x200A)])

_POSIX: dict[str, Ranges] = {
    "Lower": ((0x61, 0x7A),), "Upper": ((0x41, 0x5A),), "ASCII": ((0, 0x7F),),
    "Alpha": ((0x41, 0x5A), (0x61, 0x7A)), "Digit": _DIGIT,
    "Alnum": ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)),
    "Punct": ((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)),
    "Graph": ((0x21, 0x7E),), "Print": ((0x20, 0x7E),), "Blank": ((0x09, 0x09), (0x20, 0x20)),
    "Cntrl": ((0, 0x1F), (0x7F, 0x7F)), "XDigit": ((0x30, 0x39), (0x41, 0x46), (0x61, 0x66)),
    "Space": _SPACE, "all": ((0, _MAX),), "L1": ((0, 0xFF),),
}

# Unicode blocks (\p{InX}); Java knows them all, these are the common ones.
_BLOCKS: dict[str, Ranges] = {
    "basiclatin": ((0, 0x7F),), "latin-1supplement": ((0x80, 0xFF),),
    "latinextended-a": ((0x100, 0x17F),), "latinextended-b": ((0x180, 0x24F),),
    "greek": ((0x370, 0x3FF),), "greekandcoptic": ((0x370, 0x3FF),), "cyrillic": ((0x400, 0x4FF),),
    "hebrew": ((0x590, 0x5FF),), "arabic": ((0x600, 0x6FF),),
    "generalpunctuation": ((0x2000, 0x206F),), "currencysymbols": ((0x20A0, 0x20CF),),
    "hiragana": ((0x3040, 0x309F),), "katakana": ((0x30A0, 0x30FF),),
    "cjkunifiedideographs": ((0x4E00, 0x9FFF),), "hangulsyllables": ((0xAC00, 0xD7AF),),
    "emoticons": ((0x1F600, 0x1F64F),),
}

_CATEGORIES = {
    "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P", "Pc",
    "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So", "Z", "Zs", "Zl", "Zp", "C",
    "Cc", "Cf", "Co", "Cs", "Cn",
}


def _is_lower(c: str) -> bool:
    return c.islower()


def _is_upper(c: str) -> bool:
    return c.isupper()


def _is_alpha(c: str) -> bool:
    return c.isalpha() or unicodedata.category(c) == "Nl"


def _java_whitespace(c: str) -> bool:
    # Character.isWhitespace: space separators except the no-break ones, and some controls
    if c in "\t\n\x0b\f\r\x1c\x1d\x1e\x1f":
        return True
    return unicodedata.category(c) in ("Zs", "Zl", "Zp") and c not in "\xa0\u2007\u202f"


def _is_title(c: str) -> bool:
    return unicodedata.category(c) == "Lt"


def _binary_property(name: str) -> Ranges | None:
    """\\p{IsX} for Unicode binary properties and categories."""
    key = name.lower().replace("_", "").replace(" ", "")
    if key in ("alphabetic",):
        return _where(_is_alpha)
    if key == "letter":
        return _category("L")
    if key == "digit":
        return _category("Nd")
    if key == "uppercase":
        return _where(_is_upper)
    if key == "lowercase":
        return _where(_is_lower)
    if key == "whitespace":
        return _WHITE_SPACE
    if key == "punctuation":
        return _category("P")
    if key == "control":
        return _category("Cc")
    if key == "hexdigit":
        return ((0x30, 0x39), (0x41, 0x46), (0x61, 0x66), (0xFF10, 0xFF19), (0xFF21, 0xFF26),
                (0xFF41, 0xFF46))
    if key == "titlecase":
        return _category("Lt")
    if key == "assigned":
        return _negate(_category("Cn"))
    if key == "joincontrol":
        return ((0x200C, 0x200D),)
    return None


# Scripts (\p{IsLatin}): Python has no script table, so a letter or mark belongs to a script
# when its Unicode name says so. Close to Java for these, not exact (Common, Inherited, and
# the scripts not listed are unsupported).
_SCRIPT_WORDS = {
    "latin": "LATIN", "greek": "GREEK", "cyrillic": "CYRILLIC", "arabic": "ARABIC",
    "hebrew": "HEBREW", "han": "CJK", "hiragana": "HIRAGANA", "katakana": "KATAKANA",
    "hangul": "HANGUL", "thai": "THAI", "devanagari": "DEVANAGARI",
}


@lru_cache(maxsize=None)
def _script(name: str) -> Ranges | None:
    word = _SCRIPT_WORDS.get(name.lower())
    if word is None:
        return None

    def test(c: str) -> bool:
        return unicodedata.category(c)[0] in "LM" and word in unicodedata.name(c, "").split()[0:3]

    return _where(test)


def _property(name: str) -> Ranges | None:
    """The code points of \\p{name}, or None when the name is unknown here."""
    if name in _POSIX:
        return _POSIX[name]
    if name in _CATEGORIES:
        return _category(name)
    if name == "LC":
        return _union(_union(_category("Lu"), _category("Ll")), _category("Lt"))
    if name == "LD":
        return _union(_category("L"), _category("Nd"))
    for prefix in ("gc=", "general_category="):
        if name.startswith(prefix) and name[len(prefix):] in _CATEGORIES:
            return _category(name[len(prefix):])
    if name.startswith("In"):
        return _BLOCKS.get(name[2:].lower().replace(" ", "").replace("_", ""))
    if name.startswith("blk=") or name.startswith("block="):
        return _BLOCKS.get(name.split("=", 1)[1].lower().replace(" ", "").replace("_", ""))
    if name.startswith("Is"):
        rest = name[2:]
        if rest in _CATEGORIES:
            return _category(rest)
        return _binary_property(rest) or _script(rest)
    if name.startswith("sc=") or name.startswith("script="):
        return _script(name.split("=", 1)[1])
    java = {
        "javaLowerCase": lambda: _where(_is_lower), "javaUpperCase": lambda: _where(_is_upper),
        "javaWhitespace": lambda: _where(_java_whitespace), "javaDigit": lambda: _category("Nd"),
        "javaLetter": lambda: _category("L"),
        "javaLetterOrDigit": lambda: _union(_category("L"), _category("Nd")),
        "javaAlphabetic": lambda: _where(_is_alpha), "javaSpaceChar": lambda: _category("Z"),
        "javaTitleCase": lambda: _where(_is_title),
        "javaISOControl": lambda: ((0, 0x1F), (0x7F, 0x9F)),
        "javaDefined": lambda: _negate(_category("Cn")),
    }.get(name)
    return java() if java else None


# ---- the translator ------------------------------------------------------------------------------

def _remove_quoting(p: str) -> str:
    """Rewrite \\Q...\\E as escaped characters, as Java does before parsing."""
    if "\\Q" not in p:
        return p
    out = []
    i, n = 0, len(p)
    while i < n:
        c = p[i]
        if c == "\\" and i + 1 < n:
            if p[i + 1] != "Q":
                out.append(p[i:i + 2])
                i += 2
                continue
            i += 2
            end = p.find("\\E", i)
            quoted = p[i:] if end < 0 else p[i:end]
            for q in quoted:
                if q.isascii() and q.isalpha() or not q.isascii():
                    out.append(q)
                elif q.isdigit():
                    out.append("\\x3" + q)  # a digit must not extend a preceding escape
                else:
                    out.append("\\" + q)
            i = n if end < 0 else end + 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _cls_char(cp: int) -> str:
    c = chr(cp)
    if c.isascii() and c.isalnum():
        return c
    return "\\u%04x" % cp if cp <= 0xFFFF else "\\U%08x" % cp


def _emit_set(ranges: Ranges, negated: bool = False) -> str:
    if not ranges:
        return "(?s:.)" if negated else "(?!)"
    if ranges == ((0, _MAX),):
        return "(?!)" if negated else "(?s:.)"
    body = "".join(
        _cls_char(lo) if lo == hi else _cls_char(lo) + ("-" if hi > lo + 1 else "") + _cls_char(hi)
        for lo, hi in ranges
    )
    return ("[^" if negated else "[") + body + "]"


# pieces of Java's regex syntax the translator reads
_QUANTIFIER = re.compile(r"\{([0-9]+)(,([0-9]*))?\}")
_GROUP_NAME = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)>")
_FLAGS = re.compile(r"([idmsuxU]*)(?:-([idmsuxU]*))?([:)])")
_NAMED_REFERENCE = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)>")
_OCTAL = re.compile(r"[0-3][0-7]{2}|[0-7]{1,2}")
_HEX = re.compile(r"\{([0-9a-fA-F]+)\}|[0-9a-fA-F]{2}")
_UNICODE = re.compile(r"[0-9a-fA-F]{4}")
_LOW_SURROGATE = re.compile(r"\\u([dD][c-fC-F][0-9a-fA-F]{2})")
_CHARACTER_NAME = re.compile(r"\{([^}]*)\}")


def _predefined(letter: str, unicode_classes: bool) -> Ranges:
    """\\d \\w \\s \\h \\v: ASCII-only in Java unless (?U)."""
    if letter == "h":
        return _HSPACE
    if letter == "v":
        return _VSPACE
    if not unicode_classes:
        return {"d": _DIGIT, "w": _WORD, "s": _SPACE}[letter]
    if letter == "d":
        return _category("Nd")
    if letter == "s":
        return _WHITE_SPACE
    word = _union(_where(_is_alpha), _category("M"))
    return _union(word, _union(_category("Nd"), _category("Pc")))


class _Translator:
    def __init__(self, pattern: str) -> None:
        self.p = _remove_quoting(pattern)
        self.i = 0
        self.n = len(self.p)
        self.flags = 0
        self.group_count = 0
        self.closed: set[int] = set()
        self.names: dict[str, int] = {}

    # -- reading

    def error(self, desc: str, index: int | None = None) -> _SyntaxError:
        return _SyntaxError(desc, self.i if index is None else index)

    def skip_comments(self) -> None:
        if not self.flags & _X:
            return
        p = self.p
        while self.i < self.n:
            c = p[self.i]
            if c in _JAVA_SPACE:
                self.i += 1
            elif c == "#":
                while self.i < self.n and p[self.i] not in "\n\r\x85\u2028\u2029":
                    self.i += 1
            else:
                return

    def peek(self) -> str:
        self.skip_comments()
        return self.p[self.i] if self.i < self.n else ""

    def next(self) -> str:
        c = self.peek()
        self.i += 1
        return c

    # -- emitting

    def folded(self, atom: str, char: str | None = None) -> str:
        """An atom (for one character: `char`) under (?i): ASCII-only case folding unless (?u),
        as in Java. The regex engine's (?i) folds all of Unicode, so ASCII-only folding is
        spelled out: a letter as both its cases, anything else tried case-blind only on an
        ASCII character, exactly on any other."""
        if not self.flags & _I:
            return atom
        if self.flags & _UCASE:
            return "(?i:" + atom + ")"
        if char is not None:
            if char.isascii() and char.isalpha():
                return "[" + char.lower() + char.upper() + "]"
            return atom
        return "(?:(?=[\\x00-\\x7f])(?i:" + atom + ")|(?![\\x00-\\x7f])" + atom + ")"

    # -- grammar

    def translate(self) -> str:
        out = self.alternation()
        if self.i < self.n:
            raise self.error("Unmatched closing ')'", self.i - 1 if self.i else 0)
        return out

    def alternation(self) -> str:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.sequence())
        return "|".join(branches)

    def sequence(self) -> str:
        parts = []
        while True:
            c = self.peek()
            if c == "" or c == "|" or c == ")":
                return "".join(parts)
            atom = self.atom()
            if atom is not None:
                parts.append(atom + self.quantifier())

    def atom(self) -> str | None:
        c = self.next()
        if c == "(":
            return self.group()
        if c == "[":
            return self.folded(_emit_set(*self.char_class(True)))
        if c == "\\":
            return self.escape()
        if c == ".":
            if self.flags & _S:
                return "(?s:.)"
            return "[^\\n]" if self.flags & _D else "[^" + _LINE_TERMINATORS + "]"
        if c == "^":
            if not self.flags & _M:
                return "\\A"
            if self.flags & _D:
                return "(?:\\A|(?<=\\n)(?!\\Z))"
            return "(?:\\A|(?:(?<=[\\n\\x85\\u2028\\u2029])|(?<=\\r)(?!\\n))(?!\\Z))"
        if c == "$":
            if self.flags & _D:
                return "(?=\\n|\\Z)" if self.flags & _M else "(?=\\n?\\Z)"
            if self.flags & _M:
                return "(?=[" + _LINE_TERMINATORS + "]|\\Z)(?!(?<=\\r)\\n)"
            return "(?=(?:\\r\\n|[" + _LINE_TERMINATORS + "])?\\Z)(?!(?<=\\r)\\n)"
        if c in "*+?":
            raise self.error(f"Dangling meta character '{c}'", self.i - 1)
        if c == "{":
            raise self.error("Illegal repetition", self.i)
        return self.folded(re.escape(c), c)

    def quantifier(self) -> str:
        c = self.peek()
        if c in ("*", "+", "?"):
            self.i += 1
            q = c
        elif c == "{":
            start = self.i
            m = _QUANTIFIER.match(self.p, self.i)
            if m is None:
                raise self.error("Illegal repetition", start + 1)
            low = int(m.group(1))
            high = m.group(3)
            if low > 0x7FFFFFFF or (high and int(high) > 0x7FFFFFFF) or (high and int(high) < low):
                raise self.error("Illegal repetition range", m.end() - 1)
            self.i = m.end()
            q = m.group(0)
        else:
            return ""
        mod = self.peek()
        if mod in ("?", "+"):
            self.i += 1
            q += mod
        after = self.peek()
        if after in ("*", "+", "?"):
            raise self.error(f"Dangling meta character '{after}'", self.i)
        return q

    def group(self) -> str | None:
        saved = self.flags
        p = self.p
        if p.startswith("?", self.i):
            self.i += 1
            c = p[self.i] if self.i < self.n else ""
            if c == ":":
                self.i += 1
                head = "(?:"
            elif c in ("=", "!", ">"):
                self.i += 1
                head = "(?" + c
            elif c == "<":
                self.i += 1
                d = p[self.i] if self.i < self.n else ""
                if d in ("=", "!"):
                    self.i += 1
                    head = "(?<" + d
                else:
                    m = _GROUP_NAME.match(p, self.i)
                    if m is None:
                        raise self.error("capturing group name does not start with a Latin letter")
                    name = m.group(1)
                    if name in self.names:
                        raise self.error(f"Named capturing group <{name}> is already defined",
                                         m.end() - 1)
                    self.i = m.end()
                    self.group_count += 1
                    self.names[name] = self.group_count
                    return self.finish_group(f"(?P<{name}>", saved, self.group_count)
            else:
                m = _FLAGS.match(p, self.i)
                if m is None or (m.group(0) in (")", ":")):
                    raise self.error("Unknown inline modifier", self.i)
                for letter in m.group(1):
                    self.flags |= _FLAG_LETTERS[letter]
                for letter in m.group(2) or "":
                    self.flags &= ~_FLAG_LETTERS[letter]
                self.i = m.end()
                if m.group(3) == ")":
                    return None  # flags hold until the enclosing group ends
                head = "(?:"
            return self.finish_group(head, saved, None)
        self.group_count += 1
        return self.finish_group("(", saved, self.group_count)

    def finish_group(self, head: str, saved_flags: int, number: int | None) -> str:
        inner = self.alternation()
        if self.peek() != ")":
            raise self.error("Unclosed group", self.n)
        self.i += 1
        self.flags = saved_flags
        if number is not None:
            self.closed.add(number)
        return head + inner + ")"

    def backreference(self, number: int) -> str:
        # Java compiles a reference to a group that does not exist (or is still open) and
        # simply never matches it; Python refuses to compile one.
        if number not in self.closed:
            return "(?!)"
        return self.folded(f"(?:\\{number})")

    def escape(self) -> str:
        p = self.p
        if self.i >= self.n:
            raise self.error("Unexpected internal error", self.n)
        c = p[self.i]
        self.i += 1
        if c in "123456789":
            number = int(c)
            # more digits only while they still name an existing group, as Java reads them
            while self.i < self.n and "0" <= p[self.i] <= "9":
                longer = number * 10 + int(p[self.i])
                if longer > self.group_count:
                    break
                number = longer
                self.i += 1
            return self.backreference(number)
        if c == "k":
            m = _NAMED_REFERENCE.match(p, self.i)
            if m is None:
                raise self.error("\\k is not followed by '<' for named capturing group")
            self.i = m.end()
            if m.group(1) not in self.names:
                raise self.error(f"named capturing group <{m.group(1)}> does not exist")
            return self.backreference(self.names[m.group(1)])
        if c == "b":
            return "\\b"
        if c == "B":
            return "\\B"
        if c == "A":
            return "\\A"
        if c == "z":
            return "\\Z"
        if c == "Z":
            if self.flags & _D:
                return "(?=\\n?\\Z)"
            return "(?=(?:\\r\\n|[" + _LINE_TERMINATORS + "])?\\Z)"
        if c == "R":
            return "(?>\\r\\n|[\\n\\x0b\\f\\r\\x85\\u2028\\u2029])"
        if c in "GX":
            raise self.error(f"\\{c} is not supported by vtl_engine", self.i - 1)
        self.i -= 1
        predicate = self.class_escape()
        if predicate is not None:
            return self.folded(_emit_set(predicate))
        char = chr(self.char_escape())
        return self.folded(re.escape(char), char)

    def class_escape(self) -> Ranges | None:
        """A predefined class at the cursor (after a backslash): \\d \\p{L} ...; else None."""
        p = self.p
        c = p[self.i]
        if c in "dDwWsShHvV":
            self.i += 1
            ranges = _predefined(c.lower(), bool(self.flags & _UCLASS))
            return _negate(ranges) if c.isupper() else ranges
        if c in "pP":
            self.i += 1
            if self.i >= self.n:
                raise self.error("Illegal character property name")
            if p[self.i] == "{":
                end = p.find("}", self.i)
                if end < 0:
                    raise self.error("Unclosed character family", self.n)
                name = p[self.i + 1:end]
                self.i = end + 1
            else:
                name = p[self.i]
                self.i += 1
            ranges = _property(name)
            if ranges is None:
                raise self.error(f"Unknown character property name {{{name}}}", self.i - 1)
            return _negate(ranges) if c == "P" else ranges
        return None

    def char_escape(self) -> int:
        """A single-character escape at the cursor (after a backslash): its code point."""
        p = self.p
        c = p[self.i]
        self.i += 1
        simple = {"t": 9, "n": 10, "r": 13, "f": 12, "a": 7, "e": 27}
        if c in simple:
            return simple[c]
        if c == "0":
            m = _OCTAL.match(p, self.i)
            if m is None:
                raise self.error("Illegal octal escape sequence")
            self.i = m.end()
            return int(m.group(0), 8)
        if c == "x":
            m = _HEX.match(p, self.i)
            if m is None:
                raise self.error("Illegal hexadecimal escape sequence")
            self.i = m.end()
            value = int(m.group(1) or m.group(0), 16)
            if value > _MAX:
                raise self.error("Hexadecimal codepoint is too big")
            return value
        if c == "u":
            m = _UNICODE.match(p, self.i)
            if m is None:
                raise self.error("Illegal Unicode escape sequence")
            self.i = m.end()
            value = int(m.group(0), 16)
            low = _LOW_SURROGATE.match(p, self.i)
            if 0xD800 <= value <= 0xDBFF and low:
                self.i = low.end()
                return 0x10000 + ((value - 0xD800) << 10) + (int(low.group(1), 16) - 0xDC00)
            return value
        if c == "c":
            if self.i >= self.n:
                raise self.error("Illegal control escape sequence")
            self.i += 1
            return ord(p[self.i - 1]) ^ 64
        if c == "N":
            m = _CHARACTER_NAME.match(p, self.i)
            if m is None:
                raise self.error("Unknown character name")
            self.i = m.end()
            try:
                return ord(unicodedata.lookup(m.group(1)))
            except KeyError:
                raise self.error(f"Unknown character name [{m.group(1)}]") from None
        if c.isascii() and c.isalnum():
            raise self.error("Illegal/unsupported escape sequence", self.i - 1)
        return ord(c)

    # -- character classes

    def char_class(self, consume: bool) -> tuple[Ranges, bool]:
        """Java's clazz(): the class's positive set and whether it is negated, cursor after `]`."""
        p = self.p
        prev: Ranges | None = None
        bits: list[tuple[int, int]] = []
        has_bits = False
        negated = False
        if consume and p.startswith("^", self.i):
            self.i += 1
            negated = True
        while True:
            c = self.peek()
            if c == "":
                raise self.error("Unclosed character class", self.n - 1)
            if c == "[":
                self.i += 1
                inner, inner_neg = self.char_class(True)
                inner = _negate(inner) if inner_neg else inner
                prev = inner if prev is None else _union(prev, inner)
                continue
            if c == "&" and p.startswith("&&", self.i):
                self.i += 2
                right: Ranges | None = None
                while self.peek() not in ("]", "&", ""):
                    if self.peek() == "[":
                        self.i += 1
                        inner, inner_neg = self.char_class(True)
                        inner = _negate(inner) if inner_neg else inner
                    else:
                        inner, _ = self.char_class(False)
                    right = inner if right is None else _union(right, inner)
                if has_bits:
                    # a union binds tighter than &&
                    prev = _normalize(bits) if prev is None else _union(prev, _normalize(bits))
                    bits = []
                    has_bits = False
                if prev is None:
                    if right is None:
                        raise self.error("Bad class syntax")
                    prev = right
                elif right is not None:
                    prev = _intersect(prev, right)
                continue
            if c == "]" and (prev is not None or has_bits):
                if consume:
                    self.i += 1
                if prev is None:
                    return _normalize(bits), negated
                return (_union(prev, _normalize(bits)) if has_bits else prev), negated
            predicate, low, high = self.class_item()
            if predicate is not None:
                prev = predicate if prev is None else _union(prev, predicate)
            else:
                bits.append((low, high))
                has_bits = True

    def class_item(self) -> tuple[Ranges | None, int, int]:
        """One member of a class: a predefined class (its ranges), or a range low-high."""
        p = self.p
        c = self.next()
        if c == "\\":
            if self.i >= self.n:
                raise self.error("Unclosed character class", self.n - 1)
            predicate = self.class_escape()
            if predicate is not None:
                return predicate, 0, 0
            low = self.char_escape()
        else:
            low = ord(c)
        if self.peek() == "-":
            after = p[self.i + 1] if self.i + 1 < self.n else ""
            if after not in ("[", "]", ""):
                self.i += 1
                c = self.next()
                if c == "\\":
                    if self.class_escape() is not None:
                        raise self.error("Illegal character range", self.i - 1)
                    high = self.char_escape()
                else:
                    high = ord(c)
                if high < low:
                    raise self.error("Illegal character range", self.i - 1)
                return None, low, high
        return None, low, low


@lru_cache(maxsize=512)
def compile_java(pattern: str) -> _regex.Pattern:
    """The Python equivalent of Pattern.compile(pattern); raises PatternSyntaxException."""
    try:
        translated = _Translator(pattern).translate()
    except _SyntaxError as e:
        raise JavaException(_PSE, _syntax_message(e.desc, e.index, pattern)) from None
    import regex as _regex
    try:
        return _regex.compile(translated, flags=_regex.V0)
    except (_regex.error, OverflowError, RecursionError) as e:
        # Java accepts a few constructs Python's re cannot run (variable-length lookbehind).
        message = _syntax_message(f"Unsupported by vtl_engine: {e}", -1, pattern)
        raise JavaException(_PSE, message) from None


def _require(value: Any, name: str) -> None:
    if value is None:
        raise JavaException("java.lang.NullPointerException",
                            f'Cannot invoke "String.length()" because "{name}" is null')


# ---- the String methods --------------------------------------------------------------------------

def matches(s: str, regex: str) -> bool:
    """String.matches: the whole string must match."""
    _require(regex, "regex")
    try:
        return compile_java(regex).fullmatch(s, timeout=seconds_left()) is not None
    except TimeoutError:
        raise out_of_time() from None


@lru_cache(maxsize=512)
def _replacement(pattern: _regex.Pattern, replacement: str) -> list[str | int] | JavaException:
    """Matcher.appendReplacement's reading of `replacement`: text and group numbers, or the
    exception Java throws once a match needs it."""
    parts: list[str | int] = []
    text: list[str] = []
    i, n = 0, len(replacement)
    while i < n:
        c = replacement[i]
        i += 1
        if c == "\\":
            if i >= n:
                return _illegal("character to be escaped is missing")
            text.append(replacement[i])
            i += 1
            continue
        if c != "$":
            text.append(c)
            continue
        if i >= n:
            return _illegal("Illegal group reference: group index is missing")
        if replacement[i] == "{":
            end = replacement.find("}", i)
            if end < 0:
                return _illegal("named capturing group is missing trailing '}'")
            name = replacement[i + 1:end]
            if not name:
                return _illegal("named capturing group has 0 length name")
            if name not in pattern.groupindex:
                return _illegal(f"No group with name {{{name}}}")
            number = pattern.groupindex[name]
            i = end + 1
        else:
            if not "0" <= replacement[i] <= "9":
                return _illegal("Illegal group reference")
            number = int(replacement[i])
            i += 1
            # more digits only while they still name an existing group
            while i < n and "0" <= replacement[i] <= "9":
                longer = number * 10 + int(replacement[i])
                if longer > pattern.groups:
                    break
                number = longer
                i += 1
            if number > pattern.groups:
                return JavaException("java.lang.IndexOutOfBoundsException", f"No group {number}")
        if text:
            parts.append("".join(text))
            text = []
        parts.append(number)
    if text:
        parts.append("".join(text))
    return parts


def _illegal(message: str) -> JavaException:
    return JavaException("java.lang.IllegalArgumentException", message)


def _substitute(s: str, regex: str, replacement: str, count: int) -> str:
    _require(regex, "regex")
    pattern = compile_java(regex)
    try:
        if replacement is None:
            if pattern.search(s, timeout=seconds_left()) is None:
                return s
            raise JavaException("java.lang.NullPointerException", "replacement")
        if "\\" not in replacement and "$" not in replacement and len(replacement) <= 1:
            return pattern.sub(replacement, s, count, timeout=seconds_left())
        return pattern.sub(_expander(pattern, replacement), s, count, timeout=seconds_left())
    except TimeoutError:
        raise out_of_time() from None


def _expander(pattern: _regex.Pattern, replacement: str) -> Callable[[_regex.Match], str]:
    """What replaces one match: the replacement with its group references filled in."""
    if "\\" not in replacement and "$" not in replacement:
        parts: list[str | int] | JavaException = [replacement]
    else:
        parts = _replacement(pattern, replacement)

    def expand(m: _regex.Match) -> str:
        if isinstance(parts, JavaException):
            raise parts
        text = "".join(p if type(p) is str else (m.group(p) or "") for p in parts)
        charge(len(text))   # many matches times a long replacement can outgrow any input
        return text

    return expand


def replace_all(s: str, regex: str, replacement: str) -> str:
    """String.replaceAll."""
    return _substitute(s, regex, replacement, 0)


def replace_first(s: str, regex: str, replacement: str) -> str:
    """String.replaceFirst."""
    return _substitute(s, regex, replacement, 1)


def _literal_separator(regex: str) -> str | None:
    """The character String.split's fast path splits on without a regex, if it applies."""
    if len(regex) == 1 and regex not in ".$|()[{^?*+\\":
        return regex
    if len(regex) == 2 and regex[0] == "\\" and not (regex[1].isascii() and regex[1].isalnum()):
        return regex[1]
    return None


def _split_at_matches(s: str, pattern: _regex.Pattern, limit: int) -> list[str] | None:
    """The pieces of `s` between matches of `pattern` (None when nothing matches)."""
    parts = []
    index = 0
    matched = False
    for m in pattern.finditer(s, timeout=seconds_left()):
        if limit > 0 and len(parts) >= limit - 1:
            break
        start, end = m.span()
        if end == 0:
            continue
        parts.append(s[index:start])
        index = end
        matched = True
    if not matched:
        return None
    parts.append(s[index:])
    return parts


def split(s: str, regex: str, limit: int = 0) -> JavaArray:
    """String.split(regex, limit): no leading empty string for a zero-width match at 0; with
    limit 0, trailing empty strings dropped; a string with no match is returned whole."""
    _require(regex, "regex")
    separator = _literal_separator(regex)
    if separator is not None and not "\ud800" <= separator <= "\udfff":
        if separator not in s:
            return JavaArray((s,))
        parts = s.split(separator, limit - 1 if limit > 0 else -1)
    else:
        try:
            parts = _split_at_matches(s, compile_java(regex), limit)
        except TimeoutError:
            raise out_of_time() from None
        if parts is None:
            return JavaArray((s,))
    if limit == 0:
        while parts and parts[-1] == "":
            parts.pop()
    return JavaArray(parts)
