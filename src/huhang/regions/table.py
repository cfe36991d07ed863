"""The official division table (统计用区划代码) as files: the one shipped in `data/` (provinces
down to streets and towns) and a bureau's own file of communities and villages in the same shape
(code, name, streetCode, …).

Pure reading and checking, no database: `shipped_rows(root)` gives the root's ancestors and its
subtree, `bureau_rows(path, root=…)` the 12-digit rows under the root. A file that is not what it
should be raises `TableError` with every fault found (line and reason), so that nothing is stored.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from django.utils.translation import gettext as _

from huhang.core import divisions
from huhang.core.exceptions import DomainError

# The shipped files by level, and the column that names each row's parent.
SHIPPED = {
    divisions.PROVINCE: "provinces.csv.gz",
    divisions.CITY: "cities.csv.gz",
    divisions.DISTRICT: "areas.csv.gz",
    divisions.STREET: "streets.csv.gz",
}
PARENT_COLUMN = {
    divisions.CITY: "provinceCode",
    divisions.DISTRICT: "cityCode",
    divisions.STREET: "areaCode",
    divisions.COMMUNITY: "streetCode",
}
# The levels an installation may be rooted at (a province, a city or a district).
ROOT_LEVELS = (divisions.PROVINCE, divisions.CITY, divisions.DISTRICT)
# Street-level units that are rural (镇, 乡, 苏木) are towns; the rest (街道, 办事处, farms,
# development zones …) count as streets.
_TOWN_SUFFIXES = ("镇", "乡", "苏木")
_VILLAGE_SUFFIXES = ("村", "村委会", "村民委员会", "嘎查", "嘎查委员会")
_MAX_FAULTS = 20  # faults quoted in one refusal
_MAX_NAME = 64  # Division.name


class TableError(DomainError):
    """A division file or root that cannot be loaded; the message names every fault found."""


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    level: int
    kind: str
    parent: str | None


def kind_of(level: int, name: str, code: str) -> str:
    """The division's kind (regions.models.Kind value) from its level and official name.

    A community-level code's tenth digit is 1 for a neighbourhood committee (居委会) and 2 for a
    village committee (村委会) in the national scheme; the name decides where it says so."""
    if level == divisions.PROVINCE:
        return "province"
    if level == divisions.CITY:
        return "city"
    if level == divisions.DISTRICT:
        return "district"
    if level == divisions.STREET:
        return "town" if name.endswith(_TOWN_SUFFIXES) else "street"
    if name.endswith(_VILLAGE_SUFFIXES) or (code[9] == "2" and not name.endswith("社区")):
        return "village"
    return "community"


# --- the shipped table ---------------------------------------------------------------------------


@cache
def _shipped(level: int) -> tuple[Row, ...]:
    """Every row of one level of the shipped table (read once per process: ~0.1 s for streets)."""
    data = resources.files("huhang.regions").joinpath("data", SHIPPED[level])
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8", newline="") as text:
        parent = PARENT_COLUMN.get(level)
        return tuple(
            Row(
                code=r["code"],
                name=r["name"],
                level=level,
                kind=kind_of(level, r["name"], r["code"]),
                parent=r[parent] if parent else None,
            )
            for r in csv.DictReader(text)
        )


def shipped_division(code: str) -> Row | None:
    """The shipped table's row of `code` (a province down to a street), or None."""
    level = divisions.level_of(code)
    if level not in SHIPPED:
        return None
    return next((r for r in _shipped(level) if r.code == code), None)


def check_root(root: str) -> Row:
    """The root's row in the shipped table; refuses a code that cannot root an installation."""
    level = divisions.level_of(root) if root.isdigit() else None
    if level not in ROOT_LEVELS:
        raise TableError(
            _("根区划 “%(code)s” 无效：应为省（2位）、市（4位）或区县（6位）的区划代码。")
            % {"code": root}
        )
    row = shipped_division(root)
    if row is None:
        raise TableError(_("区划表中没有代码 %(code)s。") % {"code": root})
    return row


def shipped_rows(root: str) -> list[Row]:
    """The root's ancestors and its whole subtree down to streets and towns, parents first."""
    check_root(root)
    wanted = set(divisions.ancestor_codes(root))
    rows: list[Row] = []
    for level in SHIPPED:
        rows += [r for r in _shipped(level) if r.code in wanted or r.code.startswith(root)]
    return rows


# --- a bureau's file of communities and villages -------------------------------------------------

_TWELVE = re.compile(r"^[0-9]{12}$")
_NINE = re.compile(r"^[0-9]{9}$")
REQUIRED = ("code", "name", "streetCode")


