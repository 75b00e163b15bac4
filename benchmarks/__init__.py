"""Benchmarks: the workloads, their hand-written floors, and the runner (`python -m benchmarks.run`)."""
