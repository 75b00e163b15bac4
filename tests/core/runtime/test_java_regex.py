"""javaregex.py: Java regular expressions on Python's re, for matches/replaceAll/replaceFirst/split.

Every row of CASES was run through Java 17 (String.matches, replaceAll, replaceFirst, split) and
its result recorded here; Raises(name) means Java threw that exception. Split results are
written "count:part|part".
"""
from __future__ import annotations

import pytest
import regex

from vtl_engine.core.runtime import javaregex
from vtl_engine.core.runtime.signals import JavaException
from vtl_engine.core.runtime.values import JavaArray

class Raises(str):
    """The expected outcome is this Java exception."""


CASES = [
    ('matches', '(a)\\2', 'a') + ('false',),
    ('matches', 'a{', 'a{') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('matches', 'a{,5}', 'aa') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('matches', '{', '{') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('matches', 'a}', 'a}') + ('true',),
    ('matches', '\\v', '\x0b') + ('true',),
    ('matches', '\\v', '\n') + ('true',),
    ('matches', '\\h', '\xa0') + ('true',),
    ('matches', 'a**', 'aa') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('matches', '[]a]', ']') + ('true',),
    ('matches', '[a-]', '-') + ('true',),
    ('matches', '[^]a]', 'b') + ('true',),
    ('matches', 'a(?i)b|c', 'C') + ('true',),
    ('matches', 'a(?i)b|c', 'aB') + ('true',),
    ('matches', '(?i)é', 'É') + ('false',),
    ('matches', '(?iu)é', 'É') + ('true',),
    ('matches', '(?i)k', 'K') + ('false',),
    ('replaceAll', '\\b', 'é a', '|') + ('|é| |a|',),
    ('replaceAll', '\\w', 'é a_1', '|') + ('é |||',),
    ('matches', 'a$', 'a\r\n') + ('false',),
    ('matches', '.', '\r') + ('false',),
    ('replaceAll', '$', 'a\n', 'X') + ('aX\nX',),
    ('replaceAll', '$', 'a\r\n', 'X') + ('aX\r\nX',),
    ('replaceAll', '(?m)^', 'a\rb\u2028c', 'X') + ('Xa\rXb\u2028Xc',),
    ('split', '', 'abc') + ('3:a|b|c',),
    ('split', ',', '') + ('1:',),
    ('split', 'x*', 'axb') + ('3:a||b',),
    ('split', '(?=b)', 'abab') + ('3:a|ba|b',),
    ('split', ',', ',,a,,') + ('3:||a',),
    ('split', ',', ',,,') + ('0:',),
    ('split', ',', 'a,b,c', '2') + ('2:a|b,c',),
    ('split', ',', 'a,b,,', '-1') + ('4:a|b||',),
    ('split', '^', 'ab') + ('1:ab',),
    ('replaceAll', '(a)(b)?', 'ab a', '[$1$2]') + ('[ab] [a]',),
    ('replaceAll', '(?<x>a)', 'a', '${x}') + ('a',),
    ('replaceAll', 'a', 'a', '\\$') + ('$',),
    ('replaceAll', 'a', 'a', '$') + (Raises('java.lang.IllegalArgumentException'),),
    ('replaceAll', 'a', 'a', '\\') + (Raises('java.lang.IllegalArgumentException'),),
    ('replaceAll', '(a)', 'a', '$12') + ('a2',),
    ('replaceAll', 'a', 'a', '$a') + (Raises('java.lang.IllegalArgumentException'),),
    ('replaceAll', 'a', 'a', '${y}') + (Raises('java.lang.IllegalArgumentException'),),
    ('replaceAll', 'a', 'xyz', '$') + ('xyz',),
    ('matches', '(', '(') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('matches', '[a', 'a') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('matches', '*', 'a') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('matches', 'a)', 'a') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('matches', '\\', 'a') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('matches', '\\y', 'a') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('matches', '(?P<n>a)', 'a') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('matches', '(?#c)a', 'a') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('matches', 'a{2,1}', 'a') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('matches', '\\p{Foo}', 'a') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('matches', 'x{99999999999}', 'a') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('matches', '[a-z&&[^c]]+', 'abd') + ('true',),
    ('matches', '[a-z&&[^c]]+', 'abc') + ('false',),
    ('matches', '[\\p{L}&&[^a]]', 'é') + ('true',),
    ('matches', '\\Qa.b\\E.', 'a.bc') + ('true',),
    ('matches', '\\Qa.b', 'a.b') + ('true',),
    ('matches', '[\\Q]\\E]', ']') + ('true',),
    ('matches', '\\p{Lower}\\p{Upper}\\p{Alpha}\\p{Digit}\\p{Punct}', 'aBc1!') + ('true',),
    ('matches', '\\p{javaLowerCase}', 'é') + ('true',),
    ('matches', '\\p{IsAlphabetic}', 'é') + ('true',),
    ('matches', '\\p{InGreek}', 'α') + ('true',),
    ('matches', '\\pL', 'a') + ('true',),
    ('matches', '\\p{Lu}', 'É') + ('true',),
    ('matches', '\\p{IsLu}', 'É') + ('true',),
    ('matches', '\\p{gc=Lu}', 'É') + ('true',),
    ('matches', 'a++b', 'aab') + ('true',),
    ('matches', 'a++a', 'aa') + ('false',),
    ('matches', '(?>a+)a', 'aa') + ('false',),
    ('matches', 'a*+a', 'aaa') + ('false',),
    ('matches', 'a?+a', 'a') + ('false',),
    ('matches', 'a{1,2}+a', 'aa') + ('false',),
    ('matches', '\\0101', 'A') + ('true',),
    ('matches', '\\x41\\x{42}\\u0043', 'ABC') + ('true',),
    ('matches', '\\cA', '\x01') + ('true',),
    ('matches', '\\e', '\x1b') + ('true',),
    ('matches', '\\R', '\r\n') + ('true',),
    ('matches', '(?x) a b # comment', 'ab') + ('true',),
    ('matches', '(?x)[ a]', ' ') + ('false',),
    ('matches', '(?s).', '\n') + ('true',),
    ('matches', '(?d).', '\r') + ('true',),
    ('matches', 'a\\Z', 'a\n') + ('false',),
    ('matches', '(a)(?<n>b)\\k<n>\\1', 'abba') + ('true',),
    ('matches', '\\11', '\t') + ('false',),
    ('matches', '(a)\\11', 'aa1') + ('true',),
    ('matches', '[a-\\d]', '-') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('matches', '[\\d-z]', '-') + ('true',),
    ('matches', '[z-a]', 'a') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('matches', 'a?+?', 'a') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('replaceAll', '(\\w+)@(\\w+)\\.com', 'joe@x.com, ann@y.com', '$2:$1') + ('x:joe, y:ann',),
    ('replaceAll', '\\s+', ' a \t b\n', '_') + ('_a_b_',),
    ('replaceAll', '[^a-zA-Z0-9]', 'a-b_c!d', '') + ('abcd',),
    ('replaceAll', '(?i)HELLO', 'hello Hello', 'bye') + ('bye bye',),
    ('replaceAll', '"', 'say "hi"', '\\\\"') + ('say \\"hi\\"',),
    ('replaceAll', "'", "it's", "\\\\'") + ("it\\'s",),
    ('replaceAll', '\\\\', 'a\\b', '/') + ('a/b',),
    ('replaceAll', '\\.', 'a.b.c', '\\\\.') + ('a\\.b\\.c',),
    ('replaceFirst', 'o', 'foo', '0') + ('f0o',),
    ('replaceAll', '(o)', 'foo', '\\$1') + ('f$1$1',),
    ('replaceAll', 'x*', 'abc', '-') + ('-a-b-c-',),
    ('replaceAll', '', 'abc', '-') + ('-a-b-c-',),
    ('replaceAll', 'b*', 'abbc', 'X') + ('XaXXcX',),
    ('replaceAll', '$', 'abc', '!') + ('abc!',),
    ('replaceAll', '^', 'abc', '!') + ('!abc',),
    ('replaceAll', '(?m)$', 'a\nb\n', '!') + ('a!\nb!\n!',),
    ('replaceAll', '(?m)^', 'a\nb\n', '!') + ('!a\n!b\n',),
    ('split', '\\s*,\\s*', 'a , b,c ,d') + ('4:a|b|c|d',),
    ('split', '\\|', 'a|b||') + ('2:a|b',),
    ('split', '|', 'ab') + ('2:a|b',),
    ('split', '.', 'a.b') + ('0:',),
    ('split', '\\.', 'a.b') + ('2:a|b',),
    ('split', '(?!^)', 'abc') + ('3:a|b|c',),
    ('split', '\\b', 'hi there') + ('3:hi| |there',),
    ('split', 'a', 'aaa') + ('0:',),
    ('split', 'a', 'aaab') + ('4:|||b',),
    ('split', 'a', 'baaa', '-1') + ('4:b|||',),
    ('split', ',', 'a,b', '1') + ('1:a,b',),
    ('split', ',', 'a,b', '0') + ('2:a|b',),
    ('split', '😀', 'a😀b') + ('2:a|b',),
    ('matches', '.', '😀') + ('true',),
    ('matches', '[😀]', '😀') + ('true',),
    ('matches', '\\uD83D\\uDE00', '😀') + ('true',),
    ('matches', '[^a]', '😀') + ('true',),
    ('replaceAll', '.', 'a😀', 'x') + ('xx',),
    ('matches', '(?i)straße', 'STRASSE') + ('false',),
    ('matches', '(?iu)σ', 'Σ') + ('true',),
    ('matches', '\\d+', '١٢') + ('false',),
    ('matches', '(?U)\\d+', '١٢') + ('true',),
    ('matches', '\\w+', 'é') + ('false',),
    ('matches', '(?U)\\w+', 'é') + ('true',),
    ('matches', '\\s', '\xa0') + ('false',),
    ('matches', '\\p{Space}', '\x0b') + ('true',),
    ('matches', '\\S', '\xa0') + ('true',),
    ('matches', '[\\w&&[^_]]+', 'ab_') + ('false',),
    ('matches', '[abc[def]]', 'e') + ('true',),
    ('matches', '[^abc[def]]', 'e') + ('false',),
    ('matches', '[^abc[def]]', 'x') + ('true',),
    ('matches', '[a-c&&b-d&&c]', 'c') + ('true',),
    ('matches', '[a-c&&b-d&&c]', 'b') + ('false',),
    ('matches', '[&&a]', 'a') + ('true',),
    ('matches', '[a&&]', 'a') + ('true',),
    ('matches', '[a&b]', '&') + ('true',),
    ('matches', '(?i)[a-c]', 'B') + ('true',),
    ('matches', '(?i)[^a]', 'A') + ('false',),
    ('matches', '(?i)\\p{Lower}', 'A') + ('true',),
    ('matches', '(?-i)a', 'A') + ('false',),
    ('matches', '(?i:a)b', 'Ab') + ('true',),
    ('matches', '(?i:a)b', 'AB') + ('false',),
    ('matches', '((?i)a)b', 'AB') + ('false',),
    ('matches', '((?i)a)b', 'Ab') + ('true',),
    ('matches', 'a{2}', 'aa') + ('true',),
    ('matches', 'a{2,}', 'aaaa') + ('true',),
    ('matches', 'a{2,3}?', 'aa') + ('true',),
    ('matches', 'a{0}', '') + ('true',),
    ('matches', '\\Q\\E', '') + ('true',),
    ('matches', '\\Qab', 'ab') + ('true',),
    ('matches', 'a\\Q*\\Eb', 'a*b') + ('true',),
    ('matches', '\\Q\\\\E', '\\') + ('true',),
    ('matches', '\\Q1\\E\\Q2\\E', '12') + ('true',),
    ('matches', '(?<first>a)(?<second>b)', 'ab') + ('true',),
    ('replaceAll', '(?<first>a)(?<second>b)', 'ab', '${second}${first}') + ('ba',),
    ('replaceAll', '(a)', 'a', '$0$1') + ('aa',),
    ('replaceAll', '(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)', 'abcdefghijk', '$11-$10-$1') + ('k-j-a',),
    ('matches', '[\\x41-\\x43]+', 'ABC') + ('true',),
    ('matches', '[\\0101]', 'A') + ('true',),
    ('matches', '\\t\\n', '\t\n') + ('true',),
    ('matches', '\\a', '\x07') + ('true',),
    ('matches', '[\\t]', '\t') + ('true',),
    ('matches', '\\N{LATIN SMALL LETTER A}', 'a') + ('true',),
    ('matches', '\\x{1F600}', '😀') + ('true',),
    ('matches', '(?=a)a', 'a') + ('true',),
    ('matches', '(?!b)a', 'a') + ('true',),
    ('matches', 'a(?<=a)', 'a') + ('true',),
    ('matches', 'a(?<!b)', 'a') + ('true',),
    ('matches', '(a|b)*c', 'ababc') + ('true',),
    ('matches', '(?:ab)+', 'abab') + ('true',),
    ('matches', '^abc$', 'abc') + ('true',),
    ('matches', '\\^\\$\\.\\|\\?\\*\\+\\(\\)\\[\\]\\{\\}', '^$.|?*+()[]{}') + ('true',),
    ('matches', '[.$^]', '$') + ('true',),
    ('matches', '[\\[\\]]', '[') + ('true',),
    ('matches', '\\-', '-') + ('true',),
    ('matches', '\\/', '/') + ('true',),
    ('matches', '\\@', '@') + ('true',),
    ('matches', 'a|', '') + ('true',),
    ('matches', '|a', '') + ('true',),
    ('matches', '()', '') + ('true',),
    ('matches', '(|a)+', 'aa') + ('true',),
    ('matches', '[a-z]+\\d*', 'abc123') + ('true',),
    ('matches', '\\p{Alnum}+', 'ab1') + ('true',),
    ('matches', '\\P{Alnum}', '!') + ('true',),
    ('matches', '\\p{XDigit}+', '0fA') + ('true',),
    ('matches', '\\p{javaUpperCase}', 'É') + ('true',),
    ('matches', '\\p{javaWhitespace}', '\xa0') + ('false',),
    ('matches', '\\p{javaWhitespace}', '\u2003') + ('true',),
    ('matches', '\\p{IsWhite_Space}', '\xa0') + ('true',),
    ('matches', '\\p{L1}', 'ÿ') + ('true',),
    ('matches', '\\p{all}', 'x') + ('true',),
    ('matches', '\\p{IsPunctuation}', '!') + ('true',),
    ('matches', '\\p{Sc}', '$') + ('true',),
    ('matches', '\\p{S}', '$') + ('true',),
    ('matches', '\\p{Nd}', '٣') + ('true',),
    ('matches', '\\p{Zs}', ' ') + ('true',),
    ('matches', '\\p{Cc}', '\x00') + ('true',),
    ('matches', '\\p{IsLatin}+', 'abcÉ') + ('true',),
    ('matches', '\\p{IsGreek}', 'α') + ('true',),
    ('matches', '\\p{Lowercase}', 'a') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('matches', '\\p{IsLowercase}', 'a') + ('true',),
    ('matches', '\\E', 'E') + (Raises('java.util.regex.PatternSyntaxException'),),
    ('split', '\\s+', '  lead and trail  ') + ('4:|lead|and|trail',),
    ('split', ':', 'a:b:c', '-2') + ('3:a|b|c',),
    ('split', '(,)', 'a,b') + ('2:a|b',),
    ('replaceFirst', '(x)?y', 'y', '[$1]') + ('[]',),
    ('replaceAll', '[\\u0041-\\u0043]', 'ABCD', '-') + ('---D',),
    ('matches', '[\\p{Upper}&&[^A]]+', 'BC') + ('true',),
    ('replaceAll', '(?s)<!--.*?-->', 'a<!--x\ny-->b', '') + ('ab',),
    ('replaceAll', '["\\\\]', '"q\\"', '\\\\$0') + ('\\"q\\\\\\"',),
    ('matches', '^\\d{3}-\\d{4}$', '555-1234') + ('true',),
    ('matches', '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}', 'a.b@c.io') + ('true',),
]


