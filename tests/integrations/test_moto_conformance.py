"""The recorded AWS flows of ../shared/conformance/aws.jsonl (`localstack-aws:` ids: two-stage
MOCK and HTTP flows, and response templates over an echo server's reply), rebuilt as one REST
API in moto, deployed and called with requests: with vtl_engine's drop-in, every answer is
the one AWS recorded. The count moto alone gets right is printed."""
from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from localstack_harness import EchoServer
from moto import mock_aws
from moto_scenarios import JSON, Api

from vtl_engine.integrations.moto import installed

AWS_CASES = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance" / "aws.jsonl"
pytestmark = pytest.mark.skipif(
    not AWS_CASES.exists(),
    reason="../shared/conformance/aws.jsonl is absent (the shared folder beside the repository)")


@dataclass(frozen=True)
class Flow:
    """One recorded flow: MOCK, or HTTP to the echo server (the reply is the body as sent)."""

    name: str
    expected: str
    response_template: str
    request_template: str | None
    integration: str
    body: str | None
    path_parameter: tuple[str, str] | None
    expected_status: int
    as_json: bool

    def accepts(self, status: int | None, body: str) -> bool:
        if status != self.expected_status:
            return False
        if self.as_json:
            try:
                return json.loads(body) == json.loads(self.expected)
            except ValueError:
                return False
        return body == self.expected


def recorded_flows() -> list[Flow]:
    if not AWS_CASES.exists():
        return []
    flows = []
    for line in AWS_CASES.read_text().splitlines():
        record = json.loads(line)
        if not record["id"].startswith("localstack-aws:"):
            continue
        aws = record.get("aws") or {}
        templates = [stage["template"] for stage in record.get("pipeline", [])]
        first = (record.get("pipeline") or [{}])[0].get("aws") or aws
        path = (first.get("params") or {}).get("path") or {}
        flows.append(Flow(
            record["id"].removeprefix("localstack-aws:"), record["expected"],
            templates[1] if templates else record["template"],
            templates[0] if templates else None,
            "MOCK" if aws.get("integration") == "MOCK" else "HTTP", first.get("body"),
            next(iter(path.items()), None), record.get("expected_status") or 200,
            record.get("match") == "json"))
    return flows


FLOWS = recorded_flows()


def build(api: Api, index: int, flow: Flow, echo_url: str) -> str:
    """The flow's route; the path to call it at."""
    path = f"/c{index}"
    called = path
    if flow.path_parameter is not None:
        name, value = flow.path_parameter
        path, called = f"{path}/{{{name}}}", f"{called}/{value}"
    http = {"type": "HTTP", "uri": f"{echo_url}/echo", "integration_method": "POST"} \
        if flow.integration == "HTTP" else {}
    api.route(f"POST {path}", **http,
              request_templates={JSON: flow.request_template} if flow.request_template else None,
              responses=({"statusCode": "200",
                          "responseTemplates": {JSON: flow.response_template}},))
    return called


def answers(with_drop_in: bool) -> list[tuple[int | None, str]]:
    """Each flow's (status, body), or (None, the error) where moto raised."""
    echo = EchoServer()
    try:
        with mock_aws(), installed() if with_drop_in else nullcontext():
            api = Api("recorded")
            paths = [build(api, i, flow, echo.url) for i, flow in enumerate(FLOWS)]
            url = api.deploy()
            found = []
            for flow, path in zip(FLOWS, paths):
                try:
                    answer = requests.post(url + path, data=(flow.body or "").encode(),
                                           headers={"Content-Type": JSON}, timeout=30)
                    found.append((answer.status_code, answer.text))
                except Exception as error:
                    found.append((None, f"{type(error).__name__}: {error}"))
            return found
    finally:
        echo.stop()


def test_recorded_aws_flows_through_moto():
    assert len(FLOWS) >= 20
    ours = answers(with_drop_in=True)
    alone = answers(with_drop_in=False)
    print(f"\nrecorded AWS flows answered as AWS: moto alone "
          f"{sum(f.accepts(*a) for f, a in zip(FLOWS, alone))}/{len(FLOWS)}, with vtl_engine "
          f"{sum(f.accepts(*a) for f, a in zip(FLOWS, ours))}/{len(FLOWS)}")
    wrong = [(flow.name, status, body, flow.expected)
             for flow, (status, body) in zip(FLOWS, ours) if not flow.accepts(status, body)]
    assert wrong == []