@dataclass
class BureauRows:
    rows: list[Row]
    outside: int  # rows of the file not under the root (not loaded)


def _lines(path: Path) -> Iterator[str]:
    """The file's text lines: UTF-8 (with or without BOM) or GB18030, plain or gzip-compressed."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TableError(
            _("无法读取文件 %(file)s：%(reason)s") % {"file": path, "reason": exc.strerror}
        ) from exc
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise TableError(_("文件 %(file)s 不是完整的 gzip 文件。") % {"file": path}) from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return iter(io.StringIO(text, newline=""))
    raise TableError(_("文件 %(file)s 的编码无法识别（应为 UTF-8 或 GB18030）。") % {"file": path})


def bureau_rows(path: Path, *, root: str, streets: Iterable[str]) -> BureauRows:
    """The community and village rows of `path` under `root`; `streets` are the street codes
    that exist (or are being loaded). Every fault of the file refuses it whole."""
    reader = csv.DictReader(_lines(path))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise TableError(
            _("文件 %(file)s 缺少列：%(columns)s（应有 code、name、streetCode）")
            % {"file": path.name, "columns": "、".join(missing)}
        )
    reader.fieldnames = header
    known = set(streets)
    rows: list[Row] = []
    seen: dict[str, int] = {}
    faults: list[str] = []
    outside = 0
    for line, record in enumerate(reader, start=2):
        code, name, street = (str(record.get(c) or "").strip() for c in REQUIRED)
        fault = _fault(code, name, street, seen)
        if not fault and code.startswith(root) and street not in known:
            fault = _("街道/乡镇 %(street)s 不在区划表中") % {"street": street}
        if fault:
            faults.append(_("第 %(line)s 行：%(fault)s") % {"line": line, "fault": fault})
            continue
        seen[code] = line
        if not code.startswith(root):
            outside += 1
            continue
        level = divisions.COMMUNITY
        rows.append(Row(code, name, level, kind_of(level, name, code), street))
    if not faults and not seen:
        faults.append(_("没有数据行"))
    if faults:
        shown = faults[:_MAX_FAULTS]
        if len(faults) > _MAX_FAULTS:
            shown.append(_("……共 %(n)s 处错误") % {"n": len(faults)})
        raise TableError(
            _("文件 %(file)s 未导入，其中有错误：") % {"file": path.name} + "\n" + "\n".join(shown)
        )
    return BureauRows(rows=rows, outside=outside)


def _fault(code: str, name: str, street: str, seen: dict[str, int]) -> str:
    if not _TWELVE.match(code):
        return _("区划代码应为12位数字：“%(code)s”") % {"code": code[:40]}
    if not name:
        return _("名称为空")
    if len(name) > _MAX_NAME:
        return _("名称超过 %(n)s 个字") % {"n": _MAX_NAME}
    if not _NINE.match(street) or not code.startswith(street):
        return _("streetCode “%(street)s” 不是代码 %(code)s 的前9位") % {
            "street": street[:40],
            "code": code,
        }
    if code in seen:
        return _("代码 %(code)s 与第 %(line)s 行重复") % {"code": code, "line": seen[code]}
    return ""


# --- a mapping file of a 区划调整 ------------------------------------------------------------------


@dataclass
class Mapping:
    changes: dict[str, str]  # old code → new code
    names: dict[str, str]  # new code → its name, where the file gives one


def mapping_rows(path: Path) -> Mapping:
    """A file of old → new codes: columns `old`, `new` and optionally `name` (of the new
    division). Codes are checked by the rename; here only the file's shape."""
    reader = csv.DictReader(_lines(path))
    header = [h.strip() for h in reader.fieldnames or []]
    if "old" not in header or "new" not in header:
        raise TableError(_("文件 %(file)s 应有列 old、new（可选 name）。") % {"file": path.name})
    reader.fieldnames = header
    out = Mapping(changes={}, names={})
    faults: list[str] = []
    for line, record in enumerate(reader, start=2):
        old, new, name = (str(record.get(c) or "").strip() for c in ("old", "new", "name"))
        if not old or not new:
            faults.append(_("第 %(line)s 行：old 或 new 为空") % {"line": line})
        elif old in out.changes:
            faults.append(_("第 %(line)s 行：旧代码 %(code)s 重复") % {"line": line, "code": old})
        else:
            out.changes[old] = new
            if name:
                out.names[new] = name
    if not faults and not out.changes:
        faults.append(_("没有数据行"))
    if faults:
        raise TableError(
            _("文件 %(file)s 未执行，其中有错误：") % {"file": path.name}
            + "\n"
            + "\n".join(faults[:_MAX_FAULTS])
        )
    return out
