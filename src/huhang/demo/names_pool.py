"""Synthetic personal names: common surnames weighted roughly by frequency in northern China,
given-name characters by sex and generation (a 建国 is born in the 1950s, a 梓涵 after 2005),
and the names of the district's minorities: Mongol names (其其格, 巴特尔, some written with a
middle dot), Hui and Manchu surnames, and Uyghur names (阿依古丽·吐尔逊) among migrants.

Nothing here touches Django; every choice comes from the caller's random.Random.
"""

from __future__ import annotations

import random
from itertools import accumulate

# Surname and relative weight (per mille, approximate; 闫/郝/贾 are more common in the north).
_SURNAMES = (
    ("王", 72), ("李", 70), ("张", 68), ("刘", 56), ("陈", 35), ("杨", 31), ("赵", 26),
    ("黄", 15), ("周", 16), ("吴", 13), ("徐", 12), ("孙", 15), ("胡", 12), ("朱", 10),
    ("高", 13), ("林", 6), ("何", 8), ("郭", 12), ("马", 12), ("罗", 6), ("梁", 8),
    ("宋", 8), ("郑", 7), ("谢", 5), ("韩", 8), ("唐", 5), ("冯", 6), ("于", 7), ("董", 7),
    ("肖", 4), ("程", 4), ("曹", 5), ("袁", 4), ("邓", 3), ("许", 4), ("傅", 3), ("沈", 3),
    ("曾", 2), ("彭", 3), ("吕", 4), ("苏", 4), ("卢", 3), ("蒋", 3), ("蔡", 2), ("贾", 6),
    ("丁", 4), ("魏", 5), ("薛", 4), ("叶", 2), ("闫", 6), ("余", 2), ("潘", 2), ("杜", 4),
    ("戴", 2), ("夏", 2), ("钟", 2), ("汪", 2), ("田", 4), ("任", 4), ("姜", 3), ("范", 3),
    ("方", 2), ("石", 3), ("姚", 3), ("谭", 1), ("邹", 1), ("金", 2), ("陆", 1), ("郝", 5),
    ("孔", 2), ("白", 4), ("崔", 4), ("康", 2), ("毛", 2), ("邱", 1), ("秦", 2), ("江", 1),
    ("史", 3), ("侯", 3), ("邵", 2), ("孟", 3), ("段", 2), ("雷", 2), ("钱", 1), ("尹", 2),
    ("常", 3), ("武", 4), ("乔", 3), ("贺", 3), ("文", 1), ("牛", 3), ("霍", 2), ("温", 2),
    ("安", 2), ("包", 2), ("云", 1), ("单", 1), ("解", 1), ("翟", 1), ("查", 1), ("仇", 1),
)  # fmt: skip
_SURNAME_CHOICES = tuple(s for s, _ in _SURNAMES)
_SURNAME_WEIGHTS = tuple(accumulate(w for _, w in _SURNAMES))

# Given-name characters by generation (born before 1970, 1970–1999, 2000 and later) and sex.
_GIVEN = {
    ("old", "M"): "国建军明华志德福永树宝玉振长海成文俊刚林平忠义春生发祥富贵庆荣才山清连广厚",
    ("old", "F"): "秀英兰桂芳玉珍凤华淑琴芬霞翠梅素云荣金花美爱香巧彩莲菊月娥桃仙风",
    ("mid", "M"): "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙亮峰东海建锋斌晓",
    ("mid", "F"): "芳娜敏静丽艳娟霞燕红梅琳雪婷慧颖洁蕾莹倩璐丹萍晶晓春兰凤丽媛佳琼",
    ("new", "M"): "子轩浩宇梓睿博文泽铭宸昊瑞奕天诚锦熙皓毅鸿一嘉航俊逸辰航宁煜晨阳",
    ("new", "F"): "梓涵欣怡诗琪雨萱可馨彤瑶妍晴雯月悦思佳语若汐依一诺心安宁婉菲茜",
}

# A few given names that the demo reserves for its showcase children (see synth.py).
RESERVED = frozenset({"王小海"})

_MONGOL_GIVEN = {
    "M": (
        "巴特尔", "额尔敦", "苏和", "巴图", "朝鲁", "宝音", "孟和", "那顺", "毕力格",
        "特木尔", "布和", "乌力吉", "达来", "阿古拉", "吉日格勒", "满都拉", "哈斯", "图门",
        "青格勒", "斯琴巴图", "额尔德木图", "乌恩",
    ),
    "F": (
        "其其格", "乌云", "萨仁", "娜仁", "苏日娜", "塔娜", "斯琴", "高娃", "图雅", "敖登",
        "格日乐", "托娅", "乌日娜", "其木格", "萨日娜", "阿拉坦", "乌兰", "诺敏", "金花",
        "娜布其", "琪琪格",
    ),
}  # fmt: skip
# Urban Mongol families often carry a Chinese surname taken from the clan name.
_MONGOL_SURNAMES = "包云白韩奇鲍宝金乌"

