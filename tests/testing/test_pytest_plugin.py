"""The pytest plugin, run in a scratch project through pytest's own `pytester`."""
import re
import shutil
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "fixtures" / "examples"


def run(pytester, *args):
    # hypothesis's plugin imports all of hypothesis at the end of each run: half a second
    return pytester.runpytest("-p", "no:hypothesispytest", *args)


@pytest.fixture
def project(pytester):
    """A scratch project with the example template, its cases and the OpenAPI export."""
    shutil.copy(EXAMPLES / "order.vtl", pytester.path / "order.vtl")
    shutil.copy(EXAMPLES / "order.vtltest.yaml", pytester.path / "order.vtltest.yaml")
    shutil.copy(EXAMPLES / "order.json", pytester.path / "order.json")
    shutil.copy(ROOT / "fixtures" / "api" / "openapi.yaml", pytester.path / "openapi.yaml")
    return pytester


def test_case_files_are_collected_one_item_per_case(project):
    result = run(project, "-v")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["order.vtltest.yaml::express order, compared as JSON PASSED*"])


def test_a_failing_case_shows_its_diff(project):
    text = (project.path / "order.vtltest.yaml").read_text()
    (project.path / "order.vtltest.yaml").write_text(text.replace("total: 42.5\n    expect",
                                                                  "total: 41\n    expect"))
    result = run(project)
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*order.vtl: express order, compared as JSON",
                                 "JSON body differs (- expected, + actual):",
                                 '-  "total": 42.5', '+  "total": 41'])


def test_a_bad_case_file_is_a_collection_error(project):
    (project.path / "bad.vtltest.yaml").write_text("cases: [\n")
    result = run(project)
    result.stdout.fnmatch_lines(["*bad.vtltest.yaml: invalid YAML at line 2, column 1*"])
    assert result.ret != 0


def test_fixture_renders_files_and_routes_and_diffs_json(project):
    project.makepyfile(test_order="""
        def test_file(vtl):
            out = vtl.render("order.vtl", body={"customer": {"name": "Ada"}, "items": [],
                                                "total": 1}, query={"express": True},
                             context={"requestId": "r"})
            vtl.assert_json(out, {"orderId": "r", "customer": "Ada", "stage": "",
                                  "express": True, "items": [], "total": 1})

        def test_route(vtl):
            out = vtl.route("openapi.yaml", "POST /orders", side="response",
                            headers={"Content-Type": "application/json"}, body={"items": []},
                            backend={"body": {"errorMessage": "Invalid x"},
                                     "error_message": "Invalid x"})
            assert out.status == 400 and out.headers["X-Error-Kind"] == "validation"
            assert out.json() == {"message": "Invalid x"}

        def test_wrong(vtl):
            vtl.assert_json('{"a": [1, 2], "b": true}', {"a": [1, 3], "b": True})

        def test_unknown_route(vtl):
            vtl.route("openapi.yaml", "PUT /nothing")

        def test_missing_template(vtl):
            vtl.render("nothere.vtl")
    """)
    result = run(project, "test_order.py")
    result.assert_outcomes(passed=2, failed=3)
    result.stdout.fnmatch_lines(["*nothere.vtl: no such file"])
    result.stdout.fnmatch_lines(["*AssertionError: JSON body differs (- expected, + actual):",
                                 "*-    3", "*+    2"])
    result.stdout.fnmatch_lines(["*openapi.yaml: no route PUT /nothing (routes: *"])


