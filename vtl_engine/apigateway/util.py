"""`$util`: the six helpers API Gateway gives mapping templates, byte-exact with the Java they wrap.

escapeJavaScript is Commons Lang 2.4 `StringEscapeUtils.escapeJavaScript`; urlEncode/urlDecode are
`java.net.URLEncoder`/`URLDecoder` with UTF-8; base64Encode/base64Decode are `java.util.Base64`'s
basic encoder and decoder over UTF-8; parseJson reads JSON into the values json-smart would give.
Each is a plain function so generated code can call it directly; `Util` is the `$util` object.
"""
from __future__ import annotations

import binascii
import codecs
import re
from typing import Any, ClassVar

from ..core.runtime.host import HostObject
from ..core.runtime.signals import MISSING, JavaException
from ..core.runtime.values import JSON_DATA
from .jsondata import parse_json as _parse_json_text
from .utf8 import java_utf8_decode

_ILLEGAL_ARGUMENT = "java.lang.IllegalArgumentException"
_BAD_HEX = "URLDecoder: Illegal hex characters in escape (%) pattern - "
_INCOMPLETE = "URLDecoder: Incomplete trailing escape (%) pattern"
_NULL_POINTER = "java.lang.NullPointerException"


# -- escapeJavaScript ---------------------------------------------------------------------------

class _JsEscapes(dict):
    """str.translate table: ASCII is filled in up front, other code points on first sight."""

    def __missing__(self, code: int) -> str:
        if code > 0xFFFF:  # Java sees two UTF-16 halves and escapes each
            code -= 0x10000
            value = "\\u%04X\\u%04X" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))
        else:
            value = "\\u%04X" % code
        self[code] = value
        return value


_JS_TABLE = _JsEscapes({c: "\\u%04X" % c for c in range(32)})
_JS_TABLE.update({8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r",
                  ord("'"): "\\'", ord('"'): '\\"', ord("\\"): "\\\\", ord("/"): "\\/"})
_JS_TABLE.update({c: chr(c) for c in range(32, 128) if c not in _JS_TABLE})
_JS_LATIN1 = tuple(_JS_TABLE[c] for c in range(256))  # as a charmap_decode table
# the control characters alone, for ASCII text whose other escapes are already in place
_JS_CONTROLS = [_JS_TABLE[c] if c < 32 else chr(c) for c in range(128)]


def escape_javascript(value: Any) -> str | None:
    """`$util.escapeJavaScript(s)`; null stays null, as in Commons Lang."""
    if value is None:
        return None
    text = value if value.__class__ is str else JSON_DATA.to_string(value)
    if not text.isascii():
        # Latin-1 text (one byte a character, as "ignore" then drops nothing) maps fastest as
        # bytes; other text goes through the table character by character
        data = text.encode("latin-1", "ignore")
        if len(data) == len(text):
            return codecs.charmap_decode(data, None, _JS_LATIN1)[0]
        return text.translate(_JS_TABLE)
    # ASCII: str.replace is a C-speed search, where str.translate drops to a slow per-character
    # path at its first multi-character replacement. The `in` tests save a call on the usual
    # miss. Backslashes go first, as the other replacements add some.
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if '"' in text:
        text = text.replace('"', '\\"')
    if "'" in text:
        text = text.replace("'", "\\'")
    if "/" in text:
        text = text.replace("/", "\\/")
    if text.isprintable():  # no control characters
        return text
    # the common control characters by str.replace too, any others by the table
    text = text.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return text if text.isprintable() else text.translate(_JS_CONTROLS)


# -- urlEncode / urlDecode ----------------------------------------------------------------------

_URL_SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*_")
# what each UTF-8 byte becomes, as a charmap_decode table
_URL_BYTE = tuple(chr(b) if b in _URL_SAFE else "+" if b == 0x20 else "%%%02X" % b
                  for b in range(256))
_URL_IS_SAFE = re.compile(r"[A-Za-z0-9.\-*_]*").fullmatch


def url_encode(value: Any) -> str:
    """`$util.urlEncode(s)`: URLEncoder.encode(s, "UTF-8")."""
    text = value if value.__class__ is str else _required(value)
    # text with a space always needs encoding: no need to search it for the unchanged case
    if " " not in text and _URL_IS_SAFE(text) is not None:
        return text
    try:
        data = text.encode()  # the plain call is the quickest
    except UnicodeEncodeError:
        data = text.encode("utf-8", "replace")  # getBytes(UTF_8) writes '?' for a lone surrogate
    # mapping the bytes with charmap_decode beat str.translate (per character past the first escape)
    return codecs.charmap_decode(data, None, _URL_BYTE)[0]


_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def _parse_hex_byte(pair: str) -> int:
    """Integer.parseInt(pair, 16) as URLDecoder uses it (a sign is allowed; a negative is not)."""
    first = 1 if pair[0] in "+-" else 0
    for i in range(first, 2):
        if pair[i] not in _HEX_DIGITS:
            raise JavaException(_ILLEGAL_ARGUMENT, _BAD_HEX + f'Error at index {i} in: "{pair}"')
    value = int(pair, 16)
    if value < 0:
        raise JavaException(_ILLEGAL_ARGUMENT, _BAD_HEX + "negative value")
    return value