_UYGHUR_GIVEN = {
    "M": ("买买提", "艾力", "阿不都", "吐尔逊", "依明", "努尔", "艾克拜尔", "阿迪力", "热合曼"),
    "F": ("阿依古丽", "古丽娜", "热依拉", "帕提古丽", "迪丽努尔", "米热古丽", "努尔古丽"),
}

_ETHNIC_SURNAMES = {
    "回族": "马马马马白哈丁米沙纳杨李",
    "满族": "关佟那富金赵王",
    "达斡尔族": "敖郭鄂何孟",
}


def _era(birth_year: int) -> str:
    if birth_year < 1970:
        return "old"
    return "mid" if birth_year < 2000 else "new"


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_CHOICES, cum_weights=_SURNAME_WEIGHTS)[0]


def given_name(rng: random.Random, sex: str, birth_year: int) -> str:
    chars = _GIVEN[(_era(birth_year), sex)]
    if rng.random() < 0.22:
        return rng.choice(chars)
    first, second = rng.choice(chars), rng.choice(chars)
    # 丽丽 and 晶晶 exist, but a repeated character mostly reads as a nickname.
    if first == second and rng.random() < 0.7:
        second = rng.choice(chars)
    return first + second


class FamilyNames:
    """How one family names its members: a shared surname, or the Mongol and Uyghur customs
    where a child's name has no surname (sometimes followed by the father's name after a dot)."""

    def __init__(self, rng: random.Random, ethnicity: str) -> None:
        self.ethnicity = ethnicity
        self.style = "han"
        self.family_surname: str | None = None
        if ethnicity == "蒙古族":
            roll = rng.random()
            if roll < 0.35:
                self.family_surname = rng.choice(_MONGOL_SURNAMES)
            else:
                self.style = "mongol_dot" if roll > 0.85 else "mongol"
        elif ethnicity == "维吾尔族":
            self.style = "uyghur"
        elif ethnicity in _ETHNIC_SURNAMES:
            self.family_surname = rng.choice(_ETHNIC_SURNAMES[ethnicity])
        if self.style == "han" and self.family_surname is None:
            self.family_surname = surname(rng)

    def name(self, rng: random.Random, sex: str, birth_year: int, father: str = "") -> str:
        """A member's name; `father` (the father's name) feeds the dotted styles."""
        if self.style == "han":
            return f"{self.family_surname}{given_name(rng, sex, birth_year)}"
        pool = _UYGHUR_GIVEN if self.style == "uyghur" else _MONGOL_GIVEN
        own = rng.choice(pool[sex])
        if self.style == "mongol":
            return own
        # 阿依古丽·吐尔逊: own name, then the father's own name (the part before his dot).
        patronym = father.split("·")[0] if father else rng.choice(pool["M"])
        while own == patronym:
            own = rng.choice(pool[sex])
        return f"{own}·{patronym}"

    def spouse(self, rng: random.Random, sex: str, birth_year: int) -> str:
        """A spouse keeps their own name; some Mongol men marry Han women and vice versa."""
        if self.style == "han":
            return f"{surname(rng)}{given_name(rng, sex, birth_year)}"
        if self.style.startswith("mongol") and rng.random() < 0.3:
            return f"{surname(rng)}{given_name(rng, sex, birth_year)}"
        return FamilyNames(rng, self.ethnicity).name(rng, sex, birth_year)


def foreign_mongolian(rng: random.Random, sex: str) -> str:
    """A citizen of Mongolia as written in Chinese records: own name · father's name."""
    own, father = rng.choice(_MONGOL_GIVEN[sex]), rng.choice(_MONGOL_GIVEN["M"])
    return f"{own}·{father}" if own != father else f"{own}·巴雅尔"


def ethnicity(rng: random.Random, migrant: bool) -> str:
    """Roughly Baotou's mix: mostly Han, a few per cent Mongol, then Hui and Manchu."""
    roll = rng.random()
    if roll < 0.045:
        return "蒙古族"
    if roll < 0.06:
        return "回族"
    if roll < 0.072:
        return "满族"
    if roll < 0.075:
        return "达斡尔族"
    if migrant and roll < 0.09:
        return "维吾尔族"
    return "汉族"
