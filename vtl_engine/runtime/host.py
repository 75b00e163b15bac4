"""Objects a host (the API Gateway layer, an emulator, a test) exposes to templates.

A template sees a HostObject only through the names its class lists: `vtl_methods` (callable as
`$obj.name(args)`) and `vtl_properties` (readable as `$obj.name`, Velocity's `getName()`).
Nothing else of the Python object is reachable, so exposing one never exposes Python internals.
"""
from __future__ import annotations

import inspect
from typing import Any, ClassVar

from .signals import MISSING


class HostObject:
    """Base class for Java-like objects provided by the embedding code."""

    #: method names a template may call; each is a Python method of the same name
    vtl_methods: ClassVar[frozenset[str]] = frozenset()
    #: property names a template may read; each is a Python method `get_<name>()`
    vtl_properties: ClassVar[frozenset[str]] = frozenset()

    def vtl_to_string(self) -> str:
        """What Java's toString() would print for this object."""
        return ""

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        """The method's result; MISSING (no such method, as for Java) when it cannot take
        this many arguments."""
        method = getattr(self, name)
        try:
            inspect.signature(method).bind(*args)
        except TypeError:
            return MISSING
        return method(*args)

    def vtl_get(self, name: str) -> Any:
        return getattr(self, "get_" + name)()
