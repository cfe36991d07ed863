"""`python -m bench` (`make bench`): prepare the data set, run the benchmarks, report.

python -m bench                         # everything, on the district data set
python -m bench --only children_list --size small --repeat 10
python -m bench --list
python -m bench --explain               # also print each request's SQL and query plans
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

from bench import dataset, report
from bench.registry import Context, benchmarks, result

SIZES = ("small", "demo", "district", "large")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only this benchmark (repeatable; see --list)",
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--size", choices=SIZES, default="district", help="data set size")
    parser.add_argument("--seed", type=int, default=None, help="demo_data seed (default: its own)")
    parser.add_argument("--repeat", type=int, default=30, help="timed repetitions (default 30)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed warm-up rounds (default 5)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="data directory to build or reuse (default bench/.data/<size>/)",
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data set")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the data set even if its marker is stale"
    )
    parser.add_argument(
        "--explain", action="store_true", help="print the SQL of one request and its query plans"
    )
    parser.add_argument(
        "--output", type=Path, default=report.RESULTS, help="results file (bench/results.json)"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0:
        parser.error("--repeat must be at least 1 and --warmup at least 0")
    return args


def _setup_django(data_dir: Path | None) -> None:
    # Always the bench data directory: `make` exports HUHANG_DATA_DIR=var for the demo.
    if data_dir is not None:
        os.environ["HUHANG_DATA_DIR"] = str(data_dir)
    if os.environ.pop("DATABASE_URL", None):
        print("bench: ignoring DATABASE_URL; the figures are for the embedded SQLite database")
    os.environ["HUHANG_DEBUG"] = "0"  # DEBUG records every query: not what production runs
    os.environ["DJANGO_SETTINGS_MODULE"] = "huhang.settings"
    import django

    django.setup()
    if data_dir is not None:
        from django.core.management import call_command

        # Production serves collected, hashed static files (the manifest storage): templates
        # that use {% static %} need the manifest. Cheap when nothing changed.
        call_command("collectstatic", interactive=False, verbosity=0)


def _peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    available = benchmarks()
    if args.list:
        for bm in available.values():
            print(f"{bm.name:<20} {bm.description}")
        return 0
    unknown = sorted(set(args.only or []) - set(available))
    if unknown:
        print(f"bench: unknown benchmark(s): {', '.join(unknown)} (see --list)", file=sys.stderr)
        return 2
    selected = [bm for name, bm in available.items() if not args.only or name in args.only]

    data_dir = None
    if any(bm.needs_data for bm in selected):
        data_dir = dataset.prepare(
            args.size,
            seed=args.seed,
            data_dir=args.data_dir,
            rebuild=args.rebuild,
            reuse=args.reuse,
        )
    _setup_django(data_dir)

    ctx = Context(
        size=args.size,
        data_dir=data_dir,
        repeat=args.repeat,
        warmup=args.warmup,
        explain=args.explain,
    )
    results = []
    for bm in selected:
        print(f"bench: {bm.name} — {bm.description}", flush=True)
        started = time.perf_counter()
        results += bm.func(ctx)
        print(f"bench: {bm.name} done in {time.perf_counter() - started:.0f} s", flush=True)

    # For information: no baseline, so no ratio.
    results.append(result("process.peak_rss", _peak_rss_mib(), "MiB", None))
    if _peak_rss_mib(resource.RUSAGE_CHILDREN):
        print(
            f"bench: peak RSS of the data set build: {_peak_rss_mib(resource.RUSAGE_CHILDREN):.0f} MiB"
        )
    print()
    print(report.table(results))
    report.write(results, args.output)
    print(f"\nbench: wrote {len(results)} figures to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