def url_decode(value: Any) -> str:
    """`$util.urlDecode(s)`: URLDecoder.decode(s, "UTF-8"); a malformed escape throws as in Java."""
    text = _required(value)
    if "%" not in text:
        return text.replace("+", " ")
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        pct = text.find("%", i)
        if pct < 0:
            out.append(text[i:].replace("+", " "))
            break
        out.append(text[i:pct].replace("+", " "))
        # a run of %XX escapes is one byte sequence, decoded together
        data = bytearray()
        i = pct
        while i + 2 < n and text[i] == "%":
            data.append(_parse_hex_byte(text[i + 1:i + 3]))
            i += 3
        if i < n and text[i] == "%":
            raise JavaException(_ILLEGAL_ARGUMENT, _INCOMPLETE)
        out.append(java_utf8_decode(bytes(data)))
    return "".join(out)


# -- base64Encode / base64Decode ----------------------------------------------------------------

_B64_WELL_FORMED = re.compile(r"([A-Za-z0-9+/]*)(={0,2})").fullmatch
_B64_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def base64_encode(value: Any) -> str:
    """`$util.base64Encode(s)`: standard alphabet, padded, over the UTF-8 bytes."""
    try:
        # the common case on the cheapest calls: a str (others have no encode), no lone surrogate
        return binascii.b2a_base64(value.encode(), newline=False).decode()
    except (AttributeError, UnicodeEncodeError):
        data = _required(value).encode("utf-8", "replace")  # '?' for a lone surrogate, as above
        return binascii.b2a_base64(data, newline=False).decode()


def base64_decode(value: Any) -> str:
    """`$util.base64Decode(s)`: Base64.getDecoder().decode(s) read as UTF-8.

    Java accepts a missing final padding but nothing else irregular; every rejection throws
    IllegalArgumentException with Java's own message.
    """
    text = _required(value)
    match = _B64_WELL_FORMED(text)
    if match is not None:
        body, pad = match.groups()
        tail = len(body) % 4
        if (not pad and tail != 1) or (pad and tail + len(pad) == 4):
            return java_utf8_decode(binascii.a2b_base64(body + "=" * (-len(body) % 4)))
    raise JavaException(_ILLEGAL_ARGUMENT, _base64_error(text))


def _base64_error(text: str) -> str:
    """The message java.util.Base64.Decoder throws for `text` (which it does not accept)."""
    if len(text) < 2:
        return "Input byte[] should at least have 2 bytes for base64 bytes"
    shift, pos, n = 18, 0, len(text)
    while pos < n:
        char = text[pos]
        pos += 1
        if char == "=":
            if shift == 18 or (shift == 6 and (pos == n or text[pos] != "=")):
                return "Input byte array has wrong 4-byte ending unit"
            if shift == 6:
                pos += 1
            break
        if char not in _B64_ALPHABET:
            # the String reaches Java as ISO-8859-1 bytes ('?' beyond), printed as a signed byte
            code = ord(char) if ord(char) < 256 else 0x3F
            signed = code - 256 if code >= 128 else code
            return f"Illegal base64 character {'-' if signed < 0 else ''}{abs(signed):x}"
        shift = 18 if shift == 0 else shift - 6
    if shift == 12:
        return "Last unit does not have enough valid bits"
    return f"Input byte array has incorrect ending byte at {pos}"


# -- parseJson ----------------------------------------------------------------------------------

def parse_json(value: Any) -> Any:
    """`$util.parseJson(s)`: the map, list, string, number, boolean or null that `s` holds."""
    return _parse_json_text(_required(value))


def _required(value: Any) -> str:
    """The String argument a Java method receives; null makes it throw as Java would."""
    if value is None:
        raise JavaException(_NULL_POINTER)
    return value if type(value) is str else JSON_DATA.to_string(value)


# -- the $util object ---------------------------------------------------------------------------

_FUNCTIONS = {
    "escapeJavaScript": escape_javascript,
    "parseJson": parse_json,
    "urlEncode": url_encode,
    "urlDecode": url_decode,
    "base64Encode": base64_encode,
    "base64Decode": base64_decode,
}


class Util(HostObject):
    """`$util`. An unknown method, or a wrong number of arguments, is an invalid reference:
    API Gateway renders it as nothing and carries on."""

    vtl_methods: ClassVar[frozenset[str]] = frozenset(_FUNCTIONS)
    functions: ClassVar[dict[str, Any]] = _FUNCTIONS

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        function = _FUNCTIONS.get(name)
        if function is None or len(args) != 1:
            return MISSING
        return function(args[0])

    @classmethod
    def vtl_direct(cls, name: str, constants: tuple[Any, ...]) -> Any:
        function = _FUNCTIONS.get(name)
        if function is None or len(constants) != 1:
            return None
        return staticmethod(function)   # the helpers do not need $util itself


UTIL = Util()
