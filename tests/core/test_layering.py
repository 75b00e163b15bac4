"""The folders are the layers: the core imports nothing built on it, and the API Gateway layer
imports nothing of the tools, the test runner or the emulator adapters."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "vtl_engine"
LAYERS_ABOVE = {
    "core": ("apigateway", "tools", "testing", "integrations", "playground", "replay",
             "userfiles"),
    "apigateway": ("tools", "testing", "integrations", "playground", "replay"),
}


def _imported_modules(path: Path) -> set[str]:
    """The vtl_engine modules a file imports, as dotted names under vtl_engine."""
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join(base + ((node.module,) if node.module else ()))
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("vtl_engine.")}


@pytest.mark.parametrize("layer", sorted(LAYERS_ABOVE))
def test_a_layer_imports_nothing_built_on_it(layer):
    forbidden = tuple(f"vtl_engine.{name}" for name in LAYERS_ABOVE[layer])
    offenders = {
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in (PACKAGE / layer).rglob("*.py")
        for name in _imported_modules(path)
        if name.startswith(forbidden)
    }
    assert not offenders
