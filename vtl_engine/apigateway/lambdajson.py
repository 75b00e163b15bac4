"""What Lambda says of a payload that is not JSON.

A Lambda (non-proxy) integration sends the request template's output to Lambda's Invoke API,
which parses it with Jackson and refuses what does not parse: API Gateway then answers 400
`{"message": "Could not parse request body into json: Could not parse payload into json: …"}`
and the function never runs (serverless/serverless#2270). The most common cause is
`$util.escapeJavaScript`'s `\'` inside a JSON string.

`jackson_error` finds the first error as Jackson's byte parser does (ObjectMapper.readTree: an
empty payload and trailing content are accepted, a UTF-8 byte-order mark skipped) and words it
as Jackson 2.16 and later do, the source REDACTED, with line and column (columns count bytes),
as the errors Lambda answered in 2024 and 2025 show. The words and positions are checked against
jackson-core on this machine (fixtures/lambda_json.jsonl, recorded by
tools/record_lambda_json.py). The body's shape (a space after the colon, the message escaped as
$util.escapeJavaScript escapes) is that of raw 400s users recorded.
"""
from __future__ import annotations

from dataclasses import dataclass

import orjson

from .util import escape_javascript

PREFIX = "Could not parse request body into json: Could not parse payload into json: "
SOURCE = "REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)"
_WHITESPACE = b" \t\r\n"
_DIGITS = b"0123456789"
_HEX = b"0123456789abcdefABCDEF"
_ESCAPES = b'"\\/bfnrtu'
_TOKEN_CHARS = 256
_MAX_DEPTH = 1000
VALID_VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"


def invokes_lambda(integration_type: str, uri: str) -> bool:
    """Whether an integration sends its request template's output to Lambda's Invoke API: a
    non-proxy (`AWS`) integration whose URI is `arn:aws:apigateway:…:lambda:path/…`."""
    return integration_type == "AWS" and ":lambda:path/" in uri


def lambda_rejection(payload: str | bytes) -> str | None:
    """The 400 body API Gateway answers when Lambda cannot parse `payload`; None if it can."""
    message = jackson_error(payload)
    if message is None:
        return None
    return '{"message": "%s"}' % escape_javascript(PREFIX + message)


def jackson_error(payload: str | bytes) -> str | None:
    """Jackson's message for the first error in `payload`, or None when it parses."""
    data = payload.encode("utf-8", "surrogatepass") if isinstance(payload, str) else payload
    try:
        orjson.loads(data)
        if data.count(b"[") + data.count(b"{") <= _MAX_DEPTH:
            return None   # (orjson allows deeper nesting than Jackson: look when it may be)
    except orjson.JSONDecodeError:
        pass  # stricter than Jackson in places (trailing content, lone surrogates, a BOM)
    return _Scanner(data).error()


@dataclass
class _Open:
    """An object or array being read: its close marker, its kind and where it opened."""

    close: int
    kind: str
    opened: tuple[int, int, int]
    first: bool = True


class JacksonError(Exception):
    def __init__(self, message: str, at: int | None) -> None:
        super().__init__(message)
        self.message, self.at = message, at


