"""The synthetic demo district: accounts, valid and consistent people, categories that follow
DOMAIN.md's rules (checked here independently of the generator), idempotence, determinism."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from huhang.accounts.models import Organisation, User
from huhang.core import idnumber, names
from huhang.demo import generator, synth
from huhang.regions.models import Division
from huhang.registry.models import (
    CategoryAssignment,
    Child,
    ChildAssignment,
    Household,
    Person,
    Relation,
    Situation,
)

DEATH = {"dead", "declared_dead", "declared_missing"}
TERMS = {"imprisoned", "drug_rehab", "liberty_restricted"}
DISABILITY = re.compile(r"(肢体|视力|听力|言语|智力|精神|多重)([一二三四])级")
MODELS = (Division, Organisation, User, Household, Person, Child, Relation, Situation)
MODELS += (CategoryAssignment, ChildAssignment)


@pytest.fixture
def demo(db):
    return generator.generate("small")


def _months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    while True:
        try:
            return day.replace(year=year, month=month)
        except ValueError:
            day = day - timedelta(days=1)


def _parents(child: Child) -> dict[str, Person]:
    relations = Relation.objects.filter(child=child.person, kind__in=["father", "mother"])
    return {r.kind: r.relative for r in relations.select_related("relative")}


# --- accounts ---------------------------------------------------------------------------------


def test_accounts_have_their_role_and_scope(demo):
    users = {u.username: u for u in User.objects.select_related("division", "organisation")}
    expected = {
        "bureau": "bureau",
        "supervisor": "supervisor",
        "director": "director",
        "director2": "director",
        "socialworker": "social_worker",
        "partner": "partner",
        "dataofficer": "data_officer",
        "auditor": "auditor",
    }
    for username, role in expected.items():
        assert users[username].role == role
        assert users[username].check_password("huhang-demo")
        assert users[username].last_name or users[username].first_name
    assert users["bureau"].division.code == users["auditor"].division.code == "150203"
    assert users["supervisor"].division.name == "友谊大街街道"
    director, director2 = users["director"].division, users["director2"].division
    assert (director.kind, director.parent.name) == ("community", "友谊大街街道")
    assert (director2.kind, director2.parent.name) == ("village", "昆河镇")
    assert len(director.code) == len(director2.code) == 12
    assert users["socialworker"].organisation.name == "童心有梦社会工作服务中心"
    assert users["partner"].organisation.kind == "charity"
    assert users["dataofficer"].organisation.department == "education"


def test_divisions_form_the_district_tree(demo):
    district = Division.objects.get(code="150203")
    assert district.name == "昆都仑区" and district.parent.code == "1502"
    streets = Division.objects.filter(parent=district)
    assert streets.count() == 16
    assert set(streets.filter(kind="town").values_list("name", flat=True)) == {
        "昆河镇",
        "卜尔汉图镇",
    }
    for place in Division.objects.filter(level=5):
        assert place.code.startswith(place.parent.code) and len(place.code) == 12
        assert place.kind == ("village" if place.parent.kind == "town" else "community")


# --- people -----------------------------------------------------------------------------------


def test_id_numbers_are_valid_and_agree_with_birth_date_and_sex(demo):
    people = list(Person.objects.all())
    assert len(people) > 300
    for person in people:
        assert person.name_key == names.search_key(person.name)
        if person.id_number:
            idnumber.validate(person.id_number, birth_date=person.birth_date, sex=person.sex)


def test_only_migrant_children_and_foreigners_lack_an_id_number(demo):
    for person in Person.objects.filter(id_number=None):
        child = Child.objects.filter(person=person).first()
        if child is not None:
            assert child.categories.filter(category="migrant").exists()
        else:
            assert person.situations.filter(kind="deported").exists()
    assert Child.objects.filter(person__id_number=None).exists()


def test_children_are_under_18_and_every_minor_has_a_profile(demo):
    today = timezone.localdate()
    # Former children kept for their scholarship (demo/funds.py) are 18+ and marked aged out.
    for child in Child.objects.select_related("person").exclude(status="aged_out"):
        assert child.person.age_on(today) < 18
    for child in Child.objects.select_related("person").filter(status="aged_out"):
        assert child.person.age_on(today) >= 18
    for person in Person.objects.filter(child=None):
        assert person.age_on(today) >= 18


def test_each_child_has_one_guardian_unless_raised_in_an_institution(demo):
    for child in Child.objects.select_related("person").exclude(status="aged_out"):
        guardians = Relation.objects.filter(child=child.person, is_guardian=True).count()
        assert guardians == (0 if child.living == "institution" else 1)
        assert set(_parents(child)) == {"father", "mother"}


# --- categories follow DOMAIN.md --------------------------------------------------------------


def _is_dead(sit: Situation, today: date) -> bool:
    return sit.kind in DEATH and sit.started_on <= today


def _in_one_of_eight(sit: Situation, today: date) -> bool:
    if sit.started_on > today or (sit.ended_on is not None and sit.ended_on < today):
        return False
    if sit.kind == "severe_disability":
        match = DISABILITY.search(sit.detail)
        return bool(match) and (match[2] in "一二" or match[1] in ("智力", "精神"))
    if sit.kind in TERMS:
        return sit.ended_on is None or sit.ended_on >= _months_later(sit.started_on, 6)
    if sit.kind == "lost_contact":
        return _months_later(sit.started_on, 6) <= today
    return sit.kind in {"serious_illness", "guardianship_revoked", "deported"}


def _dfuc_qualifies(father: Person, mother: Person, today: date) -> bool:
    f_sits, m_sits = list(father.situations.all()), list(mother.situations.all())
    f_dead = any(_is_dead(s, today) for s in f_sits)
    m_dead = any(_is_dead(s, today) for s in m_sits)
    f_eight = any(_in_one_of_eight(s, today) for s in f_sits)
    m_eight = any(_in_one_of_eight(s, today) for s in m_sits)
    if f_dead and m_dead:
        return False  # an orphan, not DFUC
    return (f_eight and m_eight) or (f_dead and m_eight) or (m_dead and f_eight)


def test_every_category_and_status_occurs(demo):
    approved = demo["approved"]
    for category in ("orphan", "dfuc", "difficulty", "left_behind", "migrant"):
        assert approved.get(category, 0) >= 1, category
    statuses = set(CategoryAssignment.objects.values_list("status", flat=True))
    assert statuses == {"candidate", "verified", "approved", "ended"}


def test_approved_orphans_have_two_dead_parents(demo):
    today = timezone.localdate()
    orphans = CategoryAssignment.objects.filter(category="orphan", status="approved")
    assert orphans.exists()
    for assignment in orphans.select_related("child__person"):
        parents = _parents(assignment.child)
        for parent in parents.values():
            assert any(_is_dead(s, today) for s in parent.situations.all()), parent.name


def test_approved_dfuc_children_meet_the_rule(demo):
    today = timezone.localdate()
    dfuc = CategoryAssignment.objects.filter(category="dfuc", status="approved")
    assert dfuc.exists()
    for assignment in dfuc.select_related("child__person"):
        parents = _parents(assignment.child)
        assert _dfuc_qualifies(parents["father"], parents["mother"], today)


def test_approvals_name_the_bureau(demo):
    bureau = User.objects.get(username="bureau")
    for assignment in CategoryAssignment.objects.filter(status__in=["approved", "ended"]):
        assert assignment.approved_by_id == bureau.pk
        assert assignment.approved_at is not None and assignment.effective_from is not None
        assert assignment.proposed_at <= assignment.approved_at
        if assignment.status == "ended":
            assert assignment.ended_reason and assignment.effective_to


def test_wang_xiaohai_is_in_the_directors_community(demo):
    director = User.objects.get(username="director")
    child = Child.objects.select_related("person").get(person__name="王小海")
    boy = child.person
    assert child.division == director.division
    assert (boy.sex, boy.age_on(timezone.localdate())) == ("M", 9)
    assert "xh" in boy.name_key
    parents = _parents(child)
    assert parents["father"].situations.filter(kind="dead").exists()
    mother = Relation.objects.get(child=boy, is_guardian=True).relative
    assert mother == parents["mother"] and mother.household_id == boy.household_id
    assert child.categories.filter(category="difficulty", status="approved").exists()
    assert ChildAssignment.objects.filter(
        child=child, organisation__name="童心有梦社会工作服务中心", until=None
    ).exists()
    # The browser test types "xh" as the director: 王小海 must be the only match there.
    others = Child.objects.filter(division=director.division, person__name_key__contains="xh")
    assert list(others) == [child]


# --- running it -------------------------------------------------------------------------------


def test_running_again_adds_nothing(demo):
    before = {model: model.objects.count() for model in MODELS}
    again = generator.generate("small")
    assert again["created"] is False
    assert again["children"] == before[Child]
    assert {model: model.objects.count() for model in MODELS} == before


def test_keeps_other_data_and_skips_taken_id_numbers(db):
    foreign = Division.objects.create(code="15", name="内蒙古", level=1, kind="province")
    today = timezone.localdate()
    # The number 王小海 would get on an empty database is already someone else's.
    rows = _rows(seed=generator.DEFAULT_SEED, today=today)
    taken = next(r[3] for _, batch in rows for r in batch["person"] if r[1] == "王小海")
    stranger = Person.objects.create(
        name="外来人", sex="M", birth_date=idnumber.parse(taken).birth_date, id_number=taken
    )
    generator.generate("small")
    foreign.refresh_from_db()
    assert foreign.name == "内蒙古"  # an existing division keeps its name
    assert Person.objects.get(pk=stranger.pk).id_number == taken
    assert Person.objects.get(name="王小海").id_number not in (None, taken)


def test_command_prints_progress_and_accounts(db):
    out = io.StringIO()
    call_command("demo_data", "--size", "small", stdout=out)
    text = out.getvalue()
    assert "人员" in text and "director2" in text and "huhang-demo" in text
    quiet = io.StringIO()
    call_command("demo_data", "--size", "small", verbosity=0, stdout=quiet)
    assert quiet.getvalue() == ""


# --- determinism (pure row generation, no database) -------------------------------------------


def _rows(seed: int, today: date = date(2025, 6, 1)) -> list:
    ctx = synth.Context(
        size="small",
        seed=seed,
        today=today,
        now=datetime(2025, 6, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        users={"bureau": 1, "supervisor": 2, "director": 3, "director2": 4},
        social_work_org=1,
    )
    return [(community.code, batch.rows) for community, batch in synth.iter_batches(ctx)]


def test_same_seed_gives_the_same_rows():
    first, second = _rows(seed=7), _rows(seed=7)
    assert first == second
    people = [r for _, batch in first for r in batch["person"]]
    assert len({r[3] for r in people if r[3]}) == sum(1 for r in people if r[3])
    other = _rows(seed=8)
    assert [r[1] for _, b in other for r in b["person"]] != [r[1] for r in people]
