"""Bytes become text as Java 17's `new String(bytes, UTF_8)` makes it, wherever a payload arrives
as bytes: fixtures/utf8/java_decoding.jsonl was recorded from the JVM by
tools/record_utf8_decoding.py (tools/reference/Utf8Decode.java)."""
import json
from pathlib import Path

import pytest

from vtl_engine.apigateway import (BackendResponse, Integration, IntegrationResponse,
                                   MethodRequest, render_mapping_template)
from vtl_engine.apigateway.util import base64_decode, url_decode
from vtl_engine.apigateway.utf8 import java_utf8_decode, payload_text
from vtl_engine.integrations.localstack import LocalStackTemplateEngine

RECORDED = Path(__file__).resolve().parents[2] / "fixtures" / "utf8" / "java_decoding.jsonl"
CASES = [json.loads(line) for line in RECORDED.read_text().splitlines()]
# an encoded surrogate and a letter: one U+FFFD in Java, three in Python's own decoder
SURROGATE = b"\xed\xa0\x80x"


def utf16_units(text: str) -> str:
    data = text.encode("utf-16-be", "surrogatepass")
    return " ".join(data[i:i + 2].hex() for i in range(0, len(data), 2))


def test_every_recorded_sequence_decodes_as_in_java():
    assert len(CASES) == 3146
    wrong = [(data, java) for data, java in CASES
             if utf16_units(java_utf8_decode(bytes.fromhex(data))) != java]
    assert wrong == []


def test_the_recording_holds_what_pythons_own_decoder_gets_wrong():
    differ = [data for data, java in CASES
              if utf16_units(bytes.fromhex(data).decode("utf-8", "replace")) != java]
    assert len(differ) >= 50 and "eda080" in differ


def test_payload_text():
    assert payload_text(SURROGATE) == payload_text(bytearray(SURROGATE)) == "\ufffdx"
    assert payload_text("\ud800x") == "\ud800x"   # text is left as it is
    assert payload_text(None) == ""


def test_a_body_given_as_bytes():
    assert render_mapping_template("$input.body", body=SURROGATE).body == "\ufffdx"


def test_an_integration_request_and_a_backend_response_given_as_bytes():
    integration = Integration(type="HTTP", uri="https://example.com",
                              request_templates={"application/json": "[$input.body]"},
                              responses=[IntegrationResponse(
                                  response_templates={"application/json": "<$input.body>"})])
    sent = integration.integration_request(MethodRequest(body=SURROGATE))
    assert sent.body == "[\ufffdx]"
    answer = integration.integration_response(BackendResponse(body=SURROGATE), MethodRequest())
    assert answer.body == "<\ufffdx>"


def test_a_localstack_body_given_as_bytes():
    engine = LocalStackTemplateEngine()
    assert engine.render_vtl("$input.body", {"input": {"body": SURROGATE, "params": {}}}) \
        == "\ufffdx"


@pytest.mark.parametrize("decode, encoded", [(url_decode, "%ED%A0%80x"),
                                             (base64_decode, "7aCAeA==")])
def test_util_functions_that_decode_bytes(decode, encoded):
    assert decode(encoded) == "\ufffdx"
