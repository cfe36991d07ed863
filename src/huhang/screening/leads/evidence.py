"""A lead's evidence in words: what the screening rules wrote (stable codes, dates, feed rows)
as an officer reads it — "公安人口信息 第 12 行：父亲 死亡 2025-03-01" — with every ID number
masked. Pure functions of a lead; the basis of a category decision and the dates it ends on
come from here too.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from huhang.core.masking import mask_id_number
from huhang.screening.models import Lead

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
    "turned_16": "年满16周岁",
    "father_unknown": "父亲信息缺失（查找不到生父）",
    "mother_unknown": "母亲信息缺失（查找不到生母）",
    "parent_lives_away": "居住在本区以外（外出）",
    "hukou_elsewhere": "户籍在外，应向户籍地申请",
    "not_supported_by_feeds": "部门数据已不能支持该认定",
    "term_under_six_months": "期限不足6个月",
    "disability_not_severe": "残疾等级未达重残",
    "senior_education": "全日制普通高中在读",
    "vocational_education": "全日制中等职业学校在读",
    "guardianship_lacking": "监护缺失",
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
    if item.get("fact") == "division_alias":  # routed through a code retired by 区划调整
        return _("行政区划调整：数据中的区划代码 %(old)s 已调整为 %(new)s，按新代码分派") % {
            "old": item.get("detail", ""),
            "new": item.get("to", ""),
        }
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
