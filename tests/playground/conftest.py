"""The servers the playground's tests share: `vtl playground` with the examples' files, and
with the example API definition (see playground_harness.py)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from playground_harness import Playground, running


@pytest.fixture(scope="module")
def playground(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Playground]:
    """`vtl playground order.vtl new.vtl`."""
    yield from running(tmp_path_factory, "order.vtl", "new.vtl")


@pytest.fixture(scope="module")
def api_playground(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Playground]:
    """`vtl playground --api openapi.yaml`."""
    yield from running(tmp_path_factory, "--api", "openapi.yaml")
