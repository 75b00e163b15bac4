"""API definitions as input: the integrations of an OpenAPI 3 or Swagger 2 export, a SAM template
or a CloudFormation template, found by route ("POST /orders").

    api = load_definition("template.yaml")
    api.routes()                        # ["GET /orders", "POST /orders"]
    api.integration("POST /orders")     # an Integration, ready for integration_request()

OpenAPI and Swagger exports carry `x-amazon-apigateway-integration` on each operation. SAM's
`AWS::Serverless::Api` and CloudFormation's `AWS::ApiGateway::RestApi` hold such a document inline
(`DefinitionBody`, `Body`) or name a local file (`DefinitionUri`); CloudFormation also spells
integrations out as `AWS::ApiGateway::Method` resources, whose paths are built from the
`AWS::ApiGateway::Resource` chain. SAM functions with `Api` events add proxy routes.

CloudFormation's intrinsic functions (`!Sub`, `!Ref`, `!GetAtt`, `!Join`, …) cannot be evaluated
offline; where an integration field holds one, it is replaced by the text it most plausibly
stands for (`!Sub` keeps its string, `${AWS::Region}` and the other pseudo parameters become
example values, a parameter its `Default`, other references stay as `${Name}`), enough for
templates and for telling a Lambda integration from others.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml

from ..core.errors import VtlError, shown
from ..userfiles import read_user_text, yaml_problem
from .integration import Integration

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
_ANY_METHOD = "x-amazon-apigateway-any-method"
_INTEGRATION = "x-amazon-apigateway-integration"
_PSEUDO_PARAMETERS = {
    "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "stack", "AWS::NoValue": "",
    "AWS::StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/stack/1",
}
_TEXT_FIELDS = ("type", "uri", "passthroughBehavior", "contentHandling")
_SUB_VARIABLE = re.compile(r"\$\{(!?)([^}]*)\}")
# a path parameter's braces in CloudFormation PathPart ("{id}") and OpenAPI paths are the same


class DefinitionError(VtlError):
    """An API definition that cannot be read or used: a missing file, bad YAML or JSON, a
    document of no known kind, an unknown route or an invalid integration."""


@dataclass(frozen=True)
class TextPosition:
    """Where a YAML string's text is in its file: its first line (1-based), the offset of that
    line's text, and the offset of the lines after it (a `|` block's indentation)."""

    line: int
    column: int
    indent: int


@dataclass
class ApiDefinition:
    """The routes of one API definition file and the raw integration behind each.

    `kind` is "openapi3", "swagger2", "sam" or "cloudformation". Integrations are built when
    asked for, so one invalid integration does not hide the others.
    """

    path: str
    kind: str
    #: route ("POST /orders") -> the `x-amazon-apigateway-integration` object, OpenAPI-shaped
    specs: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the stage variables a SAM or CloudFormation template gives its stage (`Variables`)
    stage_variables: dict[str, str] = field(default_factory=dict)
    #: YAML string -> where it is written in the file, for `locate`
    positions: dict[str, list[TextPosition]] = field(default_factory=dict, repr=False)

    def routes(self) -> list[str]:
        """Every route with an integration, sorted by path, then method."""
        return sorted(self.specs, key=lambda route: (route.split(" ", 1)[1], route))

    def locate(self, text: str, line: int, column: int) -> tuple[int, int] | None:
        """The file's line and column of `line`, `column` in `text` (a template of this
        definition); None when the text is not written as it is in the file (JSON, `!Sub` with
        variables, a folded block) or is written in more than one place."""
        found = self.positions.get(text, [])
        if len(found) != 1:
            return None
        start = found[0]
        return start.line + line - 1, (start.column if line == 1 else start.indent) + column

    def integration(self, route: str) -> Integration:
        """The integration of `route` ("POST /orders"; the method in any case). A route the
        definition lacks falls back to the `ANY` method of the same path."""
        method, path = split_route(route)
        found = next((key for key in (f"{method} {path}", f"ANY {path}") if key in self.specs),
                     None)
        if found is None:
            known = ", ".join(self.routes()) or "none"
            raise DefinitionError(f"{self.path}: no route {method} {path} (routes: {known})")
        try:
            integration = Integration.from_openapi(_normalised(self.specs[found]))
        except (ValueError, TypeError, AttributeError) as error:
            reason = str(error).splitlines()[0]  # a Java regex error adds the pattern and a caret
            raise DefinitionError(f"{self.path}: {method} {path}: {reason}") from None
        integration.name = f"{self.path} {found}"   # its templates are named after where it sits
        return integration


def _normalised(spec: Mapping[str, Any]) -> dict[str, Any]:
    """`spec` checked for the shapes Integration.from_openapi reads (ValueError names what is
    wrong), and fixed where YAML leaves it odd: empty fields (None) dropped, the `responses`
    keys (selection patterns) as text where YAML read `200:` as a number, and the templates as
    text where it read an empty one as None or `42` as a number."""
    fixed = _checked(spec, "the integration", _TEXT_FIELDS, ("requestTemplates",
                                                                "requestParameters"))
    fixed["requestTemplates"] = _text_values(fixed.get("requestTemplates", {}))
    responses = fixed.get("responses", {})
    if not isinstance(responses, Mapping):
        raise ValueError("responses must map selection patterns to integration responses")
    fixed["responses"] = {}
    for key, response in responses.items():
        response = _checked(response, f"the response for {str(key)!r}", ("contentHandling",),
                            ("responseTemplates", "responseParameters"))
        response["responseTemplates"] = _text_values(response.get("responseTemplates", {}))
        fixed["responses"][str(key)] = response
    return fixed


def _checked(value: Any, what: str, texts: tuple[str, ...],
             mappings: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{what} must be a mapping, not {shown(value)}")
    checked = {key: item for key, item in value.items() if item is not None}
    for key in texts:
        if key in checked and not isinstance(checked[key], str):
            raise ValueError(f"{key} must be text, not {shown(checked[key])}")
    for key in mappings:
        if key in checked and not isinstance(checked[key], Mapping):
            raise ValueError(f"{key} must be a mapping, not {shown(checked[key])}")
    return checked


def _text_values(templates: Mapping[str, Any]) -> dict[str, str]:
    return {str(key): "" if value is None else str(value) for key, value in templates.items()}


def split_route(route: str) -> tuple[str, str]:
    """("POST", "/orders") from "post /orders"; DefinitionError for anything else."""
    method, _, path = route.strip().partition(" ")
    path = path.strip()
    if method.upper() not in HTTP_METHODS or not path.startswith("/"):
        raise DefinitionError(f"a route is METHOD /path, like \"POST /orders\"; got {route!r}")
    if len(path) > 1:
        path = path.rstrip("/")
    return method.upper(), path


def load_definition(path: str | os.PathLike[str]) -> ApiDefinition:
    """Read an API definition file (JSON or YAML) of any kind this module knows."""
    return _load(os.fspath(path), ())


def _load(name: str, including: tuple[str, ...]) -> ApiDefinition:
    """`name`, read from the files `including` it (a SAM `DefinitionUri`)."""
    if os.path.abspath(name) in including:
        raise DefinitionError(f"{name}: includes itself (DefinitionUri)")
    document, positions = _read_document(Path(name))
    if not isinstance(document, dict):
        raise DefinitionError(f"{name}: not an API definition (the top level is not a mapping)")
    if "openapi" in document or "swagger" in document:
        return ApiDefinition(name, "swagger2" if "swagger" in document else "openapi3",
                             _openapi_specs(document), positions=positions)
    if isinstance(document.get("Resources"), dict):
        try:
            definition = _template_definition(name, document,
                                              including + (os.path.abspath(name),))
        except (AttributeError, TypeError, ValueError, IndexError) as error:
            # a template whose resources have shapes CloudFormation would refuse
            raise DefinitionError(f"{name}: not a valid template ({error})") from None
        definition.positions = positions
        return definition
    raise DefinitionError(f"{name}: not an API definition: expected an OpenAPI/Swagger document "
                          "(an 'openapi' or 'swagger' key) or a SAM/CloudFormation template "
                          "(a 'Resources' key)")


# -- reading files --------------------------------------------------------------------------------

class _TemplateLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags, read as their long forms (`!Ref X` is
    `{"Ref": "X"}`, `!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}`, `!Sub s` is
    `{"Fn::Sub": "s"}`), so any template loads."""


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref" or suffix == "Condition":
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_TemplateLoader.add_multi_constructor("!", _short_form)


