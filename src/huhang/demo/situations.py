"""Parents' situations (death, court declarations and the eight DFUC situations of DOMAIN.md)
with plausible dates, details and evidence, and small date helpers.

Every DFUC situation made here qualifies on the day of generation: terms of imprisonment, drug
rehabilitation and other restrictions run 6 months or more and have not ended, contact was lost
more than 6 months ago, disabilities are of the qualifying kinds and levels."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import NamedTuple


class Sit(NamedTuple):
    kind: str
    started_on: date
    ended_on: date | None
    detail: str
    evidence: str


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    # The 31st of a short month falls back to the month's last day.
    for dom in (day.day, 30, 29, 28):
        try:
            return date(year, month, dom)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def days_ago(today: date, rng: random.Random, low: int, high: int) -> date:
    return today - timedelta(days=rng.randint(low, high))


def _case_no(rng: random.Random, year: int, kind: str) -> str:
    return f"（{year}）内0203{kind}{rng.randint(100, 2999)}号"


# --- death and the court declarations -------------------------------------------------------

_DEATH_DETAILS = ("因病去世", "因病医治无效死亡", "交通事故身亡", "意外身亡", "因工死亡")
_DEATH_EVIDENCE = ("居民死亡医学证明书", "火化证明", "户籍注销证明")


def death(rng: random.Random, on: date, kind: str = "dead") -> Sit:
    if kind == "dead":
        return Sit("dead", on, None, rng.choice(_DEATH_DETAILS), rng.choice(_DEATH_EVIDENCE))
    label = "宣告死亡" if kind == "declared_dead" else "宣告失踪"
    detail = f"人民法院判决{label}{_case_no(rng, on.year, '民特')}"
    return Sit(kind, on, None, detail, "民事判决书")


def death_kind(rng: random.Random) -> str:
    roll = rng.random()
    return "dead" if roll < 0.82 else "declared_dead" if roll < 0.91 else "declared_missing"


# --- the eight DFUC situations --------------------------------------------------------------

_PRISONS = ("内蒙古包头监狱", "内蒙古第一监狱", "内蒙古第三监狱", "呼和浩特第二监狱")
_TERMS_MONTHS = (8, 10, 12, 18, 24, 30, 36, 48, 60, 84, 120)
_ILLNESSES = (
    "恶性肿瘤（肺癌）",
    "恶性肿瘤（胃癌）",
    "尿毒症（维持性透析）",
    "再生障碍性贫血",
    "慢性粒细胞白血病",
    "肝硬化失代偿期",
    "重症系统性红斑狼疮",
)
_SEVERE_ANY = ("肢体", "视力", "听力", "言语", "多重")
_LEVELS = ("一级", "二级", "三级", "四级")

DFUC_KINDS = (
    "imprisoned",
    "lost_contact",
    "severe_disability",
    "serious_illness",
    "drug_rehab",
    "liberty_restricted",
    "guardianship_revoked",
    "deported",
)
_DFUC_WEIGHTS = (34, 20, 20, 10, 7, 3, 4, 2)


def dfuc_kind(rng: random.Random, *, deportable: bool = False) -> str:
    kind = rng.choices(DFUC_KINDS, weights=_DFUC_WEIGHTS)[0]
    # Only a foreign national can be deported; most parents are citizens.
    return "lost_contact" if kind == "deported" and not deportable else kind


def qualifying_disability(rng: random.Random) -> str:
    if rng.random() < 0.55:
        return rng.choice(_SEVERE_ANY) + rng.choice(_LEVELS[:2])
    return rng.choice(("智力", "精神")) + rng.choice(_LEVELS)


def mild_disability(rng: random.Random) -> str:
    """A disability that does not make a parent's child DFUC (level 3–4, physical or senses)."""
    return rng.choice(_SEVERE_ANY[:4]) + rng.choice(_LEVELS[2:])


