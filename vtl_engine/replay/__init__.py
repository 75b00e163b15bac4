"""Captured requests through mapping templates, in bulk: `vtl replay`, `vtl batch`.

    from vtl_engine.replay import render_bag, render_dataframe   # needs vtl_engine[dask]
    results = render_bag(bag_of_records, template=open("order.vtl").read())

docs/replay.md describes the input formats, the commands and running on a Dask cluster.
Importing this package imports nothing heavy: Dask comes with the first use of these two.
"""
from typing import Any

__all__ = ["render_bag", "render_dataframe"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import cluster

        return getattr(cluster, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
