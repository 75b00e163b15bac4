"""Reading the files a user names (templates, API definitions, test cases): each failure is one
line that names the file, raised as the caller's own error type."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # only those who read YAML pay for importing it
    import yaml

# the process's umask, read once (reading it means setting it, which other threads would see)
_UMASK = os.umask(0)
os.umask(_UMASK)


def read_user_text(path: str | Path, error: type[Exception]) -> str:
    """The file's text (UTF-8, without the byte order mark some editors write at its start), or
    `error` saying in one line why it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, not a file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise error(f"{path}: cannot read ({e})") from None


def yaml_problem(e: yaml.YAMLError) -> tuple[str, str]:
    """What a YAML parser complained of, and where (" at line L, column C", or "")."""
    mark = getattr(e, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return getattr(e, "problem", None) or str(e).splitlines()[0], where


UTF8_BOM = b"\xef\xbb\xbf"


def body_warnings(body: bytes) -> list[str]:
    """What is worth saying about a request body read from a file: bytes that are not UTF-8
    (read as API Gateway reads them, each malformed sequence becoming U+FFFD), and a byte order
    mark, which API Gateway keeps: its JSONPath library (Jayway with json-smart) then reads the
    body as one string, so $input.path('$.a') finds nothing and $input.json('$') quotes it."""
    warnings = []
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as e:
        warnings.append(f"not valid UTF-8 (byte 0x{body[e.start]:02x} at offset {e.start}); "
                        "read as API Gateway reads it, each malformed sequence as U+FFFD")
    if body.startswith(UTF8_BOM):
        warnings.append("starts with a UTF-8 byte order mark, which API Gateway keeps: the body "
                        "is then not JSON to $input.path and $input.json (json-smart reads it "
                        "as one string)")
    return warnings


def write_atomically(path: Path, data: bytes) -> None:
    """Replace the user's file `path` with `data` in one step (a reader never sees half a file,
    a failure leaves the old file); an existing file keeps its permissions. OSError when it
    cannot be written."""
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_UMASK
    import tempfile   # (only writers pay for importing it)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
