"""End to end in a real LocalStack: two LocalStack 2026.3 processes (Python 3.13, host mode, on
loopback), one with vtl_engine installed by its start-up hook and one with LocalStack's own
engine, each given the same REST API (MOCK integrations, HTTP integrations to an echo server of
this test's, AWS integrations to a Lambda function that does not exist), and the same requests.
Answers with vtl_engine must be byte for byte what AWS answers: the recorded AWS flows of
../shared/conformance/aws.jsonl (`localstack-aws:` ids), for $util the Java behaviour of
../shared/reference/, and Lambda's 400 for a payload that is not JSON. The table printed at the
end shows where LocalStack alone answers otherwise.

Skipped without Python 3.13. The first run builds LocalStack's environment under .cache/ (a
minute or two from PyPI); later runs reuse it. Run alone: pytest -m localstack -s
"""
from __future__ import annotations

import json
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from localstack_harness import (
    Answer, EchoServer, LocalStack, invoke, localstack_environment, python313)

from vtl_engine.apigateway.lambdajson import lambda_rejection

PYTHON313 = python313()
pytestmark = [pytest.mark.localstack,
              pytest.mark.skipif(PYTHON313 is None, reason="LocalStack 2026.3 needs Python 3.13")]
AWS_CASES = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance" / "aws.jsonl"


@dataclass(frozen=True)
class Case:
    """One route and one request. `integration` is MOCK, HTTP to the echo server's /echo (the
    body comes back as sent) or REFLECT to its /reflect (what arrived, as JSON), or LAMBDA: an
    AWS integration to a function that does not exist (the machine has no Docker to run one)."""

    name: str
    expected: str
    request_template: str | None = None
    response_template: str | None = None
    integration: str = "MOCK"
    body: str | None = None
    path_parameter: tuple[str, str] | None = None
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    expected_status: int | None = None
    expected_headers: dict[str, str] = field(default_factory=dict)
    match: str = "exact"

    def accepts(self, answer: Answer) -> bool:
        if self.expected_status is not None and answer.status != self.expected_status:
            return False
        if any(answer.headers.get(k) != v for k, v in self.expected_headers.items()):
            return False
        if self.match == "json":
            try:
                return json.loads(answer.body) == json.loads(self.expected)
            except ValueError:
                return False
        return answer.body == self.expected


def body_of(**values) -> str:
    return json.dumps(values)


AWKWARD = "it's \"q\" a/b \\ \t\n é 😀 <\u2028>"
MISSING_FUNCTION = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                    "arn:aws:lambda:us-east-1:000000000000:function:vtl-e2e-missing/invocations")
DATA = body_of(a={"b": [1, "x", None, True, 2.5]}, e="é")

