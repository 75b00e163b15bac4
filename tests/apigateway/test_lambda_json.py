"""A Lambda integration's payload that Jackson cannot parse: our words against Jackson's own
(fixtures/lambda_json.jsonl, recorded from jackson-core by tools/record_lambda_json.py)."""
import json
from pathlib import Path

import pytest

from vtl_engine.apigateway.lambdajson import PREFIX, jackson_error, lambda_rejection

RECORDED = [json.loads(line) for line in
            (Path(__file__).resolve().parents[2] / "fixtures" / "lambda_json.jsonl")
            .read_text("utf-8").split("\n") if line.strip()]


@pytest.mark.parametrize("case", RECORDED, ids=[repr(c["body"][:40]) for c in RECORDED])
def test_errors_are_worded_and_placed_as_jacksons(case):
    assert jackson_error(case["body"]) == case["jackson"]


def test_the_400_body_has_the_recorded_shape():
    # a raw 400 users recorded: {"message": "…"}, a space after the colon, the message escaped
    # as escapeJavaScript escapes (' as \', a line break as \n)
    payload = '{"name": "Ada O\\\'Brien"}'
    message = jackson_error(payload)
    assert message == ("Unrecognized character escape ''' (code 39)\n at [Source: REDACTED "
                       "(`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, "
                       "column: 17]")
    escaped = (message.replace("\\", "\\\\").replace('"', '\\"').replace("'", "\\'")
               .replace("\n", "\\n"))
    assert lambda_rejection(payload) == '{"message": "' + PREFIX + escaped + '"}'
    assert lambda_rejection('{"name": "Ada"}') is None


def test_an_empty_payload_and_trailing_content_parse():
    assert lambda_rejection("") is None
    assert lambda_rejection('{"a": 1} and more') is None
