"""`vtl check`: syntax errors as file:line:column with a caret, lint warnings with codes."""
import re


def test_clean_template_passes(cli):
    run = cli("check", "fixtures/lint/clean.vtl")
    assert (run.code, run.out) == (0, "1 template(s) checked: 0 error(s), 0 warning(s)\n"), run


def test_each_mistake_is_reported_with_code_line_and_column(cli):
    run = cli("check", "fixtures/lint/mistakes.vtl")
    assert run.code == 0, run   # warnings alone do not fail without --strict
    found = re.findall(r"^fixtures/lint/mistakes\.vtl:(\d+):(\d+): warning (W\d+): ", run.out,
                       re.MULTILINE)
    assert found == [("4", "12", "W101"), ("5", "12", "W102"), ("6", "14", "W104"),
                     ("7", "11", "W103"), ("7", "11", "W105"), ("9", "14", "W106"),
                     ("11", "1", "W107")]
    # each warning shows the template line with a caret under the column
    assert '  "name": "$body.name",\n           ^\n' in run.out
    assert run.out.endswith("1 template(s) checked: 0 error(s), 7 warning(s)\n")


def test_strict_fails_on_warnings(cli):
    assert cli("check", "--strict", "fixtures/lint/mistakes.vtl").code == 1
    assert cli("check", "--strict", "fixtures/lint/clean.vtl").code == 0


def test_ignore_comments_silence_warnings(cli):
    run = cli("check", "--strict", "fixtures/lint/ignored.vtl")
    assert run.code == 0 and "0 warning(s)" in run.out, run


def test_unclosed_directive_is_reported_where_it_opened(cli):
    run = cli("check", "fixtures/lint/unclosed.vtl", "fixtures/lint/clean.vtl")
    assert run.code == 1
    assert run.out.startswith("fixtures/lint/unclosed.vtl:4:1: error: #foreach opened here is "
                              "never closed: missing #end\n#foreach($i in [1, 2])\n^\n"), run
    assert "2 template(s) checked: 1 error(s), 0 warning(s)" in run.out


def test_sample_body_option(cli):
    run = cli("check", "fixtures/examples/order.vtl", "--sample-body", "fixtures/examples/order.json")
    assert "W103" in run.out and "invalid escaped sequence" in run.out, run  # the \' in Ada O\'Brien
    assert "W102" not in run.out   # the example silences it, with a comment saying why


def test_every_template_of_an_api_definition(cli):
    run = cli("check", "--api", "fixtures/api/cloudformation.yaml")
    assert run.code == 0, run
    assert "7 template(s) checked: 0 error(s)" in run.out
    # a template written as a `|` block is reported at its place in the file
    assert ("fixtures/api/cloudformation.yaml:77:30: warning W101: $result.orderId is printed "
            "inside a JSON string") in run.out
    assert "the JSON [POST /orders response 200 (default) application/json]\n" in run.out
    # one whose text is not the file's (quotes doubled) is named and counted from its start
    assert ("fixtures/api/cloudformation.yaml[GET /orders/{orderId} response 404 (404) "
            "application/json]:1:20: warning W101:") in run.out


def test_check_user_errors(cli):
    missing = cli("check", "nope.vtl")
    assert missing.code == 1 and missing.err == "vtl: nope.vtl: no such file\n", missing
    assert cli("check").code == 1
    bad_api = cli("check", "--api", "fixtures/lint/clean.vtl")
    assert bad_api.code == 1 and bad_api.err.count("\n") == 1 and "Traceback" not in bad_api.err


def test_compile_shows_python(cli):
    run = cli("compile", "fixtures/examples/order.vtl")
    assert run.code == 0 and "def root(" in run.out, run
    compile(run.out, "generated", "exec")   # the generated source is valid Python
    assert cli("compile", "fixtures/examples/order.vtl", "--python").code == 2   # no such flag
    broken = cli("compile", "fixtures/lint/unclosed.vtl")
    assert broken.code == 1 and "never closed" in broken.err and "Traceback" not in broken.err


def test_folders_are_searched_and_unreadable_files_do_not_stop_the_others(cli):
    run = cli("check", "fixtures/lint", "nope.vtl")
    assert run.code == 1
    assert run.err == "vtl: nope.vtl: no such file\n", run
    assert "fixtures/lint/unclosed.vtl:4:1: error:" in run.out
    assert "fixtures/lint/mistakes.vtl:4:12: warning W101:" in run.out
    assert run.out.endswith("6 template(s) checked: 2 error(s), 8 warning(s)\n"), run
