"""The CLI's UsageError builds its message when asked, so a file named later shows."""
from vtl_engine.tools.cli import UsageError, main


def test_message_is_built_when_asked():
    error = UsageError("not valid JSON")
    assert str(error) == "not valid JSON"
    error.file = "context.json"   # the CLI names the file after the error is made
    assert str(error) == "context.json: not valid JSON"
    error.message = "expected a JSON object"
    assert str(error) == "context.json: expected a JSON object"


def test_a_usage_error_is_one_line_naming_the_file(capsys, tmp_path):
    context = tmp_path / "context.json"
    context.write_text("[1]")
    template = tmp_path / "t.vtl"
    template.write_text("$context.requestId")
    assert main(["render", str(template), "--context", str(context)]) == 1
    assert capsys.readouterr().err == f"vtl: {context}: expected a JSON object\n"
