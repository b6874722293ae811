"""What users would pick instead of Haira, measured in the same run (see benchmarks/README.md)."""
