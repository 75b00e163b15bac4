"""$context: defaults in API Gateway's key order, caller values merged over them, overrides read
back, and $stageVariables."""
import re
import time

import pytest

from vtl_engine import VtlError
from vtl_engine.apigateway import build_context, render_mapping_template
from vtl_engine.apigateway.context import request_time
from vtl_engine.core.runtime.values import JsonArray

# The order a real REST API request listed them in (reference §3.2).
AWS_KEYS = ("resourceId resourcePath httpMethod extendedRequestId requestTime path accountId "
            "protocol requestOverride stage domainPrefix requestTimeEpoch requestId identity "
            "domainName deploymentId responseOverride apiId").split()
AWS_IDENTITY_KEYS = ("cognitoIdentityPoolId accountId cognitoIdentityId caller sourceIp "
                     "principalOrgId accessKey cognitoAuthenticationType "
                     "cognitoAuthenticationProvider userArn userAgent user").split()


def render(template, **kwargs):
    return render_mapping_template(template, **kwargs).body


def test_key_order_is_api_gateways():
    assert render("#foreach($k in $context.keySet())$k #end").split() == AWS_KEYS
    assert render("#foreach($k in $context.identity.keySet())$k #end").split() == AWS_IDENTITY_KEYS
    assert render("#foreach($k in $context.requestOverride.keySet())$k #end") == \
        "path header querystring "
    assert render("#foreach($k in $context.responseOverride.keySet())$k #end") == "header "


def test_generated_values_look_like_aws():
    body = render("$context.requestId|$context.extendedRequestId|$context.requestTime|"
                  "$context.requestTimeEpoch|$context.apiId|$context.domainName|"
                  "$context.domainPrefix|$context.path|$context.stage|$context.protocol|"
                  "$context.accountId|$context.resourceId|$context.deploymentId|"
                  "$context.httpMethod|$context.resourcePath")
    (request_id, extended, when, epoch, api_id, domain, prefix, path, stage, protocol, account,
     resource_id, deployment_id, method, resource_path) = body.split("|")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        request_id)
    assert re.fullmatch(r"[A-Za-z0-9+/]{15}=", extended)
    assert re.fullmatch(r"\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000", when)
    assert abs(int(epoch) - time.time() * 1000) < 60_000
    assert when == request_time(int(epoch))
    assert re.fullmatch(r"[a-z0-9]{10}", api_id)
    assert domain == f"{api_id}.execute-api.us-east-1.amazonaws.com" and prefix == api_id
    assert path == f"/{stage}/" and resource_path == "/"
    assert protocol == "HTTP/1.1" and method == "POST"
    assert re.fullmatch(r"\d{12}", account)
    assert re.fullmatch(r"[a-z0-9]{6}", resource_id) and re.fullmatch(r"[a-z0-9]{6}", deployment_id)


def test_each_request_gets_its_own_id():
    assert render("$context.requestId") != render("$context.requestId")


def test_request_time_format():
    assert request_time(1795576620000) == "25/Nov/2026:03:17:00 +0000"
    assert request_time(0) == "01/Jan/1970:00:00:00 +0000"
    assert request_time(1709251199999) == "29/Feb/2024:23:59:59 +0000"


def test_request_time_and_epoch_agree_when_one_is_given():
    assert render("$context.requestTime", context={"requestTimeEpoch": 1795576620000}) == \
        "25/Nov/2026:03:17:00 +0000"
    assert render("$context.requestTimeEpoch",
                  context={"requestTime": "25/Nov/2026:03:17:00 +0000"}) == "1795576620000"


def test_caller_values_are_merged_over_the_defaults():
    context = {"stage": "dev", "resourcePath": "/pets/{petId}", "identity": {"sourceIp": "1.2.3.4",
               "apiKey": "k"}, "xrayTraceId": "Root=1-x"}
    body = render("$context.stage $context.path $context.identity.sourceIp "
                  "$context.identity.apiKey [$context.identity.caller] $context.xrayTraceId",
                  context=context, params={"path": {"petId": "42"}})
    assert body == "dev /dev/pets/42 1.2.3.4 k [] Root=1-x"
    assert context["identity"] == {"sourceIp": "1.2.3.4", "apiKey": "k"}  # not written into


def test_headers_fill_domain_and_user_agent():
    params = {"header": {"Host": "api.example.com", "User-Agent": "curl/8.5.0"}}
    assert render("$context.domainName $context.domainPrefix $context.identity.userAgent",
                  params=params) == "api.example.com api curl/8.5.0"


@pytest.mark.parametrize("template, expected", [
    ("$context.authorizer.principalId", "user|a1b2"),
    ("$context.authorizer.key", "value"),
    ("$context.authorizer.numKey", "1"),          # API Gateway stringifies authorizer values
    ("$context.authorizer.boolKey", "true"),
    ("$context.authorizer.claims.sub", "abc"),
    ("#if($context.authorizer.numKey == '1')string#end", "string"),
])
def test_authorizer(template, expected):
    context = {"authorizer": {"principalId": "user|a1b2", "key": "value", "numKey": 1,
                              "boolKey": True, "claims": {"sub": "abc"}}}
    assert render(template, context=context) == expected


def test_absent_variables_render_empty():
    assert render("[$context.authorizer.principalId][$context.identity.apiKey]"
                  "[$context.error.message][$context.nothing]") == "[][][][]"


def test_lists_in_the_context_are_json_arrays():
    context = build_context({"authorizer": {"claims": {"groups": ["a", "b"]}}})
    assert type(context["authorizer"]["claims"]["groups"]) is JsonArray
    assert render("$context.authorizer.claims.groups",
                  context={"authorizer": {"claims": {"groups": ["a", "b"]}}}) == '["a","b"]'


