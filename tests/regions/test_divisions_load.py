"""`huhang divisions load [FILE…]`: the shipped official table for the installation's root, and a
bureau's community/village file; idempotent, set-based, refusing bad input whole."""

from __future__ import annotations

import gzip
import io
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from huhang.core import divisions
from huhang.core.models import AuditEvent
from huhang.regions import table
from huhang.regions.models import Division, Kind

ROOT = settings.HUHANG_ROOT_DIVISION
REPO = Path(__file__).resolve().parents[2]


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("divisions", "load", *args, stdout=out)
    return out.getvalue().strip()


def snapshot() -> list[tuple]:
    return list(Division.objects.order_by("code").values_list("code", "name", "kind", "parent"))


def streets_of(code: str) -> list[table.Row]:
    return [r for r in table.shipped_rows(code) if r.level == divisions.STREET]


def bureau_file(path: Path, rows: list[tuple[str, str, str]], encoding: str = "utf-8") -> Path:
    text = "code,name,streetCode,provinceCode,cityCode,areaCode\n" + "".join(
        f'{code},"{name}",{street},{code[:2]},{code[:4]},{code[:6]}\n'
        for code, name, street in rows
    )
    path.write_bytes(text.encode(encoding))
    return path


# --- the shipped table -------------------------------------------------------------------------


def test_the_package_ships_the_table_with_its_attribution():
    data = REPO / "src" / "huhang" / "regions" / "data"
    globs = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["huhang.regions"]
    files = sorted(p.name for p in data.iterdir())
    assert set(table.SHIPPED.values()) <= set(files)
    for name in files:  # a wheel carries every file of the directory
        assert any(fnmatch(f"data/{name}", glob) for glob in globs), name
    assert "WTFPL" in (data / "README.md").read_text()


def test_the_table_has_official_codes_for_the_tree(tree):
    rows = {r.code: r for r in table.shipped_rows(tree["district"].code)}
    assert rows[tree["street"].code].name == tree["street"].name  # 友谊大街街道
    assert rows[tree["town"].code].name == tree["town"].name  # 昆河镇
    assert rows[tree["town"].code].kind == Kind.TOWN
    assert rows[tree["street"].code].kind == Kind.STREET
    # The root's ancestors come first, then its subtree, parents before children.
    levels = [r.level for r in rows.values()]
    assert levels == sorted(levels)
    assert {c for c in rows if len(c) < 6} == set(divisions.ancestor_codes(tree["district"].code))


def test_loads_the_roots_ancestors_and_subtree(db):
    line = load()
    codes = set(Division.objects.values_list("code", flat=True))
    expected = {r.code for r in table.shipped_rows(ROOT)}
    assert codes == expected
    assert len(streets_of(ROOT)) == len([c for c in codes if len(c) == 9]) > 0
    root = Division.objects.get(code=ROOT)
    assert root.parent.parent.level == divisions.PROVINCE
    assert f"新增 {len(expected)} 个" in line and ROOT in line
    assert AuditEvent.objects.filter(object_type="division", object_id=ROOT).count() == 1


def test_loading_twice_changes_nothing_and_keeps_existing_rows(tree):
    load()
    first = snapshot()
    line = load()
    assert snapshot() == first
    assert "新增 0 个" in line and "更名 0 个" in line
    # The tree's communities (not in the shipped table) are left alone.
    assert Division.objects.filter(code=tree["c1"].code, name=tree["c1"].name).exists()


def test_a_renamed_division_gets_the_official_name_back(tree):
    load()
    Division.objects.filter(code=tree["street"].code).update(name="旧名称街道")
    line = load()
    assert Division.objects.get(code=tree["street"].code).name == tree["street"].name
    assert "更名 1 个" in line


def test_a_province_loads_in_a_few_set_based_queries(db, django_assert_max_num_queries):
    province = ROOT[:2]
    with django_assert_max_num_queries(20):  # bulk statements, not one per division
        load("--root", province)
    expected = {r.code for r in table.shipped_rows(province)}
    assert len(expected) > 1000
    assert set(Division.objects.values_list("code", flat=True)) == expected


@pytest.mark.parametrize("root", ["{root}0", "{root}005", "99", "x"])
def test_a_bad_root_is_refused(db, root):
    with pytest.raises(CommandError, match=r"根区划|没有代码"):
        load("--root", root.format(root=ROOT))
    assert not Division.objects.exists()


# --- a bureau's file of communities and villages -------------------------------------------------


def _other_district_street(root: str) -> str:
    """A street of the table outside the root (a row the bureau's national file also has)."""
    return next(r.code for r in table._shipped(divisions.STREET) if not r.code.startswith(root))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gzip"])
def test_a_bureau_file_loads_communities_and_villages_under_the_root(tree, tmp_path, encoding):
    street, town = tree["street"].code, tree["town"].code
    outside = _other_district_street(tree["district"].code)
    rows = [
        (f"{street}011", "新华社区居委会", street),
        (f"{town}211", "新村村民委员会", town),
        (f"{outside}001", "外区社区居委会", outside),
    ]
    path = bureau_file(tmp_path / "villages.csv", rows, "utf-8" if encoding == "gzip" else encoding)
    if encoding == "gzip":
        path = tmp_path / "villages.csv.gz"
        path.write_bytes(gzip.compress(bureau_file(tmp_path / "v.csv", rows).read_bytes()))
    line = load(str(path))
    community = Division.objects.get(code=f"{street}011")
    village = Division.objects.get(code=f"{town}211")
    assert (community.kind, community.parent_id, community.level) == (Kind.COMMUNITY, street, 5)
    assert (village.kind, village.parent_id) == (Kind.VILLAGE, town)
    assert not Division.objects.filter(code=f"{outside}001").exists()
    assert "根区划以外的 1 行未导入" in line
    again = load(str(path))
    assert "新增 0 个" in again


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("{street}01", "短代码社区", "{street}"), "区划代码应为12位数字"),
        (("{street}0a1", "字母社区", "{street}"), "区划代码应为12位数字"),
        (("{street}021", "", "{street}"), "名称为空"),
        (("{street}022", "错街道社区", "{town}"), "不是代码"),
        (("{district}999001", "无街道社区", "{district}999"), "不在区划表中"),
        (("{street}011", "重复社区", "{street}"), "重复"),
    ],
)
def test_a_bad_row_refuses_the_whole_file(tree, tmp_path, row, message):
    codes = {k: tree[k].code for k in ("street", "town", "district")}
    good = (f"{codes['street']}011", "新华社区", codes["street"])
    bad = tuple(value.format(**codes) for value in row)
    before = snapshot()
    path = bureau_file(tmp_path / "bad.csv", [good, bad])
    with pytest.raises(CommandError, match=message) as refused:
        load(str(path))
    assert "第 3 行" in str(refused.value)
    assert snapshot() == before  # nothing stored, not even the shipped table


def test_a_file_without_the_columns_or_rows_is_refused(tree, tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(f"代码,名称\n{tree['street'].code}011,新华社区\n")
    with pytest.raises(CommandError, match="缺少列"):
        load(str(wrong))
    empty = tmp_path / "empty.csv"
    empty.write_text("code,name,streetCode\n")
    with pytest.raises(CommandError, match="没有数据行"):
        load(str(empty))
    with pytest.raises(CommandError, match="无法读取"):
        load(str(tmp_path / "missing.csv"))
    assert not Division.objects.filter(level=divisions.CITY).exists()
