"""Fixtures shared by the test folders."""
import pytest


@pytest.fixture(params=[1, 2], ids=["first tier", "compiled"])
def each_tier(request, monkeypatch):
    """The test against each tier of the engine: the first (the interpreter) and the compiled
    code (see vtl_engine.core.template), chosen as a user would, with VTL_TIER; the API Gateway
    layer's cached Templates are made anew under it."""
    try:
        from vtl_engine.apigateway import mapping
    except ImportError:   # the core's tests run without the layer above it
        mapping = None
    monkeypatch.setenv("VTL_TIER", str(request.param))
    if mapping is not None:
        mapping.compiled_template.cache_clear()
    yield request.param
    if mapping is not None:
        mapping.compiled_template.cache_clear()