def _read_document(path: Path) -> tuple[Any, dict[str, list[TextPosition]]]:
    """The document in `path`, and where its YAML strings are written."""
    text = read_user_text(path, DefinitionError)
    if path.suffix.lower() == ".json":
        try:
            return orjson.loads(text), {}
        except orjson.JSONDecodeError as error:
            raise DefinitionError(f"{path}: not valid JSON ({error})") from None
    loader = _TemplateLoader(text)
    try:
        node = loader.get_single_node()
        document = loader.construct_document(node) if node is not None else None
        return document, _text_positions(node, text.splitlines())
    except yaml.YAMLError as error:
        problem, where = yaml_problem(error)
        raise DefinitionError(f"{path}: not valid YAML ({problem}{where})") from None
    finally:
        loader.dispose()


def _text_positions(root: yaml.Node | None, lines: list[str]) -> dict[str, list[TextPosition]]:
    """Where each string is written whose lines are the file's own: a `|` block, or a string on
    one line without escapes."""
    positions: dict[str, list[TextPosition]] = {}
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:  # an alias repeats a node
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in node.value for item in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.ScalarNode):
            position = _scalar_position(node, lines)
            if position is not None:
                positions.setdefault(node.value, []).append(position)
    return positions


def _scalar_position(node: yaml.ScalarNode, lines: list[str]) -> TextPosition | None:
    start, end = node.start_mark, node.end_mark
    if node.style == "|":
        first = next((line for line in lines[start.line + 1:end.line + 1] if line.strip()), "")
        indent = len(first) - len(first.lstrip(" "))
        return TextPosition(start.line + 2, indent, indent)
    if start.line != end.line or "\n" in node.value:
        return None
    quotes = 1 if node.style in ("'", '"') else 0
    written = lines[start.line][start.column:end.column]
    if len(written) - 2 * quotes != len(node.value):  # escapes: columns would shift
        return None
    return TextPosition(start.line + 1, start.column + quotes, 0)


