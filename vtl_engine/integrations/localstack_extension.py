"""What makes LocalStack call `install()` by itself: an extension (entry point group
`localstack.extensions`, loaded by LocalStack's extension manager) and a start-up hook (group
`localstack.hooks.on_infra_start`, which every LocalStack runs, with or without the extension
manager). This module imports LocalStack, so only LocalStack loads it.

Set VTL_ENGINE_LOCALSTACK=0 in LocalStack's environment to keep LocalStack's own engine.
"""
from __future__ import annotations

import os

from localstack.extensions.api import Extension
from localstack.runtime import hooks

from .localstack import install


def enabled() -> bool:
    """False when VTL_ENGINE_LOCALSTACK=0 asks for LocalStack's own engine."""
    return os.environ.get("VTL_ENGINE_LOCALSTACK", "1").strip() != "0"


class VtlEngineExtension(Extension):
    """Renders API Gateway mapping templates with vtl_engine, as AWS does."""

    name = "vtl-engine"

    def on_extension_load(self) -> None:
        if enabled():
            install()


@hooks.on_infra_start(should_load=enabled)
def install_vtl_engine() -> None:
    install()
