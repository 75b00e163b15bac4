"""The exceptions the engine raises: every failure a template or its data can cause is a VtlError."""
from __future__ import annotations

import orjson


def snippet(source: str, line: int, column: int) -> str:
    """The template line at `line` with a caret under `column` (both 1-based)."""
    lines = source.splitlines() or [""]
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1].expandtabs(1)
    caret = " " * (max(column, 1) - 1) + "^"
    return f"{text}\n{caret}"


def shown(value: object) -> str:
    """A value a user gave, as a message quotes it: text in quotes, anything else as the JSON or
    YAML it came from writes it (`true`, `null`, `[1, 2]`), never Python's `True` or `None`."""
    if isinstance(value, str):
        return repr(value)
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:   # not JSON (a date YAML read, an object of the caller's)
        return str(value)


class VtlError(Exception):
    """Base of every error the engine raises for a bad template, bad data or an exceeded limit.

    `message`, `line`, `column` and `template_name` may be changed after it is raised (a caller
    that knows better where the template sits does so): `str()` reads them when asked. The
    `snippet` is the template's line with a caret, taken when the error was made.
    """

    def __init__(self, message: str, line: int | None = None, column: int | None = None,
                 source: str | None = None, template_name: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.template_name = template_name
        self.snippet = snippet(source, line, column) if source is not None and line else ""

    def __reduce__(self) -> tuple:
        # rebuilt from its fields (its children's __init__ take other arguments)
        return _rebuilt, (type(self), self.__dict__)

    def __str__(self) -> str:
        where = ""
        if self.line is not None:
            where = f" at line {self.line}, column {self.column}"
            if self.template_name:
                where += f" of {self.template_name}"
        text = f"{self.message}{where}"
        if self.snippet:
            text += "\n" + self.snippet
        return text


def _rebuilt(kind: type[VtlError], fields: dict) -> VtlError:
    error = kind.__new__(kind, fields["message"])
    error.__dict__.update(fields)
    return error


class VtlSyntaxError(VtlError):
    """The template does not parse: the message says what is wrong and where."""


class VtlRuntimeError(VtlError):
    """Rendering failed: a method threw (as it would in Java), a value had the wrong type, …

    `java_exception` names the Java exception class Velocity would have reported, when there is one.
    """

    def __init__(self, message: str, line: int | None = None, column: int | None = None,
                 source: str | None = None, template_name: str | None = None,
                 java_exception: str | None = None) -> None:
        self.java_exception = java_exception
        super().__init__(message, line, column, source, template_name)


class VtlLimitError(VtlRuntimeError):
    """A configured limit (loop iterations, output size, recursion depth, time, …) was exceeded."""

    def __init__(self, limit: str, value: object, line: int | None = None, column: int | None = None,
                 source: str | None = None, template_name: str | None = None) -> None:
        self.limit = limit
        self.value = value
        super().__init__(f"limit {limit} exceeded ({value})", line, column, source, template_name)
