"""How children appear to people who may not see their archive (partner staff, auditors):
the given name without the surname, and the age. Never the ID number, never the surname."""

from __future__ import annotations

import re

# Two-character surnames (复姓) that must not leave their second character in the given name.
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "钟离",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "万俟",
        "单于",
        "呼延",
        "澹台",
        "公冶",
        "太史",
        "申屠",
        "赫连",
        "闻人",
        "濮阳",
        "司空",
    ]
)
_DOTS = re.compile("[\u00b7\u2022\u2027\u2219\u22c5\u30fb\uff0e.\uff65]")


def given_name(name: str) -> str:
    """王小海 → 小海, 欧阳娜娜 → 娜娜, 阿依古丽·买买提 → 阿依古丽 (for a transliterated name the
    part before the dot is the person's own name; what follows is the father's).

    A name that has no surname in front (many Mongolian names) still loses its first character:
    showing a character too few is the safe mistake here."""
    name = (name or "").strip().replace(" ", "").replace("\u3000", "")
    if not name:
        return ""
    parts = [p for p in _DOTS.split(name) if p]
    if len(parts) > 1:
        return parts[0]
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[2:]
    if len(name) == 1:
        return name
    return name[1:]
