"""The guarantee funds of the demo district (保障资金), told through the benefits services (so it
is audited like real work), after the people and the case work.

- **Standards**, marked as samples in their note (示例标准，非真实数据): 孤儿基本生活费 1,850 yuan a
  month in the institution and 1,420 at home, 事实无人抚养儿童 the at-home orphan standard, raised
  to 1,950 / 1,500 / 1,500 a year ago; 福彩圆梦·孤儿助学 10,000 yuan per school year; 金秋助学
  1,000 yuan once. The standards (and so the payroll history) start HISTORY_MONTHS ago.
- **Entitlements** from the approved (and ended) orphan and DFUC categories (entitlements_sync);
  **payees**: the guardian, or the children's welfare institution for the children raised there,
  with synthetic but valid-looking bank accounts (Luhn digit), the same on every run.
- **Scholarship students**: former orphans and DFUC children now 19 to 21 and at university,
  whose archives have aged out (status aged_out, category ended at 18); **金秋助学 students**:
  17-year-olds at senior high school in 低保/特困 households (taken from the district, or
  registered when it has none, as in the `small` data set).
- **Payroll history**: every month since the standards started, for the three monthly programmes
  (and each September for the scholarship): computed by `bureau`, approved by `bureau2`,
  exported, reconciled and closed, dated on the days it happened. The raise was decided the month
  after it took effect, so that month's run pays the difference (补发). One line of the at-home
  orphans' run two months ago failed (account closed); the guardian gave a new account and last
  month's run paid the month again. Last month's runs are reconciled but not yet closed; this
  month's runs are drafts.

Made once: skipped when the sample standards exist (or any payroll run does). Deterministic: the
order is by key, the accounts are derived from the children's ID numbers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from huhang.accounts.models import User
from huhang.benefits import services
from huhang.benefits.models import (
    Entitlement,
    Payee,
    PayrollRun,
    Programme,
    RunStatus,
    Standard,
)
from huhang.benefits.payroll import services as payroll
from huhang.benefits.students import services as student_lists
from huhang.core import idnumber, scope
from huhang.core.dates import add_months
from huhang.demo import divisions
from huhang.demo.identity import HOME_REGION
from huhang.regions.models import Division
from huhang.registry import services as registry
from huhang.registry.models import (
    AssistanceType,
    CategoryAssignment,
    Child,
    ChildStatus,
    Person,
    Relation,
    RelationKind,
)
from huhang.registry.selectors import audit_child

TZ = ZoneInfo("Asia/Shanghai")
SAMPLE = "示例标准，非真实数据"
MONTHLY = ("orphan-institution", "orphan-home", "dfuc")
# (before the raise, after it), in fen.
MONTHLY_FEN = {
    "orphan-institution": (185_000, 195_000),
    "orphan-home": (142_000, 150_000),
    "dfuc": (142_000, 150_000),  # the at-home orphan standard
}
SCHOLARSHIP_FEN = 1_000_000
AUTUMN_AID_FEN = 100_000
HISTORY_MONTHS = 14  # the standards and the payroll history start this many months ago
RAISE_MONTHS_AGO = 12
AUTUMN_AID_MAX = 4  # 金秋助学 students taken from the district's data

# Banks with branches in the district, with a card BIN for their accounts.
BANKS = (
    ("中国工商银行包头昆都仑支行", "622202"),
    ("中国农业银行包头昆区支行", "622848"),
    ("中国建设银行包头钢铁大街支行", "621700"),
    ("中国邮政储蓄银行包头市昆都仑区支行", "621799"),
    ("包头农村商业银行昆区支行", "621392"),
)
INSTITUTION_BANK = "中国工商银行包头分行营业部"
FAILURE_REASON = "账户已销户"


@dataclass(frozen=True)
class Scholar:
    """A former orphan or DFUC child, now at university (福彩圆梦·孤儿助学)."""

    name: str
    sex: str
    age: tuple[int, int]  # years and days today
    category: str
    living: str
    community: str
    school: str
    parents: tuple[str, str]  # father, mother


SCHOLARS = (
    Scholar(
        "韩雨桐",
        "F",
        (19, 125),
        "orphan",
        "relatives",
        "友谊十九社区",
        "内蒙古科技大学",
        ("韩志刚", "马丽娟"),
    ),
    Scholar(
        "常博文",
        "M",
        (20, 40),
        "orphan",
        "relatives",
        "友谊二十一社区",
        "包头师范学院",
        ("常建军", "刘秀英"),
    ),
    Scholar(
        "任子涵",
        "M",
        (21, 200),
        "dfuc",
        "relatives",
        divisions.DIRECTOR2_VILLAGE,
        "内蒙古工业大学",
        ("任永强", "高春燕"),
    ),
)


@dataclass(frozen=True)
class AutumnStudent:
    """A 17-year-old in the final year of senior high school, from a poor household (金秋助学)."""

    name: str
    sex: str
    community: str
    address: str
    parents: tuple[str, str]  # father, mother (the guardian)
    assistance: str


# Registered only when the district has no 17-year-old at senior high school in a poor household.
AUTUMN_STUDENTS = (
    AutumnStudent(
        "郭思雨",
        "F",
        "友谊十九社区",
        "12栋3单元201室",
        ("郭建平", "张玉兰"),
        AssistanceType.URBAN_DIBAO,
    ),
    AutumnStudent(
        "巴特尔",
        "M",
        divisions.DIRECTOR2_VILLAGE,
        "二组15号",
        ("巴音", "其其格"),
        AssistanceType.TEKUN,
    ),
)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def months(start: date, stop: date) -> Iterator[date]:
    """First days of the months from `start` up to, not including, `stop`."""
    while start < stop:
        yield start
        start = add_months(start, 1)


@dataclass
class Story:
    bureau: User
    bureau2: User
    today: date
    # Who checks a family in the field (category.verify): the street's supervisor, the village's
    # director; each verifies only the children it may see.
    verifiers: tuple[User, ...] = ()
    programmes: dict[str, Programme] = field(default_factory=dict)
    made: dict[str, int] = field(default_factory=dict)

    @property
    def month(self) -> date:
        return self.today.replace(day=1)

    @property
    def start(self) -> date:
        return add_months(self.month, -HISTORY_MONTHS)

    @property
    def raise_from(self) -> date:
        return add_months(self.month, -RAISE_MONTHS_AGO)

    @property
    def first_school_year(self) -> date:
        """The first September on or after the start of the history."""
        year = self.start.year + (self.start.month > 9)
        return date(year, 9, 1)

    def count(self, key: str, n: int = 1) -> None:
        self.made[key] = self.made.get(key, 0) + n


def load(progress: Callable[[str], None] | None = None, *, today: date | None = None) -> dict:
    """Create the demo's guarantee funds once; returns what was made (empty when skipped)."""
    today = today or timezone.localdate()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=("bureau", "bureau2", "supervisor", "director2"))
    }
    district = Child.objects.filter(division__code__startswith=divisions.DISTRICT[0])
    if len(users) != 4 or not district.exists():
        return {}  # not the demo district (or not loaded)
    if Standard.objects.filter(note__startswith=SAMPLE).exists() or PayrollRun.objects.exists():
        if progress:
            progress("保障资金示例已存在（或已有发放批次），未重复生成")
        return {}
    verifiers = (users["supervisor"], users["director2"])
    story = Story(users["bureau"], users["bureau2"], today, verifiers=verifiers)
    story.programmes = {p.code: p for p in Programme.objects.all()}
    with transaction.atomic():
        _standards(story)
        scholars = [_scholar(story, spec) for spec in SCHOLARS]
        services.entitlements_sync(by=story.bureau, today=today)
        _payees(story)
        _scholarships(story, scholars)
        _autumn_aid(story)
        _history(story)
        for code in (*MONTHLY, "autumn-aid") + (("scholarship",) if today.month == 9 else ()):
            payroll.run_create(
                by=story.bureau, programme=story.programmes[code], month=today, today=today
            )
            story.count("drafts")
    if progress:
        m = story.made
        progress(
            f"保障资金示例：示例标准 {m.get('standards', 0)} 条，收款人 {m.get('payees', 0)} 名，"
            f"孤儿助学 {m.get('scholars', 0)} 人、金秋助学 {m.get('autumn_aid', 0)} 人，"
            f"历史发放批次 {m.get('runs', 0)} 个（失败 {m.get('failed', 0)} 笔已重发），"
            f"本月草稿 {m.get('drafts', 0)} 个"
        )
    return story.made


