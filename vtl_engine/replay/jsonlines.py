"""JSON Lines of requests: one JSON object per line (docs/replay.md lists the keys).

The reader only splits lines: parsing a line into a Record (`parse_line`) is left to whoever
renders it, so that worker processes share the work and the reading process stays light.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import orjson

from .records import Record, RecordError, record_from_json


def read_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(line number, text) for each line that is not blank."""
    for number, line in enumerate(stream, 1):
        if line.strip():
            yield number, line


def parse_line(text: bytes, source: str, line: int, base: Path | None) -> Record:
    """The record on one line; RecordError when it is not one."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        raise RecordError(f"not valid JSON ({e.msg} at column {e.colno})") from None
    return record_from_json(value, source, line, base)