def test_overrides_are_read_back():
    result = render_mapping_template(
        "#set($context.requestOverride.header.X-Amz-Target = 'T')"
        "#set($context.requestOverride.querystring.q = 'v')"
        "#set($context.requestOverride.path.id = '7')"
        "#set($context.responseOverride.status = 400)"
        "#set($context.responseOverride.header.X-Foo = 'bar')ok")
    assert result.body == "ok"
    assert result.header_overrides == {"X-Amz-Target": "T"}
    assert result.querystring_overrides == {"q": "v"}
    assert result.path_overrides == {"id": "7"}
    assert result.status_override == 400
    assert result.response_header_overrides == {"X-Foo": "bar"}
    assert result.context["responseOverride"]["status"] == 400


def test_overrides_by_map_syntax_and_put():
    result = render_mapping_template(
        '#set($n = "foo")#set($context.requestOverride.querystring[$n] = "bar")'
        '$context.requestOverride.querystring.put("p", "q")'
        '#set($context["requestOverride"].querystring["nested"] = "x")')
    assert result.body == ""
    assert result.querystring_overrides == {"foo": "bar", "p": "q", "nested": "x"}


@pytest.mark.parametrize("status, expected", [(444, 444), ("404", 404), (99, None), (600, None),
                                              ("abc", None)])
def test_status_override_values(status, expected):
    result = render_mapping_template(
        "#set($context.responseOverride.status = $stageVariables.s)",
        stage_variables={"s": status})
    assert result.status_override == expected


def test_overrides_given_in_the_context_are_visible():
    # a MOCK integration carries the request template's overrides to the response template
    result = render_mapping_template(
        "$context.responseOverride.status $context.responseOverride.header.foo "
        "$context.responseOverride.custom",
        context={"responseOverride": {"status": 444, "header": {"foo": "bar"}, "custom": "c"}})
    assert result.body == "444 bar c"


def test_stage_variables():
    variables = {"backend": "orders-v2", "url": "https://x/y"}
    assert render("$stageVariables.backend ${stageVariables['url']} [$stageVariables.none] "
                  "#foreach($k in $stageVariables.keySet())$k,#end",
                  stage_variables=variables) == "orders-v2 https://x/y [] backend,url,"


def test_nested_context_objects_print_empty_but_read_as_maps():
    # AWS prints $context.identity and its kind as nothing when rendered whole (reference 8, item 7)
    out = render_mapping_template(
        "[$context.identity][$context.requestOverride][$context.identity.sourceIp]"
        "[$context.identity.keySet().size()][$context.requestOverride.header]"
        "#set($id = $context.identity)[$id]#if($id.containsKey('user'))user#end",
        context={"identity": {"sourceIp": "10.0.0.1"}}).body
    assert out == "[][][10.0.0.1][12][{}][]user"


# A render makes only the keys of $context its template can read; the result's context is made
# whole when asked, with the values the template saw.

def test_the_context_made_whole_after_the_render_holds_what_the_template_read():
    result = render_mapping_template("$context.requestId|$context.requestTime|"
                                     "$context.identity.sourceIp",
                                     context={"identity": {"sourceIp": "10.0.0.1"}, "x": 1})
    request_id, when, source_ip = result.body.split("|")
    context = result.context
    assert list(context) == AWS_KEYS + ["x"]
    assert list(context["identity"]) == AWS_IDENTITY_KEYS
    assert (context["requestId"], context["requestTime"]) == (request_id, when)
    assert context["requestTime"] == request_time(context["requestTimeEpoch"])
    assert context["identity"]["sourceIp"] == source_ip == "10.0.0.1"
    assert result.context is context


def test_a_template_that_reads_no_context_leaves_it_whole_and_equal_to_build_context():
    given = {"requestId": "r-1", "extendedRequestId": "e-1", "requestTimeEpoch": 1795576620000,
             "identity": {"sourceIp": "10.0.0.1"}, "authorizer": {"n": 1, "claims": {"a": [1]}},
             "custom": {"deep": ["x"]}}
    params = {"header": {"Host": "api.example.com", "User-Agent": "ua"}, "path": {"id": "7"}}
    result = render_mapping_template("plain", params=params, context=given)
    whole = build_context(given, {"path": {"id": "7"}, "querystring": {}, **params})
    assert result.context == whole and list(result.context) == list(whole)
    for key, value in whole.items():
        assert type(result.context[key]) is type(value), key


def test_overrides_are_read_without_making_the_whole_context(monkeypatch):
    monkeypatch.setenv("VTL_TIER", "2")   # compiled, so analysed (the first tier makes it all)
    result = render_mapping_template("#set($context.responseOverride.status = 201)compiled")
    assert result.status_override == 201 and result.header_overrides == {}
    assert "requestId" not in result._context   # nothing else was made
    assert result.context["responseOverride"]["status"] == 201


def test_what_the_template_changed_is_in_the_whole_context():
    result = render_mapping_template(
        "$context.requestOverride.header.put('h', 'v')$context.identity.put('caller', 'me')")
    assert result.header_overrides == {"h": "v"}
    assert result.context["requestOverride"]["header"] == {"h": "v"}
    assert result.context["identity"]["caller"] == "me"


def test_a_bad_request_time_fails_before_the_render():
    with pytest.raises(VtlError, match="requestTimeEpoch"):
        render_mapping_template("no context", context={"requestTimeEpoch": "soon"})


def test_request_ids_are_random_version_4_uuids_as_uuid4_writes_them():
    import uuid

    from vtl_engine.apigateway.context import random_uuid
    made = {random_uuid() for _ in range(500)}
    assert len(made) == 500
    for text in made:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
    assert {text[19] for text in made} == set("89ab")
