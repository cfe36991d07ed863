"""Every read of the leads (线索). Each starts from core.scope and records what it showed.

Viewing a lead is always audited: a lead names a child and its family's situations even before
the child has an archive, so an unregistered child is protected like a registered one. For a
registered child the "view" event is the child's (object "child", its archive number, with the
lead in the detail), so that the trail of that archive shows every page that showed its data;
otherwise it is the lead's (object "lead"). A list page records one "search" event, as the
children list does. The workflow's steps are the lead's events ("change", detail.step).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from huhang.core import scope
from huhang.core.audit import audit_record, audit_record_many
from huhang.core.masking import mask_id_number
from huhang.core.models import AuditAction
from huhang.core.roles import can
from huhang.registry.selectors import audit_child
from huhang.screening.models import ENDING_KINDS, Lead, LeadKind, LeadStatus

# The step that comes next for a lead in each open status, and the capability it needs.
NEXT_STEP: dict[str, tuple[str, str]] = {
    LeadStatus.NEW: ("verify", "lead.verify"),
    LeadStatus.VERIFIED: ("review", "lead.review"),
    LeadStatus.REVIEWED: ("approve", "lead.approve"),
}
OPEN_STATUSES = tuple(NEXT_STEP)

# How each feed is named in the evidence ("公安人口信息 第 12 行：父亲 死亡 2025-03-01").
SOURCE_LABELS = {
    "police": "公安人口信息",
    "justice": "司法限制人身自由措施",
    "court": "法院判决",
    "disability": "残联残疾人证",
    "health": "重特大疾病名单",
    "assistance": "低保/特困名册",
    "education": "教育学籍",
    "registry": "儿童档案",
}

# Words of the facts the screening rules write (stable codes → what an officer reads). Unknown
# words are shown as they are, so a new rule never hides its evidence.
FACT_LABELS = {
    "self": "本人",
    "father": "父亲",
    "mother": "母亲",
    "child": "儿童本人",
    "parent": "父/母",
    "guardian": "监护人",
    "normal": "正常",
    "dead": "死亡",
    "death": "死亡",
    "declared_dead": "宣告死亡",
    "declared_missing": "宣告失踪",
    "imprisoned": "服刑在押",
    "drug_rehab": "强制隔离戒毒",
    "liberty_restricted": "被执行其他限制人身自由的措施",
    "lost_contact": "失联",
    "deported": "被遣送出境",
    "guardianship_revoked": "被撤销监护资格",
    "severe_disability": "重残",
    "disability": "残疾",
    "serious_illness": "重病",
    "moved_out": "迁出",
    "adoption": "收养",
    "adopted": "被收养",
    "urban_dibao": "城市低保",
    "rural_dibao": "农村低保",
    "tekun": "特困供养",
    "dibao": "低保",
    "higher": "高等教育",
    "higher_education": "全日制高等教育在读",
    "lives_here": "居住在本区、户籍在外",
    "studies_here": "在本区就读、户籍在外",
    "lives_outside": "居住地与户籍均在本区以外",
    "status_normal": "户籍人员状态恢复正常",
    "senior": "高中",
    "vocational": "中职",
    "full_time": "全日制",
    "final_year": "毕业年级",
    "left_behind": "留守",
    "migrant": "户籍在外",
    "turned_18": "年满18周岁",
    "ended": "已结束",
    "released": "已释放",
    "expired": "已到期",
    "visual": "视力",
    "hearing": "听力",
    "speech": "言语",
    "physical": "肢体",
    "intellectual": "智力",
    "mental": "精神",
    "multiple": "多重",
}
DATE_LABELS = {
    "started_on": "起始",
    "start": "起始",
    "from": "起始",
    "ended_on": "终止",
    "end": "终止",
    "to": "终止",
    "until": "终止",
    "valid_until": "有效期至",
    "status_date": "",
    "date": "",
    "on": "",
    "birth_date": "出生",
    "judged_on": "判决",
    "issued_on": "发证",
    "recognised_on": "认定",
    "enrolled_on": "入学",
}
_RESERVED = {"source", "batch", "row", "fact", "dates", "who", "subject"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID_LIKE = re.compile(r"^\d{17}[\dXx]$")
_ID_ANYWHERE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_WORDS = re.compile(r"[:\s/|,]+")


@dataclass(frozen=True)
class LeadFilter:
    kind: str = ""
    status: str = ""
    run: int | None = None  # the leads one screening raised

    def as_dict(self) -> dict[str, str | int]:
        return {k: v for k, v in self.__dict__.items() if v}


# "todo" is not a status: it means "the leads whose next step is mine" (see waiting_q).
TODO = "todo"


def waiting_q(user) -> Q:
    """The leads whose next step falls to this user: the field check of the leads routed to the
    user's own node (a director's community; a street or the district itself when a lead's code
    was unknown and it was routed up, flagged), the review for a supervisor, the decision for
    the bureau. Combined with core.scope by the callers."""
    own_node = getattr(user, "division_id", None)
    q = Q(status=LeadStatus.NEW, division_id=own_node)
    if can(user, "lead.approve"):
        # The bureau decides; it reviews only what no supervisor sees (routed to the district).
        q |= Q(status=LeadStatus.REVIEWED) | Q(status=LeadStatus.VERIFIED, division_id=own_node)
    elif can(user, "lead.review"):
        q |= Q(status=LeadStatus.VERIFIED)
    return q


def leads_waiting(user) -> QuerySet[Lead]:
    """The user's inbox section: scoped, one query, what a card shows joined in."""
    return (
        scope.visible(user, Lead)
        .filter(waiting_q(user))
        .select_related("division")
        .order_by("raised_at", "pk")
    )


