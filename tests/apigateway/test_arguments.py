"""Wrong shapes through the Python API: a TypeError or ValueError that names the argument and
shows the shape it needs, raised where the argument comes in."""
import pytest

from vtl_engine.apigateway import (BackendResponse, Integration, IntegrationResponse,
                                   MethodRequest, render_mapping_template)


@pytest.mark.parametrize("arguments, error, message", [
    ({"params": [1]}, TypeError, 'params must be a mapping such as {"path": {"id": "42"}, '
                                 '"querystring": {"q": "x"}, "header": {"Content-Type": '),
    ({"params": {"header": [1]}}, TypeError, "params['header'] must be a mapping such as "
                                             '{"name": "value"}, not list [1]'),
    ({"context": "x"}, TypeError, 'context must be a mapping such as {"requestId": "r-1", '),
    ({"stage_variables": [1]}, TypeError, 'stage_variables must be a mapping such as '
                                          '{"env": "prod"}, not list [1]'),
    ({"body": 42}, TypeError, "body must be text (str) or bytes, not int 42"),
    # no path/querystring/header level: refused, with the shape that was meant
    ({"params": {"a": "1"}}, ValueError, "params has no level 'a': it maps 'path', 'querystring' "
                                         "and 'header' each to a map of names to values"),
])
def test_render_mapping_template_refuses_wrong_shapes(arguments, error, message):
    with pytest.raises(error) as raised:
        render_mapping_template("$input.params('a')", **arguments)
    assert message in str(raised.value)


def test_the_right_shapes_render():
    out = render_mapping_template("$input.params('a') $stageVariables.env $context.requestId",
                                  params={"querystring": {"a": "1"}}, context={"requestId": "r"},
                                  stage_variables={"env": "prod"})
    assert out.body == "1 prod r"


@pytest.mark.parametrize("build, error, message", [
    (lambda: MethodRequest(headers=[1]), TypeError, "headers must be a mapping"),
    (lambda: MethodRequest(querystring="a=1"), TypeError, "querystring must be a mapping"),
    (lambda: MethodRequest(context="x"), TypeError, "context must be a mapping"),
    (lambda: MethodRequest(stage_variables=[1]), TypeError, "stage_variables must be a mapping"),
    (lambda: MethodRequest(body={"a": 1}), TypeError, "body must be text (str) or bytes"),
    (lambda: BackendResponse(status_code="200"), TypeError, "status_code must be an int"),
    (lambda: BackendResponse(headers=[("a", "b")]), TypeError, "headers must be a mapping"),
    (lambda: Integration(request_templates={"application/json": 1}), TypeError,
     "request_templates['application/json'] must be the template's text (str), not int 1"),
    (lambda: Integration(responses={"default": {}}), TypeError,
     "responses must be a list of IntegrationResponse, not dict"),
    (lambda: IntegrationResponse(response_templates="$input.body"), TypeError,
     "response_templates must be a mapping such as {\"application/json\": "),
])
def test_the_request_and_integration_classes_refuse_wrong_shapes(build, error, message):
    with pytest.raises(error) as raised:
        build()
    assert message in str(raised.value)