# --- standards ----------------------------------------------------------------------------------


def _standard(story: Story, code: str, since: date, fen: int, note: str, set_on: date) -> None:
    standard = services.standard_set(
        by=story.bureau,
        programme=story.programmes[code],
        effective_from=since,
        amount_fen=fen,
        note=f"{SAMPLE}；{note}",
    )
    Standard.objects.filter(pk=standard.pk).update(set_at=at(set_on, 16))
    story.count("standards")


def _standards(story: Story) -> None:
    set_on = story.start - timedelta(days=10)
    for code in MONTHLY:
        yuan = MONTHLY_FEN[code][0] // 100
        _standard(story, code, story.start, MONTHLY_FEN[code][0], f"每人每月{yuan:,}元", set_on)
    _standard(
        story,
        "scholarship",
        story.first_school_year,
        SCHOLARSHIP_FEN,
        "每人每学年10,000元，每学年9月发放一次",
        min(set_on, story.first_school_year - timedelta(days=10)),
    )
    _standard(story, "autumn-aid", story.first_school_year, AUTUMN_AID_FEN, "一次性1,000元", set_on)


def _raise(story: Story, decided: date) -> None:
    """The raise, decided in the month after it took effect: that month's run pays 补发."""
    for code in MONTHLY:
        fen = MONTHLY_FEN[code][1]
        since = story.raise_from
        note = (
            f"每人每月{fen // 100:,}元，自{since.year}年{since.month}月起上调，"
            f"{decided.year}年{decided.month}月批次补发差额"
        )
        _standard(story, code, story.raise_from, fen, note, decided)


