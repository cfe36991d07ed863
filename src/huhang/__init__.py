"""Huhang (护航): care and protection of orphans and children in difficulty."""

__version__ = "0.1.0"
