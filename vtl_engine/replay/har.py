"""HAR files (HTTP Archive 1.2), as a browser's developer tools or a proxy save them.

Each entry's request becomes a record: its method, URL path and query string, headers (HTTP/2's
`:authority` and the like left out) and body (`postData.text`, or its form `params`). An API
Gateway URL (`https://ID.execute-api.REGION.amazonaws.com/STAGE/…`) loses its stage, which
goes to `$context.stage`; `base_path` takes off a custom domain's base path. With
`responses`, the entry's response (status and body) is what the client is expected to receive.
The file is read as a stream: entries one at a time, never the whole file.
"""
from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from datetime import datetime
from typing import Any, BinaryIO
from urllib.parse import unquote, urlencode, urlsplit

import ijson

from ..apigateway.utf8 import payload_text
from ..testing.cases import Expectation
from .records import Record


def records(stream: BinaryIO, source: str, responses: bool = False,
            base_path: str = "") -> Iterator[Record]:
    for number, entry in enumerate(ijson.items(stream, "log.entries.item", use_float=True), 1):
        yield entry_record(entry, source, number, responses, base_path)


def entry_record(entry: Any, source: str, number: int, responses: bool = False,
                 base_path: str = "") -> Record:
    record = Record(source, number)
    request = entry.get("request") if isinstance(entry, dict) else None
    if not isinstance(request, dict) or not isinstance(request.get("url"), str):
        record.skip = "not a HAR entry with a request and its URL"
        return record
    url = urlsplit(request["url"])
    path = unquote(url.path) or "/"
    host = url.hostname or ""
    if ".execute-api." in host and host.endswith(".amazonaws.com"):
        stage, _, rest = path.lstrip("/").partition("/")
        if stage:
            record.context = {"stage": stage}
            path = "/" + rest
    if base_path and path.startswith(base_path.rstrip("/") + "/"):
        path = path[len(base_path.rstrip("/")):]
    record.method = str(request.get("method", "GET")).upper()
    record.path = path
    started = entry.get("startedDateTime")
    record.id = entry.get("_id") or started
    epoch = _epoch_ms(started)
    if epoch is not None:
        record.context = {**(record.context or {}), "requestTimeEpoch": epoch}
    record.query = _pairs(request.get("queryString"))
    record.headers = {name: value for name, value in _pairs(request.get("headers")).items()
                      if not name.startswith(":")}
    record.body = _post_data(request.get("postData"))
    if responses and isinstance(entry.get("response"), dict):
        response = entry["response"]
        expect = Expectation()
        status = response.get("status")
        if type(status) is int and 100 <= status <= 599:
            expect.status = status
        elif status != 0:   # 0: the browser got no response
            record.problems.append(f"response.status: {status!r} is not a status code: "
                                   f"not compared")
        content = response.get("content")
        if isinstance(content, dict) and isinstance(content.get("text"), str):
            expect.body = _decoded(content["text"], content.get("encoding"))
        record.expected = {"response": expect}
    return record


def _epoch_ms(text: Any) -> int | None:
    """An ISO 8601 time (HAR's startedDateTime) as milliseconds since 1970."""
    try:
        return int(datetime.fromisoformat(text).timestamp() * 1000)
    except (TypeError, ValueError):
        return None


def _pairs(items: Any) -> dict[str, str]:
    """HAR's [{"name", "value"}, …] as a map; a name given twice keeps its last value."""
    if not isinstance(items, list):
        return {}
    return {str(item["name"]): str(item.get("value", "")) for item in items
            if isinstance(item, dict) and "name" in item}


def _post_data(post: Any) -> str:
    if not isinstance(post, dict):
        return ""
    if isinstance(post.get("text"), str):
        return _decoded(post["text"], post.get("encoding"))
    if isinstance(post.get("params"), list):
        return urlencode([(p.get("name", ""), p.get("value", "")) for p in post["params"]
                          if isinstance(p, dict)])
    return ""


def _decoded(text: str, encoding: Any) -> str:
    """HAR text, base64-decoded when it says so (bytes read as API Gateway reads them)."""
    if encoding != "base64":
        return text
    try:
        return payload_text(base64.b64decode(text))
    except (binascii.Error, ValueError):
        return text
