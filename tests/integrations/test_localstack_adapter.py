"""The LocalStack adapter without LocalStack: variables shaped as LocalStack 2026.3's handlers
pass them, and install()/uninstall() on stand-in handler modules, including the integration step
that answers Lambda's 400."""
from __future__ import annotations

import copy
import sys
import threading
import types

import pytest

from vtl_engine import VtlRuntimeError, VtlSyntaxError
from vtl_engine.apigateway.lambdajson import lambda_rejection
from vtl_engine.integrations import localstack as adapter
from vtl_engine.integrations.localstack import LocalStackIntegrationError, LocalStackTemplateEngine


class Headers:
    """The parts of werkzeug's `Headers` the adapter meets: a case-insensitive multi-dict whose
    items() are all its (name, value) pairs, a name repeated once per value."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = list(pairs)

    def items(self):
        return list(self._pairs)

    def getlist(self, key: str) -> list[str]:
        return [value for name, value in self._pairs if name.lower() == key.lower()]

    def get(self, key: str, default=None):
        found = self.getlist(key)
        return found[0] if found else default

    def __bool__(self) -> bool:
        return bool(self._pairs)


def fresh_overrides() -> dict:
    # what LocalStack's InvocationRequestParser starts every request with
    return {"requestOverride": {"header": {}, "querystring": {}, "path": {}},
            "responseOverride": {"header": {}, "status": 0}}


def variables(body: str = "", path=None, querystring=None, header=None, stage_variables=None,
              context=None) -> dict:
    return {
        "context": context if context is not None else {
            "accountId": "000000000000", "apiId": "abc123", "httpMethod": "POST",
            "path": "/dev/items", "stage": "dev", "requestId": "req-1",
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "ua"}},
        "stageVariables": stage_variables,
        "input": {"body": body, "params": {
            "path": path, "querystring": querystring or {},
            "header": header if header is not None else Headers([])}},
    }


ENGINE = LocalStackTemplateEngine()


def test_request_template_sees_input_context_and_stage_variables():
    given = variables(body='{"name": "O\'Brien", "tags": ["a", "b"]}', path={"id": "7"},
                      querystring={"q": "x y"}, header=Headers([("Accept", "text/plain")]),
                      stage_variables={"env": "test"})
    template = ('$input.json("$.tags")|$input.path("$.name")|$input.params("id")|'
                '$input.params("q")|$input.params().header.Accept|$context.stage|'
                '$stageVariables.env|$util.escapeJavaScript($input.path("$.name"))')
    body, _ = ENGINE.render_request(template, given, fresh_overrides())
    assert body == '["a","b"]|O\'Brien|7|x y|text/plain|dev|test|O\\\'Brien'


def test_util_follows_java_where_localstack_alone_does_not():
    body, _ = ENGINE.render_response(
        '{"esc": "$util.escapeJavaScript("it\'s a/b")", "m": "$util.urlEncode(\'a b~*\')"}',
        variables(), fresh_overrides())
    assert body == '{"esc": "it\\\'s a\\/b", "m": "a+b%7E*"}'


def test_request_overrides_come_back_and_inputs_are_not_changed():
    given = variables(header=Headers([("X-In", "1")]))
    overrides = fresh_overrides()
    before = (copy.deepcopy(given["context"]), copy.deepcopy(overrides))
    template = ('#set($context.requestOverride.header.X-Out = "o")'
                '#set($context.requestOverride.querystring["q"] = "v")'
                '#set($context.responseOverride.status = 418)'
                '#set($context.responseOverride.custom = "kept")'
                '#set($context.stage = "changed")ok')
    body, returned = ENGINE.render_request(template, given, overrides)
    assert body == "ok"
    assert returned == {
        "requestOverride": {"path": {}, "header": {"X-Out": "o"}, "querystring": {"q": "v"}},
        "responseOverride": {"header": {}, "custom": "kept", "status": 418}}
    assert (given["context"], overrides) == before


def test_overrides_set_in_the_request_template_reach_the_response_template():
    _, carried = ENGINE.render_request(
        '#set($context.requestOverride.path.body = "p")#set($context.responseOverride.status = 444)'
        '#set($context.responseOverride.header.foo = "bar")', variables(), fresh_overrides())
    body, response = ENGINE.render_response(
        "$context.requestOverride.path.body $context.responseOverride.status "
        "$context.responseOverride.header.foo", variables(), carried)
    assert body == "p 444 bar"
    assert response == {"header": {"foo": "bar"}, "status": 444}


def test_an_unset_status_is_absent_as_on_aws_and_reads_back_as_localstacks_zero():
    body, response = ENGINE.render_response(
        "[$context.responseOverride.status]$context.responseOverride.keySet()",
        variables(), fresh_overrides())
    assert body == "[][header]"
    assert response == {"header": {}, "status": 0}


@pytest.mark.parametrize("status, expected", [('"201"', 201), ("99", 0), ("600", 0), ('"x"', 0),
                                              ("404", 404)])
def test_response_status_is_what_api_gateway_accepts(status, expected):
    _, response = ENGINE.render_response(f"#set($context.responseOverride.status = {status})",
                                         variables(), fresh_overrides())
    assert response["status"] == expected


def test_headers_multi_dict_gives_the_last_value_per_name():
    header = Headers([("X-A", "1"), ("X-A", "2"), ("Accept", "a")])
    body, _ = ENGINE.render_request("$input.params('X-A') $input.params().header",
                                    variables(header=header), fresh_overrides())
    assert body == "2 {X-A=2, Accept=a}"


def test_werkzeug_headers_and_multi_dict_when_installed():
    datastructures = pytest.importorskip("werkzeug.datastructures")
    header = datastructures.Headers([("Content-Type", "application/json"), ("X-B", "1"),
                                     ("X-B", "2")])
    querystring = datastructures.MultiDict([("q", "1"), ("q", "2"), ("r", "3")])
    body, _ = ENGINE.render_request(
        "$input.params('X-B')|$input.params().header.Content-Type|$input.params().querystring",
        variables(header=header, querystring=querystring), fresh_overrides())
    assert body == "2|application/json|{q=2, r=3}"


def test_none_sections_and_missing_overrides():
    given = {"context": None, "stageVariables": None,
             "input": {"body": None, "params": {"path": None, "querystring": None, "header": None}}}
    body, returned = ENGINE.render_request("$input.body|$input.params()|$stageVariables.x|$context",
                                           given, None)
    # the objects nested in $context print as nothing on AWS (docs/dialects.md)
    assert body == "{}|{path={}, querystring={}, header={}}||{requestOverride=, responseOverride=}"
    assert returned["responseOverride"] == {"header": {}, "status": 0}


def test_render_vtl_with_input_section_and_as_json():
    given = {"input": {"body": '{"a": [1, {"b": null}]}', "params": {}}, "x": {"k": [1, 2]}}
    assert ENGINE.render_vtl('{"a": $input.json("$.a"), "k": $x.k}', given, as_json=True) == \
        {"a": [1, {"b": None}], "k": [1, 2]}
    assert ENGINE.render_vtl("$x.k.size()#set($x.k[0] = 9)", given) == "2"
    assert given["x"] == {"k": [1, 2]}
    assert ENGINE.render_vtl("", given) == ""
    assert ENGINE.render_vtl("$util.base64Encode('é')", None) == "w6k="


def test_template_errors_are_vtl_errors_or_what_on_error_makes():
    with pytest.raises(VtlSyntaxError):
        ENGINE.render_request("#if(", variables(), fresh_overrides())
    with pytest.raises(VtlRuntimeError):
        ENGINE.render_response("$util.parseJson('{')", variables(), fresh_overrides())

    class Internal(Exception):
        pass

    engine = LocalStackTemplateEngine(on_error=lambda error: Internal(error.message))
    with pytest.raises(Internal):
        engine.render_response("$util.urlDecode('%zz')", variables(), fresh_overrides())


def test_one_instance_serves_many_threads():
    template = ('#set($context.responseOverride.header.n = $input.params("n"))'
                '#foreach($i in $input.path("$.items"))$i,#end$input.params("n")')
    failures: list[str] = []

    def worker(n: int) -> None:
        for round_ in range(30):
            body = '{"items": [%d, %d]}' % (n, round_)
            out, response = ENGINE.render_response(
                template, variables(body=body, querystring={"n": str(n)}), fresh_overrides())
            if out != f"{n},{round_},{n}" or response["header"] != {"n": str(n)}:
                failures.append(out)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


# -- install / uninstall on stand-in LocalStack modules ----------------------------------------

class OriginalEngine:
    def render_request(self, template, variables, context_overrides):
        return "original", context_overrides

    def render_response(self, template, variables, context_overrides):
        return "original", context_overrides["responseOverride"]

    def render_vtl(self, template, variables, as_json=False):
        return "original"


class ChangedEngine(OriginalEngine):
    def render_request(self, template, variables):  # an interface this adapter does not know
        return "changed", {}


class Handler:
    def __init__(self, engine) -> None:
        self._vtl_template = engine


class InternalServerError(Exception):
    pass


class HandlerChain:
    """rolo's HandlerChain as the integration step meets it: respond() answers and stops."""

    def __init__(self) -> None:
        self.answer = None

    def respond(self, status_code=200, payload=None, headers=None):
        self.answer = (status_code, payload, dict(headers or {}))


