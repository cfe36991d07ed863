"""Load: 50 concurrent users over gunicorn, on SQLite and on PostgreSQL.

Target (issue 12): "50 concurrent users over gunicorn (PostgreSQL and SQLite) on a mix of list,
archive, search, inbox and dashboard pages, reporting requests/s, p50/p95 and errors, each
against /healthz under the same load as the baseline. Target: 0 errors, p95 of the mix at most
5x the /healthz p95."

For each engine: an installation of the `small` demo district (HUHANG_BENCH_LOAD_SIZE to change
it) in bench/.data/load-sqlite/, or in the PostgreSQL database huhang_bench_load (server from
HUHANG_BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432/postgres; skipped with a
message when unreachable), migrated and topped up on each run (cheap once built), static files
collected; gunicorn serves it as `make demo` does (2 workers, 4 threads each: HUHANG_BENCH_LOAD_*
to change them). Then locust, headless, in a process of its own (bench/load_users.py): 50 users
(HUHANG_BENCH_LOAD_USERS) who each read a page for 2-8 s before the next (HUHANG_BENCH_LOAD_THINK
="2,8"; about 10 requests a second in all), 60 s (HUHANG_BENCH_LOAD_SECONDS) on the mix, logged in as bureau, supervisor and director in turn; then the same users, the same
think time and the same time on the baseline. The baseline is `/healthz` when the installation
has it, else `/accounts/login/` (the lightest page that touches the session and a template),
and the results say which.

Figures per engine: requests/s, p50 and p95 of the mix with the baseline's as baseline (ratio =
mix / baseline: for requests/s below 1 means fewer served), and the mix's errors.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bench.registry import Context, Result, benchmark, result

BENCH_DIR = Path(__file__).resolve().parent
DATA_ROOT = BENCH_DIR / ".data"
PG_SERVER = os.environ.get("HUHANG_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = "huhang_bench_load"
SIZE = os.environ.get("HUHANG_BENCH_LOAD_SIZE", "small")
USERS = int(os.environ.get("HUHANG_BENCH_LOAD_USERS", "50"))
SECONDS = float(os.environ.get("HUHANG_BENCH_LOAD_SECONDS", "60"))
THINK = os.environ.get("HUHANG_BENCH_LOAD_THINK", "2,8")
WORKERS = os.environ.get("HUHANG_BENCH_LOAD_WORKERS", "2")
THREADS = os.environ.get("HUHANG_BENCH_LOAD_THREADS", "4")
TARGET_P95_RATIO = 5.0
BIN = Path(sys.executable).parent


def _pg_url(database: str) -> str:
    return PG_SERVER.rsplit("/", 1)[0] + "/" + database


def _pg_problem() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_SERVER, connect_timeout=3, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [PG_DATABASE]
            ).fetchone()
            if not exists:
                conn.execute(f"CREATE DATABASE {PG_DATABASE}")
                (DATA_ROOT / "load-postgresql.json").unlink(missing_ok=True)
    except Exception as exc:  # any failure to connect means: skip PostgreSQL
        return f"PostgreSQL not reachable at {PG_SERVER} ({exc.__class__.__name__}: {exc})"
    return None


def _env(engine: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HUHANG_DEBUG")}
    env["DJANGO_SETTINGS_MODULE"] = "huhang.settings"
    env["HUHANG_DATA_DIR"] = str(DATA_ROOT / f"load-{engine}")
    if engine == "postgresql":
        env["DATABASE_URL"] = _pg_url(PG_DATABASE)
    return env


def _prepare(ctx: Context, engine: str) -> None:
    """Build the installation, or reuse it while its marker matches (same size, migrations and
    generator: bench.dataset.fingerprint)."""
    from bench import dataset

    env = _env(engine)
    marker = DATA_ROOT / f"load-{engine}.json"
    wanted = dataset.fingerprint(SIZE, None)
    steps = [["collectstatic", "--no-input", "-v", "0"]]
    if not marker.exists() or json.loads(marker.read_text()) != wanted:
        marker.unlink(missing_ok=True)
        steps[:0] = [["migrate", "--no-input", "-v", "0"], ["demo_data", "--size", SIZE, "-v", "0"]]
    started = time.perf_counter()
    for argv in steps:
        subprocess.run([str(BIN / "huhang"), *argv], env=env, check=True, capture_output=True)
    marker.write_text(json.dumps(wanted))
    ctx.log(f"load: {engine} installation ready ({time.perf_counter() - started:.0f} s)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _serve(engine: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "huhang.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            WORKERS,
            "--threads",
            THREADS,
        ],
        env=_env(engine),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start ({server.returncode})")
        try:
            if _status(host + "/accounts/login/") == 200:
                return server, host
        except OSError:
            pass
        time.sleep(0.5)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 120 s")


def _baseline_path(host: str) -> str:
    try:
        if _status(host + "/healthz") in (200, 503):
            return "/healthz"
    except OSError:
        pass
    return "/accounts/login/"


def _users(host: str, mode: str, baseline_path: str) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.load_users",
            "--host",
            host,
            "--users",
            str(USERS),
            "--duration",
            str(SECONDS),
            "--mode",
            mode,
            "--baseline-path",
            baseline_path,
            "--think",
            THINK,
        ],
        cwd=BENCH_DIR.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"locust failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout)


def _measure(ctx: Context, engine: str) -> list[Result]:
    _prepare(ctx, engine)
    server, host = _serve(engine)
    try:
        path = _baseline_path(host)
        mix = _users(host, "mix", path)
        base = _users(host, "baseline", path)
    finally:
        server.terminate()
        server.wait(timeout=30)
    for run in (mix, base):
        for problem in run["problems"] + run["error_samples"]:
            ctx.log(f"load: {engine} {run['mode']}: {problem}")
    pages = ", ".join(
        f"{name} p95 {figures['p95_ms']:.0f} ms" for name, figures in sorted(mix["by_page"].items())
    )
    ctx.log(
        f"load: {engine}: {USERS} users, {SECONDS:.0f} s each; mix {mix['requests']} requests"
        f" ({mix['errors']} errors), baseline {path} {base['requests']} ({base['errors']} errors);"
        f" {pages}"
    )
    ratio = mix["p95_ms"] / base["p95_ms"] if base["p95_ms"] else float("inf")
    verdict = "meets" if ratio <= TARGET_P95_RATIO and not mix["errors"] else "misses"
    ctx.log(
        f"load: {engine}: p95 {mix['p95_ms']:.0f} ms vs {base['p95_ms']:.0f} ms on {path}"
        f" ({ratio:.2f}x; target {TARGET_P95_RATIO:.0f}x and 0 errors: {verdict})"
    )
    name = f"load.{engine}"
    figures = [
        result(f"{name}.mix_rps", mix["rps"], "req/s", base["rps"]),
        result(f"{name}.mix_p50", mix["p50_ms"], "ms", base["p50_ms"]),
        result(f"{name}.mix_p95", mix["p95_ms"], "ms", base["p95_ms"]),
        result(f"{name}.mix_errors", mix["errors"], "n", None),
        result(f"{name}.baseline_errors", base["errors"], "n", None),
    ]
    for figure in figures:
        figure["note"] = f"{USERS} users, think {THINK} s, {SECONDS:.0f} s; baseline GET {path}"
    return figures


@benchmark(
    "load",
    description=f"{USERS} concurrent users over gunicorn (SQLite, PostgreSQL): mix vs /healthz",
    needs_data=False,
)
def load(ctx: Context) -> list[Result]:
    results: list[Result] = []
    for engine in ("sqlite", "postgresql"):
        if engine == "postgresql" and (problem := _pg_problem()):
            ctx.log(f"load: skipping PostgreSQL: {problem}")
            continue
        results += _measure(ctx, engine)
    return results
