"""The safety tests share the fuzzers' template generator, tools/vtlgen.py, and run against
both tiers of the engine."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))


@pytest.fixture(autouse=True)
def tier(each_tier):
    """Every safety test against each tier (tests/conftest.py)."""
    return each_tier
