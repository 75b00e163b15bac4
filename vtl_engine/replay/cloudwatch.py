"""API Gateway execution logs exported from CloudWatch Logs, grouped into one record per request.

Three shapes are read: the JSON that `aws logs filter-log-events` prints (`{"events": [{
"logStreamName", "timestamp", "message", "ingestionTime", "eventId"}, …]}`, pages one after the
other allowed), those events one per line (`jq -c '.events[]'`), and plain text, one message per
line, as an S3 export or a copy of the console writes them (`2026-11-20T09:14:03.120Z (id) …`).
Each message starts with the request's id in parentheses; a line that does not is the next
line of the message before it (a body with newlines).

The messages of one request give its record: "HTTP Method: POST, Resource Path: /orders/42",
"Method request path/query string/headers: {…}" and "Method request body before
transformations: …" are the request; "Endpoint response body before transformations", its
status ("Received response. Status: 200, …") and headers are the backend's answer; "Endpoint
request body after transformations" is what the request template made, "Method response body
after transformations" and "Method completed with status" what the client received.

API Gateway cuts each event at 1,024 bytes and ends it with `[TRUNCATED]`: a record keeps its
request but not an expectation that was cut; a cut request (or backend answer) cannot be
replayed, and the record says so. Records come out in the order their requests started; a
request whose log never ends is given out incomplete once 1,000 newer requests are waiting
behind it, so memory stays bounded.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

import ijson
import orjson

from ..apigateway.proxy import lambda_function_error
from ..testing.cases import BackendSpec, Expectation
from .javamap import read_java_map
from .records import Record

TRUNCATED = "[TRUNCATED]"
MAX_OPEN_REQUESTS = 1000

# "(c0475a28-8de8-11e7-8d3f-4183da788f0f) Method request path: {}", after up to two words (a
# timestamp, a log stream's name)
_TEXT_LINE = re.compile(rb"^(?:\S+ ){0,2}?\(([0-9A-Fa-f][0-9A-Fa-f-]{7,63})\) ")
_MESSAGE = re.compile(r"\(([0-9A-Fa-f][0-9A-Fa-f-]{7,63})\) (.*)", re.DOTALL)
# "Label: value": the value may start on the next line, or be empty
_LABELLED = re.compile(r"([A-Z][A-Za-z ]*):(?: |\n|$)(.*)", re.DOTALL)
_HTTP_METHOD = re.compile(r"HTTP Method: (\S+), Resource Path: (.*)")
_API_STAGE = re.compile(r"API Stage: ([^/\s]+)/(\S+)")
# a status as API Gateway writes it: three ASCII digits (Python's \d and int() take any digits)
_STATUS = re.compile(r"[1-5][0-9][0-9]")
_LAMBDA_ERROR = re.compile(r"Lambda execution failed with status \d+ due to customer function "
                           r"error: (.*?)(?:\. Lambda request id: \S+)?$", re.DOTALL)

#: where it is in its input, timestamp (ms), message (None: the export's item is no event)
Event = tuple[int, int | None, str | None]


# -- events ---------------------------------------------------------------------------------------

def json_events(stream: BinaryIO) -> Iterator[Event]:
    """The events of `filter-log-events` JSON output (one page or several), numbered from 1."""
    for number, event in enumerate(ijson.items(stream, "events.item", use_float=True,
                                               multiple_values=True), 1):
        yield _event(number, event) if isinstance(event, dict) else (number, None, None)


def json_line_events(lines: Iterable[tuple[int, bytes]]) -> Iterator[Event]:
    """Events one per line (`jq -c '.events[]'`); a line that is not one (not a JSON object)
    is an item that is no event."""
    for number, line in lines:
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError:
            event = None
        yield _event(number, event) if isinstance(event, dict) else (number, None, None)


def text_events(stream: BinaryIO) -> Iterator[Event]:
    """Messages one per line; lines that do not start with a request id continue the message
    before them."""
    position, parts = 0, []
    for number, line in enumerate(stream, 1):
        match = _TEXT_LINE.match(line)
        if match is None:
            if parts:
                parts.append(line)
            continue
        if parts:
            yield position, None, b"".join(parts).decode("utf-8", "replace").rstrip("\r\n")
        position, parts = number, [line[match.start(1) - 1:]]
    if parts:
        yield position, None, b"".join(parts).decode("utf-8", "replace").rstrip("\r\n")


def _event(number: int, event: dict) -> Event:
    """An event; its timestamp only when it is a whole number of milliseconds."""
    timestamp = event.get("timestamp")
    if type(timestamp) is float and timestamp.is_integer():
        timestamp = int(timestamp)
    return number, timestamp if type(timestamp) is int else None, str(event.get("message", ""))


# -- requests -------------------------------------------------------------------------------------

def records(events: Iterable[Event], source: str) -> Iterator[Record]:
    """One record per request id, in the order the requests started; an item of the export
    that is no event is a record of its own, which says it cannot be read."""
    open_requests: OrderedDict[str, _Request | Record] = OrderedDict()
    for position, timestamp, message in events:
        if message is None:
            open_requests[f"item {position}"] = Record(
                source, position, unreadable=f"item {position} of the export is not a log "
                                             f"event (a JSON object)")
        else:
            match = _MESSAGE.match(message)
            if match is None:
                continue
            request_id, text = match.groups()
            request = open_requests.get(request_id)
            if request is None:
                request = open_requests[request_id] = _Request(source, position, request_id,
                                                               timestamp)
            request.read(text)
        while open_requests:
            first = next(iter(open_requests.values()))
            if isinstance(first, _Request) and not first.completed and \
                    len(open_requests) <= MAX_OPEN_REQUESTS:
                break
            yield _record(open_requests.popitem(last=False)[1])
    while open_requests:
        yield _record(open_requests.popitem(last=False)[1])


def _record(waiting: _Request | Record) -> Record:
    return waiting if isinstance(waiting, Record) else waiting.record()


class _Request:
    """The messages of one request, read into a Record as they come."""

    def __init__(self, source: str, position: int, request_id: str, timestamp: int | None):
        context: dict = {"requestId": request_id}
        if timestamp is not None:
            context["requestTimeEpoch"] = timestamp
        self.record_ = Record(source, position, id=request_id, context=context)
        self.completed = False
        self.request_cut: list[str] = []
        #: why the backend's answer cannot be replayed (cut at 1,024 bytes, unreadable)
        self.backend_lost: str | None = None

    def read(self, text: str) -> None:
        labelled = _LABELLED.match(text)
        handler = _HANDLERS.get(labelled.group(1)) if labelled else None
        if handler is not None:
            value = labelled.group(2)
            cut = value.endswith(TRUNCATED)
            if cut:
                self.record_.truncated = True
            handler(self, value.removesuffix(TRUNCATED).rstrip() if cut else value, cut)
            return
        record = self.record_
        if text.startswith("HTTP Method: "):
            match = _HTTP_METHOD.match(text)
            if match:
                record.method, path = match.group(1).upper(), match.group(2).strip()
                if "{" in path:
                    record.route = f"{record.method} {path}"
                else:
                    record.path = path
        elif text.startswith("Verifying Usage Plan for request"):
            match = _API_STAGE.search(text)
            if match:
                record.context.update(apiId=match.group(1), stage=match.group(2))
        elif text.startswith("Execution failed due to configuration error: Unable to transform"):
            side = "request" if text.rstrip().endswith("request") else "response"
            self._expect(side).error = ""
        elif text.startswith("Received response. Status: "):
            status = self._status(text.removeprefix("Received response. Status: ")
                                  .partition(",")[0], "Received response")
            if status is None:
                self.backend_lost = "the backend's status cannot be read"
            else:
                self._backend().status = status
        elif text.startswith("Lambda execution failed"):
            match = _LAMBDA_ERROR.match(text)
            if match:
                self._backend().error_message = match.group(1)
        elif text.startswith("Method completed with status: "):
            status = self._status(text.removeprefix("Method completed with status: "),
                                  "Method completed with status")
            if status is not None:
                self._expect("response").status = status
            self.completed = True

    def _status(self, text: str, line: str) -> int | None:
        """A status code, or None with a problem that names the line it is on."""
        if _STATUS.fullmatch(text.strip()):
            return int(text)
        self.record_.problems.append(f"{line}: {text.strip()!r} is not a status code")
        return None

    # each reads the text after "Label: ", without [TRUNCATED]; `cut` says it was cut

    def _path(self, value: str, cut: bool) -> None:
        self._map("path_parameters", "Method request path", value, cut)

    def _query(self, value: str, cut: bool) -> None:
        self._map("query", "Method request query string", value, cut)

    def _headers(self, value: str, cut: bool) -> None:
        self._map("headers", "Method request headers", value, cut)

    def _body(self, value: str, cut: bool) -> None:
        if cut:
            self.request_cut.append("Method request body")
        self.record_.body = value

    def _endpoint_body(self, value: str, cut: bool) -> None:
        if cut:
            self.record_.problems.append("Endpoint request body cut at 1,024 bytes: not compared")
        else:
            self._expect("request").body = value

    def _backend_headers(self, value: str, cut: bool) -> None:
        headers, problems = read_java_map(value, "Endpoint response headers") if not cut else (
            {}, [])
        self.record_.problems.extend(problems)
        self._lose_backend(cut)
        self._backend().headers = headers

    def _backend_body(self, value: str, cut: bool) -> None:
        self._lose_backend(cut)
        self._backend().body = value

    def _response_body(self, value: str, cut: bool) -> None:
        if cut:
            self.record_.problems.append("Method response body cut at 1,024 bytes: not compared")
        else:
            self._expect("response").body = value

    def _map(self, attribute: str, what: str, value: str, cut: bool) -> None:
        if cut:
            self.request_cut.append(what)
            return
        found, problems = read_java_map(value, what)
        setattr(self.record_, attribute, found)
        self.record_.problems.extend(problems)

    def _lose_backend(self, cut: bool) -> None:
        if cut:
            self.backend_lost = "the backend's answer was cut at 1,024 bytes in the log"

    def _expect(self, side: str) -> Expectation:
        return self.record_.expected.setdefault(side, Expectation())

    def _backend(self) -> BackendSpec:
        if self.record_.backend is None:
            self.record_.backend = BackendSpec()
        return self.record_.backend

    def record(self) -> Record:
        record = self.record_
        if self.request_cut:
            record.skip = (f"{' and '.join(self.request_cut)} cut at 1,024 bytes in the log: "
                           f"the request cannot be replayed")
        if self.backend_lost is not None:
            record.backend = None
            record.problems.append(f"{self.backend_lost}: the response side cannot be replayed")
        elif record.backend is not None and record.backend.error_message is None:
            record.backend.error_message = lambda_function_error(record.backend.headers,
                                                                 record.backend.body)
        if record.method is None and not record.body:
            record.skip = record.skip or "no request in the log (no 'HTTP Method' line)"
        if not self.completed:
            record.problems.append("the log ends before the request did (no 'Method completed "
                                   "with status' line)")
        return record


_HANDLERS: dict[str, Callable[[_Request, str, bool], None]] = {
    "Method request path": _Request._path,
    "Method request query string": _Request._query,
    "Method request headers": _Request._headers,
    "Method request body before transformations": _Request._body,
    "Endpoint request body after transformations": _Request._endpoint_body,
    "Endpoint response headers": _Request._backend_headers,
    "Endpoint response body before transformations": _Request._backend_body,
    "Method response body after transformations": _Request._response_body,
}


def is_text_line(line: bytes) -> bool:
    """Whether `line` starts a message of a plain-text export."""
    return _TEXT_LINE.match(line) is not None
