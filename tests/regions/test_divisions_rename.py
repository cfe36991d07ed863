"""`huhang divisions rename OLD NEW` (区划调整): every record pointing at the old division moves to
the new code in one transaction, the old code stays as retired (DivisionAlias), audited; history
is not rewritten; bad input is refused whole."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from huhang.accounts.models import User
from huhang.core.models import AuditEvent
from huhang.core.scope import visible
from huhang.regions import services
from huhang.regions.models import Division, DivisionAlias
from huhang.registry.models import CategoryAssignment, Child
from tests.factories import DivisionFactory
from tests.factories.community import (
    ResourceFactory,
    TrainingFactory,
    WorkstationFactory,
)
from tests.factories.registry import CategoryFactory
from tests.factories.registry_extra import HouseholdFactory
from tests.factories.screening import LeadFactory, LinkReviewFactory


def rename(*args: str) -> str:
    out = io.StringIO()
    call_command("divisions", "rename", *args, stdout=out)
    return out.getvalue().strip()


def new_street_code(tree) -> str:
    """A street code the district does not have yet (the tree's street + 90)."""
    return f"{tree['district'].code}{int(tree['street'].code[-3:]) + 90:03d}"


@pytest.fixture
def records(tree, users, children):
    """One record of every kind that points at the street or its first community."""
    c1, street = tree["c1"], tree["street"]
    return {
        "household": HouseholdFactory(division=c1),
        "station": WorkstationFactory(division=street),
        "training": TrainingFactory(division=street),
        "resource": ResourceFactory(divisions=[street, tree["village"]]),
        "lead": LeadFactory(child=children["xiaohai"]),
        "review": LinkReviewFactory(division=tree["c2"]),
        "category": CategoryFactory(child=children["xiaohai"]),
    }


def test_renaming_a_street_moves_every_record_and_its_communities(tree, users, children, records):
    old_street, old_c1, old_c2 = tree["street"].code, tree["c1"].code, tree["c2"].code
    new = new_street_code(tree)
    events = AuditEvent.objects.count()
    line = rename(old_street, new, "--on", "2026-01-01", "--note", "民政函〔2026〕1号")

    street = Division.objects.get(code=new)
    assert (street.name, street.level, street.kind, street.parent_id) == (
        tree["street"].name,
        tree["street"].level,
        tree["street"].kind,
        tree["district"].code,
    )
    # Its communities follow, each keeping its own number under the new code.
    c1 = Division.objects.get(code=new + old_c1[9:])
    c2 = Division.objects.get(code=new + old_c2[9:])
    assert (c1.name, c1.parent_id, c2.parent_id) == (tree["c1"].name, new, new)
    assert not Division.objects.filter(code__in=[old_street, old_c1, old_c2]).exists()
    # Every record pointing at an old division points at its successor.
    assert Child.objects.get(pk=children["xiaohai"].pk).division_id == c1.code
    assert Child.objects.get(pk=children["c2"].pk).division_id == c2.code
    assert Child.objects.get(pk=children["village"].pk).division_id == tree["village"].code
    assert User.objects.get(username="supervisor").division_id == new
    assert User.objects.get(username="director").division_id == c1.code
    for key in ("household", "station", "training", "lead", "review"):
        records[key].refresh_from_db()
    assert records["household"].division_id == c1.code
    assert records["station"].division_id == new
    assert records["training"].division_id == new
    assert records["lead"].division_id == c1.code
    assert records["review"].division_id == c2.code
    assert set(records["resource"].divisions.values_list("code", flat=True)) == {
        new,
        tree["village"].code,
    }
    # The old codes are kept as retired, with their names and successors.
    aliases = {a.code: a for a in DivisionAlias.objects.all()}
    assert set(aliases) == {old_street, old_c1, old_c2}
    assert (aliases[old_street].division_id, aliases[old_street].name) == (new, street.name)
    assert aliases[old_c1].division_id == c1.code
    assert aliases[old_street].retired_on == date(2026, 1, 1)
    assert aliases[old_street].note == "民政函〔2026〕1号"
    # One audit event says what changed; the trail before it is untouched.
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.latest("pk")
    assert event.object_type == "division" and event.detail["changes"][old_c1] == c1.code
    assert event.detail["moved"]["registry.child.division"] == 2
    assert "3 个区划" in line
    # History keeps what it said: the lead's code as the feed wrote it, the category's rows.
    assert records["lead"].region_code == old_c1
    assert CategoryAssignment.objects.get(pk=records["category"].pk).child_id == (
        children["xiaohai"].pk
    )


def test_scope_follows_the_new_codes(tree, users, children, records):
    rename(tree["street"].code, new_street_code(tree))
    supervisor = User.objects.get(username="supervisor")
    director = User.objects.get(username="director")
    mine = set(visible(supervisor, Child).values_list("pk", flat=True))
    assert mine == {children["xiaohai"].pk, children["c2"].pk}
    assert set(visible(director, Child).values_list("pk", flat=True)) == {children["xiaohai"].pk}


def test_a_new_name_is_given_to_the_new_division(tree):
    new = new_street_code(tree)
    rename(tree["street"].code, new, "--name", "友谊新街道")
    assert Division.objects.get(code=new).name == "友谊新街道"
    assert DivisionAlias.objects.get(code=tree["street"].code).name == tree["street"].name


def test_merging_a_community_into_another(tree, children, records):
    c1, c2 = tree["c1"], tree["c2"]
    resource = ResourceFactory(divisions=[c1, c2])
    rename(c2.code, c1.code)
    assert Child.objects.get(pk=children["c2"].pk).division_id == c1.code
    assert Division.objects.get(code=c1.code).name == c1.name  # the target keeps its name
    assert not Division.objects.filter(code=c2.code).exists()
    assert DivisionAlias.objects.get(code=c2.code).division_id == c1.code
    # A resource offered to both is offered to the merged one once.
    assert list(resource.divisions.values_list("code", flat=True)) == [c1.code]


def test_a_mapping_file_renumbers_a_merged_streets_communities(tree, children, tmp_path):
    """Merging the street into the town: its communities would collide with the town's, so the
    file gives them codes of their own."""
    street, town = tree["street"], tree["town"]
    DivisionFactory(code=town.code + tree["c1"].code[9:], parent=town, name="镇上社区")
    mapping = tmp_path / "mapping.csv"
    mapping.write_text(
        "old,new,name\n"
        f"{street.code},{town.code},\n"
        f"{tree['c1'].code},{town.code}301,友谊一社区\n"
        f"{tree['c2'].code},{town.code}302,\n",
        encoding="utf-8",
    )
    rename("--file", str(mapping))
    assert Child.objects.get(pk=children["xiaohai"].pk).division_id == f"{town.code}301"
    assert Division.objects.get(code=f"{town.code}302").name == tree["c2"].name
    assert DivisionAlias.objects.get(code=street.code).division_id == town.code


def test_a_collision_of_communities_is_refused_and_nothing_changes(tree, children):
    street, town = tree["street"], tree["town"]
    DivisionFactory(code=town.code + tree["c1"].code[9:], parent=town, name="镇上社区")
    before = list(Division.objects.values_list("code", "name", "parent"))
    with pytest.raises(CommandError, match="新代码已被占用"):
        rename(street.code, town.code)
    assert list(Division.objects.values_list("code", "name", "parent")) == before
    assert not DivisionAlias.objects.exists()
    assert Child.objects.get(pk=children["xiaohai"].pk).division_id == tree["c1"].code


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("{street}", "{street}", "新旧代码相同"),
        ("{street}", "{c1}", "不是同一层级"),
        ("{street}x", "{street}1", "无效"),
        ("{district}998", "{district}999", "没有区划"),
        ("{c1}", "{district}997001", "上级区划"),
    ],
)
def test_bad_codes_are_refused(tree, old, new, message):
    codes = {k: tree[k].code for k in ("street", "town", "c1", "district")}
    old, new = old.format(**codes), new.format(**codes)
    before = list(Division.objects.values_list("code", "name", "parent"))
    with pytest.raises(CommandError, match=message):
        rename(old, new)
    assert list(Division.objects.values_list("code", "name", "parent")) == before
    assert not DivisionAlias.objects.exists()


