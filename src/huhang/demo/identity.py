"""Identity numbers, places of household registration, phone numbers and search keys for the
synthetic people."""

from __future__ import annotations

import random
from datetime import date

from huhang.core import idnumber, names

HOME_REGION = "150203"

# Where locals' ID numbers were issued when not in 昆都仑区 (they moved in from nearby).
NEARBY_REGIONS = ("150202", "150204", "150205", "150206", "150207", "150221", "150222")

# Where migrants come from: code -> name. ID numbers keep the code of the place that issued
# them, so some codes are pre-reform ones (152801 was 临河市, 152601 集宁市).
ELSEWHERE: dict[str, str] = {
    "150221": "包头市土默特右旗",
    "150222": "包头市固阳县",
    "150223": "包头市达尔罕茂明安联合旗",
    "150121": "呼和浩特市土默特左旗",
    "150124": "呼和浩特市清水河县",
    "152801": "巴彦淖尔盟临河市",
    "150802": "巴彦淖尔市临河区",
    "152601": "乌兰察布盟集宁市",
    "150602": "鄂尔多斯市东胜区",
    "130102": "河北省石家庄市长安区",
    "140202": "山西省大同市城区",
    "610802": "陕西省榆林市榆阳区",
    "620102": "甘肃省兰州市城关区",
    "410102": "河南省郑州市中原区",
    "640104": "宁夏银川市兴庆区",
    "230102": "黑龙江省哈尔滨市道里区",
}
_ELSEWHERE_CODES = tuple(ELSEWHERE)
# Inner Mongolian banners and counties near Baotou send most of the migrants.
_ELSEWHERE_WEIGHTS = (14, 12, 8, 8, 4, 6, 5, 5, 6, 4, 5, 6, 3, 3, 2, 2)
UYGHUR_REGIONS = {"650102": "新疆乌鲁木齐市天山区", "653101": "新疆喀什市"}


def elsewhere_region(rng: random.Random, ethnicity: str) -> str:
    if ethnicity == "维吾尔族":
        return rng.choice(tuple(UYGHUR_REGIONS))
    return rng.choices(_ELSEWHERE_CODES, weights=_ELSEWHERE_WEIGHTS)[0]


def region_name(code: str) -> str:
    return ELSEWHERE.get(code) or UYGHUR_REGIONS.get(code, code)


def hukou_elsewhere(rng: random.Random, region: str) -> str:
    """A synthetic 12-digit place of registration within `region`."""
    return f"{region}{rng.randint(1, 15):03d}{rng.randint(1, 30):03d}"


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"


class IdAllocator:
    """Hands out unique ID numbers. Sequence numbers for one (region, birth date) are handed
    out in order from a start derived from the key, odd for men and even for women, so the
    same calls always give the same numbers and never collide; numbers already in the
    database (`taken`) are skipped."""

    _SLOTS = 499  # odd (or even) sequences in 1..998

    def __init__(self, taken: frozenset[str] = frozenset()) -> None:
        self._next: dict[tuple[str, date], list[int]] = {}
        self._taken = taken

    def make(self, region: str, birth: date, sex: str) -> str:
        key = (region, birth)
        state = self._next.get(key)
        if state is None:
            # Not every number starts at 001: spread the start like police stations do.
            state = self._next[key] = [(birth.toordinal() * 37 + int(region)) % 250, 0, 0]
        slot = 1 if sex == "M" else 2
        while True:
            used = state[slot]
            if used >= self._SLOTS:
                raise RuntimeError(f"more than {self._SLOTS} people of one sex born {birth}")
            state[slot] = used + 1
            sequence = (2 * (state[0] + used)) % 998 + slot
            number = idnumber.make(region, birth, sequence)
            if number not in self._taken:
                return number


class NameKeys:
    """names.search_key with a cache: the same names recur thousands of times in a district."""

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        key = self._cache.get(name)
        if key is None:
            key = self._cache[name] = names.search_key(name)
        return key
