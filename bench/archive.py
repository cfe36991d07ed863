"""A child's archive page (GET /children/<pk>/) when the child has 200 events.

Target (case-work issue): "Everything about a child is on its archive page in time order
(categories, payments when they exist, cases, visits, referrals), within 100 ms at the median
for a child with 200 events."

The child: one child of the director's community gets a history of four years, written through
the services as people would (so audited and consistent): a category proposed, verified,
approved and ended; four cases, each assessed, planned, served weekly and referred twice (three
of them reviewed and closed); a temporary guardianship taken and resolved; home visits every
three weeks. The home visits fill up to exactly 200 timeline events. The child is built once per
data set and found again by its marker (a case whose source detail is ``bench:archive``).

"Ours" is the full request through Django's test client as ``bureau`` (middleware, session,
scope, the archive selector and the timeline selector, the audit event, the template). The
baseline is the floor on the same file: hand-written SQL through the standard library's sqlite3
fetching the same rows the page shows (the child with person, community, street and household;
relations and relatives; situations; categories with the names of who acted; documents; cases,
assessments, services, referrals, visits with visitors, emergencies), the timeline merged and
sorted in Python. Before timing, the baseline's number of timeline events must equal the
application's (``child_timeline``), and the page must show them.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.registry import Context, Result, benchmark, result
from bench.timing import measure

TARGET_MS = 100.0
EVENTS = 200
MARKER = "bench:archive"
TZ = ZoneInfo("Asia/Shanghai")
# The story's shape (see the module docstring); home visits fill the rest up to EVENTS.
CASES = 4
CLOSED_CASES = 3
SERVICES_PER_CASE = 25
REFERRALS_PER_CASE = 2
DAYS_BACK = 1400
CASE_SPACING = 350
VISIT_EVERY = 20


class RawArchive:
    """The baseline: the archive page's rows in hand-written SQL on a plain sqlite3 connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @classmethod
    def open(cls, path: Path, pragmas: str) -> RawArchive:
        """Its own connection to the file, with the application's connection settings."""
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.executescript(pragmas)
        return cls(conn)

    def close(self) -> None:
        self.conn.close()

    def run(self, child_id: int) -> tuple[tuple, list[tuple[str, str, Any]]]:
        q = self.conn.execute
        child = q(
            "SELECT c.*, p.name, p.id_number, p.sex, p.birth_date, p.ethnicity, p.hukou_code,"
            " d.name, s.name, h.address, h.assistance, h.assistance_since"
            " FROM registry_child c JOIN registry_person p ON p.id = c.person_id"
            " JOIN regions_division d ON d.code = c.division_id"
            " LEFT JOIN regions_division s ON s.code = d.parent_id"
            " LEFT JOIN registry_household h ON h.id = p.household_id WHERE c.id = ?",
            (child_id,),
        ).fetchone()
        person_id = child[_column(self.conn, "registry_child", "person_id")]
        relations = q(
            "SELECT r.kind, r.is_guardian, r.since, r.relative_id, p.name, p.id_number"
            " FROM registry_relation r JOIN registry_person p ON p.id = r.relative_id"
            " WHERE r.child_id = ? ORDER BY r.kind, r.id",
            (person_id,),
        ).fetchall()
        people = [person_id, *(r[3] for r in relations)]
        q(
            f"SELECT * FROM registry_situation WHERE person_id IN ({','.join('?' * len(people))})",
            people,
        ).fetchall()
        categories = q(
            "SELECT a.category, a.status, a.basis, a.proposed_at, a.approved_at, a.effective_to,"
            " a.verified_at, a.effective_from, a.ended_reason,"
            " u1.first_name, u2.first_name, u3.first_name, u4.first_name"
            " FROM registry_categoryassignment a"
            " LEFT JOIN accounts_user u1 ON u1.id = a.proposed_by_id"
            " LEFT JOIN accounts_user u2 ON u2.id = a.verified_by_id"
            " LEFT JOIN accounts_user u3 ON u3.id = a.approved_by_id"
            " LEFT JOIN accounts_user u4 ON u4.id = a.ended_by_id"
            " WHERE a.child_id = ? ORDER BY a.proposed_at, a.id",
            (child_id,),
        ).fetchall()
        q(
            "SELECT d.id, d.title, d.kind, d.size, d.uploaded_at, u.first_name"
            " FROM registry_document d LEFT JOIN accounts_user u ON u.id = d.uploaded_by_id"
            " WHERE d.child_id = ?",
            (child_id,),
        ).fetchall()
        events: list[tuple[str, str, Any]] = []
        for c in categories:
            events.append((c[3], "category", c[2]))
            if c[4]:
                events.append((c[4], "category", c[0]))
            if c[1] == "ended" and c[5]:
                events.append((c[5], "category", c[8]))
        cases = "SELECT id FROM cases_case WHERE child_id = ?"
        for opened, closed, summary, reason in q(
            "SELECT opened_at, closed_at, summary, closure_reason FROM cases_case"
            " WHERE child_id = ?",
            (child_id,),
        ):
            events.append((opened, "case", summary))
            if closed:
                events.append((closed, "case", reason))
        for day, risk in q(
            f"SELECT assessed_on, risk FROM cases_assessment WHERE case_id IN ({cases})",
            (child_id,),
        ):
            events.append((day, "assessment", risk))
        for day, kind, minutes, note in q(
            "SELECT delivered_on, kind, minutes, note FROM cases_servicerecord"
            f" WHERE case_id IN ({cases})",
            (child_id,),
        ):
            events.append((day, "service", (kind, minutes, note)))
        for sent, name, request, answered, response in q(
            "SELECT sent_on, agency_name, request, responded_on, response FROM cases_referral"
            f" WHERE case_id IN ({cases})",
            (child_id,),
        ):
            events.append((sent, "referral", (name, request)))
            if answered:
                events.append((answered, "referral", (name, response)))
        for day, findings, first, last in q(
            "SELECT v.visited_on, v.findings, u.first_name, u.last_name FROM cases_homevisit v"
            " JOIN accounts_user u ON u.id = v.visitor_id WHERE v.child_id = ?",
            (child_id,),
        ):
            events.append((day, "visit", (last + first, findings)))
        for taken, resolved, situation, outcome in q(
            "SELECT taken_in_at, resolved_at, situation, outcome"
            " FROM cases_emergencyprotection WHERE child_id = ?",
            (child_id,),
        ):
            events.append((taken, "emergency", situation))
            if resolved:
                events.append((resolved, "emergency", outcome))
        # Dates and date-times as stored sort together well enough for a floor.
        events.sort(key=lambda ev: str(ev[0]), reverse=True)
        return child, events


