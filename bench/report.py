"""Printing the figures as a table and writing bench/results.json."""

from __future__ import annotations

import json
from pathlib import Path

from bench.registry import Result

RESULTS = Path(__file__).resolve().parent / "results.json"


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def table(results: list[Result]) -> str:
    width = max([len(r["name"]) for r in results] + [4])
    head = f"{'name':<{width}}  {'value':>10}  {'baseline':>10}  {'unit':<4}  {'ratio':>6}"
    lines = [head, "-" * len(head)]
    for r in results:
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}"
        lines.append(
            f"{r['name']:<{width}}  {_fmt(r['value']):>10}  {_fmt(r['baseline']):>10}"
            f"  {r['unit']:<4}  {ratio:>6}"
        )
    return "\n".join(lines)


def write(results: list[Result], path: Path = RESULTS) -> None:
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
