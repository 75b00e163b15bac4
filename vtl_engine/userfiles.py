"""Reading the files a user names (templates, API definitions, test cases): each failure is one
line that names the file, raised as the caller's own error type."""
from __future__ import annotations

from pathlib import Path

import yaml


def read_user_text(path: str | Path, error: type[Exception]) -> str:
    """The file's text (UTF-8), or `error` saying in one line why it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8")
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
