"""CloudWatch execution logs: events grouped by request, the request and the expectations read
from their messages, cut events and unreadable maps reported."""
import io

import orjson

from vtl_engine.replay import cloudwatch
from vtl_engine.replay.inputs import input_file, read_items

from replay_support import FIXTURES, read_results

from vtl_engine.tools.cli import main

RID = "11111111-2222-3333-4444-555555555555"
OTHER = "99999999-8888-7777-6666-555555555555"


def records_of(messages, request_id=RID):
    lines = "".join(f"2026-11-26T09:14:03.{n:03d}Z ({request_id}) {m}\n"
                    for n, m in enumerate(messages))
    return list(cloudwatch.records(cloudwatch.text_events(io.BytesIO(lines.encode())), "log"))


def test_the_shipped_export_json_and_text_forms_give_the_same_records():
    from_json = list(read_items(input_file(str(FIXTURES / "cloudwatch-export.json"))))
    from_text = list(read_items(input_file(str(FIXTURES / "execution-log.txt"))))
    assert [r.id for r in from_json] == [r.id for r in from_text]
    assert len(from_json) == 8
    for a, b in zip(from_json, from_text):
        assert (a.method, a.path, a.query, a.headers, a.body, a.skip, a.truncated) == \
            (b.method, b.path, b.query, b.headers, b.body, b.skip, b.truncated)
        # a message's last newline cannot be told from the end of its line in plain text
        assert {s: (e.body.rstrip("\n"), e.status) for s, e in a.expected.items()} == \
            {s: (e.body, e.status) for s, e in b.expected.items()}


def test_a_request_read_from_its_messages():
    [record] = records_of([
        f"Verifying Usage Plan for request: {RID}. API Key:  API Stage: abc123/prod",
        f"Starting execution for request: {RID}",
        "HTTP Method: POST, Resource Path: /orders/42",
        "Method request path: {id=42}",
        "Method request query string: {express=true, page=2}",
        "Method request headers: {Content-Type=application/json, X-Trace=Root=1;Sampled=0}",
        'Method request body before transformations: {"a": 1}',
        'Endpoint request body after transformations: {"b": 2}',
        "Received response. Status: 200, Integration latency: 41 ms",
        "Endpoint response headers: {X-Amz-Function-Error=Unhandled}",
        'Endpoint response body before transformations: {"errorMessage":"Invalid: x"}',
        'Method response body after transformations: {"message": "Invalid: x"}',
        "Method completed with status: 400",
    ])
    assert (record.method, record.path, record.id) == ("POST", "/orders/42", RID)
    assert record.path_parameters == {"id": "42"}
    assert record.query == {"express": "true", "page": "2"}
    assert record.headers == {"Content-Type": "application/json", "X-Trace": "Root=1;Sampled=0"}
    assert record.body == '{"a": 1}'
    assert record.context == {"requestId": RID, "apiId": "abc123", "stage": "prod"}
    assert record.expected["request"].body == '{"b": 2}'
    assert (record.expected["response"].body, record.expected["response"].status) == (
        '{"message": "Invalid: x"}', 400)
    assert (record.backend.status, record.backend.error_message) == (200, "Invalid: x")
    assert record.problems == [] and record.skip is None


def test_a_body_on_several_lines_of_a_text_export():
    [record] = records_of(['Method request body before transformations: {\n  "a": 1\n}',
                           "HTTP Method: GET, Resource Path: /x",
                           "Method completed with status: 200"])
    assert record.body == '{\n  "a": 1\n}'


def test_a_cut_expectation_is_dropped_and_said_the_request_kept():
    [record] = records_of(["HTTP Method: POST, Resource Path: /x",
                           'Method request body before transformations: {"a": 1}',
                           'Endpoint request body after transformations: {"b": [1, 2 [TRUNCATED]',
                           "Method completed with status: 200"])
    assert record.truncated and record.skip is None
    assert "request" not in record.expected
    assert record.problems == ["Endpoint request body cut at 1,024 bytes: not compared"]


def test_a_cut_request_cannot_be_replayed():
    [record] = records_of(["HTTP Method: POST, Resource Path: /x",
                           "Method request headers: {A=1, B=[TRUNCATED]",
                           'Method request body before transformations: {"a": [TRUNCATED]',
                           "Method completed with status: 200"])
    assert record.truncated
    assert record.skip == ("Method request headers and Method request body cut at 1,024 bytes "
                           "in the log: the request cannot be replayed")


def test_an_unreadable_map_and_an_unfinished_log_are_reported():
    [record] = records_of(["HTTP Method: GET, Resource Path: /x",
                           "Method request query string: {a=1, b=x, a=2}"])
    assert record.problems[0].startswith("Method request query string: 'a' appears twice")
    assert record.problems[1].startswith("the log ends before the request did")


def test_interleaved_requests_come_out_in_the_order_they_started():
    events = [(1, None, f"({RID}) HTTP Method: GET, Resource Path: /a"),
              (2, None, f"({OTHER}) HTTP Method: GET, Resource Path: /b"),
              (3, None, f"({OTHER}) Method completed with status: 200"),
              (4, None, f"({RID}) Method completed with status: 200")]
    found = list(cloudwatch.records(events, "x"))
    assert [(r.path, r.line) for r in found] == [("/a", 1), ("/b", 2)]


