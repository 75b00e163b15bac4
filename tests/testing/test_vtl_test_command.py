"""`vtl test` run as a user runs it: on the examples, on failing cases, on broken files."""
import json
import textwrap
from xml.etree import ElementTree

FAILING = textwrap.dedent("""\
    template: order.vtl
    cases:
      - name: wrong quantity
        request: {body: {customer: {name: Ada}, items: [{sku: A, quantity: 1}], total: 1},
                  stage_variables: {env: dev}, context: {requestId: r1}}
        expect:
          json: {orderId: r1, customer: Ada, stage: dev, express: false,
                 items: [{sku: A, quantity: 2}], total: 1}
      - name: right
        request: {body: {customer: {name: Ada}, items: [], total: 1}, context: {requestId: r1}}
        expect:
          json: {orderId: r1, customer: Ada, stage: "", express: false, items: [], total: 1}
          status: null
    """)


def test_examples_pass(vtl_command):
    done = vtl_command("test", "fixtures/examples")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "fixtures/examples/order.vtltest.yaml ....  [1/3]" in done.stdout
    assert "fixtures/examples/orders-api.vtltest.yaml" in done.stdout
    assert done.stdout.rstrip().splitlines()[-1].startswith("11 passed in ")


def test_failing_case_shows_a_json_diff_and_exits_1(vtl_command, order_dir):
    (order_dir / "order.vtltest.yaml").write_text(FAILING)
    done = vtl_command("test", cwd=order_dir)
    assert done.returncode == 1
    out = done.stdout
    assert "order.vtltest.yaml F.  [1/1]" in out
    assert "FAILED order.vtltest.yaml::wrong quantity  (order.vtl)" in out
    # pretty-printed, sorted JSON on both sides of a unified diff
    assert '  -      "quantity": 2,\n  +      "quantity": 1,\n' in out
    assert "right" not in out.split("FAILED", 1)[1]
    assert out.rstrip().splitlines()[-1].startswith("1 passed, 1 failed in ")


def test_exact_text_diff_and_status(vtl_command, order_dir):
    (order_dir / "t.vtltest.json").write_text(
        '{"template": "order.vtl", "cases": [{"name": "text", "request": {"body": "{}"},'
        ' "expect": {"body": "{\\n}\\n", "status": 201}}]}')
    done = vtl_command("test", "t.vtltest.json", cwd=order_dir)
    assert done.returncode == 1
    assert "body differs (- expected, + actual):" in done.stdout
    assert "  +  \"customer\": \"\",\n" in done.stdout
    assert "status: expected 201, got none set" in done.stdout


def test_bad_yaml_is_one_clear_line(vtl_command, order_dir):
    (order_dir / "bad.vtltest.yaml").write_text("template: order.vtl\ncases:\n  - name: [x\n")
    done = vtl_command("test", "bad.vtltest.yaml", cwd=order_dir)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    errors = [line for line in done.stdout.splitlines() if line.startswith("ERROR")]
    assert errors == ["ERROR bad.vtltest.yaml: invalid YAML at line 4, column 1: "
                      "expected ',' or ']', but got '<stream end>'"]


def test_user_mistakes_are_one_line_without_traceback(vtl_command, order_dir):
    (order_dir / "typo.vtltest.yaml").write_text(
        "template: order.vtl\ncases:\n  - name: a\n    expcet: {body: x}\n")
    (order_dir / "route.vtltest.yaml").write_text(
        f"api: {order_dir.parent / 'missing.yaml'}\nroute: POST /x\n"
        "cases:\n  - {name: a, expect: {body: x}}\n")
    done = vtl_command("test", cwd=order_dir)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert "typo.vtltest.yaml: case 'a': unknown key 'expcet' (expected one of" in done.stdout
    assert "missing.yaml" in done.stdout and "1 failed" in done.stdout

    missing = vtl_command("test", "nowhere", cwd=order_dir)
    assert (missing.returncode, missing.stderr) == (1, "vtl: nowhere: no such file or directory\n")
    (order_dir / "empty").mkdir()
    empty = vtl_command("test", "empty", cwd=order_dir)
    assert empty.returncode == 1
    assert empty.stderr.startswith("vtl: no test case files under empty (files named "
                                   "*.vtltest.yaml")


