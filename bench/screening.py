"""Benchmarks of screening (filled in by its issue)."""