# Requests through a request template to the echo server, whose reply comes back unchanged:
# what the client reads is what the request template rendered.
REQUEST_TEMPLATE_CASES = [
    Case("util.escapeJavaScript", r"it\'s \"q\" a\/b \\ \t\n \u00E9 \uD83D\uDE00 <\u2028>",
         "$util.escapeJavaScript($input.path('$.s'))", body=body_of(s=AWKWARD)),
    Case("util.urlEncode", "a+b%7E*%27%28%29%21%26%3D%2F%C3%A9%2B._-",
         "$util.urlEncode($input.path('$.s'))", body=body_of(s="a b~*'()!&=/é+._-")),
    Case("util.urlDecode", "a b~é+%", "$util.urlDecode($input.path('$.s'))",
         body=body_of(s="a+b%7E%C3%A9%2B%25")),
    Case("util.base64", "w6nigqzwn5iAIGE=|é€😀 a",
         "$util.base64Encode($input.path('$.s'))|"
         "$util.base64Decode($util.base64Encode($input.path('$.s')))",
         body=body_of(s="é€😀 a")),
    Case("util.parseJson", 'two|d|3|{a=[1,"two",true], b={c=d}}',
         "#set($p = $util.parseJson($input.path('$.raw')))$p.a[1]|$p.b.c|$p.a.size()|$p",
         body=body_of(raw='{"a":[1,"two",true],"b":{"c":"d"}}')),
    Case("input.json", '{"b":[1,"x",null,true,2.5]}|"x"|""|"é"',
         "$input.json('$.a')|$input.json('$.a.b[1]')|$input.json('$.missing')|$input.json('$.e')",
         body=DATA),
    Case("input.path", '{b=[1,"x",null,true,2.5]}|[1,"x",null,true,2.5]|5|1',
         "$input.path('$.a')|$input.path('$.a.b')|$input.path('$.a.b').size()|"
         "$input.path('$.a.b[0]')", body=DATA),
    Case("input.params", "42|1|h|{id=42}|{id=q, x=1}",
         "$input.params('id')|$input.params('x')|$input.params('X-Id')|$input.params().path|"
         "$input.params().querystring",
         path_parameter=("id", "42"), query="id=q&x=1", headers={"X-Id": "h"}),
    Case("input.body not JSON", "not json", "$input.body", body="not json"),
    Case("undefined references", "[][][][][]T",
         "[$nope][$!nope][${nope}][$nope.x][$input.path('$.none')]#if($nope)T#{else}F#end",
         body="{}"),
    Case("#foreach with commas", '[{"v":"a","i":0},{"v":"b","i":1},{"v":"c","i":2}]',
         '[#foreach($x in $input.path(\'$.items\')){"v":"$x","i":$foreach.index}'
         "#if($foreach.hasNext),#end#end]", body=body_of(items=["a", "b", "c"])),
    Case("#foreach over keySet", "z=1;a=2;",
         "#foreach($k in $input.path('$.m').keySet())$k=$input.path('$.m').get($k);#end",
         body=body_of(m={"z": 1, "a": 2})),
]

OWN_CASES = [
    *[Case(**{**case.__dict__, "integration": "HTTP"}) for case in REQUEST_TEMPLATE_CASES],
    Case("$context overrides request -> response (MOCK)", "o|v|201|r",
         request_template='#set($context.requestOverride.header.X-Out = "o")'
                          '#set($context.requestOverride.querystring.q = "v")'
                          "#set($context.responseOverride.status = 201)"
                          '#set($context.responseOverride.header.X-Resp = "r")'
                          '{"statusCode": 200}',
         response_template="$context.requestOverride.header.X-Out|"
                           "$context.requestOverride.querystring.q|"
                           "$context.responseOverride.status|"
                           "$context.responseOverride.header.X-Resp",
         expected_status=201, expected_headers={"X-Resp": "r"}),
    Case("escapeJavaScript of empty and null", "[][]",
         response_template="[$util.escapeJavaScript('')]"
                           "[$util.escapeJavaScript($input.path('$.none'))]"),
    Case("responseOverride.status before it is set", "[][header]",
         response_template="[$context.responseOverride.status]$context.responseOverride.keySet()"),
    Case("a template that fails is a 500", '{"message": "Internal server error"}',
         response_template="$util.parseJson('{')", expected_status=500),
    # AWS: Lambda refuses the payload (escapeJavaScript's \' is no JSON escape), the function is
    # never called, the client gets Lambda's 400 (docs/api-definitions.md)
    Case("Lambda: template output not JSON is a 400",
         lambda_rejection("{\"name\": \"Ada O\\'Brien\"}"),
         request_template="{\"name\": \"$util.escapeJavaScript($input.path('$.name'))\"}",
         integration="LAMBDA", body=body_of(name="Ada O'Brien"), expected_status=400,
         expected_headers={"Content-Type": "application/json"}),
    Case("request overrides reach the backend (HTTP)", "added=1|yes|sent",
         request_template='#set($context.requestOverride.header.X-Over = "yes")'
                          '#set($context.requestOverride.querystring.added = "1")sent',
         response_template="$input.path('$.query')|$input.path('$.headers.x-over')|"
                           "$input.path('$.body')",
         integration="REFLECT"),
]


