"""The files a replay or batch reads: which format each is in, and its items one at a time.

An item is what a worker turns into a record: a JSON Lines line as it was read (`(line,
bytes)`, parsed by the worker) or a Record that a reader has already put together (HAR,
CloudWatch, whose records span several lines). Files ending in `.gz` are read through gzip.
"""
from __future__ import annotations

import gzip
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import ijson
import orjson

from . import cloudwatch, har
from .jsonlines import read_lines
from .records import Record

_PEEK = 1 << 16

Item = tuple[int, bytes] | Record


class InputError(Exception):
    """An input that cannot be read at all (one line, naming the file)."""


@dataclass(frozen=True)
class ReadOptions:
    #: a HAR entry's response is what the client is expected to receive
    har_responses: bool = False
    #: taken off the front of HAR paths (a custom domain's base path mapping)
    base_path: str = ""


@dataclass(frozen=True)
class InputFile:
    """One input: `path` ("-": standard input, JSON Lines) and its format ("jsonl", "har",
    "cloudwatch-json", "cloudwatch-lines", "cloudwatch-text")."""

    path: str
    format: str

    @property
    def is_plain_file(self) -> bool:
        """Read as it is on disk (not standard input, not through gzip)."""
        return self.path != "-" and not self.path.endswith(".gz")

    @property
    def base(self) -> Path | None:
        """The folder a record's own `template` is relative to."""
        return None if self.path == "-" else Path(self.path).parent


def input_file(path: str, given_format: str | None = None) -> InputFile:
    """`path` with its format: `given_format` ("jsonl", "har", "cloudwatch"), else told from
    the file's name and first bytes."""
    if path == "-":
        if given_format not in (None, "jsonl"):
            raise InputError("standard input can only be JSON Lines")
        return InputFile(path, "jsonl")
    try:
        with open_binary(path) as stream:
            head = stream.read(_PEEK)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, EOFError) as e:
        raise InputError(f"{path}: cannot read ({e})") from None
    found = _sniff(head, path)
    if given_format is None:
        if found is None:
            raise InputError(f"{path}: cannot tell its format (JSON Lines of requests, a HAR "
                             f"file or a CloudWatch export); give --format")
        return InputFile(path, found)
    if given_format == "cloudwatch":
        return InputFile(path, found if found and found.startswith("cloudwatch")
                         else "cloudwatch-text")
    return InputFile(path, given_format)


def open_binary(path: str) -> BinaryIO:
    if path == "-":
        return sys.stdin.buffer
    if path.endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


def read_items(source: InputFile, options: ReadOptions = ReadOptions()) -> Iterator[Item]:
    """The items of one input, in order."""
    stream = open_binary(source.path)
    name = source.path
    try:
        if source.format == "jsonl":
            yield from read_lines(stream)
        elif source.format == "har":
            yield from har.records(stream, name, options.har_responses, options.base_path)
        elif source.format == "cloudwatch-json":
            yield from cloudwatch.records(cloudwatch.json_events(stream), name)
        elif source.format == "cloudwatch-lines":
            yield from cloudwatch.records(cloudwatch.json_line_events(read_lines(stream)), name)
        else:
            yield from cloudwatch.records(cloudwatch.text_events(stream), name)
    except (OSError, EOFError) as e:
        raise InputError(f"{name}: cannot read ({e})") from None
    except ijson.JSONError as e:
        raise InputError(f"{name}: not valid JSON ({e})") from None
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _sniff(head: bytes, path: str) -> str | None:
    if path.removesuffix(".gz").endswith(".har"):
        return "har"
    text = head.lstrip()
    if not text:
        return "jsonl"
    if text[:1] == b"{":
        first, newline, _ = text.partition(b"\n")
        value = None
        if newline or len(head) < _PEEK:
            try:
                value = orjson.loads(first)
            except orjson.JSONDecodeError:
                value = None
        if isinstance(value, dict):
            if "events" in value:
                return "cloudwatch-json"
            if "log" in value:
                return "har"
            if "message" in value and ("timestamp" in value or "logStreamName" in value):
                return "cloudwatch-lines"
            return "jsonl"
        if b'"events"' in head:
            return "cloudwatch-json"
        if b'"log"' in head and b'"entries"' in head:
            return "har"
        return None
    first_line = text.partition(b"\n")[0] + b"\n"
    if cloudwatch.is_text_line(first_line):
        return "cloudwatch-text"
    return None