def test_a_retired_code_cannot_be_renamed_again_nor_reused(tree):
    old, new = tree["street"].code, new_street_code(tree)
    rename(old, new)
    with pytest.raises(CommandError, match="已调整为"):
        rename(old, tree["district"].code + "097")
    with pytest.raises(CommandError, match="不能再用"):
        rename(new, old)


def test_a_chain_of_renames_points_old_codes_at_the_latest(tree):
    first, second = new_street_code(tree), tree["district"].code + "097"
    rename(tree["street"].code, first)
    rename(first, second)
    assert DivisionAlias.objects.get(code=tree["street"].code).division_id == second
    assert DivisionAlias.objects.get(code=first).division_id == second


def test_retired_codes_are_not_loaded_again(tree):
    call_command("divisions", "load", stdout=io.StringIO())
    rename(tree["street"].code, new_street_code(tree))
    out = io.StringIO()
    call_command("divisions", "load", stdout=out)
    assert not Division.objects.filter(code=tree["street"].code).exists()
    assert "已调整（撤销）的代码 1 个未导入" in out.getvalue()


def test_a_rename_of_the_root_warns(tree, settings):
    settings.HUHANG_ROOT_DIVISION = tree["street"].code
    line = rename(tree["street"].code, new_street_code(tree))
    assert "HUHANG_ROOT_DIVISION" in line


def test_the_walk_finds_every_foreign_key_to_a_division():
    found = {f"{m._meta.label_lower}.{f.name}" for m, f in services.division_references()}
    assert {
        "regions.division.parent",
        "regions.divisionalias.division",
        "registry.child.division",
        "registry.household.division",
        "accounts.user.division",
        "accounts.organisation.division",
        "community.workstation.division",
        "community.training.division",
        "community.resource_divisions.division",
        "screening.lead.division",
        "screening.linkreview.division",
    } <= found
