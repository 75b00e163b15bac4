"""Bytes read as text the way API Gateway's Java reads them: `new String(bytes, UTF_8)`.

A payload that arrives as bytes (a request body, a backend's response), and what
`$util.base64Decode` and `$util.urlDecode` decode, become text here and nowhere else. Java 17's
decoder replaces each malformed sequence by one U+FFFD where Python's does too (the longest
start of a well-formed sequence, else one byte), except an encoded surrogate (`ED A0-BF`, and a
continuation byte after it), which Java takes as one malformed sequence and Python as one per
byte. fixtures/utf8/java_decoding.jsonl holds what Java 17 makes of 3,146 byte sequences that
cover every kind of byte in every position (tools/record_utf8_decoding.py records it).
"""
from __future__ import annotations

import codecs


def _java_replacement(error: UnicodeDecodeError) -> tuple[str, int]:
    data, start = error.object, error.start
    if data[start] == 0xED and start + 1 < len(data) and 0xA0 <= data[start + 1] <= 0xBF:
        end = start + 2
        if end < len(data) and 0x80 <= data[end] <= 0xBF:
            end += 1
        return "\ufffd", end
    return "\ufffd", error.end


codecs.register_error("vtl-java-utf8", _java_replacement)


def java_utf8_decode(data: bytes) -> str:
    """`new String(bytes, UTF_8)`: malformed input becomes U+FFFD exactly where Java puts it."""
    return data.decode("utf-8", "vtl-java-utf8")


def payload_text(body: str | bytes | bytearray | None) -> str:
    """A payload as a template reads it: text as it is, bytes decoded as Java decodes them,
    nothing as the empty text."""
    if body is None:
        return ""
    if isinstance(body, str):
        return body
    return java_utf8_decode(bytes(body))
