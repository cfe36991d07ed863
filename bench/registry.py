"""The benchmark registry: named functions that take a Context and return result dicts."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Modules whose import registers benchmarks (in this order). Add new suites here.
SUITES = (
    "bench.children_list",
    "bench.archive",
    "bench.payroll",
    "bench.screening",
    "bench.linkage",
    "bench.reports",
    "bench.load",
    "bench.hostile",
)

Result = dict[str, Any]


@dataclass
class Context:
    """What a benchmark gets: the data set it runs on and how hard to measure."""

    size: str
    data_dir: Path | None
    repeat: int
    warmup: int
    explain: bool = False

    def log(self, message: str) -> None:
        print(message, flush=True)


@dataclass(frozen=True)
class Benchmark:
    name: str
    func: Callable[[Context], list[Result]]
    description: str
    # Whether it needs the prepared data set (a migrated SQLite database with demo data).
    needs_data: bool = True


_BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str, *, description: str = "", needs_data: bool = True):
    """Register ``func(ctx) -> list[result]`` under ``name``."""

    def register(func: Callable[[Context], list[Result]]):
        if name in _BENCHMARKS:
            raise ValueError(f"benchmark {name!r} registered twice")
        doc = description or next(iter((func.__doc__ or "").strip().splitlines()), "")
        _BENCHMARKS[name] = Benchmark(name, func, doc, needs_data)
        return func

    return register


def benchmarks() -> dict[str, Benchmark]:
    for module in SUITES:
        if module not in sys.modules:
            importlib.import_module(module)
    return dict(_BENCHMARKS)


def result(name: str, value: float, unit: str, baseline: float | None) -> Result:
    """One figure; ``ratio = value / baseline`` (lower is better), None without a baseline."""
    ratio = value / baseline if baseline else None
    return {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 3),
        "ratio": None if ratio is None else round(ratio, 3),
    }