def lead_list(*, user, filters: LeadFilter) -> QuerySet[Lead]:
    """The leads the user may see, filtered, open ones first; records one search event.
    The caller paginates; the number of queries does not depend on the page size."""
    qs = scope.visible(user, Lead)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.run:
        qs = qs.filter(run_id=filters.run)
    if filters.status == TODO:
        qs = qs.filter(waiting_q(user))
    elif filters.status:
        qs = qs.filter(status=filters.status)
    audit_record(
        by=user,
        action=AuditAction.SEARCH,
        object_type="lead",
        label="线索列表",  # stored as data: the trail reads the same in every UI language
        detail=filters.as_dict(),
    )
    open_first = Case(
        When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return qs.select_related("division").order_by(open_first, "-raised_at", "-pk")


def lead_detail(*, user, pk) -> Lead:
    """One lead with its history's people joined in; 404 outside the scope; records a view."""
    lead = scope.get(user, Lead, pk, "division", "child__person")
    lead = (
        Lead.objects.select_related(
            "division__parent",
            "child__person",
            "child__division",
            "verified_by",
            "reviewed_by",
            "decided_by",
            "assignment",
        )
        .filter(pk=lead.pk)
        .get()
    )
    if lead.child_id is not None:
        audit_child(by=user, child=lead.child, action=AuditAction.VIEW, lead=lead.pk)
    else:
        audit_lead(by=user, lead=lead, action=AuditAction.VIEW)
    return lead


def lead_label(lead: Lead) -> str:
    """How a lead is named in the audit trail: the person's name and masked ID number."""
    return f"{lead.name} {mask_id_number(lead.id_number)}".strip()


def audit_lead(*, by, lead: Lead, action: str = AuditAction.CHANGE, **detail: Any) -> None:
    audit_record(
        by=by,
        action=action,
        object_type="lead",
        object_id=lead.pk,
        label=lead_label(lead),
        detail={"kind": lead.kind, "child": lead.child_id, **detail},
    )


def next_step(user, lead: Lead) -> str:
    """ "verify", "review" or "approve" when the user may take the lead's next step; else ""."""
    step = NEXT_STEP.get(lead.status)
    if step is None or not can(user, step[1]):
        return ""
    return step[0]


def is_ending(lead: Lead) -> bool:
    return lead.kind in ENDING_KINDS


# --- Evidence in words -------------------------------------------------------------------------


def _word(token: str) -> str:
    if token.endswith("_ended") and token[: -len("_ended")] in FACT_LABELS:
        return _("%(situation)s情形已结束") % {"situation": FACT_LABELS[token[: -len("_ended")]]}
    return FACT_LABELS.get(token, FACT_LABELS.get(token.lower(), token))


def _fact_words(fact: Any) -> str:
    if fact is None or fact == "":
        return ""
    if isinstance(fact, dict):
        return " ".join(_fact_words(v) for v in fact.values() if v not in (None, ""))
    if isinstance(fact, list | tuple):
        return " ".join(_fact_words(v) for v in fact)
    text = str(fact)
    if _ID_LIKE.match(text):
        return mask_id_number(text)
    tokens = [t for t in _WORDS.split(text) if t]
    return " ".join(_word(t) for t in tokens)


def _dates(item: dict) -> list[tuple[str, str]]:
    """(label, YYYY-MM-DD) pairs from the item's "dates" (a dict or a list) and its other keys."""
    found: list[tuple[str, str]] = []
    raw = item.get("dates")
    if isinstance(raw, dict):
        found += [(k, str(v)) for k, v in raw.items() if v]
    elif isinstance(raw, list | tuple):
        found += [("", str(v)) for v in raw if v]
    elif isinstance(raw, str) and raw:
        found.append(("", raw))
    for key, value in item.items():
        if key not in _RESERVED and isinstance(value, str) and _DATE.match(value):
            found.append((key, value))
    return found


def _extras(item: dict) -> list[str]:
    out = []
    for key, value in item.items():
        if key in _RESERVED or value in (None, "") or isinstance(value, dict | list | bool):
            continue
        if isinstance(value, str) and _DATE.match(value):
            continue
        out.append(_fact_words(value))
    return out


def evidence_line(item: dict) -> str:
    """ "公安人口信息 第 12 行：父亲 死亡 2025-03-01" from one evidence item."""
    if not isinstance(item, dict):
        return _mask_ids(_fact_words(item))
    source = str(item.get("source", ""))
    head = SOURCE_LABELS.get(source, source)
    if item.get("row") not in (None, ""):
        head = _("%(source)s 第 %(row)s 行") % {"source": head, "row": item["row"]}
    who = " ".join(_fact_words(item[k]) for k in ("who", "subject") if item.get(k))
    found = _dates(item)
    keys = [k for k, _v in found]
    if keys == ["on", "until"]:  # the screening rules' evidence: a situation's first/last day
        dates = _("%(on)s 至 %(until)s") % {"on": found[0][1], "until": found[1][1]}
    else:
        dates = " ".join(
            f"{DATE_LABELS[k]} {v}".strip() if DATE_LABELS.get(k) else v for k, v in found
        )
    body = " ".join(
        part for part in (who, _fact_words(item.get("fact")), *_extras(item), dates) if part
    )
    return _mask_ids(f"{head}：{body}" if body else head)


def _mask_ids(text: str) -> str:
    """Evidence may name a parent's or a child's ID number: the words never show one whole."""
    return _ID_ANYWHERE.sub(lambda m: mask_id_number(m.group(0)), text)


def evidence_lines(lead: Lead) -> list[str]:
    items = lead.evidence if isinstance(lead.evidence, list) else [lead.evidence]
    return [evidence_line(item) for item in items if item]


def evidence_text(lead: Lead) -> str:
    """The basis of a category decision: the lead's evidence in words, one item per line."""
    lines = evidence_lines(lead)
    head = _("精准排查线索 #%(id)s（%(kind)s）") % {"id": lead.pk, "kind": lead.get_kind_display()}
    return "\n".join([head, *lines])


def evidence_dates(lead: Lead) -> list[date]:
    """Every date the evidence names (for the day a category ends)."""
    out = []
    items = lead.evidence if isinstance(lead.evidence, list) else []
    for item in items:
        if isinstance(item, dict):
            for _label, value in _dates(item):
                try:
                    out.append(date.fromisoformat(value[:10]))
                except ValueError:
                    continue
    return out


def evidence_school(lead: Lead) -> str:
    """The school an education row names: its "school", or the "detail" of the screening rules'
    higher-education fact (which carries the school's name)."""
    items = lead.evidence if isinstance(lead.evidence, list) else []
    for item in items:
        if not isinstance(item, dict) or item.get("source") != "education":
            continue
        if item.get("school"):
            return str(item["school"])
        if item.get("fact") == "higher_education" and item.get("detail"):
            return str(item["detail"])
    return ""


# --- The operator's export (huhang leads) ------------------------------------------------------

EXPORT_FIELDS = (
    "id",
    "kind",
    "kind_label",
    "status",
    "status_label",
    "id_number",
    "name",
    "sex",
    "birth_date",
    "region_code",
    "region_flagged",
    "division",
    "child",
    "category",
    "evidence",
    "raised_at",
)


def lead_export(*, by=None, statuses=(), kinds=()) -> list[dict[str, Any]]:
    """Every lead (or those of the given statuses and kinds) as plain data with FULL ID numbers:
    the operator's command, for people with shell access to the server. With `by`, limited to
    that user's scope. Records one export event per lead."""
    qs = scope.visible(by, Lead) if by is not None else Lead.objects.all()
    if statuses:
        qs = qs.filter(status__in=statuses)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    rows = list(
        qs.order_by("pk").values(
            "id",
            "kind",
            "status",
            "id_number",
            "name",
            "sex",
            "birth_date",
            "region_code",
            "region_flagged",
            "division_id",
            "child_id",
            "category",
            "evidence",
            "raised_at",
        )
    )
    audit_record_many(
        by=by,
        action=AuditAction.EXPORT,
        object_type="lead",
        objects=((r["id"], f"{r['name']} {mask_id_number(r['id_number'])}".strip()) for r in rows),
    )
    return [
        {
            **{k: r[k] for k in ("id", "kind", "status", "id_number", "name", "sex")},
            "kind_label": str(LeadKind(r["kind"]).label),
            "status_label": str(LeadStatus(r["status"]).label),
            "birth_date": r["birth_date"].isoformat() if r["birth_date"] else None,
            "region_code": r["region_code"],
            "region_flagged": r["region_flagged"],
            "division": r["division_id"],
            "child": r["child_id"],
            "category": r["category"],
            "evidence": r["evidence"],
            "raised_at": r["raised_at"].isoformat(),
        }
        for r in rows
    ]
