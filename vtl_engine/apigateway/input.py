"""`$input`: the payload and the request parameters, as API Gateway shows them to a template."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from ..core.dialect import Dialect
from ..core.runtime.host import HostObject
from ..core.runtime.signals import MISSING, JavaException
from ..core.runtime.values import JSON_DATA
from .jsondata import parse_body_lists, to_json, with_json_arrays
from .jsonpath import NOT_FOUND, JsonPath, compile_path

_UNPARSED = object()
# The order in which $input.params(name) looks a name up, and in which $input.params() lists them.
PARAM_KINDS = ("path", "querystring", "header")


def normalise_params(params: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """`{"path": {}, "querystring": {}, "header": {}}` filled from what the caller gave (copied,
    so a template that changes them does not change the caller's dicts)."""
    get = (params or {}).get
    # written out (in PARAM_KINDS' order): a comprehension costs half as much again
    return {"path": {**(get("path") or {})}, "querystring": {**(get("querystring") or {})},
            "header": {**(get("header") or {})}}


class Input(HostObject):
    """`$input`. The payload is parsed at most once, and only if the template asks for a path;
    `$input.path` hands out the parsed values themselves, so a template that changes them changes
    what a later `$input.json` writes, as on API Gateway."""

    vtl_methods: ClassVar[frozenset[str]] = frozenset({"json", "path", "params", "getBody"})
    vtl_properties: ClassVar[frozenset[str]] = frozenset({"body"})
    __slots__ = ("body", "parameters", "_document", "_lists", "_scan", "_json_lists")

    def __init__(self, body: str, params: dict[str, dict[str, Any]],
                 dialect: Dialect | None = None) -> None:
        """`dialect`: the dialect of the template that reads this `$input`. Where the
        caller's lists are JSON arrays already (`aws`), the payload's stay lists; otherwise
        (`velocity`, or none given) they become JsonArrays, since JSON arrays they are."""
        # API Gateway hands an empty payload to the template as "{}"
        self.body = body or "{}"
        self.parameters = params
        self._document: Any = _UNPARSED   # the payload as $input.path hands it out
        self._lists: Any = _UNPARSED      # as parsed, lists as lists: enough for $input.json
        self._scan = b""
        self._json_lists = dialect is not None and dialect.values.lists_are_json

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        if name == "path" and len(args) == 1:
            return self.path(args[0])
        if name == "json" and len(args) == 1:
            return self.json(args[0])
        if name == "params":
            if not args:
                return self.parameters
            if len(args) == 1:
                return self.param(args[0])
        if name == "getBody" and not args:
            return self.body
        return MISSING

    @classmethod
    def vtl_direct(cls, name: str, constants: tuple[Any, ...]) -> Callable[..., Any] | None:
        if len(constants) != 1:
            return None
        if name == "params":
            return cls.param
        if name not in ("path", "json"):
            return None
        if type(constants[0]) is not str:
            return cls.path if name == "path" else cls.json
        try:
            compiled = compile_path(constants[0])
        except JavaException:
            return None   # an invalid path fails when it is used, as on API Gateway
        return _constant_path(compiled) if name == "path" else _constant_json(compiled)

    def get_body(self) -> str:
        """`$input.body`: the raw payload."""
        return self.body

    def path(self, path: Any) -> Any:
        """`$input.path(x)`: the value at JSONPath x (a map, JSON array, string, number, boolean);
        null if there is none."""
        found = compile_path(_path_text(path)).read(self.document())
        return None if found is NOT_FOUND else found

    def json(self, path: Any) -> str:
        """`$input.json(x)`: the value at JSONPath x as JSON text; `""` if there is none."""
        found = compile_path(_path_text(path)).read(self.json_document())
        return '""' if found is NOT_FOUND else to_json(found)

    def param(self, name: Any) -> Any:
        """`$input.params(x)`: the value of x as a path, else query string, else header
        parameter, else "". (`$input.params()` is `parameters`: every parameter by kind.)"""
        key = name if type(name) is str else JSON_DATA.to_string(name)
        parameters = self.parameters
        for kind in PARAM_KINDS:
            found = parameters[kind].get(key)
            if found is not None:
                return found
        return ""

    def document(self) -> Any:
        """The payload parsed (once) as JsonPath reads it."""
        document = self._document
        if document is _UNPARSED:
            # made in place from the parsed payload, so both share every map
            parsed = self._parsed()
            document = self._document = (parsed if self._json_lists
                                         else with_json_arrays(parsed, self._scan))
        return document

    def json_document(self) -> Any:
        """The payload as $input.json reads it: a template that only prints JSON never needs
        the JsonArrays made."""
        document = self._document
        return self._parsed() if document is _UNPARSED else document

    def _parsed(self) -> Any:
        lists = self._lists
        if lists is _UNPARSED:
            lists, self._scan = parse_body_lists(self.body)
            self._lists = lists
        return lists


def _path_text(path: Any) -> str:
    if path is None:
        raise JavaException("java.lang.IllegalArgumentException", "path can not be null or empty")
    return path if type(path) is str else JSON_DATA.to_string(path)


def _constant_path(compiled: JsonPath) -> Callable[[Input, str], Any]:
    keys = compiled.key_path
    if keys is None:
        read = compiled.reader

        def path(input_: Input, text: str) -> Any:
            document = input_._document
            found = read(input_.document() if document is _UNPARSED else document)
            return None if found is NOT_FOUND else found
        return path

    def path_of_names(input_: Input, text: str) -> Any:
        # the commonest path, walked here: a missing name and a JSON null both give null
        node = input_._document
        if node is _UNPARSED:
            node = input_.document()
        for key in keys:
            if node.__class__ is not dict and not isinstance(node, dict):
                return None
            node = node.get(key)
        return node
    return path_of_names


def _constant_json(compiled: JsonPath) -> Callable[[Input, str], str]:
    read = compiled.reader

    def json(input_: Input, text: str) -> str:
        found = read(input_.json_document())
        return '""' if found is NOT_FOUND else to_json(found)
    return json