# -- OpenAPI and Swagger --------------------------------------------------------------------------

def _openapi_specs(document: Mapping[str, Any],
                   names: Mapping[str, Any] = _PSEUDO_PARAMETERS) -> dict[str, dict[str, Any]]:
    specs: dict[str, dict[str, Any]] = {}
    paths = document.get("paths")
    for path, operations in (paths.items() if isinstance(paths, Mapping) else ()):
        if not isinstance(operations, Mapping):
            continue
        for method, operation in operations.items():
            method = "ANY" if method == _ANY_METHOD else str(method).upper()
            if method in HTTP_METHODS and isinstance(operation, Mapping) \
                    and isinstance(operation.get(_INTEGRATION), Mapping):
                specs[f"{method} {_route_path(str(path))}"] = _plain(operation[_INTEGRATION],
                                                                     names)
    return specs


def _route_path(path: str) -> str:
    return path.rstrip("/") or "/"


# -- SAM and CloudFormation -----------------------------------------------------------------------

def _template_definition(name: str, template: Mapping[str, Any],
                         including: tuple[str, ...]) -> ApiDefinition:
    resources: dict[str, Any] = {key: value for key, value in template["Resources"].items()
                                 if isinstance(value, Mapping)}
    names = _known_names(template)
    specs: dict[str, dict[str, Any]] = {}
    stage_variables: dict[str, str] = {}
    for resource in resources.values():
        properties = _mapping(resource.get("Properties"))
        kind = resource.get("Type")
        variables = _plain(properties.get("Variables"), names)
        if kind in ("AWS::Serverless::Api", "AWS::ApiGateway::Stage") \
                and isinstance(variables, Mapping):
            stage_variables.update({str(key): str(value) for key, value in variables.items()})
        if kind == "AWS::Serverless::Api":
            specs.update(_embedded_specs(name, properties, "DefinitionBody", "DefinitionUri",
                                         names, including))
        elif kind == "AWS::ApiGateway::RestApi":
            specs.update(_embedded_specs(name, properties, "Body", "BodyS3Location", names,
                                         including))
        elif kind == "AWS::ApiGateway::Method":
            route = _method_route(properties, resources, names)
            if route is not None:
                specs[route] = _method_integration(_mapping(properties.get("Integration")), names)
    # a SAM function's Api events are proxy integrations, unless a definition says otherwise
    for logical_id, resource in resources.items():
        if resource.get("Type") == "AWS::Serverless::Function":
            for route in _function_routes(_mapping(resource.get("Properties"))):
                specs.setdefault(route, _function_integration(logical_id, names))
    is_sam = "Serverless" in str(template.get("Transform", "")) or any(
        str(resource.get("Type", "")).startswith("AWS::Serverless::")
        for resource in resources.values())
    return ApiDefinition(name, "sam" if is_sam else "cloudformation", specs, stage_variables)


