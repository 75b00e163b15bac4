import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "fixtures" / "examples"
_SCRIPT = Path(sys.executable).with_name("vtl")
# the installed `vtl` command, as a user runs it (the module when run from a bare checkout)
VTL = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "vtl_engine.tools.cli"]


@pytest.fixture
def vtl_command():
    """Run `vtl ARGS...` in a directory; returns the CompletedProcess (text)."""
    def run(*args, cwd=ROOT):
        return subprocess.run([*VTL, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                              timeout=120)
    return run


@pytest.fixture
def order_dir(tmp_path):
    """A directory holding a copy of the example order template."""
    shutil.copy(EXAMPLES / "order.vtl", tmp_path / "order.vtl")
    return tmp_path
