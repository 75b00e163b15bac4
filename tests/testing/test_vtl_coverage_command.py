"""`vtl coverage` run as a user runs it: the terminal table and the HTML report."""
import re
import textwrap

ONE_ARM = textwrap.dedent("""\
    template: order.vtl
    cases:
      - name: one item, not express
        request: {body: {customer: {name: Ada}, items: [{sku: A, quantity: 1}], total: 1}}
        expect: {error: never}
    """)


def test_examples_are_covered_and_reported(vtl_command, tmp_path):
    done = vtl_command("coverage", "fixtures/examples", "--html", tmp_path / "report")
    assert done.returncode == 0, done.stdout + done.stderr
    table = done.stdout.split("11 passed", 1)[1]
    row = next(line for line in table.splitlines() if line.startswith("fixtures/examples/order.vtl"))
    assert row.split()[1:6] == ["13", "0", "5", "0", "100%"]
    # an API definition shows every route's templates, tested or not
    untested = next(line for line in table.splitlines()
                    if line.startswith("fixtures/api/openapi.yaml GET /orders/{orderId} response 200"))
    assert untested.endswith(" 0%   1-2")
    assert re.search(r"^TOTAL\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+%$", table, re.MULTILINE)
    page = (tmp_path / "report" / "index.html").read_text()
    assert f"HTML report: {tmp_path / 'report' / 'index.html'}" in done.stdout
    assert '<span class="line covered"><span class="no">12</span>#foreach($item in $order.items)' in page
    assert 'class="line missed"' in page   # the untested routes


def test_partial_and_missed_lines(vtl_command, order_dir):
    (order_dir / "order.vtltest.yaml").write_text(ONE_ARM)
    done = vtl_command("coverage", "--html", "out", "--fail-under", "99", cwd=order_dir)
    # the case fails (it expects an error), and coverage is reported all the same
    assert done.returncode == 1
    assert "FAILED order.vtltest.yaml::one item, not express" in done.stdout
    row = next(line for line in done.stdout.splitlines() if line.startswith("order.vtl "))
    # the #if(express) line took one arm only; the #if($foreach.hasNext) never had a true arm
    assert row.endswith("10 (partial), 13 (partial)")
    assert "is below --fail-under 99%" in done.stderr
    page = (order_dir / "out" / "index.html").read_text()
    assert 'title="#if arm never ran"><span class="no">10</span>' in page
    assert 'title="#if arm never ran"><span class="no">13</span>' in page


def test_cases_that_cannot_run_do_not_stop_the_report(vtl_command, order_dir):
    (order_dir / "order.vtltest.yaml").write_text(ONE_ARM.replace("{error: never}", "{}") + (
        "  - name: gone\n    template: missing.vtl\n    expect: {}\n"
        "  - name: no api\n    api: nowhere.yaml\n    route: GET /\n    expect: {}\n"))
    done = vtl_command("coverage", "--no-html", cwd=order_dir)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert "missing.vtl: no such file" in done.stdout
    assert "nowhere.yaml: no such file" in done.stdout
    assert "1 passed, 2 failed" in done.stdout
    assert [line.split()[0] for line in done.stdout.splitlines()
            if line.endswith("(partial)")] == ["order.vtl"]


SAME_TEXT_API = textwrap.dedent("""\
    openapi: 3.0.1
    paths:
      /x:
        post:
          x-amazon-apigateway-integration:
            type: HTTP
            uri: https://backend.example/x
            responses:
              "4\\\\d{2}":
                statusCode: "400"
                responseTemplates:
                  application/json: &same |
                    #if($input.path('$.ok'))
                    fine
                    #else
                    broken
                    #end
              default:
                statusCode: "200"
                responseTemplates:
                  application/json: *same
    """)

SAME_TEXT_CASES = textwrap.dedent("""\
    api: api.yaml
    route: POST /x
    side: response
    cases:
      - name: the 400 response takes its #else
        backend: {status: 404, body: {ok: false}}
        expect: {status: 400, body: "broken\\n"}
      - name: the default response takes its #if
        backend: {status: 200, body: {ok: true}}
        expect: {status: 200, body: "fine\\n"}
    """)


def test_templates_with_the_same_text_are_counted_where_each_sits(vtl_command, tmp_path):
    (tmp_path / "api.yaml").write_text(SAME_TEXT_API)
    (tmp_path / "api.vtltest.yaml").write_text(SAME_TEXT_CASES)
    done = vtl_command("coverage", "--no-html", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {line.split("  ")[0]: line.split("  ", 1)[1].split() for line in done.stdout.splitlines()
            if line.startswith("api.yaml POST /x response")}
    # each ran one arm of its #if: neither is counted as covered by the other's case
    assert rows == {
        "api.yaml POST /x response 400 (4\\d{2}) application/json":
            ["3", "1", "2", "1", "60%", "2,", "1", "(partial)"],
        "api.yaml POST /x response 200 (default) application/json":
            ["3", "1", "2", "1", "60%", "4,", "1", "(partial)"],
    }, done.stdout


def test_template_files_with_the_same_text_are_counted_apart(vtl_command, tmp_path):
    for name in ("a.vtl", "b.vtl"):
        (tmp_path / name).write_text("#if($input.path('$.ok'))\nfine\n#else\nbroken\n#end\n")
    (tmp_path / "t.vtltest.yaml").write_text(textwrap.dedent("""\
        cases:
          - {name: a, template: a.vtl, request: {body: {ok: true}}, expect: {body: "fine\\n"}}
          - {name: b, template: b.vtl, request: {body: {ok: false}}, expect: {body: "broken\\n"}}
        """))
    done = vtl_command("coverage", "--no-html", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^a\.vtl +3 +1 +2 +1 +60% +4, 1 \(partial\)$", done.stdout, re.M), done.stdout
    assert re.search(r"^b\.vtl +3 +1 +2 +1 +60% +2, 1 \(partial\)$", done.stdout, re.M), done.stdout
