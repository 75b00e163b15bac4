"""The tuned $util encoders against plain, obviously-Java reimplementations, over random text.

Each reference below is a character-by-character transcription of the Java it stands for
(Commons Lang 2.4 escapeJavaScript, URLEncoder.encode(s, "UTF-8"), Base64 over getBytes(UTF_8));
the fast functions in util.py must agree with them on every string.
"""
import base64

from hypothesis import given, settings
from hypothesis import strategies as st

from vtl_engine.apigateway.util import base64_encode, escape_javascript, url_encode

_JS_SHORT = {"\b": "\\b", "\n": "\\n", "\t": "\\t", "\f": "\\f", "\r": "\\r",
             "'": "\\'", '"': '\\"', "\\": "\\\\", "/": "\\/"}
_URL_UNRESERVED = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*_")


def utf16_units(text: str) -> list[int]:
    """The Java char sequence of `text`: astral characters as surrogate pairs."""
    units = []
    for char in text:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            units += [0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)]
        else:
            units.append(code)
    return units


def java_utf8(text: str) -> bytes:
    """String.getBytes(UTF_8): an unpaired surrogate becomes '?'."""
    return b"".join(c.encode("utf-8") if not 0xD800 <= ord(c) <= 0xDFFF else b"?" for c in text)


def reference_escape_javascript(text: str) -> str:
    out = []
    for unit in utf16_units(text):
        char = chr(unit)
        if char in _JS_SHORT:
            out.append(_JS_SHORT[char])
        elif unit < 32 or unit > 0x7F:
            out.append("\\u%04X" % unit)
        else:
            out.append(char)
    return "".join(out)


def reference_url_encode(text: str) -> str:
    out = []
    for byte in java_utf8(text):
        char = chr(byte)
        if char in _URL_UNRESERVED:
            out.append(char)
        elif char == " ":
            out.append("+")
        else:
            out.append("%%%02X" % byte)
    return "".join(out)


def reference_base64_encode(text: str) -> str:
    return base64.b64encode(java_utf8(text)).decode("ascii")


# every kind of character the encoders treat differently, mixed with plain ASCII
_SPECIAL = st.sampled_from("\\\"'/ \t\n\r\b\f\x00\x01\x1f\x7f~*.-_+%&=?#|<>")
_TEXT = st.text(st.one_of(
    st.characters(max_codepoint=0x7F),
    _SPECIAL,
    st.characters(min_codepoint=0x80, max_codepoint=0xFF),           # Latin-1
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),       # CJK
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),     # emoji (astral)
    st.integers(0xD800, 0xDFFF).map(chr),                             # unpaired surrogates
    st.characters(),
), max_size=40)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_escape_javascript_matches_the_reference(text):
    assert escape_javascript(text) == reference_escape_javascript(text)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_url_encode_matches_the_reference(text):
    assert url_encode(text) == reference_url_encode(text)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_base64_encode_matches_the_reference(text):
    assert base64_encode(text) == reference_base64_encode(text)