class _Scanner:
    """A JSON reader that stops at Jackson's first complaint, with Jackson's row counting: rows
    advance only at line breaks between tokens, never inside a string."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.i = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        self.row = 1
        self.row_start = 0
        self.open: list[_Open] = []

    def error(self) -> str | None:
        try:
            if self._skip_space() is None:
                return None  # an empty payload is accepted
            self._value(root=True)
            self._containers()
        except JacksonError as e:
            return e.message if e.at is None else f"{e.message}\n at {self._location(e.at)}"
        return None

    # -- positions -------------------------------------------------------------------------

    def _location(self, at: int, row: int | None = None, row_start: int | None = None) -> str:
        row = self.row if row is None else row
        row_start = self.row_start if row_start is None else row_start
        column = at - row_start + 1
        # Jackson leaves out a column it counts as 0 (before the first byte)
        return f"[Source: {SOURCE}; line: {row}" + (f", column: {column}]" if column else "]")

    def _fail(self, message: str, at: int | None) -> None:
        raise JacksonError(message, at)

    def _unexpected(self, at: int, expected: str) -> None:
        byte = self.data[at]
        self._fail(f"Unexpected character ({_quoted(byte)}): {expected}", at)

    # -- reading ----------------------------------------------------------------------------

    def _skip_space(self) -> int | None:
        """The next byte that is not whitespace (counting rows), or None at the end."""
        data = self.data
        while self.i < len(data):
            byte = data[self.i]
            if byte not in _WHITESPACE:
                return byte
            self.i += 1
            if byte == 0x0A or (byte == 0x0D and data[self.i:self.i + 1] != b"\n"):
                self.row += 1
                self.row_start = self.i
        return None

    def _value(self, root: bool = False) -> None:
        """Read one value; an object or array is opened (pushed) and read by `_containers`."""
        byte = self._skip_space()
        if byte is None:
            self._fail("Unexpected end-of-input: expected a value", self.i)  # never at the root
        start = self.i
        if byte == 0x7B:
            self._open(0x7D, "Object")
        elif byte == 0x5B:
            self._open(0x5D, "Array")
        elif byte == 0x22:
            self.i += 1
            self._string()
        elif byte == 0x2D or byte in _DIGITS:
            self._number()
        elif byte in b"]}" and root:
            self._fail(f"Unexpected close marker '{chr(byte)}': expected '}}' (for root "
                       f"starting at {self._location(self.i - 1)})", self.i)
        elif byte in b"]},":
            self._unexpected(start, "expected a value")
        elif byte in b"tfn":
            self._keyword({0x74: "true", 0x66: "false", 0x6E: "null"}[byte])
        elif byte == 0x4E and self.data.startswith(b"NaN", start):
            self._non_standard("NaN", start + 3)
        elif byte == 0x49 and self.data.startswith(b"Infinity", start):
            self._non_standard("Infinity", start + 8)
        elif _identifier_start(self.data, start):
            self._invalid_token(start)
        else:
            self._unexpected(start, f"expected a valid value {VALID_VALUES}")

    def _open(self, close: int, kind: str) -> None:
        if len(self.open) == _MAX_DEPTH:   # Jackson's StreamReadConstraints; no position given
            self._fail(f"Document nesting depth ({_MAX_DEPTH + 1}) exceeds the maximum allowed "
                       f"({_MAX_DEPTH}, from `StreamReadConstraints.getMaxNestingDepth()`)", None)
        self.open.append(_Open(close, kind, (self.i, self.row, self.row_start)))
        self.i += 1

    def _containers(self) -> None:
        """Read the open objects and arrays to their ends, with a stack rather than recursion,
        so a payload nested as deep as Jackson allows costs no Python stack."""
        while self.open:
            top = self.open[-1]
            kind, opened = top.kind, top.opened
            byte = self._next_in(kind, opened, closable=True)
            if byte in b"]}":
                if byte != top.close:
                    self._fail(f"Unexpected close marker '{chr(byte)}': expected "
                               f"'{chr(top.close)}' (for {kind} starting at "
                               f"{self._location(*opened)})", self.i)
                self.i += 1
                self.open.pop()
                continue
            if not top.first:
                if byte != 0x2C:
                    self._unexpected(self.i, f"was expecting comma to separate {kind} entries")
                self.i += 1
                byte = self._next_in(kind, opened, closable=False)
            top.first = False
            if kind == "Object":
                if byte != 0x22:
                    self._unexpected(self.i, "was expecting double-quote to start field name")
                self.i += 1
                self._string()
                if self._next_in(kind, opened, closable=False) != 0x3A:
                    self._unexpected(self.i, "was expecting a colon to separate field name "
                                             "and value")
                self.i += 1
                self._next_in(kind, opened, closable=False)
            self._value()

    def _next_in(self, kind: str, opened: tuple[int, int, int], closable: bool) -> int:
        """The next byte inside a container opened at `opened`. The end of input fails: where a
        close marker could come (`closable`) Jackson asks for one, elsewhere it says where."""
        byte = self._skip_space()
        if byte is None:
            if closable:
                self._fail(f"Unexpected end-of-input: expected close marker for {kind} (start "
                           f"marker at {self._location(*opened)})", self.i)
            self._fail(f"Unexpected end-of-input within/between {kind} entries", self.i)
        return byte

    def _string(self) -> None:
        data = self.data
        while True:
            if self.i >= len(data):
                self._fail("Unexpected end-of-input in VALUE_STRING", self.i)
            byte = data[self.i]
            self.i += 1
            if byte == 0x22:
                return
            if byte < 0x20:
                self._fail(f"Illegal unquoted character ((CTRL-CHAR, code {byte})): has to be "
                           "escaped using backslash to be included in string value", self.i - 1)
            if byte == 0x5C:
                if self.i >= len(data):
                    self._fail("Unexpected end-of-input in character escape sequence", self.i)
                escape = data[self.i]
                if escape not in _ESCAPES:
                    self._fail(f"Unrecognized character escape {_quoted(escape)}", self.i)
                self.i += 1
                if escape == 0x75:
                    for _ in range(4):
                        if self.i >= len(data):
                            self._fail("Unexpected end-of-input in character escape sequence",
                                       self.i)
                        if data[self.i] not in _HEX:
                            self._unexpected(self.i, "expected a hex-digit for character "
                                                     "escape sequence")
                        self.i += 1

    def _number(self) -> None:
        data, start = self.data, self.i
        if data[self.i] == 0x2D:
            self.i += 1
            if data.startswith(b"Infinity", self.i):
                self._non_standard("-Infinity", self.i + 8)
            if self.i >= len(data):
                self._fail("Unexpected end-of-input in null", self.i)  # sic
            if data[self.i] not in _DIGITS:
                self._digit_expected("expected digit (0-9) to follow minus sign, for valid "
                                     "numeric value")
        if data[self.i] == 0x30 and self.i + 1 < len(data) and data[self.i + 1] in _DIGITS:
            self._fail("Invalid numeric value: Leading zeroes not allowed", self.i + 1)
        self._digits()
        if self.i < len(data) and data[self.i] == 0x2E:
            self.i += 1
            if self.i >= len(data):  # Jackson points at the point itself
                self._fail("Unexpected character ('.' (code 46)) in numeric value: Decimal "
                           "point not followed by a digit", self.i - 1)
            if data[self.i] not in _DIGITS:
                self._digit_expected("Decimal point not followed by a digit")
            self._digits()
        if self.i < len(data) and data[self.i] in b"eE":
            self.i += 1
            if self.i < len(data) and data[self.i] in b"+-":
                self.i += 1
            if self.i >= len(data) or data[self.i] not in _DIGITS:
                self._digit_expected("Exponent indicator not followed by a digit")
            self._digits()
        assert self.i > start

    def _digits(self) -> None:
        while self.i < len(self.data) and self.data[self.i] in _DIGITS:
            self.i += 1

    def _digit_expected(self, why: str) -> None:
        if self.i >= len(self.data):
            self._fail("Unexpected end-of-input in a Number value", self.i)
        byte = self.data[self.i]
        self._fail(f"Unexpected character ({_quoted(byte)}) in numeric value: {why}", self.i)

    def _keyword(self, word: str) -> None:
        start, expected = self.i, word.encode()
        if self.data.startswith(expected, start) and not _identifier_part(
                self.data, start + len(expected)):
            self.i += len(expected)
            return
        self._invalid_token(start)

    def _non_standard(self, token: str, end: int) -> None:
        self._fail(f"Non-standard token '{token}': enable "
                   "`JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow", end)

    def _invalid_token(self, start: int) -> None:
        """Jackson's "Unrecognized token": the token's identifier characters (at most 256),
        the position just past the character that ended it."""
        data, end = self.data, start
        text = ""
        while end < len(data) and len(text) < _TOKEN_CHARS:
            char, width = _decoded(data, end)
            if text and not (char.isidentifier() or ("a" + char).isidentifier()):
                end += width
                break
            text += char
            end += width
        if len(text) == _TOKEN_CHARS:
            text += "..."
        self._fail(f"Unrecognized token '{text}': was expecting {VALID_VALUES}", end)


def _decoded(data: bytes, at: int) -> tuple[str, int]:
    """The character starting at byte `at`, and its width in bytes."""
    lead = data[at]
    width = 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    return data[at:at + width].decode("utf-8", "replace")[:1], width


def _identifier_start(data: bytes, at: int) -> bool:
    char, _ = _decoded(data, at)
    return char.isidentifier() or char == "$"


def _identifier_part(data: bytes, at: int) -> bool:
    if at >= len(data):
        return False
    char, _ = _decoded(data, at)
    return ("a" + char).isidentifier() or char == "$"


def _quoted(byte: int) -> str:
    """A character as Jackson names it: `'x' (code 120)`."""
    return f"'{chr(byte)}' (code {byte})"
