"""The field worker's list of its children (cases.visits.selectors.field_children), coloured by
the one risk rule (cases.risk)."""

from __future__ import annotations

from huhang.cases.risk import GREEN, RED
from huhang.cases.visits.selectors import field_children
from huhang.core.models import AuditEvent
from tests.factories.cases import CaseFactory


def test_the_field_list_is_the_users_scope_red_first(users, children, tree):
    from tests.factories import ChildFactory, PersonFactory

    calm = ChildFactory(person=PersonFactory(name="安安", years=7), division=tree["c1"])
    CaseFactory(
        child=children["xiaohai"], opened_by=users["director"], high_risk=True, summary="住房"
    )
    rows = field_children(user=users["director"])
    assert [r.child for r in rows] == [children["xiaohai"], calm]
    assert rows[0].colour == RED and rows[0].cases == ("住房",)
    assert rows[1].colour == GREEN
    assert AuditEvent.objects.filter(action="search", object_label="我的儿童（外勤）").exists()


def test_the_field_list_leaves_out_children_no_longer_active(users, children):
    child = children["xiaohai"]
    child.status = "transferred"
    child.save()
    assert field_children(user=users["director"]) == []