def test_byte_order_marks_and_bodies_that_are_not_utf8(vtl_command, tmp_path):
    bom = b"\xef\xbb\xbf"
    (tmp_path / "t.vtl").write_bytes(bom + b"[$input.path('$.name')]")
    (tmp_path / "latin1.json").write_bytes(b'{"name": "Jos\xe9"}')
    (tmp_path / "t.vtltest.yaml").write_bytes(bom + textwrap.dedent("""\
        template: t.vtl
        cases:
          - name: the template's mark is not output, the body's bytes are read as Java reads them
            request: {body_file: latin1.json}
            expect: {body: "[Jos\\ufffd]"}
        """).encode())
    done = vtl_command("test", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_k_selects_cases_by_name_and_file_name_and_x_stops_at_the_first_failure(
        vtl_command, tmp_path):
    done = vtl_command("test", "fixtures/examples", "-k", "express or (SAM and not replace)")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.rstrip().splitlines()[-1].startswith("2 passed, 9 deselected in ")
    assert "orders-api.vtltest.yaml" not in done.stdout   # none of its cases was selected
    bad = vtl_command("test", "-k", "express and")
    assert bad.returncode == 2 and "expected a word, 'not' or '(' at column 12" in bad.stderr
    (tmp_path / "order.vtl").write_text("$input.path('$.a')")
    (tmp_path / "a.vtltest.yaml").write_text(
        "template: order.vtl\ncases:\n"
        + "".join(f"  - {{name: c{i}, request: {{body: {{a: {i}}}}}, expect: {{body: '1'}}}}\n"
                  for i in range(3)))
    (tmp_path / "b.vtltest.yaml").write_text((tmp_path / "a.vtltest.yaml").read_text())
    done = vtl_command("test", "-x", cwd=tmp_path)
    assert done.returncode == 1
    assert "a.vtltest.yaml F  [1/2]\n" in done.stdout and "b.vtltest.yaml" not in done.stdout
    assert done.stdout.rstrip().splitlines()[-1].startswith("0 passed, 1 failed in ")


def test_junitxml_and_json_report_every_case(vtl_command, order_dir):
    (order_dir / "order.vtltest.yaml").write_text(FAILING)
    (order_dir / "bad.vtltest.yaml").write_text("cases: [\n")
    done = vtl_command("test", "--junitxml", "reports/junit.xml", cwd=order_dir)
    assert done.returncode == 1
    suites = ElementTree.parse(order_dir / "reports" / "junit.xml").getroot()
    assert suites.tag == "testsuites"
    (suite,) = suites
    assert (suite.tag, suite.get("tests"), suite.get("failures"), suite.get("errors")) == \
        ("testsuite", "3", "1", "1")
    assert float(suite.get("time")) >= 0 and suite.get("timestamp")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {"wrong quantity", "right", "bad.vtltest.yaml"}
    assert cases["right"].get("classname") == "order.vtltest.yaml" and not list(cases["right"])
    assert float(cases["right"].get("time")) >= 0
    (failure,) = cases["wrong quantity"]
    assert failure.tag == "failure"
    assert failure.get("message") == "JSON body differs (- expected, + actual):"
    assert '-      "quantity": 2,' in failure.text
    assert cases["bad.vtltest.yaml"][0].tag == "error"

    done = vtl_command("test", "--json", "order.vtltest.yaml", cwd=order_dir)
    assert done.returncode == 1
    report = json.loads(done.stdout)   # nothing else on stdout
    assert (report["passed"], report["failed"], report["deselected"]) == (1, 1, 0)
    assert [(c["name"], c["passed"]) for c in report["cases"]] == [
        ("wrong quantity", False), ("right", True)]
    assert report["cases"][0]["failures"][0].startswith("JSON body differs")


UPDATABLE = textwrap.dedent("""\
    # cases for the order template
    template: order.vtl
    request:
      context: {requestId: r1}   # pinned, so the output does not change
    cases:
      - name: wrong total
        request: {body: {customer: {name: Ada}, items: [], total: 1}}
        expect:
          json:
            orderId: r1
            total: 2   # was 2 before the change
          status: null
      - name: right
        request: {body: {customer: {name: Ada}, items: [], total: 1}}
        expect:
          status: null   # right already
      - name: text and flow
        request: {body: {customer: {name: Bo}, items: [], total: 3}}
        expect: {body: "old", status: 201}
      - name: no expectation of the output yet
        request: {body: {customer: {name: Cy}, items: [], total: 4}}
        expect:
          status: null
    """)


def test_update_writes_the_actual_output_and_keeps_the_rest_of_the_file(vtl_command, order_dir):
    case_file = order_dir / "order.vtltest.yaml"
    case_file.write_text(UPDATABLE)
    failing = vtl_command("test", cwd=order_dir)
    assert failing.returncode == 1
    assert "To take the actual output as expected: vtl test --update . (then review the case " \
           "files' diff)" in failing.stdout
    done = vtl_command("test", "--update", "-k", "not no", cwd=order_dir)
    assert done.returncode == 0, done.stdout
    assert "updated 2 case(s) in order.vtltest.yaml: review the diff, then run vtl test " \
           "again" in done.stdout
    text = case_file.read_text()
    # the comments, the other cases and the values that were right are as they were
    assert text.startswith(UPDATABLE[:UPDATABLE.index("        total: 2")])
    assert "        total: 1   # was 2 before the change\n      status: null\n" in text
    assert "      status: null   # right already\n" in text
    assert '    expect: {body: "{\\n  \\"orderId\\": \\"r1\\",\\n  \\"customer\\": \\"Bo\\"' in text
    assert text.endswith(UPDATABLE[UPDATABLE.index("  - name: no expectation"):])
    rerun = vtl_command("test", cwd=order_dir)
    assert rerun.returncode == 0, rerun.stdout
    # a case that compares no output gets one, and a failed render is not written
    case_file.write_text(UPDATABLE.replace("status: null\n", "status: 200\n")
                         .replace("total: 4}", "total: 4}, body: '{nope'"))
    done = vtl_command("test", "--update", "-k", "no", cwd=order_dir)
    assert done.returncode == 1
    assert "not updated: order.vtltest.yaml::no expectation of the output yet: rendering " \
           "failed: order.vtl:2:1:" in done.stdout
    case_file.write_text(UPDATABLE.replace("status: null\n", "status: 200\n"))
    done = vtl_command("test", "--update", "-k", "no", cwd=order_dir)
    assert done.returncode == 0, done.stdout
    assert case_file.read_text().endswith(
        "      status: null\n      json: {orderId: r1, customer: Cy, stage: '', express: false, "
        "items: [], total: 4}\n")
    assert vtl_command("test", "-k", "no", cwd=order_dir).returncode == 0
