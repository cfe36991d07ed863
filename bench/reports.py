"""Benchmarks of reports (filled in by its issue)."""
