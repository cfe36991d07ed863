"""Repeated timing with time.perf_counter: warm-up rounds, then median and p90 in ms."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    samples_ms: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p90(self) -> float:
        # Nearest rank: the smallest sample that at least 90 % of the samples do not exceed.
        ordered = sorted(self.samples_ms)
        return ordered[max(math.ceil(0.9 * len(ordered)) - 1, 0)]

    @property
    def best(self) -> float:
        return min(self.samples_ms)


def measure(functions: Sequence[Callable[[], object]], *, warmup: int, repeat: int) -> list[Timing]:
    """Time each function ``repeat`` times after ``warmup`` untimed calls.

    The functions are interleaved (a, b, a, b, ...) so that drift in the machine's load or
    caches affects them alike; a figure and its baseline are therefore measured side by side.
    """
    for _ in range(warmup):
        for fn in functions:
            fn()
    samples: list[list[float]] = [[] for _ in functions]
    gc.collect()
    for _ in range(repeat):
        for fn, out in zip(functions, samples, strict=True):
            start = time.perf_counter()
            fn()
            out.append((time.perf_counter() - start) * 1000.0)
    return [Timing(tuple(s)) for s in samples]


def fastest(candidates: dict[str, Callable[[], object]], *, trials: int) -> str:
    """The name of the candidate with the best time over ``trials`` rounds (after one untimed
    call each), for choosing among equivalent ways of doing the same work."""
    best: dict[str, float] = {}
    for fn in candidates.values():
        fn()
    for _ in range(trials):
        for name, fn in candidates.items():
            start = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - start
            best[name] = min(best.get(name, elapsed), elapsed)
    return min(best, key=best.__getitem__)
