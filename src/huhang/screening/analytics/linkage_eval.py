"""A labelled synthetic set for measuring the linker, and the measure itself.

`make_labelled_set(people, students, seed=...)` builds a population register (the `police`
snapshot's columns) and a student register (`education`) whose rows without an ID number carry
the truth (`true_id`: the person they are, or null for a child who is not in the register at
all). The students' names and dates are garbled the way department data is:

- names in traditional characters, with bracketed pinyin after each character, odd middle dots
  (• ・ . ．) in minority names, full-width spaces;
- typing errors: a homophone chosen by the input method (王伟 → 王维), a wrong character, two
  characters swapped;
- birth dates with one digit wrong or day and month swapped; missing place codes; pupils living
  in another community than their household registration;
- homonyms: another person in the register with the same name, sex and birth date;
- children without an ID number who are not in the register (migrants).

`evaluate(con, truth)` runs `link_people` and returns precision and recall of the automatic
links and the share of rows sent to review. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import duckdb
import opencc
import pyarrow as pa
from pypinyin import Style, lazy_pinyin

from huhang.core import divisions, idnumber, names

DISTRICT = "150203"
AS_OF = date(2026, 9, 1)

# Common surnames, most frequent first (weights follow their order, Zipf-like).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤"
)
# Given-name characters in groups that sound alike: an input method offers the others of the
# group when one is meant (the typing errors of the set).
HOMOPHONES = (
    "伟维威薇",
    "芳方",
    "静晶敬婧",
    "丽莉立力",
    "军君钧",
    "洋阳扬",
    "涛韬滔",
    "明鸣铭",
    "玉宇雨语",
    "萍平",
    "红宏鸿",
    "飞菲非",
    "浩昊皓",
    "涵寒晗",
    "轩萱宣",
    "欣昕心新馨",
    "怡宜仪",
    "佳嘉家",
    "思斯",
    "博波",
    "文雯闻",
    "晨辰臣",
    "睿瑞",
    "琪奇琦祺",
    "婷庭亭",
    "琳林霖麟",
    "悦月越",
    "凯楷恺",
    "彤桐童",
    "梦孟",
    "妍言研岩",
    "晓小筱",
    "宁凝",
    "健建剑",
    "志智",
    "春纯",
    "辉慧惠",
    "成诚承程",
    "龙隆",
    "东冬",
    "峰锋丰枫",
    "兵冰彬斌",
    "云芸",
    "璐露路",
    "瑶遥尧",
    "海",
    "乐",
    "安",
    "磊",
    "杰",
    "敏",
    "娜",
    "强",
    "勇",
    "超",
    "霞",
    "英",
    "华",
    "鹏",
    "然",
    "子",
    "一",
    "俊",
    "天",
    "航",
    "雪",
    "颖",
    "亮",
    "光",
    "国",
)
GIVEN = "".join(HOMOPHONES)
# Transliterated (Uyghur, Mongolian ...) name parts, written with a middle dot between them.
MINORITY_FIRST = (
    "买买提",
    "阿依古丽",
    "热依拉",
    "艾合买提",
    "古丽米拉",
    "巴特尔",
    "其其格",
    "阿迪力",
)
MINORITY_LAST = ("艾力", "吐尔逊", "买买提", "库尔班", "阿不都", "朝鲁", "斯琴", "那顺")
ODD_DOTS = ("•", "・", ".", "．", "·")
STREETS = 14
COMMUNITIES = 10  # per street


@dataclass
class LabelledSet:
    police: pa.Table
    education: pa.Table
    # For each education row without an ID: (batch, row) -> the person's ID, or None.
    truth: dict[tuple[int, int], str | None]
    # The rows whose person has a homonym in the register.
    homonym_rows: set[tuple[int, int]]
    # How many more people the register holds (made in SQL by `load`: strangers to the
    # students, who can only be mistaken for them).
    background: int = 0
    seed: int = 0


def _community(rng: random.Random) -> str:
    return f"{DISTRICT}{rng.randint(1, STREETS):03d}{rng.randint(1, COMMUNITIES):03d}"


def _neighbour(code: str, rng: random.Random) -> str:
    """Another community of the same street."""
    street = divisions.CODE_LENGTH[divisions.STREET]
    return f"{code[:street]}{(int(code[street:]) % COMMUNITIES) + 1:03d}"


class _Maker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sequences: dict[tuple[date, str], int] = defaultdict(int)
        self.surname_weights = [1 / (i + 1) ** 0.8 for i in range(len(SURNAMES))]

    def name(self) -> str:
        rng = self.rng
        if rng.random() < 0.03:
            return f"{rng.choice(MINORITY_FIRST)}·{rng.choice(MINORITY_LAST)}"
        surname = rng.choices(SURNAMES, self.surname_weights)[0]
        given = "".join(rng.choice(GIVEN) for _ in range(1 if rng.random() < 0.35 else 2))
        return surname + given

    def id_number(self, birth: date, sex: str) -> str:
        # Odd sequence = male; at most 500 people per birth date and sex in the district.
        seq = self.sequences[(birth, sex)]
        self.sequences[(birth, sex)] += 1
        return idnumber.make(DISTRICT, birth, seq * 2 + (1 if sex == "M" else 0))

    def person(self, birth: date, sex: str | None = None, name: str | None = None) -> dict:
        rng = self.rng
        sex = sex or rng.choice("MF")
        hukou = _community(rng)
        residence = hukou if rng.random() < 0.8 else _community(rng)
        return {
            "name": name or self.name(),
            "id_number": self.id_number(birth, sex),
            "sex": sex,
            "birth_date": birth,
            "hukou_code": hukou,
            "residence_code": residence,
        }


_S2T = None


def _traditional(text: str) -> str:
    global _S2T
    if _S2T is None:
        _S2T = opencc.OpenCC("s2t")
    return _S2T.convert(text)


def _bracketed(text: str) -> str:
    return "".join(
        f"{ch}({py})" if py != ch else ch
        for ch, py in zip(
            text,
            # pypinyin also takes a list from `errors` (one item per character); its stubs do not.
            lazy_pinyin(text, style=Style.TONE, errors=lambda s: list(s)),  # type: ignore[arg-type, return-value]
            strict=False,
        )
    )


_GROUP_OF = {ch: group for group in HOMOPHONES for ch in group}


def _typo(name: str, rng: random.Random) -> tuple[str, str]:
    """One typing error in the given name: (garbled name, kind)."""
    if "·" in name:
        return name, "none"
    given = list(name[1:])
    i = rng.randrange(len(given))
    roll = rng.random()
    if roll < 0.6 and len(_GROUP_OF.get(given[i], "")) > 1:
        alternatives = [c for c in _GROUP_OF[given[i]] if c != given[i]]
        # The group is chosen by ear; keep only true homophones for pinyin (tones ignored).
        alternatives = [c for c in alternatives if names.pinyin(c) == names.pinyin(given[i])]
        if alternatives:
            given[i] = rng.choice(alternatives)
            return name[0] + "".join(given), "homophone"
    if roll < 0.8 and len(given) == 2 and given[0] != given[1]:
        return name[0] + given[1] + given[0], "swap"
    given[i] = rng.choice(GIVEN.replace(given[i], ""))
    return name[0] + "".join(given), "wrong_char"


def _garble_name(name: str, rng: random.Random) -> str:
    if "·" in name:
        return name.replace("·", rng.choice(ODD_DOTS))
    roll = rng.random()
    if roll < 0.12:
        return _traditional(name)
    if roll < 0.18:
        return _bracketed(name)
    if roll < 0.21:
        return name[0] + "\u3000" + name[1:]  # a full-width space
    return name


def _garble_date(birth: date, rng: random.Random) -> date:
    if birth.day <= 12 and birth.day != birth.month and rng.random() < 0.5:
        return date(birth.year, birth.day, birth.month)
    for _ in range(5):  # one digit of the day off, staying a valid date
        try:
            return birth.replace(day=(birth.day // 10) * 10 + rng.randint(0, 9) or 1)
        except ValueError:
            continue
    return birth + timedelta(days=1)


def _birth(rng: random.Random, youngest: int, oldest: int) -> date:
    days = rng.randint(youngest * 365, oldest * 365 + 364)
    return AS_OF - timedelta(days=days)


def make_labelled_set(
    people: int,
    students: int,
    *,
    seed: int = 20260901,
    with_id: float = 0.5,
    typo_rate: float = 0.06,
    date_error_rate: float = 0.02,
    homonym_rate: float = 0.02,
    migrant_rate: float = 0.05,
    batch: tuple[int, int] = (1, 2),
) -> LabelledSet:
    """`people` in the register (students among them: pupils aged 6–18 of the register, plus
    migrants who are not in it); `with_id` of the students carry their ID number."""
    rng = random.Random(seed)
    maker = _Maker(rng)
    pupils = [maker.person(_birth(rng, 6, 18)) for _ in range(students)]
    migrants: set[int] = set()
    police_batch, education_batch = batch
    edu_rows: list[dict] = []
    truth: dict[tuple[int, int], str | None] = {}
    homonym_rows: set[tuple[int, int]] = set()
    homonyms: list[dict] = []
    for i, pupil in enumerate(pupils):
        row = i + 2
        migrant = rng.random() < migrant_rate
        if migrant:
            # Not in the register: a look-alike child from elsewhere.
            pupil = dict(pupil, name=maker.name(), id_number=None)
            pupil["hukou_code"] = f"15010{rng.randint(1, 5)}001001"
            migrants.add(i)
        has_id = (not migrant) and rng.random() < with_id
        name = pupil["name"]
        birth = pupil["birth_date"]
        if not has_id:
            truth[(education_batch, row)] = None if migrant else pupil["id_number"]
            if rng.random() < typo_rate:
                name, _ = _typo(name, rng)
            if rng.random() < date_error_rate:
                birth = _garble_date(birth, rng)
            if not migrant and rng.random() < homonym_rate:
                twin = maker.person(pupil["birth_date"], pupil["sex"], pupil["name"])
                if rng.random() < 0.5:
                    twin["hukou_code"] = pupil["hukou_code"]
                homonyms.append(twin)
                homonym_rows.add((education_batch, row))
        shown = _garble_name(name, rng)
        residence = pupil["residence_code"]
        roll = rng.random()
        if roll < 0.1:
            residence = _neighbour(residence, rng)
        elif roll < 0.2:
            residence = None
        edu_rows.append(
            {
                "batch": education_batch,
                "row": row,
                "name": shown,
                "name_key": names.normalize(shown),
                "id_number": pupil["id_number"] if has_id else None,
                "student_number": f"G{seed % 10000:04d}{i:08d}",
                "sex": pupil["sex"],
                "birth_date": birth,
                "school": "昆都仑区第一小学",
                "stage": "primary",
                "hukou_code": pupil["hukou_code"] if rng.random() < 0.7 else None,
                "residence_code": residence,
            }
        )
    register = [p for i, p in enumerate(pupils) if i not in migrants] + homonyms
    police = _police_table(register, police_batch)
    education = _table(
        edu_rows,
        (
            "batch",
            "row",
            "name",
            "name_key",
            "id_number",
            "student_number",
            "sex",
            "birth_date",
            "school",
            "stage",
            "hukou_code",
            "residence_code",
        ),
    )
    background = max(people - len(register), 0)
    return LabelledSet(police, education, truth, homonym_rows, background, seed)


def _police_table(register: list[dict], batch: int) -> pa.Table:
    key_cache: dict[str, str] = {}
    rows = []
    for i, p in enumerate(register):
        key = key_cache.get(p["name"])
        if key is None:
            key = key_cache[p["name"]] = names.normalize(p["name"])
        rows.append(dict(p, batch=batch, row=i + 2, name_key=key, status="normal"))
    return _table(
        rows,
        (
            "batch",
            "row",
            "name",
            "name_key",
            "id_number",
            "sex",
            "birth_date",
            "hukou_code",
            "residence_code",
            "status",
        ),
    )


def _table(rows: list[dict], columns: tuple[str, ...]) -> pa.Table:
    types = {"batch": pa.int64(), "row": pa.int32(), "birth_date": pa.date32()}
    return pa.table(
        {c: pa.array([r.get(c) for r in rows], types.get(c, pa.string())) for c in columns}
    )


def _background_sql(count: int, seed: int, batch: int) -> str:
    """SELECT of `count` people made from hashes of (seed, i): deterministic, set-based (a
    million rows in a second). Their ID sequences (200+) never meet those of `_Maker`."""
    weights = [1 / (i + 1) ** 0.8 for i in range(len(SURNAMES))]
    total = sum(weights)
    slots = "".join(
        ch * max(1, round(w / total * 1000)) for ch, w in zip(SURNAMES, weights, strict=True)
    )
    firsts = ", ".join(f"'{x}'" for x in MINORITY_FIRST)
    lasts = ", ".join(f"'{x}'" for x in MINORITY_LAST)
    weights_17 = "[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]"
    return f"""
    WITH h AS (
      SELECT i, hash(i, {seed}, 'a') AS a, hash(i, {seed}, 'b') AS b, hash(i, {seed}, 'c') AS c
      FROM range({count}) t(i)
    ), p AS (
      SELECT i,
        CASE WHEN a % 100 < 3
          THEN [{firsts}][1 + (b % {len(MINORITY_FIRST)})::BIGINT] || '·'
               || [{lasts}][1 + (c % {len(MINORITY_LAST)})::BIGINT]
          ELSE substr('{slots}', 1 + (a % {len(slots)})::INT, 1)
               || substr('{GIVEN}', 1 + (b % {len(GIVEN)})::INT, 1)
               || CASE WHEN c % 100 < 35 THEN ''
                       ELSE substr('{GIVEN}', 1 + ((c // 100) % {len(GIVEN)})::INT, 1) END
        END AS name,
        CASE WHEN (a // 1000) % 2 = 0 THEN 'M' ELSE 'F' END AS sex,
        DATE '{AS_OF.isoformat()}' - ((b // 1000) % (91 * 365))::BIGINT::INT AS birth_date,
        '{DISTRICT}' || lpad((1 + (c // 7) % {STREETS})::VARCHAR, 3, '0')
          || lpad((1 + (c // 131) % {COMMUNITIES})::VARCHAR, 3, '0') AS hukou_code,
        (c // 9973) % 5 AS moved
      FROM h
    ), q AS (
      SELECT *, '{DISTRICT}' || strftime(birth_date, '%Y%m%d')
          || lpad(((200 + row_number() OVER (PARTITION BY birth_date, sex ORDER BY i)) * 2
                   + (sex = 'M')::INT)::VARCHAR, 3, '0') AS first17
      FROM p
    )
    SELECT {batch}::BIGINT AS batch, (1000000 + i)::INTEGER AS "row", name, name AS name_key,
      first17 || substr('10X98765432', 1 + (list_sum(list_transform(range(17),
        lambda k: substr(first17, k + 1, 1)::INT * {weights_17}[k + 1])) % 11)::INT, 1)
        AS id_number,
      sex, birth_date, hukou_code,
      CASE WHEN moved = 0 THEN left(hukou_code, 9) || '001' ELSE hukou_code END
        AS residence_code,
      'normal' AS status
    FROM q
    """


def load(con: duckdb.DuckDBPyConnection, labelled: LabelledSet) -> None:
    """Create the tables `police` and `education` in `con`, as a screening's views."""
    for name, table in (("police", labelled.police), ("education", labelled.education)):
        con.register(f"{name}_arrow", table)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {name}_arrow")
        con.unregister(f"{name}_arrow")
    if labelled.background:
        batch = labelled.police["batch"][0].as_py() if labelled.police.num_rows else 1
        con.execute(
            "INSERT INTO police BY NAME "
            + _background_sql(labelled.background, labelled.seed, batch)
        )


def evaluate(con: duckdb.DuckDBPyConnection, labelled: LabelledSet) -> dict[str, Any]:
    """Run the linker on the set (already loaded) and score its automatic links."""
    from huhang.screening.analytics.linkage import link_people

    started = time.perf_counter()
    outcome = link_people(con, as_of=AS_OF)
    seconds = time.perf_counter() - started
    auto = {
        (b, r): i
        for b, r, i in con.execute(
            "SELECT batch, \"row\", id_number FROM links WHERE method = 'splink'"
        ).fetchall()
    }
    truth = labelled.truth
    correct = sum(1 for key, found in auto.items() if truth.get(key) == found)
    matchable = sum(1 for v in truth.values() if v is not None)
    reviewed = {(c["batch"], c["row"]) for c in outcome.candidates}
    wrong_homonyms = sum(1 for key in auto if key in labelled.homonym_rows)
    review_hits = sum(
        1
        for c in outcome.candidates
        if truth.get((c["batch"], c["row"])) == c["candidate_id_number"]
    )
    return {
        "rows_without_id": len(truth),
        "matchable": matchable,
        "auto_links": len(auto),
        "auto_correct": correct,
        "precision": correct / len(auto) if auto else 1.0,
        "recall": correct / matchable if matchable else 1.0,
        "review": len(reviewed),
        "review_share": len(reviewed) / len(truth) if truth else 0.0,
        "review_candidate_correct": review_hits,
        "homonyms_auto_linked": wrong_homonyms,
        "seconds": seconds,
        "counts": outcome.counts,
    }
