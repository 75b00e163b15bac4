"""The JSON Lines file a batch or replay writes its results to: whole lines only, so that an
interrupted run leaves a valid file, and `resume` continues after the last whole line."""
from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

import orjson

_BLOCK = 1 << 20


class OutputError(Exception):
    """An output file that cannot be written or resumed (one line, naming the file)."""


class ResultsFile:
    """Lines appended whole. With `resume`, a file left by an earlier run is kept up to its last
    whole line (a cut last line is removed): `done` is how many lines it holds, `last` the last
    one, parsed (None when empty)."""

    def __init__(self, path: str | os.PathLike[str], resume: bool = False) -> None:
        self.path = Path(path)
        self.done = 0
        self.last: dict | None = None
        try:
            if resume and self.path.exists():
                self.done, self.last = _keep_whole_lines(self.path)
                self.file: BinaryIO = open(self.path, "ab")
            else:
                self.file = open(self.path, "wb")
        except OSError as e:
            raise OutputError(f"{path}: cannot write ({e.strerror or e})") from None

    def write(self, lines: bytes) -> None:
        self.file.write(lines)
        self.file.flush()

    def close(self) -> None:
        self.file.close()


def _keep_whole_lines(path: Path) -> tuple[int, dict | None]:
    """Cut `path` after its last newline; the number of lines and the last one."""
    count, end, size = 0, 0, path.stat().st_size
    with open(path, "r+b") as f:
        position = 0
        while block := f.read(_BLOCK):
            count += block.count(b"\n")
            newline = block.rfind(b"\n")
            if newline >= 0:
                end = position + newline + 1
            position += len(block)
        if end < size:
            f.truncate(end)
        if not end:
            return 0, None
        f.seek(max(0, end - _BLOCK))
        tail = f.read(end - f.tell())
    last = tail[:-1].rpartition(b"\n")[2]
    try:
        value = orjson.loads(last)
    except orjson.JSONDecodeError:
        raise OutputError(f"{path}: its last line is not JSON: not a results file to resume")
    return count, value if isinstance(value, dict) else None
