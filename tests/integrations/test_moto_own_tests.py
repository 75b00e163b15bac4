"""moto's own API Gateway tests (from the source distribution of the installed moto, fetched
once with pip by tools/moto_own_tests.py) pass with the drop-in installed as they pass without
it, but for the tests that assert moto's departures from API Gateway."""
from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import moto_own_tests as own  # noqa: E402


def test_moto_s_own_api_gateway_tests_pass_with_the_drop_in():
    try:
        root = own.moto_tests(metadata.version("moto"))
    except subprocess.CalledProcessError as error:
        pytest.skip(f"moto's source distribution cannot be fetched: {error.stderr[-500:]!r}")
    without = own.run(root, with_drop_in=False)
    with_drop_in = own.run(root, with_drop_in=True)
    print(f"\nmoto's {own.SUITE}: without the drop-in {without.count('passed')} passed, "
          f"with it {with_drop_in.count('passed')} passed")
    expected, unexpected = own.compare(without, with_drop_in)
    assert unexpected == []
    assert without.count("passed") >= 100
    assert expected == sorted(own.EXPECTED_DIFFERENCES)
