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
        if not line.isspace():
            yield number, line


def read_blocks(stream: BinaryIO, first_line: int, size: int) -> Iterator[tuple[int, bytes]]:
    """(number of its first line, a block of about `size` bytes of whole lines), from where
    `stream` is, whose next line is `first_line`."""
    while block := stream.read(size):
        if not block.endswith(b"\n"):
            block += stream.readline()
        yield first_line, block
        first_line += block.count(b"\n")


def block_lines(block: bytes, first_line: int) -> Iterator[tuple[int, bytes]]:
    """(line number, text) for each line of a block that is not blank."""
    for number, line in enumerate(block.split(b"\n"), first_line):
        if line and not line.isspace():
            yield number, line


def parse_line(text: bytes, source: str, line: int, base: Path | None) -> Record:
    """The record on one line; RecordError when it is not one."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        raise RecordError(f"not valid JSON ({e.msg} at column {e.colno})") from None
    return record_from_json(value, source, line, base)
