"""What the `vtl` command says about a mistake, as a user sees it: the rule it broke in Velocity's
terms, what to write instead, and the user's values as JSON or Java write them (`true`, not
Python's `True`)."""
import pytest


@pytest.mark.parametrize("template, column, instead", [
    ("#set($type = $out.__type)\n", 18, "$out.get('__type')"),
    ("#if($out.items[0]._id)x#end\n", 18, "$out.items[0].get('_id')"),
    ("${out.__type}\n", 6, "${out.get('__type')}"),
])
def test_a_property_name_not_starting_with_a_letter_says_what_to_write(cli, tmp_path, template,
                                                                       column, instead):
    path = tmp_path / "t.vtl"
    path.write_text(template)
    run = cli("check", str(path))
    assert run.code == 1
    assert run.out.startswith(
        f"{path}:1:{column}: error: a property name must start with a letter (a-z, A-Z), as "
        f"Velocity's grammar requires: for the key '{instead.split(chr(39))[1]}' write "
        f"{instead}\n{template}{' ' * (column - 1)}^\n"), run


def test_the_alternative_it_shows_renders(cli, tmp_path):
    body = tmp_path / "body.json"
    body.write_text('{"out": {"__type": "Order"}}')
    run = cli("render", "-", "--body", str(body), stdin="#set($out = $input.path('$.out'))"
              "$out.get('__type')")
    assert run.code == 0 and run.out == "Order", run   # piped: no newline added


def test_a_context_value_is_shown_as_json(cli):
    run = cli("render", "fixtures/examples/order.vtl", "--context", "-",
              stdin='{"requestTimeEpoch": true}')
    assert run.code == 1 and run.err.strip().endswith(
        "$context.requestTimeEpoch must be whole milliseconds since 1970, not true"), run


def test_an_api_definition_value_is_shown_as_yaml_wrote_it(cli, tmp_path):
    api = tmp_path / "api.yaml"
    api.write_text("openapi: 3.0.1\npaths:\n  /x:\n    get:\n      x-amazon-apigateway-integration:"
                   "\n        type: mock\n        requestTemplates: true\n")
    run = cli("render", "--api", str(api), "--route", "GET /x")
    assert run.code == 1 and "requestTemplates must be a mapping, not true" in run.err, run
    assert "True" not in run.err


def test_a_case_file_value_is_shown_as_yaml_wrote_it(cli, tmp_path):
    (tmp_path / "t.vtl").write_text("x")
    (tmp_path / "t.vtltest.yaml").write_text(
        "template: t.vtl\ncases:\n  - name: one\n    side: true\n    expect: {body: x}\n")
    run = cli("test", str(tmp_path))
    assert "expected request or response, got true" in run.out + run.err, run


def test_break_given_no_loop_scope_names_the_mistake(cli):
    run = cli("render", "-", "--dialect", "velocity", stdin="a#break($nothing)b")
    assert run.code == 1, run
    assert run.err == ("vtl: -:1:2: #break(…) was given something else than the $foreach of a "
                       "loop it is in\na#break($nothing)b\n ^\n"), run
