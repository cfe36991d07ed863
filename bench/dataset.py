"""The benchmark data set: a data directory with a migrated SQLite database and demo data.

Built once per size under ``bench/.data/<size>/`` (``huhang migrate`` then ``huhang demo_data
--size <size>``, in a child process so that generation does not count towards the benchmark
process's memory) and reused while its marker file still matches: same size and seed, same
migrations, same generator code. A build goes to ``<dir>.building`` and is renamed into place
only when complete, so an interrupted build is never mistaken for a data set.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import django

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_ROOT = BENCH_DIR / ".data"
MARKER = "bench-dataset.json"
DATABASE = "huhang.sqlite3"
# Source files (relative to the huhang package) whose change makes generated data stale.
GENERATOR_SOURCES = ("demo/**/*.py", "core/names.py", "core/idnumber.py")


def _package_dir() -> Path:
    spec = importlib.util.find_spec("huhang")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("bench: the huhang package is not importable (run `make setup`)")
    return Path(next(iter(spec.submodule_search_locations)))


def _digest(paths: list[Path], root: Path, extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for path in sorted(paths):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def fingerprint(size: str, seed: int | None) -> dict[str, Any]:
    """What the data set depends on; a stored marker that differs means the data is stale."""
    pkg = _package_dir()
    migrations = [p for p in pkg.glob("*/migrations/*.py")]
    generator = [
        p
        for pattern in GENERATOR_SOURCES
        for p in pkg.glob(pattern)
        if "__pycache__" not in p.parts and "migrations" not in p.parts
    ]
    return {
        "size": size,
        "seed": seed,
        # Django's own migrations (auth, sessions, ...) change with its version.
        "migrations": _digest(migrations, pkg, f"django={django.__version__}"),
        "generator": _digest(generator, pkg),
    }


def _stale_reasons(stored: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    return [f"{key} changed" for key in wanted if stored.get(key) != wanted[key]]


def _run(argv: list[str], env: dict[str, str]) -> None:
    print(f"bench:   $ huhang {' '.join(argv)}", flush=True)
    # The child's output goes straight to the terminal: generation prints its own progress.
    done = subprocess.run([sys.executable, "-m", "huhang.cli", *argv], env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench: `huhang {' '.join(argv)}` failed ({done.returncode})")


def _remove_built(path: Path, root: Path) -> None:
    """Delete a data directory, but only one that bench built (or an empty one)."""
    if not path.exists():
        return
    ours = (path / MARKER).exists() or path.name.endswith(".building")
    inside = path.resolve().is_relative_to(root.resolve())
    if not (ours or inside) and any(path.iterdir()):
        raise SystemExit(f"bench: {path} is not a bench data directory; not deleting it")
    shutil.rmtree(path)


def prepare(
    size: str,
    *,
    seed: int | None = None,
    data_dir: Path | None = None,
    rebuild: bool = False,
    reuse: bool = False,
) -> Path:
    """Return a data directory holding an up-to-date ``size`` data set, building it if needed.

    ``rebuild`` forces a new build; ``reuse`` keeps an existing data set even when stale (for
    iterating on a benchmark while the generator changes), with a warning.
    """
    target = (data_dir or DEFAULT_ROOT / size).resolve()
    wanted = fingerprint(size, seed)
    marker = target / MARKER
    if marker.exists() and (target / DATABASE).exists() and not rebuild:
        stored = json.loads(marker.read_text(encoding="utf-8"))
        reasons = _stale_reasons(stored, wanted)
        if not reasons:
            print(f"bench: reusing data set {target} (built {stored.get('built_at')})")
            return target
        if reuse and stored.get("size") == size:
            print(f"bench: WARNING reusing stale data set {target}: {', '.join(reasons)}")
            return target
        print(f"bench: data set {target} is stale ({', '.join(reasons)}); rebuilding")
    elif rebuild:
        print(f"bench: rebuilding data set {target}")
    else:
        print(f"bench: no data set at {target}; building it (size {size})")

    building = target.with_name(target.name + ".building")
    _remove_built(building, DEFAULT_ROOT)
    building.mkdir(parents=True)
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # the target is the embedded SQLite database
    env.update(
        HUHANG_DATA_DIR=str(building),
        DJANGO_SETTINGS_MODULE="huhang.settings",
        HUHANG_DEBUG="0",
    )
    started = time.perf_counter()
    _run(["migrate", "--no-input", "--verbosity", "0"], env)
    demo = ["demo_data", "--size", size]
    if seed is not None:
        demo += ["--seed", str(seed)]
    _run(demo, env)
    elapsed = time.perf_counter() - started
    if not (building / DATABASE).exists():
        raise SystemExit(f"bench: the build left no {DATABASE} in {building}")
    info = {
        **wanted,
        "built_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "build_seconds": round(elapsed, 1),
        "database_bytes": (building / DATABASE).stat().st_size,
    }
    (building / MARKER).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    _remove_built(target, DEFAULT_ROOT)
    building.rename(target)
    size_mb = info["database_bytes"] / 2**20
    print(f"bench: data set ready in {elapsed:.0f} s: {target / DATABASE} ({size_mb:.0f} MiB)")
    return target
