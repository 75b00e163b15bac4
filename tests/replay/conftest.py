from pathlib import Path

import pytest
from replay_support import TEMPLATE


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "t.vtl"
    path.write_text(TEMPLATE)
    return path