def _column(conn: sqlite3.Connection, table: str, name: str) -> int:
    names = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    return names.index(name)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


def _archive_child(users: dict[str, Any]):
    """The bench child (found by its marker, or built now) and how many events it has."""
    from huhang.cases.models import Case

    marked = Case.objects.filter(source_detail=MARKER).select_related("child").first()
    return marked.child if marked else _build(users)


def _pick_child():
    from django.db.models import Q
    from django.utils import timezone

    from huhang.demo import divisions
    from huhang.demo.situations import add_years
    from huhang.registry.models import Child

    today = timezone.localdate()
    # Old enough for four years of history, young enough to stay a child throughout.
    return (
        Child.objects.filter(
            division_id=divisions.code_of(divisions.DIRECTOR_COMMUNITY),
            person__birth_date__lte=add_years(today, -11),
            person__birth_date__gte=add_years(today, -15),
        )
        .exclude(Q(cases__isnull=False) | Q(visits__isnull=False) | Q(emergencies__isnull=False))
        .select_related("person")
        .order_by("pk")
        .first()
    )


def _build(users: dict[str, Any]):
    from django.db import transaction
    from django.utils import timezone

    child = _pick_child()
    if child is None:
        raise SystemExit("bench: no child in the director's community fits the archive story")
    today = timezone.localdate()
    start = today - timedelta(days=DAYS_BACK)
    with transaction.atomic():
        _category(users, child, start)
        for n in range(CASES):
            _case(users, child, start + timedelta(days=CASE_SPACING * n), closed=n < CLOSED_CASES)
        _emergency(users, child, start + timedelta(days=300))
        missing = EVENTS - _count_events(child)
        if missing < 0 or missing * VISIT_EVERY + 5 > DAYS_BACK:
            raise SystemExit(f"bench: the archive story does not fit {EVENTS} events ({missing})")
        for n in range(missing):
            _visit(users, child, start + timedelta(days=5 + VISIT_EVERY * n))
    return child