# --- payees -------------------------------------------------------------------------------------


def _luhn(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def account_for(key: str, salt: str = "") -> tuple[str, str]:
    """A bank and a 19-digit account for `key` (a child's ID number or name): a known BIN,
    twelve digits from a hash, a Luhn check digit. The same key always gives the same account."""
    h = int(hashlib.sha256(f"huhang-demo:{salt}:{key}".encode()).hexdigest(), 16)
    bank, bin_ = BANKS[h % len(BANKS)]
    body = f"{bin_}{(h // len(BANKS)) % 10**12:012d}"
    return bank, body + _luhn(body)


def _payee(story: Story, child: Child, name: str, relation: str, valid_from: date, **kw) -> None:
    key = kw.get("key") or child.person.id_number or f"child-{child.pk}"
    bank, account = kw.get("bank_account") or account_for(key)
    payee = services.payee_set(
        by=story.bureau,
        child=child,
        name=name,
        relation=relation,
        bank=bank,
        account=account,
        valid_from=valid_from,
    )
    # Four eyes: the second officer confirmed the account the same day.
    services.payee_confirm(by=story.bureau2, payee=payee)
    Payee.objects.filter(pk=payee.pk).update(
        created_at=at(valid_from, 9), confirmed_at=at(valid_from, 11)
    )
    story.count("payees")


def _payees(story: Story) -> None:
    """A payee for every child entitled to a monthly programme during the history: the guardian,
    or the institution for a child raised there. A child without a guardian gets none (and
    shows on the arrears list as not payable)."""
    firsts = (
        Entitlement.objects.filter(programme__in=MONTHLY)
        .exclude(ends_on__lt=story.start)
        .values("child_id")
        .annotate(first=Min("starts_on"))
        .order_by("child_id")
    )
    first = {row["child_id"]: row["first"] for row in firsts}
    children = Child.objects.filter(pk__in=first).select_related("person").order_by("pk")
    guardians = _guardians([c.person_id for c in children])
    institution = account_for(divisions.INSTITUTION_NAME, "institution")
    for child in children:
        since = max(first[child.pk], story.start)
        if child.living == "institution":
            _payee(
                story,
                child,
                divisions.INSTITUTION_NAME,
                "机构监护",
                since,
                bank_account=(INSTITUTION_BANK, institution[1]),
            )
        elif child.person_id in guardians:
            name, relation = guardians[child.person_id]
            _payee(story, child, name, relation, since)


def _guardians(person_ids: list[int]) -> dict[int, tuple[str, str]]:
    rows = Relation.objects.filter(child_id__in=person_ids, is_guardian=True).select_related(
        "relative"
    )
    return {r.child_id: (r.relative.name, str(RelationKind(r.kind).label)) for r in rows}


# --- scholarship students -----------------------------------------------------------------------


def _free_id(birth: date, sex: str, salt: str) -> str:
    """A valid ID number of the district for this birth date and sex that nobody has yet."""
    start = int(hashlib.sha256(salt.encode()).hexdigest(), 16) % 400
    parity = 1 if sex == "M" else 0
    for n in range(500):
        sequence = (start + n) % 998 + 1
        if sequence % 2 != parity:
            continue
        number = idnumber.make(HOME_REGION, birth, sequence)
        if not Person.objects.filter(id_number=number).exists():
            return number
    raise RuntimeError(f"no free ID number for {birth} {sex}")


def _community(name: str) -> Division:
    return Division.objects.get(code=divisions.code_of(name))


def _register(
    story: Story, spec: Scholar | AutumnStudent, birth: date, on: date, **kw
) -> tuple[Child, list]:
    """The child of `spec`, registered on `on`, and its father and mother (`_parents`)."""
    child = registry.child_register(
        by=story.bureau,
        name=spec.name,
        sex=spec.sex,
        birth_date=birth,
        division=_community(spec.community),
        id_number=_free_id(birth, spec.sex, spec.name),
        today=on,
        ethnicity=kw.pop("ethnicity", "汉族"),
        **kw,
    )
    Child.objects.filter(pk=child.pk).update(registered_at=at(on))
    return child, _parents(story, child, spec.parents, birth, on)


def _parents(story: Story, child: Child, names: tuple[str, str], birth: date, on: date):
    """Father and mother (older than the child by 28 and 26 years); returns their relations."""
    made = []
    for kind, name, sex, years in (("father", names[0], "M", 28), ("mother", names[1], "F", 26)):
        born = add_months(birth, -12 * years) - timedelta(days=37 * len(made) + 11)
        made.append(
            registry.relation_add(
                by=story.bureau,
                child=child,
                kind=kind,
                name=name,
                sex=sex,
                birth_date=born,
                id_number=_free_id(born, sex, name),
                today=on,
            )
        )
    return made


def _scholar(story: Story, spec: Scholar) -> Child:
    """Registered at 11, category approved at 12, ended on the 18th birthday, archive aged out."""
    years, days = spec.age
    birth = add_months(story.today, -12 * years) - timedelta(days=days)
    registered = add_months(birth, 12 * 11)
    child, (father, mother) = _register(
        story,
        spec,
        birth,
        registered,
        living=spec.living,
        school=spec.school,
        school_stage="higher",
        address=divisions.INSTITUTION_NAME if spec.living == "institution" else "",
        notes="已满18周岁，在读全日制本科，享受福彩圆梦·孤儿助学（演示数据）",
    )
    lost = registered - timedelta(days=400)
    if spec.category == "orphan":
        situations = (
            (father.relative, "dead", "因病去世", "居民死亡医学证明书"),
            (mother.relative, "dead", "交通事故身亡", "火化证明"),
        )
        basis = "父母双亡（死亡证明）"
    else:
        situations = (
            (father.relative, "imprisoned", "判处有期徒刑十五年，在内蒙古包头监狱服刑", "判决书"),
            (mother.relative, "dead", "因病去世", "居民死亡医学证明书"),
        )
        basis = "父亲服刑在押，母亲死亡"
    for person, kind, detail, evidence in situations:
        registry.situation_record(
            by=story.bureau,
            child=child,
            person=person,
            kind=kind,
            started_on=lost,
            detail=detail,
            evidence=evidence,
            today=registered,
        )
    approved_on = add_months(birth, 12 * 12)
    adult = add_months(birth, 12 * 18)
    # Four eyes: proposed, verified and approved by three people, the end confirmed by a
    # second one; each step on its day of the story.
    assignment = registry.category_propose(
        by=story.bureau2, child=child, category=spec.category, basis=basis, today=approved_on
    )
    verifier = next(u for u in story.verifiers if scope.contains(u, child))
    registry.category_verify(by=verifier, assignment=assignment, note="入户核实属实")
    registry.category_approve(
        by=story.bureau, assignment=assignment, effective_from=approved_on, today=approved_on
    )
    registry.category_end(
        by=story.bureau2,
        assignment=assignment,
        reason="年满18周岁",
        effective_to=adult,
        today=adult,
    )
    registry.category_end_confirm(by=story.bureau, assignment=assignment, today=adult)
    CategoryAssignment.objects.filter(pk=assignment.pk).update(
        proposed_at=at(approved_on - timedelta(days=20)),
        verified_at=at(approved_on - timedelta(days=12)),
        approved_at=at(approved_on, 15),
    )
    Child.objects.filter(pk=child.pk).update(status=ChildStatus.AGED_OUT)
    audit_child(by=story.bureau, child=child, status=ChildStatus.AGED_OUT)
    child.refresh_from_db()
    return child


def _scholarships(story: Story, scholars: list[Child]) -> None:
    """Paid once per school year from the first September of the history, to the student."""
    year = story.first_school_year
    for child in scholars:
        student_lists.scholarship_enrol(
            by=story.bureau,
            child=child,
            school_year=year.year,
            school=child.school,
            note="全日制本科在读",
        )
        _payee(story, child, child.person.name, "本人", year - timedelta(days=30))
        story.count("scholars")


# --- 金秋助学 -------------------------------------------------------------------------------------


def _autumn_candidates(story: Story) -> list[Child]:
    """17-year-olds at senior high school (the final year) in 低保/特困 households, with a
    guardian to pay, in key order."""
    today = story.today
    poor = (AssistanceType.URBAN_DIBAO, AssistanceType.RURAL_DIBAO, AssistanceType.TEKUN)
    return list(
        Child.objects.filter(
            status=ChildStatus.ACTIVE,
            school_stage="senior",
            person__birth_date__gt=add_months(today, -12 * 18),
            person__birth_date__lte=add_months(today, -12 * 17),
            person__household__assistance__in=poor,
            person__relations__is_guardian=True,
        )
        .select_related("person__household")
        .order_by("pk")[:AUTUMN_AID_MAX]
    )


def _autumn_student(story: Story, spec: AutumnStudent) -> Child:
    birth = add_months(story.today, -12 * 17) - timedelta(days=75)
    registered = add_months(birth, 12 * 6)
    child, (_father, mother) = _register(
        story,
        spec,
        birth,
        registered,
        school="包头市第九中学",
        school_stage="senior",
        living="home",
        ethnicity="蒙古族" if spec.assistance == AssistanceType.TEKUN else "汉族",
    )
    registry.guardian_set(by=story.bureau, child=child, relation=mother)
    since = story.today - timedelta(days=900)
    registry.household_update(
        by=story.bureau,
        child=child,
        address=f"{spec.community}{spec.address}",
        assistance=spec.assistance,
        assistance_since=since,
    )
    return Child.objects.select_related("person__household").get(pk=child.pk)


def _autumn_aid(story: Story) -> None:
    """A one-off grant this month for each student; paid to the guardian."""
    students = _autumn_candidates(story) or [_autumn_student(story, s) for s in AUTUMN_STUDENTS]
    guardians = _guardians([c.person_id for c in students])
    for child in students:
        label = child.person.household.get_assistance_display()
        student_lists.autumn_aid_enrol(
            by=story.bureau,
            child=child,
            month=story.month,
            school=child.school,
            note=f"高三在读，家庭享受{label}",
        )
        if not child.payees.exists():
            name, relation = guardians[child.person_id]
            _payee(story, child, name, relation, story.month)
        story.count("autumn_aid")


# --- payroll history ----------------------------------------------------------------------------


def _history(story: Story) -> None:
    failed_in = add_months(story.month, -2)
    last = add_months(story.month, -1)
    for month in months(story.start, story.month):
        if month == add_months(story.raise_from, 1):
            _raise(story, month.replace(day=2))
        codes = MONTHLY + (("scholarship",) if month.month == 9 else ())
        for code in codes:
            fail = month == failed_in and code == "orphan-home"
            _run(story, code, month, fail=fail, close=month < last)


def _run(story: Story, code: str, month: date, *, fail: bool, close: bool) -> None:
    def day(n: int) -> date:
        return month.replace(day=n)

    bureau, bureau2 = story.bureau, story.bureau2
    run = payroll.run_create(by=bureau, programme=story.programmes[code], month=month, today=day(3))
    payroll.run_compute(by=bureau, run=run, today=day(3))
    payroll.run_approve(by=bureau2, run=run)
    payroll.run_mark_exported(by=bureau, run=run, fmt="xlsx")
    lines = list(run.lines.select_related("child__person").order_by("seq"))
    results = {line.line_id: (True, "") for line in lines}
    if fail and lines:
        results[lines[0].line_id] = (False, FAILURE_REASON)
        story.count("failed")
    payroll.run_apply_results(by=bureau, run=run, results=results)
    if fail and lines:
        # The guardian opens a new account; next month's run pays the failed month again.
        child = lines[0].child
        _payee(
            story,
            child,
            lines[0].payee_name,
            child.payees.first().relation,
            day(12),
            key=f"{child.person.id_number}:new",
        )
    stamps = {
        "created_at": at(day(1), 9),
        "computed_at": at(day(3), 10),
        "approved_at": at(day(5), 15),
        "exported_at": at(day(6), 9, 30),
        "reconciled_at": at(day(9), 16),
    }
    if close:
        payroll.run_close(by=bureau, run=run)
        stamps["closed_at"] = at(day(12), 10)
    PayrollRun.objects.filter(pk=run.pk).update(**stamps)
    story.count("runs")
    if run.status not in (RunStatus.CLOSED, RunStatus.RECONCILED):
        raise AssertionError(f"demo payroll run {run} ended as {run.status}")
