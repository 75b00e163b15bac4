"""How runtime helpers tell the generated code that a lookup failed, that Java would have thrown,
or that a limit was exceeded."""
from __future__ import annotations


class _Missing:
    """No such method, property, key or index: Velocity's "invalid reference".

    Distinct from None (Java null): a map may hold null, but a method may not exist.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING = _Missing()


class JavaException(Exception):
    """What a Java method would have thrown; the renderer turns it into a positioned VtlRuntimeError."""

    def __init__(self, java_class: str, message: str = "") -> None:
        self.java_class = java_class
        self.message = message
        super().__init__(f"{java_class}: {message}" if message else java_class)


class LimitExceeded(Exception):
    """A limit the render went past (a `Limits` field, or a fixed bound of core/limits.py) and
    its value; the renderer turns it into a positioned VtlLimitError."""

    def __init__(self, limit: str, value: object) -> None:
        self.limit = limit
        self.value = value
        super().__init__(f"limit {limit} exceeded ({value})")