def recorded_aws_cases() -> list[Case]:
    """The `localstack-aws:` flows, rebuilt as the recordings describe them."""
    if not AWS_CASES.exists():
        return []
    cases = []
    for line in AWS_CASES.read_text().splitlines():
        record = json.loads(line)
        if not record["id"].startswith("localstack-aws:"):
            continue
        aws = record.get("aws") or {}
        match = "json" if record.get("match") == "json" else "exact"
        name = record["id"].removeprefix("localstack-aws:")
        pipeline = record.get("pipeline")
        if not pipeline:  # a response template over an echo server's reply
            cases.append(Case(name, record["expected"], response_template=record["template"],
                              integration="HTTP", body=aws.get("body"), match=match))
            continue
        first, second = pipeline
        path = (first.get("aws") or {}).get("params", {}).get("path") or {}
        cases.append(Case(
            name, record["expected"], request_template=first["template"],
            response_template=second["template"],
            integration="MOCK" if aws.get("integration") == "MOCK" else "HTTP",
            body=(first.get("aws") or {}).get("body"),
            path_parameter=next(iter(path.items()), None),
            expected_status=record.get("expected_status"), match=match))
    return cases


CASES = [*OWN_CASES, *recorded_aws_cases()]


def route_of(index: int, case: Case, echo_url: str) -> dict:
    path = f"c{index}" + (f"/{{{case.path_parameter[0]}}}" if case.path_parameter else "")
    integration, uri = {"MOCK": ("MOCK", None), "HTTP": ("HTTP", f"{echo_url}/echo"),
                        "REFLECT": ("HTTP", f"{echo_url}/reflect"),
                        "LAMBDA": ("AWS", MISSING_FUNCTION)}[case.integration]
    return {"path": path, "integration": integration, "uri": uri,
            "request_template": case.request_template,
            "response_template": case.response_template}


def request_of(index: int, case: Case) -> dict:
    path = f"c{index}" + (f"/{case.path_parameter[1]}" if case.path_parameter else "")
    return {"path": path, "body": case.body, "query": case.query, "headers": case.headers}


CONCURRENT = Case("many threads", "", request_template=(
    '#set($n = $input.params("n"))#set($context.responseOverride.header.X-N = $n)'
    '#set($context.requestOverride.path.n = $n){"statusCode": 200}'),
    response_template=('#foreach($i in [1..3])${context.requestOverride.path.n}:$i'
                       '#if($foreach.hasNext),#end#end'))
# JSON for Lambda: on to LocalStack's Lambda integration as without vtl_engine
LAMBDA_JSON = Case("Lambda: JSON goes on", "", integration="LAMBDA", body=body_of(name="Ada"),
                   request_template='{"name": "$input.path(\'$.name\')"}')
EXTRA_ROUTES = [CONCURRENT, LAMBDA_JSON]


@pytest.fixture(scope="module")
def deployments():
    """Both LocalStacks running, each with the API deployed: {name: (endpoint, api_id)}."""
    venv = localstack_environment(PYTHON313)
    echo = EchoServer()
    routes = [route_of(i, case, echo.url) for i, case in enumerate([*CASES, *EXTRA_ROUTES])]
    with tempfile.TemporaryDirectory(prefix="vtl-localstack-") as tmp:
        stacks = {}
        for name, ours in (("vtl_engine", True), ("LocalStack alone", False)):
            workdir = Path(tmp) / name.replace(" ", "_")
            workdir.mkdir()
            stacks[name] = LocalStack(venv, ours, workdir)
        try:
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(LocalStack.wait_ready, stacks.values()))
                api_ids = list(pool.map(lambda stack: stack.create_api(routes), stacks.values()))
            yield {name: (stack.endpoint, api_id)
                   for (name, stack), api_id in zip(stacks.items(), api_ids)}
        finally:
            for stack in stacks.values():
                stack.stop()
            echo.stop()


