"""Fixtures of the integration tests."""
from collections.abc import Iterator

import pytest
from localstack_harness import EchoServer


@pytest.fixture(scope="module")
def echo_url() -> Iterator[str]:
    """A real HTTP server on loopback: /echo answers with the body sent, /reflect with what
    arrived."""
    server = EchoServer()
    yield server.url
    server.stop()
