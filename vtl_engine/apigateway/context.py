"""`$context`: what API Gateway knows about the request, with realistic values for what the
caller does not say.

The keys, and their order, are those a real REST API request showed (`$context.keySet()`,
reference §3.2). A caller's nested dict is merged over them. `requestOverride` and
`responseOverride` are plain dicts a template writes into with #set; the caller reads them back
after rendering.
"""
from __future__ import annotations

import base64
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..core.errors import VtlError, shown
from ..core.runtime.signals import MISSING
from ..core.runtime.values import JsonArray, register_to_string, to_string

DEFAULT_API_ID = "a1b2c3d4e5"
DEFAULT_STAGE = "prod"
DEFAULT_REGION = "us-east-1"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: a path parameter in a resource path or URI: `{name}`, or greedy `{name+}` (group 2 the `+`)
PATH_PARAMETER = re.compile(r"\{([^{}+]+)(\+?)\}")


def request_time(epoch_ms: int) -> str:
    """`$context.requestTime`: CLF format, `dd/MMM/yyyy:HH:mm:ss +0000`, always UTC."""
    t = time.gmtime(epoch_ms // 1000)
    return (f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:"
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000")


def _epoch_of(requested: Any) -> int:
    try:
        return int(datetime.strptime(requested, "%d/%b/%Y:%H:%M:%S %z").timestamp() * 1000)
    except (TypeError, ValueError):
        raise VtlError(f"$context.requestTime must look like 25/Nov/2026:14:05:00 +0000, "
                       f"not {shown(requested)}") from None


_IDENTITY = {
    "cognitoIdentityPoolId": None,
    "accountId": None,
    "cognitoIdentityId": None,
    "caller": None,
    "sourceIp": "198.51.100.10",
    "principalOrgId": None,
    "accessKey": None,
    "cognitoAuthenticationType": None,
    "cognitoAuthenticationProvider": None,
    "userArn": None,
    "userAgent": None,
    "user": None,
}


def random_uuid() -> str:
    """A random (version 4) UUID as `str(uuid.uuid4())` writes it, in a third of its time: a
    request id is made for most requests a template renders."""
    text = os.urandom(16).hex()
    # the version (4) in the 13th digit, the RFC 4122 variant (8, 9, a or b) in the 17th
    return (f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{_VARIANT[text[16]]}{text[17:20]}-"
            f"{text[20:]}")


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def _identity(headers: Mapping[str, Any]) -> dict[str, Any]:
    identity = ContextObject(_IDENTITY)
    identity["userAgent"] = headers.get("User-Agent")
    return identity


class ContextObject(dict):
    """A map nested in `$context` (identity, requestOverride, authorizer, …): its keys and values
    read as a Map's, but on AWS printing the whole object prints nothing (reference section 8, item 7; community-reported)."""


register_to_string(ContextObject, lambda _: "")

_NESTED_OBJECTS = ("identity", "requestOverride", "responseOverride", "authorizer", "error")


def build_context(given: Mapping[str, Any] | None = None,
                  params: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """A full `$context` for one request: `given` merged over defaults.

    Unknown to the caller, a request gets a fresh requestId and extendedRequestId and the current
    time; the path is rebuilt from stage, resourcePath and the path parameters; domainName and
    identity.userAgent follow the Host and User-Agent headers when `params` has them.
    """
    return RequestContext(given, params).whole()


class RequestContext:
    """What makes one request's `$context` (see build_context): made whole, or only the keys a
    template can read (`part`), which `completed` later makes whole with the same values, so a
    render pays only for what its template reads. The request's time is taken (and a time the
    caller gave checked) at once."""

    __slots__ = ("given", "params", "headers", "epoch")

    def __init__(self, given: Mapping[str, Any] | None = None,
                 params: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        given = self.given = given or {}
        params = self.params = params or {}
        self.headers: Mapping[str, Any] = params.get("header") or {}
        if "requestTimeEpoch" in given:
            epoch = given["requestTimeEpoch"]
            if type(epoch) is not int:
                raise VtlError(f"$context.requestTimeEpoch must be whole milliseconds since "
                               f"1970, not {shown(epoch)}")
        elif "requestTime" in given:
            epoch = _epoch_of(given["requestTime"])
        else:
            epoch = time.time_ns() // 1_000_000
        self.epoch: int = epoch

    def whole(self) -> dict[str, Any]:
        """The whole `$context`: API Gateway's keys in its order, then the caller's others."""
        context = {key: default(self) for key, default in _DEFAULTS.items()}
        _merge(context, self.given)
        for key in _NESTED_OBJECTS:
            if key in context:
                context[key] = _finished(key, context[key])
        return context

    def part(self, keys: Iterable[str]) -> dict[str, Any]:
        """Only `keys` of the whole `$context` (those it has), each as `whole` makes it."""
        found = {}
        for key in keys:
            value = self.entry(key)
            if value is not MISSING:
                found[key] = value
        return found

    def entry(self, key: str) -> Any:
        """One key's value in the whole `$context` (MISSING if it has none)."""
        given = self.given
        if key in given:
            value = given[key]
            if value.__class__ in _SCALARS:
                return value   # (the default is not made)
            default = _DEFAULTS.get(key)
            value = _merged(default(self) if default is not None else MISSING, value)
        else:
            default = _DEFAULTS.get(key)
            if default is None:
                return MISSING
            value = default(self)
        return _finished(key, value)

    def completed(self, part: dict[str, Any]) -> dict[str, Any]:
        """The whole `$context`, holding `part`'s values themselves (as a template left them)
        where it has those keys."""
        given = self.given
        rest = {key: default(self) for key, default in _DEFAULTS.items() if key not in part}
        _merge(rest, {key: value for key, value in given.items() if key not in part})
        context: dict[str, Any] = {}
        for key in (*_DEFAULTS, *given, *part):
            if key in context:
                continue
            if key in part:
                context[key] = part[key]
            elif key in rest:
                context[key] = _finished(key, rest[key])
        return context

    def domain(self) -> str:
        return self.headers.get("Host") or \
            f"{self.given.get('apiId', DEFAULT_API_ID)}.execute-api.{DEFAULT_REGION}.amazonaws.com"


def _path_of(request: RequestContext) -> str:
    given = request.given
    return given.get("path") or _request_path(given.get("stage", DEFAULT_STAGE),
                                              given.get("resourcePath", "/"),
                                              request.params.get("path"))


# API Gateway's keys, in its order, each with how its default is made; where the caller gives a
# key the default is not made, or (a map) the caller's is merged over it
_DEFAULTS: dict[str, Callable[[RequestContext], Any]] = {
    "resourceId": lambda r: "k9x2mf",
    "resourcePath": lambda r: r.given.get("resourcePath", "/"),
    "httpMethod": lambda r: "POST",
    "extendedRequestId": lambda r: r.given.get("extendedRequestId") or _extended_request_id(),
    "requestTime": lambda r: r.given.get("requestTime") or request_time(r.epoch),
    "path": _path_of,
    "accountId": lambda r: "123456789012",
    "protocol": lambda r: "HTTP/1.1",
    "requestOverride": lambda r: {"path": {}, "header": {}, "querystring": {}},
    "stage": lambda r: r.given.get("stage", DEFAULT_STAGE),
    "domainPrefix": lambda r: r.domain().split(".", 1)[0],
    "requestTimeEpoch": lambda r: r.epoch,
    "requestId": lambda r: r.given.get("requestId") or random_uuid(),
    "identity": lambda r: _identity(r.headers),
    "domainName": RequestContext.domain,
    "deploymentId": lambda r: "d7q4zt",
    "responseOverride": lambda r: {"header": {}},
    "apiId": lambda r: r.given.get("apiId", DEFAULT_API_ID),
}


def copy_context(given: Mapping[str, Any]) -> dict[str, Any]:
    """`given` as the whole `$context`, with no defaults added (for an emulator that builds its
    own): copied, so a template's changes stay in the copy, as `build_context` does."""
    context = copy_value(given)
    for key in _NESTED_OBJECTS:
        if key in context:
            context[key] = _finished(key, context[key])
    return context


def _finished(key: str, value: Any) -> Any:
    """A map nested in `$context` as templates see it: a ContextObject, an authorizer's
    values as strings."""
    if key in _NESTED_OBJECTS and isinstance(value, dict):
        if key == "authorizer":
            return ContextObject(_stringified(value))
        if value.__class__ is not ContextObject:
            return ContextObject(value)
    return value


def _extended_request_id() -> str:
    return base64.b64encode(os.urandom(11)).decode("ascii")


def _request_path(stage: str, resource_path: str, path_params: Mapping[str, Any] | None) -> str:
    """`$context.path`: the stage, then the resource path with its parameters filled in."""
    return f"/{stage}" + filled_path(resource_path, path_params or {})


def filled_path(resource_path: str, path_params: Mapping[str, Any]) -> str:
    """The path a request for `resource_path` ("/orders/{id}", "/files/{proxy+}") was sent to,
    its parameters filled in (one left as written when it has no value)."""
    return PATH_PARAMETER.sub(lambda m: str(path_params.get(m.group(1), m.group(0))),
                               resource_path)


_SCALARS = frozenset({str, int, float, bool, type(None), Decimal})


def _merge(into: dict[str, Any], given: Mapping[str, Any]) -> None:
    """Merge `given` into `into`: nested mappings key by key, everything else replaced."""
    if _SCALARS.issuperset(map(type, given.values())):
        into.update(given)   # (the commonest: a map of strings, in one C call)
        return
    for key, value in given.items():
        into[key] = value if type(value) in _SCALARS else _merged(into.get(key), value)


def _merged(current: Any, value: Any) -> Any:
    """`value` merged over `current`: a mapping over a dict key by key (in place), anything
    else copied."""
    if type(value) in _SCALARS:
        return value
    if (value.__class__ is dict or isinstance(value, Mapping)) and isinstance(current, dict):
        _merge(current, value)
        return current
    return copy_value(value)


def copy_value(value: Any) -> Any:
    """A deep copy of data a template sees, lists made JSON arrays, so a template never writes
    into the caller's data."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, Mapping):  # scalars inline: most of a $context is strings
        return {key: item if type(item) in _SCALARS else copy_value(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return JsonArray(map(copy_value, value))
    return value


def _stringified(authorizer: dict[str, Any]) -> dict[str, Any]:
    """An authorizer's context values reach templates as strings ("numKey": 1 gives "1");
    `claims` (Cognito) stays a map."""
    return {key: value if key == "claims" or value is None or isinstance(value, (str, dict))
            else to_string(value)
            for key, value in authorizer.items()}