def _term(rng: random.Random, today: date, months: int) -> tuple[date, date]:
    """A term of `months` that started at least 60 days ago and has not ended."""
    started = today - timedelta(days=rng.randint(60, max(61, months * 30 - 20)))
    return started, add_months(started, months)


def dfuc_situation(rng: random.Random, today: date, kind: str) -> Sit:
    maker = _DFUC_MAKERS[kind]
    return maker(rng, today)


def _imprisoned(rng: random.Random, today: date) -> Sit:
    months = rng.choice(_TERMS_MONTHS)
    started, ends = _term(rng, today, months)
    term = f"{months // 12}年" if months % 12 == 0 else f"{months}个月"
    detail = f"有期徒刑{term}，{rng.choice(_PRISONS)}服刑"
    return Sit("imprisoned", started, ends, detail, "刑事判决书、在押证明")


def _drug_rehab(rng: random.Random, today: date) -> Sit:
    started, ends = _term(rng, today, 24)
    return Sit(
        "drug_rehab",
        started,
        ends,
        "强制隔离戒毒二年（包头市强制隔离戒毒所）",
        "强制隔离戒毒决定书",
    )


def _liberty_restricted(rng: random.Random, today: date) -> Sit:
    months = rng.choice((6, 8, 12))
    started, ends = _term(rng, today, months)
    detail = f"被依法执行限制人身自由的措施，期限{months}个月"
    return Sit("liberty_restricted", started, ends, detail, "有关机关决定书")


def _lost_contact(rng: random.Random, today: date) -> Sit:
    # Counted from the day the police accepted the report; six months must have passed.
    return lost_contact_since(rng, days_ago(today, rng, 200, 2400))


def lost_contact_since(rng: random.Random, started: date) -> Sit:
    detail, evidence = "长期失联，公安机关已受理报案", "公安机关受理报案回执"
    return Sit("lost_contact", started, None, detail, evidence)


def _severe_disability(rng: random.Random, today: date) -> Sit:
    started = days_ago(today, rng, 120, 4000)
    return Sit("severe_disability", started, None, qualifying_disability(rng), "第二代残疾人证")


def _serious_illness(rng: random.Random, today: date) -> Sit:
    started = days_ago(today, rng, 120, 1500)
    return Sit("serious_illness", started, None, rng.choice(_ILLNESSES), "二级以上医院诊断证明")


def _guardianship_revoked(rng: random.Random, today: date) -> Sit:
    started = days_ago(today, rng, 120, 1500)
    detail = f"人民法院判决撤销监护人资格{_case_no(rng, started.year, '民特')}"
    return Sit("guardianship_revoked", started, None, detail, "民事判决书")


def _deported(rng: random.Random, today: date) -> Sit:
    started = days_ago(today, rng, 120, 1500)
    return Sit("deported", started, None, "外籍（蒙古国），被遣送出境", "出入境管理部门证明")


_DFUC_MAKERS = {
    "imprisoned": _imprisoned,
    "lost_contact": _lost_contact,
    "severe_disability": _severe_disability,
    "serious_illness": _serious_illness,
    "drug_rehab": _drug_rehab,
    "liberty_restricted": _liberty_restricted,
    "guardianship_revoked": _guardianship_revoked,
    "deported": _deported,
}


def qualifies_from(sit: Sit) -> date:
    """The first day a situation counts for DFUC (lost contact: six months after the report)."""
    if sit.kind == "lost_contact":
        return add_months(sit.started_on, 6)
    return sit.started_on


def released(rng: random.Random, today: date) -> Sit:
    """A finished prison term: the child's DFUC status ended with it."""
    ended = days_ago(today, rng, 40, 400)
    months = rng.choice((18, 24, 36, 48))
    started = add_months(ended, -months)
    detail = f"有期徒刑{months // 12}年，{rng.choice(_PRISONS)}服刑，已刑满释放"
    return Sit("imprisoned", started, ended, detail, "刑事判决书、释放证明")
