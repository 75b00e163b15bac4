"""`vtl test` run as a user runs it: on the examples, on failing cases, on broken files."""
import textwrap

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