def _known_names(template: Mapping[str, Any]) -> dict[str, Any]:
    """What `Ref` and `!Sub` can resolve offline: pseudo parameters and parameter defaults."""
    names: dict[str, Any] = dict(_PSEUDO_PARAMETERS)
    parameters = template.get("Parameters")
    for key, parameter in (parameters.items() if isinstance(parameters, Mapping) else ()):
        if isinstance(parameter, Mapping) and "Default" in parameter:
            names[str(key)] = parameter["Default"]
    return names


def _embedded_specs(name: str, properties: Mapping[str, Any], body_key: str, location_key: str,
                    names: Mapping[str, Any], including: tuple[str, ...]
                    ) -> dict[str, dict[str, Any]]:
    """The routes of an OpenAPI document held inline, or in a local file named by path."""
    body = properties.get(body_key)
    if isinstance(body, Mapping) and "Fn::Transform" not in body:
        return _openapi_specs(body, names)
    location = properties.get(location_key)
    if isinstance(location, str) and "://" not in location:
        return _load(os.fspath(Path(name).parent / location), including).specs
    return {}


def _method_route(properties: Mapping[str, Any], resources: Mapping[str, Any],
                  names: Mapping[str, Any]) -> str | None:
    method = str(_plain(properties.get("HttpMethod", ""), names)).upper()
    if method not in HTTP_METHODS:
        return None
    return f"{method} {_resource_path(properties.get('ResourceId'), resources, names, set())}"


def _resource_path(resource_id: Any, resources: Mapping[str, Any], names: Mapping[str, Any],
                   seen: set[str]) -> str:
    """The path of an `AWS::ApiGateway::Resource`, from its `PathPart` and its parents';
    anything that is not a resource of this template (the API's RootResourceId) is the root."""
    logical_id = resource_id.get("Ref") if isinstance(resource_id, Mapping) else None
    resource = resources.get(logical_id) if isinstance(logical_id, str) else None
    if resource is None or resource.get("Type") != "AWS::ApiGateway::Resource" \
            or logical_id in seen:
        return "/"
    seen.add(logical_id)
    properties = _mapping(resource.get("Properties"))
    parent = _resource_path(properties.get("ParentId"), resources, names, seen)
    part = _plain(properties.get("PathPart", ""), names)
    return _route_path(f"{parent.rstrip('/')}/{part}")


def _method_integration(integration: Mapping[str, Any], names: Mapping[str, Any]
                        ) -> dict[str, Any]:
    """An `AWS::ApiGateway::Method` Integration, in the OpenAPI extension's shape."""
    plain = _plain(integration, names)
    spec: dict[str, Any] = {}
    for source, target in (("Type", "type"), ("Uri", "uri"),
                           ("RequestTemplates", "requestTemplates"),
                           ("PassthroughBehavior", "passthroughBehavior"),
                           ("RequestParameters", "requestParameters"),
                           ("ContentHandling", "contentHandling")):
        if source in plain:
            spec[target] = plain[source]
    responses: dict[str, Any] = {}
    integration_responses = plain.get("IntegrationResponses")
    for response in integration_responses if isinstance(integration_responses, list) else ():
        if isinstance(response, Mapping):
            pattern = response.get("SelectionPattern")
            responses["default" if not pattern else str(pattern)] = {
                "statusCode": response.get("StatusCode", "200"),
                "responseTemplates": response.get("ResponseTemplates") or {},
                "responseParameters": response.get("ResponseParameters") or {},
                "contentHandling": response.get("ContentHandling"),
            }
    spec["responses"] = responses
    return spec


