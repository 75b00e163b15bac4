"""The `sh` examples in docs/cli.md and docs/api-definitions.md run as written. The commands of
a block run in order in one shell; each must exit as its documented output says (1 when the
`# …` line after it starts with `vtl:` or has `: error:`, else 0) and print that line."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ["docs/cli.md", "docs/api-definitions.md"]
MARK = "@@vtl-doc-example-exit "


def blocks():
    for doc in DOCS:
        text = (ROOT / doc).read_text(encoding="utf-8")
        for number, block in enumerate(re.findall(r"```sh\n(.*?)```", text, re.DOTALL), 1):
            lines = block.splitlines()
            commands = []
            for index, line in enumerate(lines):
                if line and not line.startswith("#"):
                    after = lines[index + 1] if index + 1 < len(lines) else ""
                    commands.append((line, after[2:] if after.startswith("# ") else None))
            yield pytest.param(commands, id=f"{doc}#{number}")


@pytest.mark.parametrize("commands", list(blocks()))
def test_documented_commands(commands, tmp_path):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    # examples may write to /tmp; each block gets its own folder so runs do not interfere
    script = "".join(f"( {command.replace('/tmp/', f'{tmp_path}/')} ) 2>&1; echo \"{MARK}$?\"\n"
                     for command, _ in commands)
    result = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    outputs = re.split(rf"{MARK}(\d+)\n", result.stdout)
    for (command, expected), output, status in zip(commands, outputs[0::2], outputs[1::2]):
        fails = expected is not None and (expected.startswith("vtl:") or ": error:" in expected)
        assert int(status) == (1 if fails else 0), f"{command}\n{output}"
        assert "Traceback" not in output
        if expected is not None:
            assert expected in output, f"{command}\n{output}"
    assert len(outputs) == 2 * len(commands) + 1, result