def _category(users, child, start: date) -> None:
    from huhang.registry import services
    from huhang.registry.models import CategoryAssignment, CategoryStatus

    held = set(
        child.categories.exclude(status=CategoryStatus.ENDED).values_list("category", flat=True)
    )
    category = next(c for c in ("left_behind", "difficulty", "migrant") if c not in held)
    bureau, director = users["bureau"], users["director"]
    a = services.category_propose(
        by=director, child=child, category=category, basis="父母外出务工，随祖母生活（基准数据）"
    )
    services.category_verify(by=director, assignment=a, note="入户核实属实")
    services.category_approve(by=bureau, assignment=a, effective_from=start + timedelta(days=10))
    services.category_end(
        by=bureau, assignment=a, reason="母亲返乡照料", effective_to=start + timedelta(days=700)
    )
    CategoryAssignment.objects.filter(pk=a.pk).update(
        proposed_at=_at(start + timedelta(days=2)),
        verified_at=_at(start + timedelta(days=6)),
        approved_at=_at(start + timedelta(days=10)),
    )


def _case(users, child, opened: date, *, closed: bool) -> None:
    from huhang.cases import services
    from huhang.cases.models import Case

    bureau, director = users["bureau"], users["director"]
    day = lambda n: opened + timedelta(days=n)  # noqa: E731
    case = services.case_open(
        by=director,
        child=child,
        source="worker",
        source_detail=MARKER,
        summary="基准数据：长期跟踪个案，含评估、服务、转介与探访",
    )
    scores = dict.fromkeys(
        ("safety", "health", "education", "psychology", "family", "living", "support"), 1
    )
    services.assessment_record(by=director, case=case, assessed_on=day(3), scores=scores)
    plan = services.plan_draft(
        by=director,
        case=case,
        goals="稳定照料，改善学业与情绪",
        actions=[{"action": "每周一次辅导", "responsible": "儿童主任", "due_on": day(200)}],
    )
    services.plan_approve(by=bureau, plan=plan)
    for n in range(SERVICES_PER_CASE):
        services.service_record(
            by=director,
            case=case,
            kind="tutoring" if n % 2 else "counselling",
            delivered_on=day(10 + 7 * n),
            minutes=60,
            note=f"第{n + 1}次服务",
        )
    for n in range(REFERRALS_PER_CASE):
        referral = services.referral_send(
            by=bureau,
            case=case,
            agency="education",
            agency_name="昆都仑区教育局",
            request=f"协调学校减免费用（第{n + 1}次）",
            sent_on=day(12 + 30 * n),
        )
        services.referral_answer(
            by=bureau,
            referral=referral,
            response="同意减免",
            responded_on=day(30 + 30 * n),
            resolved=True,
        )
    if closed:
        services.case_review(by=director, case=case, note="目标基本达成")
        services.case_request_closure(by=director, case=case, reason="目标达成，转为常规探访")
        services.case_approve_closure(by=bureau, case=case)
        Case.objects.filter(pk=case.pk).update(closed_at=_at(day(200)))
    Case.objects.filter(pk=case.pk).update(opened_at=_at(opened))


