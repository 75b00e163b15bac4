"""Proxy integrations, which run no templates: what API Gateway sends and how it reads the answer.

- `AWS_PROXY` (Lambda proxy integration): the function receives the whole request as one JSON
  event (`lambda_proxy_event`) and answers `{statusCode, headers, multiValueHeaders, body,
  isBase64Encoded}`, which API Gateway turns into the client's response
  (`lambda_proxy_response`); anything else, or a function error, is API Gateway's 502.
- `HTTP_PROXY`: the client's request goes to the integration's URI as it came, with the
  request parameter mappings added (`http_proxy_parameters`); the backend's status, headers and
  body go back unchanged.

The event's shape, its nulls and the order of its keys are those of the events API Gateway sent
(the AWS developer guide's "Input format of a Lambda function for proxy integration", the
test-invoke and deployed-stage events users and LocalStack's AWS-validated snapshots recorded);
the result's rules and the log lines of a failure those of the guide's "Output format" and
AWS's knowledge-center article on 502s from Lambda proxy integrations. See
docs/api-definitions.md, "Proxy integrations".
"""
from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import orjson

from ..core.runtime.values import to_string
from .context import filled_path, random_uuid
from .utf8 import payload_text

#: the keys a Lambda proxy result may have: any other makes it malformed
RESULT_KEYS = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"})
#: what the client gets when the function's answer names no Content-Type
DEFAULT_CONTENT_TYPE = "application/json"
# $context keys only templates see: they are not part of the event's requestContext
_TEMPLATE_ONLY_CONTEXT = ("requestOverride", "responseOverride")
# what API Gateway does not pass on to an HTTP_PROXY backend from the client's request
_NOT_PASSED_THROUGH = frozenset({"host", "content-encoding"})
_MALFORMED = "Execution failed due to configuration error: Malformed Lambda proxy response"


class ProxyResponseError(Exception):
    """API Gateway could not use a proxy integration's answer and answered by itself; the
    message is the execution log's line that says why."""

    def __init__(self, log_line: str, status: int = 502) -> None:
        super().__init__(log_line)
        self.status = status


# -- AWS_PROXY: the request side ----------------------------------------------------------------

def lambda_proxy_event(body: str | bytes, headers: Mapping[str, Any],
                       querystring: Mapping[str, Any], path: Mapping[str, Any],
                       stage_variables: Mapping[str, Any], context: Mapping[str, Any],
                       multi_value_headers: Mapping[str, list[Any]] | None = None,
                       multi_value_querystring: Mapping[str, list[Any]] | None = None
                       ) -> dict[str, Any]:
    """The event a Lambda function behind an AWS_PROXY integration receives for a request.

    `context` is the request's whole `$context` (build_context): `resourcePath`, `httpMethod`
    and the event's `requestContext` come from it. A parameter with several values is in the
    multi-value maps (the single-value ones hold its last value); what the request does not
    have is null, as API Gateway sends it (no query string: both query maps null).
    """
    headers_single, headers_multi = _single_and_multi(headers, multi_value_headers)
    query_single, query_multi = _single_and_multi(querystring, multi_value_querystring)
    resource = str(context.get("resourcePath", "/"))
    return {
        "resource": resource,
        "path": filled_path(resource, path),
        "httpMethod": context.get("httpMethod"),
        "headers": headers_single,
        "multiValueHeaders": headers_multi,
        "queryStringParameters": query_single,
        "multiValueQueryStringParameters": query_multi,
        "pathParameters": _texts(path) or None,
        "stageVariables": _texts(stage_variables) or None,
        "requestContext": {key: value for key, value in context.items()
                           if key not in _TEMPLATE_ONLY_CONTEXT},
        "body": payload_text(body) or None,
        "isBase64Encoded": False,
    }


def event_json(event: Mapping[str, Any]) -> str:
    """The event as the Invoke call's payload: compact JSON, as API Gateway sends it."""
    return orjson.dumps(event, default=_json_default).decode("utf-8")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):   # a number a caller gave in $context
        return int(value) if value == value.to_integral_value() else float(value)
    return to_string(value)


def _single_and_multi(single: Mapping[str, Any], multi: Mapping[str, list[Any]] | None
                      ) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """A parameter kind as the event has it twice: each name's last value, and all its values."""
    values = {name: [_text(v) for v in items] for name, items in (multi or {}).items() if items}
    for name, value in _texts(single).items():   # merged: a pair in both is there once
        if value not in values.setdefault(name, []):
            values[name].append(value)
    last = {name: items[-1] for name, items in values.items()}
    return last or None, values or None


# -- AWS_PROXY: the response side ---------------------------------------------------------------

