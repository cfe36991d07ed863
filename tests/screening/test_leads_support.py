"""Helpers shared by the leads tests: Lead rows made directly (they are data, not mocks)."""

from __future__ import annotations

import hashlib
from datetime import date

from django.utils import timezone

from huhang.core import idnumber
from huhang.registry.models import CategoryAssignment
from huhang.screening.models import Lead

EVIDENCE = [
    {
        "source": "police",
        "batch": 1,
        "row": 12,
        "fact": "father dead",
        "dates": {"status_date": "2025-03-01"},
    }
]
EVIDENCE_WORDS = "公安人口信息 第 12 行：父亲 死亡 2025-03-01"


def make_lead(*, division, kind="orphan", child=None, status="new", **fields) -> Lead:
    """A lead for a registered child (its facts copied) or, without `child`, for a new one."""
    if child is not None:
        person = child.person
        facts = {
            "person_key": person.id_number,
            "id_number": person.id_number,
            "name": person.name,
            "sex": person.sex,
            "birth_date": person.birth_date,
        }
    else:
        birth = fields.pop("birth_date", date(2017, 5, 4))
        id_number = idnumber.make("150203", birth, 77)
        facts = {
            "person_key": id_number,
            "id_number": id_number,
            "name": "赵小新",
            "sex": "M",
            "birth_date": birth,
        }
    facts.update(fields)
    category = facts.pop("category", kind if kind in CATEGORIES else "")
    evidence = facts.pop("evidence", EVIDENCE)
    return Lead.objects.create(
        kind=kind,
        child=child,
        division=division,
        category=category,
        region_code=facts.pop("region_code", division.code),
        evidence=evidence,
        fingerprint=hashlib.sha256(f"{kind}{facts['person_key']}{evidence}".encode()).hexdigest(),
        status=status,
        reject_reason="退回" if status == "rejected" else "",
        **facts,
    )


CATEGORIES = {"orphan", "dfuc", "difficulty", "left_behind", "migrant"}


def approved(child, category, *, since=date(2020, 1, 1), by=None) -> CategoryAssignment:
    return CategoryAssignment.objects.create(
        child=child,
        category=category,
        status="approved",
        basis="档案",
        effective_from=since,
        approved_by=by,
        approved_at=timezone.now(),
    )


def reviewed(lead: Lead, users) -> Lead:
    """Moved to "reviewed" as the workflow would (the steps' people and notes set)."""
    now = timezone.now()
    Lead.objects.filter(pk=lead.pk).update(
        status="reviewed",
        verified_by=users["director"],
        verified_at=now,
        verify_note="入户核实属实",
        reviewed_by=users["supervisor"],
        reviewed_at=now,
    )
    lead.refresh_from_db()
    return lead
