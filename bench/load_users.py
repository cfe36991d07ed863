"""Locust users for the load figure (bench/load.py), run headless in a process of its own (locust
patches the standard library with gevent on import, which the bench process must not get):

    python -m bench.load_users --host http://127.0.0.1:8321 --users 50 --duration 30 --mode mix
    python -m bench.load_users --host ... --mode baseline --baseline-path /healthz

`mix`: each user logs in as one of the demo accounts (bureau, supervisor, director, in turn),
then asks for the children list, an archive, a name search, the inbox and the dashboard
(weights 3, 3, 2, 2, 1), with a think time (`--think`, default 2-8 s: an officer reads the page
before the next click; 50 of them then ask for about 10 pages a second). `baseline`: the same number of users,
with the same think time, ask for the baseline path only (`/healthz`, no login). Statistics are
reset once every user has started (and logged in), then kept for `--duration` seconds. Anything
but a 200 (a redirect to the login page included) is an error. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
import time

import gevent
from locust import HttpUser, between, events, task
from locust.env import Environment

ACCOUNTS = ("bureau", "supervisor", "director")
PASSWORD = "huhang-demo"
SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴")
_CHILD = re.compile(r'href="/children/(\d+)/"')
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_accounts = itertools.cycle(ACCOUNTS)
ready: set[int] = set()
problems: list[str] = []


def _get(user: HttpUser, url: str, name: str) -> str:
    with user.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
        if response.status_code != 200:
            why = f" ({response.error})" if response.status_code == 0 else ""
            response.failure(f"{response.status_code} for {url}{why}")
            return ""
        return response.text


THINK = (2.0, 8.0)


class Officer(HttpUser):
    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.account = next(_accounts)
        page = self.client.get("/accounts/login/", name="login")
        token = _CSRF.search(page.text)
        answer = self.client.post(
            "/accounts/login/",
            data={
                "username": self.account,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": self.host + "/accounts/login/"},
            name="login",
            allow_redirects=False,
        )
        if answer.status_code != 302:
            problems.append(f"{self.account}: login answered {answer.status_code}")
        listing = self.client.get("/children/", name="login")
        self.children = [int(pk) for pk in _CHILD.findall(listing.text)] or [0]
        ready.add(id(self))

    @task(3)
    def children_list(self) -> None:
        page = random.randint(1, 3)
        _get(self, f"/children/?page={page}", "list")

    @task(3)
    def archive(self) -> None:
        _get(self, f"/children/{random.choice(self.children)}/", "archive")

    @task(2)
    def search(self) -> None:
        _get(self, f"/children/?q={random.choice(SURNAMES)}", "search")

    @task(2)
    def inbox(self) -> None:
        _get(self, "/inbox/", "inbox")

    @task(1)
    def dashboard(self) -> None:
        _get(self, "/reports/", "dashboard")


def _baseline_user(path: str, think: tuple[float, float]) -> type[HttpUser]:
    class Probe(HttpUser):
        wait_time = between(*think)

        def on_start(self) -> None:
            ready.add(id(self))

        @task
        def baseline(self) -> None:
            _get(self, path, "baseline")

    return Probe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load_users")
    parser.add_argument("--host", required=True)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--mode", choices=("mix", "baseline"), default="mix")
    parser.add_argument("--baseline-path", default="/healthz")
    parser.add_argument("--think", default="2,8", help="think time between requests: MIN,MAX s")
    args = parser.parse_args(argv)
    low, high = (float(x) for x in args.think.split(","))
    Officer.wait_time = between(low, high)

    user = Officer if args.mode == "mix" else _baseline_user(args.baseline_path, (low, high))
    env = Environment(user_classes=[user], host=args.host, events=events)
    runner = env.create_local_runner()
    runner.start(args.users, spawn_rate=args.users)
    deadline = time.monotonic() + 300
    while len(ready) < args.users and time.monotonic() < deadline:
        gevent.sleep(0.2)
    if len(ready) < args.users:
        problems.append(f"only {len(ready)} of {args.users} users started in 300 s")
    env.stats.reset_all()
    started = time.monotonic()
    gevent.sleep(args.duration)
    elapsed = time.monotonic() - started
    total = env.stats.total
    per_name = {
        entry.name: {
            "requests": entry.num_requests,
            "errors": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
        }
        for entry in env.stats.entries.values()
    }
    errors = [
        f"{e.method} {e.name}: {e.error} ({e.occurrences})" for e in env.stats.errors.values()
    ]
    runner.quit()
    json.dump(
        {
            "mode": args.mode,
            "users": args.users,
            "seconds": round(elapsed, 1),
            "requests": total.num_requests,
            "errors": total.num_failures,
            "rps": total.num_requests / elapsed if elapsed else 0.0,
            "p50_ms": total.get_response_time_percentile(0.5),
            "p95_ms": total.get_response_time_percentile(0.95),
            "by_page": per_name,
            "error_samples": errors[:10],
            "problems": problems,
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