class RestApiInvocationContext:
    integration: dict | None
    integration_request: dict | None

    def __init__(self, integration: dict, body: bytes) -> None:
        self.integration = integration
        self.integration_request = {"http_method": "POST", "uri": integration["uri"],
                                    "body": body}


class IntegrationRequest(dict):
    body: bytes


def integration_step_class() -> type:
    """LocalStack's IntegrationHandler, whose __call__ invokes the integration (here: records
    the call). A new class each time, so that no test's install() outlives it."""

    class IntegrationHandler:
        def __init__(self) -> None:
            self.invoked = []

        def __call__(self, chain, context, response):
            self.invoked.append((chain, context, response))

    return IntegrationHandler


def module(name: str, **attributes) -> types.ModuleType:
    made = types.ModuleType(name)
    made.__dict__.update(attributes)
    return made


@pytest.fixture
def fake_localstack(monkeypatch):
    handlers = module(adapter.HANDLERS_MODULE,
                      integration_request_handler=Handler(OriginalEngine()),
                      integration_response_handler=Handler(OriginalEngine()),
                      integration_handler=integration_step_class()())
    for made in (handlers,
                 module(adapter.GATEWAY_RESPONSE_MODULE, InternalServerError=InternalServerError),
                 module(adapter.CONTEXT_MODULE, RestApiInvocationContext=RestApiInvocationContext,
                        IntegrationRequest=IntegrationRequest),
                 module(adapter.CHAIN_MODULE, RestApiGatewayHandlerChain=HandlerChain)):
        monkeypatch.setitem(sys.modules, made.__name__, made)
    return handlers