def answers_of(deployment: tuple[str, str]) -> list[Answer]:
    endpoint, api_id = deployment
    return [invoke(endpoint, api_id, **request_of(i, case)) for i, case in enumerate(CASES)]


def shown(answer: Answer, case: Case, width: int = 52) -> str:
    """An answer for the table: status and body, marked `X` where it is not AWS's answer."""
    text = repr(answer.body)
    text = text if len(text) <= width else text[:width - 3] + "..."
    return f"{'  ' if case.accepts(answer) else 'X '}{answer.status} {text}"


def print_comparison(alone: list[Answer], ours: list[Answer]) -> None:
    print(f"\n{'case':44} | {'LocalStack alone':58} | {'with vtl_engine':58} | "
          "AWS (recorded; Java for $util)")
    for case, a, o in zip(CASES, alone, ours):
        aws = f"{case.expected_status or 200} {case.expected!r}" + \
            (" (as JSON)" if case.match == "json" else "")
        print(f"{case.name[:44]:44} | {shown(a, case):58} | {shown(o, case):58} | {aws}")
    print(f"answers as AWS's: LocalStack alone {sum(map(Case.accepts, CASES, alone))}/{len(CASES)},"
          f" with vtl_engine {sum(map(Case.accepts, CASES, ours))}/{len(CASES)}")


def test_localstack_with_vtl_engine_answers_as_aws(deployments):
    ours = answers_of(deployments["vtl_engine"])
    alone = answers_of(deployments["LocalStack alone"])
    print_comparison(alone, ours)
    wrong = [(case.name, o.status, o.body, case.expected)
             for case, o in zip(CASES, ours) if not case.accepts(o)]
    assert wrong == []
    assert len(CASES) >= len(OWN_CASES) + 20 or not AWS_CASES.exists()


def extra_route(case: Case) -> int:
    return len(CASES) + EXTRA_ROUTES.index(case)


def test_lambda_gets_a_json_payload_as_without_vtl_engine(deployments):
    """The 400 check passes JSON on: both LocalStacks answer alike, from Lambda's Invoke (the
    function does not exist; AWS would answer otherwise)."""
    answers = [invoke(*deployments[name], **request_of(extra_route(LAMBDA_JSON), LAMBDA_JSON))
               for name in ("vtl_engine", "LocalStack alone")]
    assert answers[0].status == answers[1].status
    assert answers[0].body == answers[1].body
    assert "Function not found" in answers[0].body and "vtl-e2e-missing" in answers[0].body


def test_many_threads_get_their_own_answers(deployments):
    endpoint, api_id = deployments["vtl_engine"]
    path = f"c{extra_route(CONCURRENT)}"
    seen: list[tuple[int, Answer]] = []
    lock = threading.Lock()

    def send(n: int) -> None:
        answer = invoke(endpoint, api_id, path, query=f"n={n}")
        with lock:
            seen.append((n, answer))

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(send, range(160)))
    wrong = [(n, a.status, a.body, a.headers.get("X-N")) for n, a in seen
             if (a.status, a.body, a.headers.get("X-N")) != (200, f"{n}:1,{n}:2,{n}:3", str(n))]
    assert len(seen) == 160
    assert wrong == []


EXTENSION_CHECK = """
from plux import PluginManager
from vtl_engine.integrations.localstack import is_installed
extension = PluginManager("localstack.extensions").load("vtl-engine")
before = is_installed()
extension.on_extension_load()
print(type(extension).__name__, before, is_installed())
"""


def test_the_extension_entry_point_installs_the_adapter():
    """What LocalStack's extension manager does with the `localstack.extensions` entry point."""
    venv = localstack_environment(PYTHON313)
    done = subprocess.run([str(venv / "bin" / "python"), "-c", EXTENSION_CHECK],
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["VtlEngineExtension", "False", "True"], done.stderr[-2000:]