def lambda_proxy_response(status_code: int, body: str | bytes, headers: Mapping[str, Any],
                          error_message: str | None) -> tuple[int, str | bytes, dict[str, Any]]:
    """The client's status, body and headers from what Lambda's Invoke answered (its status,
    the function's result, its headers and, for a function error, the errorMessage).

    Raises ProxyResponseError when API Gateway answers by itself: a function error or a result
    that is not a proxy response (502), Lambda refusing the call or a body that is not the
    base64 it claims to be (500). A header with several values (multiValueHeaders) is a list.
    """
    if error_message is not None:
        raise ProxyResponseError(
            f"Lambda execution failed with status {status_code} due to customer function "
            f"error: {error_message}. Lambda request id: {_lambda_request_id(headers, body)}")
    if not 200 <= status_code < 300:
        raise ProxyResponseError(
            f"Lambda invocation failed with status: {status_code}. Lambda request id: "
            f"{_lambda_request_id(headers, body)}", status=500)
    try:
        result = orjson.loads(payload_text(body))
    except orjson.JSONDecodeError:
        raise ProxyResponseError(_MALFORMED) from None
    if not _is_proxy_result(result):
        raise ProxyResponseError(_MALFORMED)
    merged: dict[str, Any] = {"Content-Type": DEFAULT_CONTENT_TYPE}
    set_headers(merged, {name: _text(value) for name, value in
                          (result.get("headers") or {}).items() if value is not None})
    set_headers(merged, {name: [_text(v) for v in values] if len(values) > 1
                          else _text(values[0])
                          for name, values in (result.get("multiValueHeaders") or {}).items()
                          if values})
    text = result.get("body") or ""
    answer: str | bytes = text
    if result.get("isBase64Encoded"):
        try:
            answer = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ProxyResponseError("Execution failed due to configuration error: Unable to "
                                     "transform response", status=500) from None
    return int(result.get("statusCode") or 200), answer, merged


def _is_proxy_result(result: Any) -> bool:
    """What API Gateway accepts: an object of the proxy result's keys only, a whole-number
    statusCode, text (or null) for body, a map of plain values for headers, a map of lists of
    them for multiValueHeaders, a boolean isBase64Encoded."""
    if not isinstance(result, dict) or not result.keys() <= RESULT_KEYS:
        return False
    status = result.get("statusCode")
    if status is not None and not _whole_number(status):
        return False
    if not isinstance(result.get("body", ""), (str, type(None))):
        return False
    if not isinstance(result.get("isBase64Encoded", False), (bool, type(None))):
        return False
    headers = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    return (isinstance(headers, dict) and all(map(_plain_value, headers.values()))
            and isinstance(multi, dict)
            and all(isinstance(v, list) and all(map(_plain_value, v)) for v in multi.values()))


def _whole_number(value: Any) -> bool:
    if type(value) is str:
        return value.strip().isdecimal() and value.strip().isascii()
    return type(value) is int or (type(value) is float and value.is_integer())


def _plain_value(value: Any) -> bool:
    return value is None or type(value) in (str, int, float, bool)


def set_headers(headers: dict[str, Any], given: Mapping[str, Any]) -> None:
    """`given` over `headers`, a name in any case replacing the same name (multiValueHeaders,
    set last, wins over headers, as the output format's documentation says)."""
    for name, value in given.items():
        for existing in [key for key in headers if key.lower() == name.lower()]:
            del headers[existing]
        headers[name] = value


def lambda_function_error(headers: Mapping[str, Any], body: str | bytes) -> str | None:
    """The errorMessage of a Lambda Invoke answer that says the function failed (its
    X-Amz-Function-Error header), the whole payload when it names none; None when the
    function did not fail."""
    if _header(headers, "x-amz-function-error") is None:
        return None
    message = _error_document(body).get("errorMessage")
    return payload_text(body) if message is None else str(message)


def _lambda_request_id(headers: Mapping[str, Any], body: str | bytes) -> str:
    """The Invoke call's request id: its x-amzn-RequestId header, else the error document's
    requestId, else a fresh one (an offline run has none to show)."""
    found = _header(headers, "x-amzn-requestid")
    if found is None:
        found = _error_document(body).get("requestId")
    return str(found) if found else random_uuid()


def _header(headers: Mapping[str, Any], lowercase_name: str) -> Any:
    return next((value for name, value in headers.items() if name.lower() == lowercase_name),
                None)


def _error_document(body: str | bytes) -> dict[str, Any]:
    """A Lambda error's JSON document; empty when the body is not one."""
    try:
        document = orjson.loads(payload_text(body))
    except orjson.JSONDecodeError:
        return {}
    return document if isinstance(document, dict) else {}


# -- HTTP_PROXY ---------------------------------------------------------------------------------

def http_proxy_parameters(headers: Mapping[str, Any], querystring: Mapping[str, Any],
                          mapped_headers: Mapping[str, Any], mapped_querystring: Mapping[str, Any],
                          multi_value_querystring: Mapping[str, list[Any]] | None = None
                          ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The headers and query string an HTTP_PROXY backend receives: the client's (but Host
    and Content-Encoding), the request parameter mappings added over them. A query parameter
    with several values is a list."""
    sent_headers = {name: value for name, value in _texts(headers).items()
                    if name.lower() not in _NOT_PASSED_THROUGH}
    set_headers(sent_headers, _texts(mapped_headers))
    _, every = _single_and_multi(querystring, multi_value_querystring)
    sent_query: dict[str, Any] = {name: values if len(values) > 1 else values[0]
                                  for name, values in (every or {}).items()}
    sent_query.update(_texts(mapped_querystring))
    return sent_headers, sent_query


def _texts(values: Mapping[str, Any]) -> dict[str, str]:
    return {str(name): _text(value) for name, value in values.items() if value is not None}


def _text(value: Any) -> str:
    return value if type(value) is str else to_string(value)