def test_install_replaces_both_engines_and_uninstall_restores_them(fake_localstack):
    originals = [fake_localstack.integration_request_handler._vtl_template,
                 fake_localstack.integration_response_handler._vtl_template]
    integration_step = type(fake_localstack.integration_handler)
    original_call = integration_step.__call__
    engine = adapter.install()
    assert adapter.is_installed()
    assert fake_localstack.integration_request_handler._vtl_template is engine
    assert fake_localstack.integration_response_handler._vtl_template is engine
    wrapped_call = integration_step.__call__
    assert wrapped_call is not original_call
    adapter.install()  # a second install (extension and hook both loaded) changes nothing
    assert fake_localstack.integration_response_handler._vtl_template is engine
    assert integration_step.__call__ is wrapped_call
    adapter.uninstall()
    assert not adapter.is_installed()
    assert [fake_localstack.integration_request_handler._vtl_template,
            fake_localstack.integration_response_handler._vtl_template] == originals
    assert integration_step.__call__ is original_call


def test_installed_engine_fails_a_template_as_a_500(fake_localstack):
    engine = adapter.install()
    with pytest.raises(InternalServerError, match="Internal server error"):
        engine.render_request("#foreach(", variables(), fresh_overrides())
    adapter.uninstall()


def test_changed_interface_is_named_with_the_version(fake_localstack, monkeypatch):
    fake_localstack.integration_request_handler._vtl_template = ChangedEngine()
    monkeypatch.setattr(adapter, "localstack_version", lambda: "2099.1.0")
    with pytest.raises(LocalStackIntegrationError, match=r"2099\.1\.0.*render_request"):
        adapter.install()
    fake_localstack.integration_request_handler = object()
    with pytest.raises(LocalStackIntegrationError, match="integration_request_handler"):
        adapter.install()


