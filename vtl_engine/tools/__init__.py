"""What is built on the language for people who write templates: the `vtl` command, lint,
the benchmark command and the conformance runner."""