def _run(op: str, pattern: str, text: str, *extra: str) -> str:
    if op == "matches":
        return "true" if javaregex.matches(text, pattern) else "false"
    if op == "replaceAll":
        return javaregex.replace_all(text, pattern, extra[0])
    if op == "replaceFirst":
        return javaregex.replace_first(text, pattern, extra[0])
    parts = javaregex.split(text, pattern, int(extra[0])) if extra else javaregex.split(text, pattern)
    assert type(parts) is JavaArray
    return f"{len(parts)}:" + "|".join(parts)


@pytest.mark.parametrize("case", CASES, ids=[repr(c[:-1]) for c in CASES])
def test_as_java(case: tuple) -> None:
    *call, expected = case
    if isinstance(expected, Raises):
        with pytest.raises(JavaException) as e:
            _run(*call)
        assert e.value.java_class == expected
    else:
        assert _run(*call) == expected


def test_syntax_error_message_has_javas_shape() -> None:
    # Java: "Unclosed group near index 1\n(" and "Dangling meta character '*' near index 0\n*\n^"
    with pytest.raises(JavaException) as e:
        javaregex.matches("x", "(")
    assert e.value.message == "Unclosed group near index 1\n("
    with pytest.raises(JavaException) as e:
        javaregex.matches("x", "*")
    assert e.value.message == "Dangling meta character '*' near index 0\n*\n^"