LAMBDA_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
              "arn:aws:lambda:us-east-1:000000000000:function:orders/invocations")
# escapeJavaScript's \' inside a JSON string, the usual cause (serverless/serverless#2270)
NOT_JSON = rb"""{"name": "Ada O\'Brien"}"""
AWS_400 = (r"""{"message": "Could not parse request body into json: Could not parse payload """
           r"""into json: Unrecognized character escape \'\'\' (code 39)\n at [Source: """
           r"""REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, """
           r"""column: 17]"}""")


def call_integration_step(handlers, integration_type: str, uri: str, body: bytes):
    """The integration step as LocalStack's chain calls it: (what it answered, what it invoked,
    the arguments it was given)."""
    given = (HandlerChain(), RestApiInvocationContext({"type": integration_type, "uri": uri}, body),
             object())
    handlers.integration_handler(*given)
    return given[0].answer, handlers.integration_handler.invoked, given


def test_lambda_payload_that_is_not_json_is_answered_400_without_invoking(fake_localstack):
    adapter.install()
    answer, invoked, _ = call_integration_step(fake_localstack, "AWS", LAMBDA_URI, NOT_JSON)
    assert invoked == []
    assert answer == (400, AWS_400, {"Content-Type": "application/json"})
    assert AWS_400 == lambda_rejection(NOT_JSON)
    adapter.uninstall()
    answer, invoked, _ = call_integration_step(fake_localstack, "AWS", LAMBDA_URI, NOT_JSON)
    assert (answer, len(invoked)) == (None, 1)  # LocalStack's own step again


@pytest.mark.parametrize("integration_type, uri, body", [
    ("AWS", LAMBDA_URI, b'{"name": "Ada O\'Brien"}'),
    ("AWS", LAMBDA_URI, b""),  # Lambda accepts an empty payload
    ("AWS", LAMBDA_URI, b'{"a": 1} trailing'),  # and ignores what follows the first value
    ("AWS", "arn:aws:apigateway:us-east-1:s3:path/bucket/key", NOT_JSON),
    ("AWS_PROXY", LAMBDA_URI, NOT_JSON),
    ("HTTP", "https://example.com/lambda:path/x", NOT_JSON),
    ("MOCK", "", NOT_JSON),
])
def test_every_other_request_goes_on_to_the_integration_unchanged(fake_localstack,
                                                                  integration_type, uri, body):
    adapter.install()
    answer, invoked, given = call_integration_step(fake_localstack, integration_type, uri, body)
    assert answer is None
    assert len(invoked) == 1 and all(a is b for a, b in zip(invoked[0], given, strict=True))
    assert given[1].integration_request["body"] == body
    adapter.uninstall()


class ChangedStep:
    def __call__(self, chain, context):  # a call this adapter does not know
        pass


def test_a_changed_integration_step_fails_at_install_and_changes_nothing(fake_localstack,
                                                                         monkeypatch):
    context_module = sys.modules[adapter.CONTEXT_MODULE]
    changes = [
        (fake_localstack, "integration_handler", ChangedStep(),
         "integration_handler is not a handler whose class takes chain, context, response"),
        (RestApiInvocationContext, "__annotations__", {"integration": dict},
         "RestApiInvocationContext has no integration_request"),
        (context_module, "IntegrationRequest", type("IntegrationRequest", (dict,), {}),
         "IntegrationRequest has no body"),
        (HandlerChain, "respond", lambda self, payload: None,
         r"RestApiGatewayHandlerChain\.respond does not take status_code, payload, headers"),
    ]
    engine_before = fake_localstack.integration_request_handler._vtl_template
    call_before = type(fake_localstack.integration_handler).__call__
    for target, name, value, message in changes:
        with monkeypatch.context() as changed:
            changed.setattr(target, name, value)
            with pytest.raises(LocalStackIntegrationError, match=message):
                adapter.install()
    assert fake_localstack.integration_request_handler._vtl_template is engine_before
    assert type(fake_localstack.integration_handler).__call__ is call_before


def test_absent_localstack_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, adapter.HANDLERS_MODULE, None)  # import fails
    with pytest.raises(LocalStackIntegrationError,
                       match=r"cannot be imported.*vtl_engine\[localstack\]"):
        adapter.install()
