"""The page's request form, read as the console's Test page reads its fields.

Query strings are written `a=1&b=2` (or one per line), headers `Name: value` one per line,
path parameters and stage variables `name=value` one per line, `$context` as a JSON object
merged over the realistic defaults. A field that cannot be read is a FormError naming it, so the
page can say which field to fix.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import orjson

from ..apigateway import BackendResponse, MethodRequest

#: API Gateway's payload limit: a bigger body never reaches a template
MAX_BODY_BYTES = 10 * 1024 * 1024
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


class FormError(ValueError):
    """A field of the form that cannot be read: `field` names it, the message says why."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass
class RequestForm:
    """The client's request, as the page describes it."""

    method: str = "POST"
    resource_path: str = "/"
    path: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    stage_variables: dict[str, str] = field(default_factory=dict)
    body: str = ""
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, dict[str, str]]:
        """What `render_mapping_template` takes as `params`."""
        return {"path": dict(self.path), "querystring": dict(self.query),
                "header": dict(self.headers)}

    @property
    def full_context(self) -> dict[str, Any]:
        """The `$context` values given: the method and resource path, then the form's JSON."""
        return {"httpMethod": self.method, "resourcePath": self.resource_path, **self.context}

    def method_request(self, stage_variables: Mapping[str, str] | None = None,
                       with_body: bool = True) -> MethodRequest:
        """The request as the integration takes it; `stage_variables` are the definition's,
        under the form's own."""
        return MethodRequest(body=self.body if with_body else "", headers=dict(self.headers),
                             querystring=dict(self.query), path=dict(self.path),
                             context=self.full_context,
                             stage_variables={**(stage_variables or {}), **self.stage_variables})


def read_request(data: Any) -> RequestForm:
    """The form's `request` object."""
    data = _object(data, "request")
    method = _text(data.get("method", "POST"), "method").upper()
    if method not in METHODS:
        raise FormError("method", f"unknown HTTP method {method!r}")
    resource_path = _text(data.get("resource_path", "/"), "resource_path") or "/"
    if not resource_path.startswith("/"):
        raise FormError("resource_path", "the resource path starts with /")
    return RequestForm(
        method=method, resource_path=resource_path,
        path=pairs(data.get("path", ""), "path", "="),
        query=query_string(data.get("query", "")),
        headers=pairs(data.get("headers", ""), "headers", ":"),
        stage_variables=pairs(data.get("stage_variables", ""), "stage_variables", "="),
        body=body(data.get("body", ""), "body"),
        context=json_object(data.get("context", ""), "context"))


def read_backend(data: Any) -> BackendResponse:
    """The form's `backend` object: what the backend answered."""
    data = _object(data, "backend")
    status = data.get("status", 200)
    if isinstance(status, str) and status.strip().isdigit():
        status = int(status)
    if type(status) is not int or not 100 <= status <= 599:
        raise FormError("backend.status", "the backend's status is a number from 100 to 599")
    message = _text(data.get("error_message") or "", "backend.error_message")
    return BackendResponse(status_code=status, body=body(data.get("body", ""), "backend.body"),
                           headers=pairs(data.get("headers", ""), "backend.headers", ":"),
                           error_message=message or None)


def pairs(text: Any, field_name: str, separator: str) -> dict[str, str]:
    """`name<separator>value` lines as a dict (blank lines skipped, the last value wins)."""
    found: dict[str, str] = {}
    for number, line in enumerate(_text(text, field_name).splitlines(), 1):
        if not line.strip():
            continue
        name, sep, value = line.partition(separator)
        if not sep or not name.strip():
            raise FormError(field_name, f"line {number}: expected name{separator}value, "
                                        f"got {line.strip()!r}")
        found[name.strip()] = value.strip() if separator == ":" else value
    return found


def query_string(text: Any) -> dict[str, str]:
    """`a=1&b=2` (percent-escapes decoded), also one pair per line; the last value wins."""
    query = _text(text, "query").strip().lstrip("?")
    found: dict[str, str] = {}
    for line in query.splitlines():
        for name, value in parse_qsl(line.strip(), keep_blank_values=True):
            found[name] = value
    return found


def json_object(text: Any, field_name: str) -> dict[str, Any]:
    """A JSON object written in a field; an empty field is an empty object."""
    text = _text(text, field_name)
    if not text.strip():
        return {}
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        raise FormError(field_name, f"not valid JSON: {e}") from None
    if not isinstance(value, dict):
        raise FormError(field_name, "expected a JSON object ({...})")
    return value


def body(value: Any, field_name: str) -> str:
    text = _text(value, field_name)
    if len(text) > MAX_BODY_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > \
            MAX_BODY_BYTES:
        raise FormError(field_name, f"the body is over {MAX_BODY_BYTES // (1024 * 1024)} MB, "
                                    "API Gateway's payload limit: it answers 413 without "
                                    "running any template")
    return text


def _object(data: Any, field_name: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FormError(field_name, "expected an object")
    return data


def _text(value: Any, field_name: str) -> str:
    if not isinstance(value, str):
        raise FormError(field_name, "expected text")
    return value
