"""Screening runs (精准排查): requesting one, executing it (linkage, the rules, storing the new
leads), its progress and counts."""