def _function_integration(logical_id: str, names: Mapping[str, Any]) -> dict[str, Any]:
    """The Lambda proxy integration SAM writes for a function's Api event."""
    uri = _substitute("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/"
                      f"functions/${{{logical_id}.Arn}}/invocations", names)
    return {"type": "AWS_PROXY", "httpMethod": "POST", "uri": uri}


def _function_routes(properties: Mapping[str, Any]) -> list[str]:
    routes = []
    events = properties.get("Events")
    for event in (events.values() if isinstance(events, Mapping) else ()):
        if isinstance(event, Mapping) and event.get("Type") == "Api":
            event_properties = _mapping(event.get("Properties"))
            method = str(event_properties.get("Method", "")).upper()
            path = event_properties.get("Path")
            if method in HTTP_METHODS and isinstance(path, str):
                routes.append(f"{method} {_route_path(path)}")
    return routes


def _mapping(value: Any) -> Mapping[str, Any]:
    """`value` when it is a mapping; an empty one for anything else (a malformed property)."""
    return value if isinstance(value, Mapping) else {}


# -- intrinsic functions --------------------------------------------------------------------------

def _plain(value: Any, names: Mapping[str, Any]) -> Any:
    """`value` with every CloudFormation intrinsic function replaced by plausible text; `names`
    are the values `Ref` knows."""
    if isinstance(value, list):
        return [_plain(item, names) for item in value]
    if not isinstance(value, Mapping):
        return value
    if len(value) == 1:
        (key, argument), = value.items()
        if key == "Ref":
            return names.get(str(argument), "${%s}" % argument)
        if isinstance(key, str) and key.startswith("Fn::"):
            return _function(key[4:], argument, names)
    return {key: _plain(item, names) for key, item in value.items()}


def _function(name: str, argument: Any, names: Mapping[str, Any]) -> Any:
    if name == "Sub":
        text, variables = (argument + [{}])[:2] if isinstance(argument, list) else (argument, {})
        if isinstance(variables, Mapping):
            names = {**names, **_plain(variables, names)}
        return _substitute(str(text), names)
    if name == "GetAtt":
        parts = argument if isinstance(argument, list) else str(argument).split(".", 1)
        return "${%s}" % ".".join(str(_plain(part, names)) for part in parts)
    if name == "Join" and isinstance(argument, list) and len(argument) == 2:
        items = _plain(argument[1], names)
        return str(argument[0]).join(str(item) for item in items) if isinstance(items, list) \
            else str(items)
    if name == "Select" and isinstance(argument, list) and len(argument) == 2:
        index, items = str(_plain(argument[0], names)), _plain(argument[1], names)
        if isinstance(items, list) and index.isdigit() and int(index) < len(items):
            return items[int(index)]
        return items
    if name == "If" and isinstance(argument, list) and len(argument) == 3:
        # conditions cannot be evaluated offline: the value for a true condition
        return _plain(argument[1], names)
    if name == "Split" and isinstance(argument, list) and len(argument) == 2:
        return str(_plain(argument[1], names)).split(str(argument[0]))
    if name == "Base64":
        return _plain(argument, names)
    return "${%s}" % name


def _substitute(text: str, names: Mapping[str, Any]) -> str:
    """`!Sub`: `${Var}` from its variables or the known names, or left as `${Var}`;
    `${!Text}` is the literal `${Text}`."""
    def replace(match: re.Match[str]) -> str:
        literal, name = match.groups()
        if literal:
            return "${%s}" % name
        return str(names[name]) if name in names else match.group(0)
    return _SUB_VARIABLE.sub(replace, text)
