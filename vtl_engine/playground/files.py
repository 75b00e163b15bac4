"""The files the playground may write: the templates it was started with, and test case files
beside them.

The page names a file by its number in the list the server was started with, never by a path,
so no page can make the server write anywhere else. A save is atomic (a temporary file in the
same folder, then `os.replace`: a reader sees the old file or the new, never part of one) and
refused when the file changed on disk since the page loaded it (the page sends the version, a
digest of the bytes, it was given).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..userfiles import UTF8_BOM, write_atomically

ABSENT = "absent"
CASE_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\.vtltest\.ya?ml")


class SaveRefused(Exception):
    """A save that did not happen; `version` is the file's version on disk now (for a conflict)."""

    def __init__(self, message: str, version: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.version = version


@dataclass
class TemplateFile:
    """A template file the playground was started with (it may not exist yet: saving creates
    it)."""

    shown: str          # as given on the command line
    path: Path          # absolute

    def read(self) -> tuple[str, str]:
        """The text (as `vtl render` reads it, userfiles.read_user_text: newlines as \\n, no
        byte order mark) and its version."""
        data = _read_bytes(self.path)
        if data is None:
            return "", ABSENT
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise SaveRefused(f"{self.shown}: not UTF-8 text ({e})") from None
        return text.replace("\r\n", "\n").replace("\r", "\n"), version_of(data)

    def save(self, text: str, version: str) -> str:
        """Write `text` if the file is still at `version`; returns the new version. The file's
        line endings (\\r\\n or \\n) and byte order mark, if it has one, are kept."""
        current = _read_bytes(self.path)
        if (version_of(current) if current is not None else ABSENT) != version:
            raise SaveRefused(f"{self.shown} changed on disk since it was loaded: reload it, or "
                              "overwrite it",
                              version_of(current) if current is not None else ABSENT)
        if current is not None and b"\r\n" in current:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        data = text.encode("utf-8")
        if current is not None and current.startswith(UTF8_BOM):
            data = UTF8_BOM + data
        try:
            write_atomically(self.path, data)
        except OSError as e:
            raise SaveRefused(f"{self.shown}: cannot write ({e.strerror or e})") from None
        return version_of(data)


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def case_file_path(beside: Path, name: str) -> Path:
    """Where a test case file named `name` (a plain file name) goes: beside `beside`."""
    if not CASE_FILE_NAME.fullmatch(name):
        raise SaveRefused(f"{name!r} is not a case file name: a plain name ending in "
                          ".vtltest.yaml (no folders)")
    return beside.parent / name


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise SaveRefused(f"{path}: cannot read ({e.strerror or e})") from None
