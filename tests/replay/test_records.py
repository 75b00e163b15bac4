"""JSON Lines records: the case-file request fields, the aliases, and what is refused."""
import pytest

from vtl_engine.replay.jsonlines import parse_line
from vtl_engine.replay.records import RecordError, record_from_json
from vtl_engine.testing.cases import NOT_GIVEN


def test_the_request_fields_of_a_case_file():
    record = record_from_json({
        "id": "a", "method": "post", "path": "/orders/7?express=true&x=1",
        "query": {"x": 2, "flag": True}, "headers": {"Content-Type": "application/json"},
        "body": {"total": 1.5}, "stage_variables": {"env": "prod"}, "context": {"stage": "p"},
        "route": "POST /orders/{id}", "backend": {"status": 502, "body": "oops"},
        "expected": {"json": {"a": 1}, "status": 201}}, "in.jsonl", 3)
    assert (record.id, record.method, record.path) == ("a", "POST", "/orders/7")
    assert record.query == {"express": "true", "x": "2", "flag": "true"}
    assert record.body == '{"total":1.5}'
    assert record.stage_variables == {"env": "prod"}
    assert record.backend.status == 502 and record.backend.body == "oops"
    assert record.expected["request"].json == {"a": 1}
    assert record.expected["response"].status == 201
    assert record.request_context()["resourcePath"] == "/orders/{id}"
    assert record.where == "in.jsonl:3"


def test_path_parameters_as_in_a_case_file_and_api_gateway_spellings():
    record = record_from_json({"path": {"id": 42}, "stageVariables": {"v": "1"},
                               "expect": {"body": "x"}}, "s", 1)
    assert record.path_parameters == {"id": "42"}
    assert record.stage_variables == {"v": "1"}
    assert record.expected["request"].body == "x"
    assert record.expected["request"].json is NOT_GIVEN


def test_a_multi_value_parameter_keeps_its_last_value_as_api_gateway_does():
    assert record_from_json({"query": {"a": ["1", "2"]}}, "s", 1).query == {"a": "2"}


def test_the_same_record_gets_the_same_request_id_at_every_run():
    first = record_from_json({}, "in.jsonl", 5).request_context()["requestId"]
    assert first == record_from_json({}, "in.jsonl", 5).request_context()["requestId"]
    assert first != record_from_json({}, "in.jsonl", 6).request_context()["requestId"]
    given = record_from_json({"context": {"requestId": "mine"}}, "s", 1)
    assert given.request_context()["requestId"] == "mine"


@pytest.mark.parametrize("value, message", [
    ([1, 2], "expected a JSON object, got a list"),
    ({"headerz": {}}, "unknown key 'headerz'"),
    ({"headers": "x"}, "headers: expected an object, got text"),
    ({"query": {"a": {"b": 1}}}, "query.a: expected text, got an object"),
    ({"context": [1]}, "context: expected an object, got a list"),
    ({"expected": {"body": "a", "json": 1}}, "give 'body' (exact text) or 'json', not both"),
    ({"expected": {"status": "201"}}, "expected.status: expected a number or null, got text"),
    ({"backend": {"status": "x"}}, "backend.status: expected a number, got text"),
    ({"stage_variables": {}, "stageVariables": {}}, "give 'stage_variables' or 'stageVariables'"),
])
def test_what_is_wrong_with_a_record_is_said(value, message):
    with pytest.raises(RecordError, match=message.replace("(", r"\(").replace(")", r"\)")):
        record_from_json(value, "s", 1)


def test_a_line_that_is_not_json():
    with pytest.raises(RecordError, match=r"not valid JSON \(.* at column 2\)"):
        parse_line(b"{oops\n", "s", 9, None)


def test_expected_and_backend_are_read_as_a_case_file_reads_them(tmp_path):
    # one reader (testing.cases.Shapes): body_file as in a case, relative to the input's folder
    (tmp_path / "answer.json").write_bytes(b'{"ok": true}')
    record = record_from_json({"backend": {"status": 201, "body_file": "answer.json"},
                               "expected": {"json": None, "headers": {"X-A": ["1", "2"]}}},
                              "s", 1, tmp_path)
    assert (record.backend.status, record.backend.body) == (201, b'{"ok": true}')
    assert record.expected["response"].json is None
    assert record.expected["response"].headers == {"X-A": "2"}
