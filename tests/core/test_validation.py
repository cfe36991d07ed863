"""core.validation: the checks the services make before a write, and a row validated before it
is saved."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from huhang.accounts.models import Organisation
from huhang.cases.models import Art92, EmergencyProtection, Placement
from huhang.core.exceptions import DomainError
from huhang.core.validation import (
    check_period,
    create_checked,
    in_scope,
    not_future,
    required_text,
)

TODAY = date(2026, 5, 20)
NOW = datetime(2026, 5, 20, 10, 0, tzinfo=timezone.get_fixed_timezone(480))


def test_required_text_strips_and_refuses_a_blank_one_on_its_field():
    assert required_text("  依据  ", "请填写。", field="basis") == "依据"
    with pytest.raises(DomainError) as refused:
        required_text(" \n\t", "请填写认定依据。", field="basis")
    assert (refused.value.message, refused.value.field) == ("请填写认定依据。", "basis")


def test_not_future_days_against_today(time_machine):
    time_machine.move_to(NOW)
    not_future(TODAY, "不能晚于今天。", field="on")
    not_future(None, "不能晚于今天。", field="on")
    with pytest.raises(DomainError) as refused:
        not_future(date(2026, 5, 21), "日期不能晚于今天。", field="on")
    assert (refused.value.message, refused.value.field) == ("日期不能晚于今天。", "on")


def test_not_future_moments_against_now(time_machine):
    time_machine.move_to(NOW)
    not_future(NOW, "时间不能晚于现在。", field="at")
    with pytest.raises(DomainError, match="时间不能晚于现在。"):
        not_future(datetime(2026, 5, 20, 10, 1, tzinfo=NOW.tzinfo), "时间不能晚于现在。")


def test_not_future_takes_the_callers_today():
    not_future(date(2026, 5, 21), "x", field="on", today=date(2026, 5, 21))
    with pytest.raises(DomainError):
        not_future(date(2026, 5, 21), "x", field="on", today=TODAY)


def test_check_period_refuses_an_end_before_the_start_only():
    check_period(TODAY, TODAY, "x", field="ends_on")
    check_period(TODAY, None, "x", field="ends_on")
    check_period(None, TODAY, "x", field="ends_on")
    with pytest.raises(DomainError) as refused:
        check_period(TODAY, date(2026, 5, 19), "终止日期不能早于起始日期。", field="ends_on")
    assert (refused.value.message, refused.value.field) == ("终止日期不能早于起始日期。", "ends_on")


def test_in_scope_refuses_a_record_the_user_may_not_see(users, children):
    director = users["director"]  # bound to 友谊一社区
    in_scope(director, children["xiaohai"], "找不到该儿童档案。", field="child")
    with pytest.raises(DomainError) as refused:
        in_scope(director, children["c2"], "找不到该儿童档案。", field="child")
    assert (refused.value.message, refused.value.field) == ("找不到该儿童档案。", "child")


def test_create_checked_validates_before_it_saves(db):
    org = create_checked(Organisation, name="包头市爱心企业", kind="company")
    assert Organisation.objects.get(pk=org.pk).name == "包头市爱心企业"
    with pytest.raises(ValidationError):
        create_checked(Organisation, name="某机构", kind="no-such-kind")
    assert not Organisation.objects.filter(name="某机构").exists()


def _open_emergency(child, by, refusal=None):
    return create_checked(
        EmergencyProtection,
        refusal=refusal,
        child=child,
        situation=Art92.UNIDENTIFIED,
        taken_in_at=NOW,
        placement=Placement.WELFARE,
        placement_detail="市儿童福利院",
        opened_by=by,
    )


def test_create_checked_leaves_a_constraint_to_the_database_with_a_refusal(children, users):
    child, by = children["xiaohai"], users["bureau"]
    first = _open_emergency(child, by, refusal=DomainError("已有未解除的临时监护。"))
    with transaction.atomic():
        with pytest.raises(DomainError, match="已有未解除的临时监护。"):
            _open_emergency(child, by, refusal=DomainError("已有未解除的临时监护。"))
        # The refusal came from a savepoint: the transaction goes on.
        assert EmergencyProtection.objects.filter(child=child).count() == 1
    assert EmergencyProtection.objects.get(child=child).pk == first.pk


def test_create_checked_without_a_refusal_checks_the_constraints_itself(children, users):
    child, by = children["xiaohai"], users["bureau"]
    _open_emergency(child, by)
    with pytest.raises(ValidationError):
        _open_emergency(child, by)
    assert EmergencyProtection.objects.filter(child=child).count() == 1
