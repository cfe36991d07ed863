"""福彩圆梦·孤儿助学 and 金秋助学 lists, entered by hand: eligibility checks with clear refusals,
the scholarship paid once per school year and stopped when the student leaves full-time study,
金秋助学 once, for 低保/特困 households only."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from huhang.benefits import services
from huhang.benefits.models import Entitlement, Programme
from huhang.benefits.students import services as students
from huhang.core.exceptions import InvalidTransition
from tests.factories.benefits import PayrollRunFactory, confirmed
from tests.factories.registry import CategoryFactory, ChildFactory, PersonFactory
from tests.factories.registry_extra import HouseholdFactory

LIST, NEW = "/benefits/scholarship/", "/benefits/scholarship/new/"
AID_LIST, AID_NEW = "/benefits/autumn-aid/", "/benefits/autumn-aid/new/"
CST = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 8, 20, 10, 0, tzinfo=CST)


def student(tree, name, birth, *, category="orphan", status="approved", since=date(2020, 1, 1)):
    """A student with a category in `status` (approved or ended: effective from `since`)."""
    child = ChildFactory(person=PersonFactory(name=name, birth_date=birth), division=tree["c1"])
    steps = {
        "candidate": {},
        "verified": {"verified": True},
        "approved": {"approved": True, "effective_from": since},
        "ended": {"ended": True, "effective_from": since, "effective_to": None},
    }
    if category:
        reason = {"ended_reason": "年满18周岁"} if status == "ended" else {}
        CategoryFactory(child=child, category=category, basis="父母双亡", **steps[status], **reason)
    return child


def enrol_form(child, **overrides) -> dict:
    return {
        "id_number": child.person.id_number,
        "school_year": "2026",
        "school": "内蒙古科技大学",
        "full_time": "on",
        **overrides,
    }


@pytest.fixture
def scholarship(users):
    programme = Programme.objects.get(code="scholarship")
    services.standard_set(
        by=users["bureau"], programme=programme, effective_from=date(2025, 9, 1), amount_fen=1000000
    )
    return programme


@pytest.fixture
def lin(tree):
    """林晓: 18 on 10 May 2026, approved orphan since 2020 (category ended at 18)."""
    return student(tree, "林晓", date(2008, 5, 10), status="ended")


# --- Scholarship: eligibility ---------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_bureau_adds_an_eligible_student(users, lin, login):
    client = login(users["bureau"])
    response = client.post(NEW, enrol_form(lin))
    assert response.status_code == 302 and response["Location"] == LIST
    entitlement = Entitlement.objects.get(child=lin, programme_id="scholarship")
    assert entitlement.starts_on == date(2026, 9, 1) and entitlement.ends_on is None
    assert entitlement.basis == "内蒙古科技大学"
    html = client.get(LIST).content.decode()
    assert "林晓" in html and "2026–2027" in html and "在读" in html
    assert "数据比对筛查（线索）功能尚未上线" in html


@time_machine.travel(NOW, tick=False)
def test_a_dfuc_student_is_eligible_too(users, tree, login):
    child = student(tree, "周宁", date(2007, 3, 1), category="dfuc")
    assert login(users["bureau"]).post(NEW, enrol_form(child)).status_code == 302


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("birth", "kwargs", "message"),
    [
        (date(2008, 10, 1), {}, "助学对象须年满18周岁：该学生在 2026-09-01 时为 17 岁。"),
        (date(2008, 5, 10), {"category": None}, "该学生没有这样的认定记录"),
        (date(2008, 5, 10), {"category": "difficulty"}, "该学生没有这样的认定记录"),
        (date(2008, 5, 10), {"status": "verified"}, "该学生没有这样的认定记录"),
        (date(2008, 5, 10), {"status": "candidate"}, "该学生没有这样的认定记录"),
        # Approved only after turning 18 (on 10 May 2026): not an orphan as a child.
        (date(2008, 5, 10), {"since": date(2026, 5, 10)}, "年满18周岁（2026-05-10）前被认定"),
    ],
)
def test_ineligible_students_are_refused_and_nothing_saved(
    birth, kwargs, message, users, tree, login
):
    child = student(tree, "吴凡", birth, **kwargs)
    response = login(users["bureau"]).post(NEW, enrol_form(child))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Entitlement.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_approved_the_day_before_turning_18_is_enough(users, tree, login):
    child = student(tree, "郑好", date(2008, 5, 10), since=date(2026, 5, 9))
    assert login(users["bureau"]).post(NEW, enrol_form(child)).status_code == 302


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id_number": "150203200805100000"}, "未找到该身份证号的儿童档案"),
        ({"full_time": ""}, "这个字段是必填项"),
        ({"school": ""}, "这个字段是必填项"),
        ({"school_year": "1999"}, "确保该值大于或等于2000"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(overrides, message, users, lin, login):
    response = login(users["bureau"]).post(NEW, enrol_form(lin, **overrides))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Entitlement.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_student_is_listed_once(users, lin, login):
    client = login(users["bureau"])
    client.post(NEW, enrol_form(lin))
    response = client.post(NEW, enrol_form(lin, school_year="2027"))
    assert "该学生已在助学名单中" in response.content.decode()
    assert Entitlement.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_roles(users, lin, login):
    for role in ("supervisor", "auditor"):
        client = login(users[role])
        assert client.get(LIST).status_code == 200
        assert client.get(NEW).status_code == 403
        assert client.post(NEW, enrol_form(lin)).status_code == 403
    for role in ("director", "socialworker", "partner", "dataofficer"):
        assert login(users[role]).get(LIST).status_code == 403
    assert not Entitlement.objects.exists()
    client = login(users["bureau"])
    assert client.put(NEW).status_code == 405 and client.post(LIST).status_code == 405


# --- Scholarship: once per school year, stopped on leaving ----------------------------------------


@pytest.fixture
def enrolled(users, lin, scholarship):
    confirmed(
        services.payee_set(
            by=users["bureau"],
            child=lin,
            name="林晓",
            relation="本人",
            bank="中国银行包头分行",
            account="6216600000001234",
            valid_from=date(2026, 8, 1),
        )
    )
    return students.scholarship_enrol(
        by=users["bureau"], child=lin, school_year=2026, school="内蒙古科技大学"
    )


def test_the_scholarship_pays_10000_once_per_school_year(users, enrolled, scholarship):
    september = PayrollRunFactory(
        created_by=users["bureau"], programme=scholarship, month=date(2026, 9, 1), computed=True
    )
    assert september.line_count == 1 and september.total_fen == 1000000
    line = september.lines.get()
    assert line.for_month == date(2026, 9, 1) and line.amount_fen == 1000000
    for month in (date(2026, 10, 1), date(2027, 3, 1), date(2027, 8, 1)):
        later = PayrollRunFactory(
            created_by=users["bureau"], programme=scholarship, month=month, computed=True
        )
        assert (later.line_count, later.total_fen) == (0, 0), month
    next_year = PayrollRunFactory(
        created_by=users["bureau"], programme=scholarship, month=date(2027, 9, 1), computed=True
    )
    assert next_year.line_count == 1 and next_year.lines.get().for_month == date(2027, 9, 1)


def test_the_run_page_shows_10000_yuan(users, enrolled, scholarship, login):
    run = PayrollRunFactory(
        created_by=users["bureau"], programme=scholarship, month=date(2026, 9, 1), computed=True
    )
    html = login(users["bureau"]).get(f"/benefits/runs/{run.pk}/").content.decode()
    assert "10,000.00" in html


@time_machine.travel(datetime(2028, 1, 10, 9, 0, tzinfo=CST), tick=False)
def test_leaving_full_time_study_ends_with_the_last_school_year_paid(
    users, enrolled, scholarship, login
):
    PayrollRunFactory(
        created_by=users["bureau"], programme=scholarship, month=date(2026, 9, 1), computed=True
    )
    PayrollRunFactory(
        created_by=users["bureau"], programme=scholarship, month=date(2027, 9, 1), computed=True
    )
    client = login(users["bureau"])
    url = f"/benefits/scholarship/{enrolled.pk}/leave/"
    assert "离开全日制学习" in client.get(url).content.decode()
    response = client.post(url, {"left_on": "2028-01-05", "reason": "退学"})
    assert response.status_code == 302
    enrolled.refresh_from_db()
    assert enrolled.ends_on == date(2027, 9, 1)  # the 2027–2028 school year, already paid
    assert "离开全日制学习：退学" in enrolled.basis
    html = client.get(LIST).content.decode()
    assert "已离校，资助至 2027–2028 学年" in html
    after = PayrollRunFactory(
        created_by=users["bureau"], programme=scholarship, month=date(2028, 9, 1), computed=True
    )
    assert after.line_count == 0


@time_machine.travel(datetime(2027, 7, 10, 9, 0, tzinfo=CST), tick=False)
def test_leaving_in_summer_ends_with_the_year_just_finished(users, enrolled, scholarship, login):
    PayrollRunFactory(
        created_by=users["bureau"], programme=scholarship, month=date(2026, 9, 1), computed=True
    )
    client = login(users["bureau"])
    client.post(
        f"/benefits/scholarship/{enrolled.pk}/leave/", {"left_on": "2027-06-30", "reason": "毕业"}
    )
    enrolled.refresh_from_db()
    assert enrolled.ends_on == date(2026, 9, 1)
    assert (
        PayrollRunFactory(
            created_by=users["bureau"], programme=scholarship, month=date(2027, 9, 1), computed=True
        ).line_count
        == 0
    )


@time_machine.travel(datetime(2027, 7, 10, 9, 0, tzinfo=CST), tick=False)
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"left_on": "2026-06-30", "reason": "未入学"}, "离开日期早于资助起始学年（2026-09）"),
        ({"left_on": "2027-12-01", "reason": "退学"}, "离开日期不能晚于今天"),
        ({"left_on": "2027-06-30", "reason": ""}, "这个字段是必填项"),
    ],
)
def test_bad_leave_is_refused_and_nothing_changes(data, message, users, enrolled, login):
    response = login(users["bureau"]).post(f"/benefits/scholarship/{enrolled.pk}/leave/", data)
    assert response.status_code == 200 and message in response.content.decode()
    enrolled.refresh_from_db()
    assert enrolled.ends_on is None


@time_machine.travel(datetime(2027, 7, 10, 9, 0, tzinfo=CST), tick=False)
def test_leave_is_recorded_once_and_only_on_the_scholarship(users, enrolled, entitled, login):
    client = login(users["bureau"])
    url = f"/benefits/scholarship/{enrolled.pk}/leave/"
    client.post(url, {"left_on": "2027-06-30", "reason": "毕业"})
    response = client.post(url, {"left_on": "2027-07-01", "reason": "毕业"})
    assert "已登记该学生离开全日制学习" in response.content.decode()
    assert client.get(f"/benefits/scholarship/{entitled[0].pk}/leave/").status_code == 404
    assert login(users["supervisor"]).get(url).status_code == 403


@time_machine.travel(datetime(2027, 7, 10, 9, 0, tzinfo=CST), tick=False)
def test_a_leave_from_a_stale_page_is_refused_and_changes_nothing(users, bureau2, enrolled):
    # Two officers opened the leave page of the same student; the second saves after the
    # first. It must be refused, not move the end and add its note (it used to pass in silence:
    # its copy still said "no end", and the UPDATE did not ask).
    stale = Entitlement.objects.get(pk=enrolled.pk)
    students.scholarship_leave(
        by=users["bureau"], entitlement=enrolled, left_on=date(2027, 6, 30), reason="毕业"
    )
    first = Entitlement.objects.values("ends_on", "basis").get(pk=enrolled.pk)
    with pytest.raises(InvalidTransition, match="已登记该学生离开全日制学习"):
        students.scholarship_leave(
            by=bureau2, entitlement=stale, left_on=date(2027, 7, 1), reason="退学"
        )
    assert Entitlement.objects.values("ends_on", "basis").get(pk=enrolled.pk) == first


# --- 金秋助学 -------------------------------------------------------------------------------------


def graduate(tree, name, assistance):
    household = HouseholdFactory(division=tree["c2"], assistance=assistance)
    person = PersonFactory(name=name, years=18, household=household)
    return ChildFactory(person=person, division=tree["c2"], school_stage="senior")


def aid_form(child, **overrides) -> dict:
    return {
        "id_number": child.person.id_number,
        "month": "2026-08",
        "school": "包头市第九中学",
        "graduating": "on",
        "note": "志愿填报指导",
        **overrides,
    }


@pytest.mark.parametrize("assistance", ["urban_dibao", "rural_dibao", "tekun"])
def test_a_low_income_graduate_is_added_once(assistance, users, tree, login):
    child = graduate(tree, "何静", assistance)
    client = login(users["bureau"])
    response = client.post(AID_NEW, aid_form(child))
    assert response.status_code == 302 and response["Location"] == AID_LIST
    aid = Entitlement.objects.get(child=child, programme_id="autumn-aid")
    assert aid.starts_on == aid.ends_on == date(2026, 8, 1)
    html = client.get(AID_LIST).content.decode()
    assert "何静" in html and "2026-08" in html and "数据比对筛查（线索）功能尚未上线" in html
    again = client.post(AID_NEW, aid_form(child, month="2026-09"))
    assert "该学生已在金秋助学名单中（一次性资助）" in again.content.decode()
    assert Entitlement.objects.filter(programme_id="autumn-aid").count() == 1


@pytest.mark.parametrize("assistance", ["", None])
def test_a_graduate_without_low_income_assistance_is_refused(assistance, users, tree, login):
    if assistance is None:
        child = ChildFactory(person=PersonFactory(name="马可", years=18), division=tree["c2"])
    else:
        child = graduate(tree, "马可", assistance)
    response = login(users["bureau"]).post(AID_NEW, aid_form(child))
    assert response.status_code == 200
    assert "该学生的家庭户未登记城乡低保或特困供养" in response.content.decode()
    assert not Entitlement.objects.exists()


def test_autumn_aid_requires_the_graduation_check(users, tree, login):
    child = graduate(tree, "何静", "urban_dibao")
    response = login(users["bureau"]).post(AID_NEW, aid_form(child, graduating=""))
    assert "这个字段是必填项" in response.content.decode()
    assert not Entitlement.objects.exists()


def test_a_one_off_grant_is_paid_once(users, tree):
    child = graduate(tree, "何静", "tekun")
    programme = Programme.objects.get(code="autumn-aid")
    services.standard_set(
        by=users["bureau"], programme=programme, effective_from=date(2026, 1, 1), amount_fen=50000
    )
    confirmed(
        services.payee_set(
            by=users["bureau"],
            child=child,
            name="何静",
            relation="本人",
            bank="包商银行",
            account="6200000000002222",
            valid_from=date(2026, 1, 1),
        )
    )
    students.autumn_aid_enrol(
        by=users["bureau"], child=child, month=date(2026, 8, 1), school="九中"
    )
    august = PayrollRunFactory(
        created_by=users["bureau"], programme=programme, month=date(2026, 8, 1), computed=True
    )
    assert (august.line_count, august.total_fen) == (1, 50000)
    assert (
        PayrollRunFactory(
            created_by=users["bureau"], programme=programme, month=date(2026, 9, 1), computed=True
        ).line_count
        == 0
    )


def test_autumn_aid_roles(users, tree, login):
    child = graduate(tree, "何静", "urban_dibao")
    assert login(users["supervisor"]).get(AID_LIST).status_code == 200
    assert login(users["supervisor"]).post(AID_NEW, aid_form(child)).status_code == 403
    assert login(users["director"]).get(AID_LIST).status_code == 403
    assert not Entitlement.objects.exists()