def _emergency(users, child, taken: date) -> None:
    from huhang.cases.emergency import services

    bureau = users["bureau"]
    emergency = services.emergency_open(
        by=bureau,
        child=child,
        situation="guardian_unable",
        taken_in_at=_at(taken, 21),
        placement="relatives",
        placement_detail="姑姑家",
    )
    services.emergency_log(
        by=bureau, emergency=emergency, at=_at(taken, 22), party="police", note="派出所出警"
    )
    services.emergency_resolve(
        by=bureau,
        emergency=emergency,
        outcome="returned",
        outcome_detail="祖母出院，经评估送回",
        resolved_at=_at(taken + timedelta(days=20)),
    )


def _visit(users, child, day: date) -> None:
    from huhang.cases.visits import services

    services.visit_record(
        by=users["director"],
        child=child,
        visited_on=day,
        findings="入户探访：生活正常，学习稳定（基准数据）",
        next_due=day + timedelta(days=90),
    )


def _count_events(child) -> int:
    from django.db import connection

    # Django's own connection: it sees the rows written so far in the open transaction.
    connection.ensure_connection()
    return len(RawArchive(connection.connection).run(child.pk)[1])


def _timeline_length(user, child) -> int | None:
    """The application's number of timeline events, wherever the selector lives."""
    try:
        from huhang.cases.timeline.selectors import child_timeline
    except ImportError:
        try:
            from huhang.registry.selectors import child_timeline
        except ImportError:
            return None
    from huhang.core import scope
    from huhang.registry.models import Child

    return len(
        child_timeline(user=user, child=scope.get(user, Child, child.pk, "person", "division"))
    )


@benchmark("archive", description="a child's archive page with 200 events (GET /children/<pk>/)")
def archive(ctx: Context) -> list[Result]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    wanted = ("bureau", "director")
    users = {u.username: u for u in get_user_model().objects.filter(username__in=wanted)}
    if len(users) != len(wanted):
        raise SystemExit("bench: demo accounts bureau and director missing from the data set")
    child = _archive_child(users)
    raw = RawArchive.open(
        Path(connection.settings_dict["NAME"]),
        connection.settings_dict.get("OPTIONS", {}).get("init_command", ""),
    )
    url = reverse("workbench:child_detail", args=[child.pk])
    client = Client(HTTP_HOST="localhost")
    client.force_login(users["bureau"])
    try:
        _row, events = raw.run(child.pk)
        ours = _timeline_length(users["bureau"], child)
        if ours is not None and ours != len(events):
            raise SystemExit(
                f"bench: the baseline finds {len(events)} timeline events for child {child.pk},"
                f" the application {ours}: make them agree before comparing times"
            )
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"bench: GET {url} → {response.status_code}")
        html = response.content.decode()
        shown = html.count('class="ev-')  # one list item per timeline event
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries = len(captured)  # now: the next request clears Django's query log
        ctx.log(
            f"  child {child.pk}: {len(events)} events (timeline {ours}, page items {shown}),"
            f" {len(html) // 1024} KiB of HTML, {queries} queries"
        )
        if ctx.explain:
            for q in captured.captured_queries:
                ctx.log(f"      [{float(q['time']) * 1000:7.1f} ms] {q['sql'][:300]}")
        page, floor = measure(
            [lambda: client.get(url), lambda: raw.run(child.pk)],
            warmup=ctx.warmup,
            repeat=ctx.repeat,
        )
    finally:
        raw.close()
    name = f"archive.{ctx.size}.bureau.{len(events)}_events"
    verdict = "ok" if page.median < TARGET_MS else f"OVER {TARGET_MS:.0f} ms"
    ctx.log(
        f"      median {page.median:7.1f} ms  p90 {page.p90:7.1f} ms"
        f"   baseline {floor.median:6.1f} / {floor.p90:6.1f} ms"
        f"   ×{page.median / floor.median:5.1f}   {verdict}"
    )
    return [
        result(f"{name}.median", page.median, "ms", floor.median),
        result(f"{name}.p90", page.p90, "ms", floor.p90),
        result(f"{name}.queries", queries, "n", None),
    ]
