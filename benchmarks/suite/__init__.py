"""The benchmark harness: `benchmarks/run` (see benchmarks/README.md)."""
