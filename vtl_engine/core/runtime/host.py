"""Objects a host (the API Gateway layer, an emulator, a test) exposes to templates.

A template sees a HostObject only through the names its class lists: `vtl_methods` (callable as
`$obj.name(args)`) and `vtl_properties` (readable as `$obj.name`, Velocity's `getName()`).
Nothing else of the Python object is reachable, so exposing one never exposes Python internals.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, ClassVar

from .signals import MISSING


class _Variable:
    __slots__ = ()

    def __repr__(self) -> str:
        return "VARIABLE"


#: in `vtl_direct`'s `constants`: an argument known only when rendering
VARIABLE = _Variable()


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

    @classmethod
    def vtl_direct(cls, name: str, constants: tuple[Any, ...]) -> Callable[..., Any] | None:
        """A plain function `f(obj, *args)` that does what `obj.vtl_call(name, args)` does, for
        generated code to call directly when the host names this class as a known object (see
        Template's `known_objects`); None when there is none. `constants` holds the call's
        arguments that are literals in the template (VARIABLE for the others), so a function
        can do at compile time what depends only on them. A staticmethod-wrapped function is
        called without the object: `f(*args)`. Unlike vtl_call it never returns MISSING: offer
        no function where the method might be missing."""
        return None