def test_a_failed_render_raises_its_error_unless_the_test_expects_it(project):
    (project.path / "broken.vtl").write_text('{"a": 1}\n#if($input.path(\'$.a\') \n#end\n')
    (project.path / "fails.vtl").write_text("$input.path('$.a').substring(5)")
    project.makepyfile(test_errors="""
        def test_syntax_error(vtl):
            out = vtl.render("broken.vtl", body={"a": 1})
            out.json()

        def test_runtime_error_in_a_route(vtl):
            vtl.route("openapi.yaml", "POST /orders", body="{not json")

        def test_expected(vtl):
            out = vtl.render("fails.vtl", body={"a": "abc"}, expect_error=True)
            assert "StringIndexOutOfBoundsException" in out.error and out.status is None
            out = vtl.route("openapi.yaml", "POST /orders", body="{not json", expect_error=True)
            assert out.status == 500 and "invalid JSON" in out.error

        def test_expected_but_it_worked(vtl):
            vtl.render("fails.vtl", body={"a": "abcdefgh"}, expect_error=True)
    """)
    result = run(project, "test_errors.py")
    result.assert_outcomes(passed=1, failed=3)
    # the error with its place and caret, not orjson's "zero-length document" from out.json()
    result.stdout.fnmatch_lines([
        '>       out = vtl.render("broken.vtl", body={"a": 1})',
        "*VtlSyntaxError: #if( is never closed: missing ')' at line 2, column 4 of */broken.vtl",
        "E       #if($input.path('$.a') ", "E          ^", "", "test_errors.py:2: VtlSyntaxError"])
    assert "zero-length" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*VtlRuntimeError: *invalid JSON* of *openapi.yaml POST /orders "
                                 "request application/json*"])
    result.stdout.fnmatch_lines(["*expected the render to fail (expect_error=True), but it "
                                 "succeeded and output:", "fgh"])


def test_snapshots_are_written_then_compared(project):
    project.makepyfile(test_snap="""
        import pathlib

        def test_snap(vtl):
            total = int(pathlib.Path(__file__).with_name("total.txt").read_text())
            out = vtl.render("order.vtl", body={"items": [], "total": total},
                             context={"requestId": "r"})
            vtl.snapshot(out)
            vtl.snapshot("plain text", name="text")
    """)
    (project.path / "total.txt").write_text("1")
    missing = run(project, "test_snap.py")
    missing.assert_outcomes(failed=1)
    missing.stdout.fnmatch_lines(["*no snapshot *test_snap.json; run pytest "
                                  "--vtl-update-snapshots to write it"])

    written = run(project, "test_snap.py", "--vtl-update-snapshots")
    written.assert_outcomes(passed=1)
    written.stdout.fnmatch_lines(["vtl: 2 snapshot(s) written"])
    stored = project.path / "__vtl_snapshots__" / "test_snap"
    assert (stored / "test_snap.json").read_text().startswith('{\n  "customer": "",')
    assert (stored / "test_snap-text.txt").read_text() == "plain text"

    run(project, "test_snap.py").assert_outcomes(passed=1)
    (project.path / "total.txt").write_text("2")
    changed = run(project, "test_snap.py")
    changed.assert_outcomes(failed=1)
    changed.stdout.fnmatch_lines(['*-  "total": 1', '*+  "total": 2',
                                  "*If the new output is right, run pytest "
                                  "--vtl-update-snapshots to write it"])


def test_the_documented_examples_run(pytester):
    """docs/testing.md's Python examples, laid out as it says: a tests/ folder holding the
    template, the OpenAPI export at ../fixtures/api/ from there."""
    doc = (ROOT / "docs" / "testing.md").read_text()
    examples = [textwrap.dedent(block) for block in re.findall(r"```python\n(.*?)```", doc, re.S)]
    assert len(examples) == 4
    tests = pytester.mkdir("tests")
    shutil.copy(EXAMPLES / "order.vtl", tests / "order.vtl")
    (pytester.path / "fixtures" / "api").mkdir(parents=True)
    shutil.copy(ROOT / "fixtures" / "api" / "openapi.yaml", pytester.path / "fixtures" / "api")
    (tests / "test_order_template.py").write_text("\n\n".join(examples))
    run(pytester, "tests", "--vtl-update-snapshots").assert_outcomes(passed=4)
    run(pytester, "tests").assert_outcomes(passed=4)
