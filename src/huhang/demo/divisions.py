"""The demo district's division tree: 昆都仑区 with its streets, towns, communities and villages.

The province, city, district, streets and towns are the official ones: codes and names from the
统计用区划代码 table Huhang ships (`huhang.regions.table`), 16 streets and towns from 少先路街道
(150203001) to 包钢厂区办事处 (150203400). The communities and villages under them are
synthetic: names made up, numbered in list order from 001 for communities (居委会) and from 201
for villages (村委会), as in the national scheme where 1xx are neighbourhood committees and 2xx
village committees.

The tree does not depend on the seed or the size, so accounts and tests can name places.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from huhang.regions import table

PROVINCE = ("15", "内蒙古自治区")
CITY = ("1502", "包头市")
DISTRICT = ("150203", "昆都仑区")

# (official name of the street or town, its synthetic communities or villages), in code order
STREETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "少先路街道",
        (
            "少先路社区",
            "少先东社区",
            "少先西社区",
            "阳光社区",
            "育才社区",
            "新华社区",
            "希望社区",
            "红旗社区",
        ),
    ),
    (
        "沼潭街道",
        ("沼潭北社区", "沼潭南社区", "鹿苑社区", "钢苑社区", "和平社区", "工业社区", "胜利社区"),
    ),
    (
        "林荫路街道",
        (
            "林荫路社区",
            "绿苑社区",
            "青松社区",
            "松石社区",
            "槐荫社区",
            "春光社区",
            "华苑社区",
            "景苑社区",
        ),
    ),
    (
        "友谊大街街道",
        (
            "友谊十八社区",
            "友谊十九社区",
            "友谊二十一社区",
            "友谊二十二社区",
            "友谊二十三社区",
            "和谐社区",
            "昆工社区",
            "友谊家园社区",
            "石榴社区",
            "向阳社区",
        ),
    ),
    (
        "阿尔丁大街街道",
        (
            "阿尔丁社区",
            "赛罕社区",
            "乌兰社区",
            "巴彦社区",
            "草原社区",
            "金辉社区",
            "银河社区",
            "宝山社区",
            "明珠社区",
        ),
    ),
    (
        "团结大街街道",
        ("团结一社区", "团结二社区", "团结三社区", "富强社区", "友爱社区", "幸福社区", "康乐社区"),
    ),
    ("鞍山道街道", ("鞍山道社区", "钢花社区", "钢城社区", "红星社区", "北新社区", "南新社区")),
    ("前进道街道", ("前进道社区", "光明社区", "文化社区", "兴业社区", "职工社区", "民主社区")),
    ("市府东路街道", ("市府东路社区", "青年路社区", "迎宾社区", "丰盛社区", "园林社区")),
    ("白云路街道", ("白云社区", "蓝天社区", "彩虹社区", "紫云社区", "祥云社区", "瑞云社区")),
    (
        "黄河西路街道",
        (
            "黄河社区",
            "西河社区",
            "河畔社区",
            "新城社区",
            "锦绣社区",
            "星光社区",
            "丰泽社区",
            "湖畔社区",
        ),
    ),
    ("昆工路街道", ("昆工路社区", "科技社区", "学府社区", "青山路社区", "晨光社区")),
    (
        "昆北街道",
        ("昆北社区", "北沙梁社区", "滨河社区", "奥林社区", "富丽社区", "世纪社区", "天骄社区"),
    ),
    (
        "昆河镇",
        ("哈业胡同村", "昆河村", "乌兰计村", "刘宝窑子村", "二道沙河村", "兴胜村", "毛忽洞村"),
    ),
    (
        "卜尔汉图镇",
        (
            "卜尔汉图村",
            "莎木佳村",
            "阿拉坦村",
            "乌素图村",
            "格日乐图村",
            "敖包图村",
            "吉忽伦图村",
        ),
    ),
    ("包钢厂区办事处", ("厂前社区", "钢铁社区", "炼铁社区")),
)

# Where the named demo accounts work (and the showcase families live).
DIRECTOR_STREET = "友谊大街街道"
DIRECTOR_COMMUNITY = "友谊十八社区"
DIRECTOR2_TOWN = "昆河镇"
DIRECTOR2_VILLAGE = "哈业胡同村"
# Where the city's children's welfare institution is (children raised there are registered here).
INSTITUTION_COMMUNITY = "昆北社区"
INSTITUTION_NAME = "包头市儿童福利院"


class DivisionRow(NamedTuple):
    code: str
    name: str
    level: int
    kind: str
    parent: str | None


@cache
def division_rows() -> tuple[DivisionRow, ...]:
    """Every division from the province down, parents before children: the official rows of the
    district (from the shipped table) and the synthetic communities and villages."""
    official = {r.name: r for r in table.shipped_rows(DISTRICT[0]) if r.level == 4}
    rows = [
        DivisionRow(r.code, r.name, r.level, r.kind, r.parent)
        for r in table.shipped_rows(DISTRICT[0])
        if r.level <= 3
    ]
    for street_name, places in STREETS:
        street = official[street_name]
        rows.append(DivisionRow(street.code, street.name, 4, street.kind, DISTRICT[0]))
        place_kind = "village" if street.kind == "town" else "community"
        first = 201 if place_kind == "village" else 1
        for offset, place in enumerate(places):
            code = f"{street.code}{first + offset:03d}"
            rows.append(DivisionRow(code, place, 5, place_kind, street.code))
    return tuple(rows)


def communities() -> list[DivisionRow]:
    return [row for row in division_rows() if row.level == 5]


def code_of(name: str) -> str:
    """The code of a named division of the demo tree (names are unique within it)."""
    for row in division_rows():
        if row.name == name:
            return row.code
    raise KeyError(name)


def street_of(code: str) -> str:
    return code[:9]
