"""docs/cli.md documents every command and every option `vtl COMMAND --help` lists."""
import re
from pathlib import Path

import pytest

from vtl_engine.tools.cli import build_parser

DOC = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")


def commands():
    (subcommands,) = [action for action in build_parser()._actions if action.choices]
    return subcommands.choices


def section(command: str) -> str:
    """The text under `## \\`vtl COMMAND\\``, up to the next `## ` heading."""
    found = re.search(rf"^## `vtl {command}`\n(.*?)(?=^## )", DOC, re.M | re.S)
    assert found, f"docs/cli.md has no section for vtl {command}"
    return found.group(1)


@pytest.mark.parametrize("command", list(commands()))
def test_every_option_of_every_command_is_documented_in_its_section(command):
    text = section(command)
    assert f"| `vtl {command}` |" in DOC   # in the table of commands
    options = [option for action in commands()[command]._actions
               for option in action.option_strings if option not in ("-h", "--help")]
    prose = re.sub(r"```.*?```", "", text, flags=re.S)   # described, not only in an example
    code = " ".join(re.findall(r"`([^`]+)`", prose))   # written as code: `--api FILE`
    missing = [option for option in options
               if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", code)]
    assert not missing, f"vtl {command}: {missing} not in its docs/cli.md section"