def test_no_python_error_escapes() -> None:
    for pattern in ["(?P<n>x)", "(?P=n)", "\\g<0>", "(?<=a+)b", "[[:alpha:]]", "x{2}{3}", "(?", "\\", "[", "(?<n>a)(?<n>b)",
                    "\\k<zz>", "\\p{", "\\x{110000}", "\\cé", "a{99999999999}", "\\N{NOT A NAME}"]:
        try:
            javaregex.matches("x", pattern)
        except JavaException as e:
            assert e.java_class == "java.util.regex.PatternSyntaxException"


def test_python_replacement_syntax_is_literal() -> None:
    # Python would read \g<1> and \1 in a replacement; Java reads them as escaped letters.
    assert javaregex.replace_all("ab", "(a)", "\\g<1>") == "g<1>b"
    assert javaregex.replace_all("ab", "(a)", "\\1") == "1b"


def test_patterns_compile_once() -> None:
    javaregex.compile_java.cache_clear()
    for _ in range(3):
        javaregex.replace_all("a-b", "-", "+")
        javaregex.split("a,b", "\\s*,\\s*")
    info = javaregex.compile_java.cache_info()
    assert info.misses == 2 and info.hits == 4
    assert isinstance(javaregex.compile_java("a"), regex.Pattern)
