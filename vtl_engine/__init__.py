"""vtl_engine: AWS API Gateway mapping templates (Velocity 1.7 VTL) compiled to Python.

    import vtl_engine
    t = vtl_engine.Template(source, dialect="aws")   # or "velocity"; raises VtlSyntaxError
    t.render(context)                                 # -> str; raises only VtlError
    t.python_source                                   # the generated Python
"""
from .core.errors import VtlError, VtlLimitError, VtlRuntimeError, VtlSyntaxError
from .core.runtime.host import HostObject
from .core.template import Limits, Template

__all__ = ["HostObject", "Limits", "Template", "VtlError", "VtlLimitError", "VtlRuntimeError",
           "VtlSyntaxError"]
__version__ = "0.1.0"