def test_a_request_that_never_ends_does_not_hold_the_others_forever(monkeypatch):
    monkeypatch.setattr(cloudwatch, "MAX_OPEN_REQUESTS", 2)
    events = [(1, None, "(00000000-0000-0000-0000-000000000000) HTTP Method: GET, "
                        "Resource Path: /never")]
    for n in range(1, 4):
        rid = f"{n:08d}-0000-0000-0000-000000000000"
        events += [(10 * n, None, f"({rid}) HTTP Method: GET, Resource Path: /{n}"),
                   (10 * n + 1, None, f"({rid}) Method completed with status: 200")]
    found = cloudwatch.records(iter(events), "x")
    first = next(found)
    assert first.path == "/never" and first.problems   # given out incomplete, early
    assert [r.path for r in found] == ["/1", "/2", "/3"]


def test_filter_log_events_json_pages_and_events_one_per_line(tmp_path):
    page = {"events": [{"logStreamName": "s", "timestamp": 1795656843120, "eventId": "1",
                        "message": f"({RID}) HTTP Method: GET, Resource Path: /p"}]}
    pages = tmp_path / "pages.json"
    pages.write_bytes(orjson.dumps(page) + b"\n" + orjson.dumps(
        {"events": [{**page["events"][0], "message": f"({RID}) Method completed with "
                                                     f"status: 204"}]}))
    assert input_file(str(pages)).format == "cloudwatch-json"
    [record] = read_items(input_file(str(pages)))
    assert record.context["requestTimeEpoch"] == 1795656843120
    assert record.expected["response"].status == 204
    lines = tmp_path / "events.jsonl"
    lines.write_bytes(b"\n".join(orjson.dumps(e) for e in page["events"]))
    assert input_file(str(lines)).format == "cloudwatch-lines"
    assert [r.path for r in read_items(input_file(str(lines)))] == ["/p"]


def test_an_item_of_the_export_that_is_no_event_is_an_unreadable_record(tmp_path, capsys):
    export = tmp_path / "export.json"
    export.write_bytes(orjson.dumps({"events": [
        {"timestamp": 1795600000000, "message": f"({RID}) HTTP Method: GET, Resource Path: /a"},
        ["not", "an", "event"],
        {"timestamp": 1795600000001, "message": f"({RID}) Method completed with status: 200"},
    ]}))
    (tmp_path / "t.vtl").write_text("$context.httpMethod")
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(export), str(tmp_path / "t.vtl"), "-o", str(out),
                 "--no-progress"]) == 0
    assert [(r["line"], r["body"], r["error"]) for r in read_results(out)] == [
        (1, "GET", None),
        (2, None, "item 2 of the export is not a log event (a JSON object)")]


def test_a_line_of_events_that_is_no_event_is_an_unreadable_record(tmp_path):
    lines = tmp_path / "events.jsonl"
    lines.write_bytes(b"\n".join([
        orjson.dumps({"timestamp": 1, "message": f"({RID}) HTTP Method: GET, Resource Path: /a"}),
        b'["not", "an", "event"]', b"{not json"]))
    found = list(read_items(input_file(str(lines), "cloudwatch")))
    assert [(r.line, r.unreadable) for r in found[1:]] == [
        (2, "item 2 of the export is not a log event (a JSON object)"),
        (3, "item 3 of the export is not a log event (a JSON object)")]


def test_a_status_that_is_not_three_ascii_digits_is_a_problem_never_a_number():
    # int() reads "²" and "٢٠٠": a status is read only as API Gateway writes it
    [record] = records_of([
        "HTTP Method: GET, Resource Path: /a",
        "Received response. Status: \u0662\u0660\u0660, Integration latency: 4 ms",
        "Endpoint response body before transformations: {}",
        "Method completed with status: 2\u00b2",
    ])
    assert record.backend is None
    assert "response" not in record.expected   # no status compared
    assert record.problems == [
        "Received response: '\u0662\u0660\u0660' is not a status code",
        "Method completed with status: '2\u00b2' is not a status code",
        "the backend's status cannot be read: the response side cannot be replayed"]


def test_a_timestamp_that_is_not_whole_milliseconds_is_left_out(tmp_path):
    export = tmp_path / "export.json"
    export.write_bytes(b'{"events": [{"timestamp": true, "message": "(' + RID.encode()
                       + b') HTTP Method: GET, Resource Path: /a"}]}')
    [record] = read_items(input_file(str(export)))
    assert "requestTimeEpoch" not in record.context


def test_a_function_error_without_an_error_message_is_still_a_function_error():
    # read as the moto adapter reads Lambda's answer (apigateway.proxy.lambda_function_error)
    [record] = records_of([
        "HTTP Method: GET, Resource Path: /a",
        "Received response. Status: 200, Integration latency: 4 ms",
        "Endpoint response headers: {x-amz-function-error=Unhandled}",
        'Endpoint response body before transformations: {"errorType":"Runtime.ExitError"}',
        "Method completed with status: 502",
    ])
    assert record.backend.error_message == '{"errorType":"Runtime.ExitError"}'
