"""Benchmarks of linkage (filled in by its issue)."""
