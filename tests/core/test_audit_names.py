"""The audit page names people as people know them, with their role's label: not logins and
not role codes (issue 13: "data_officer" and logins were shown)."""

from __future__ import annotations

from django.urls import reverse

from huhang.core.audit import audit_record


def test_the_audit_page_shows_names_and_role_labels(users, login):
    officer = users["dataofficer"]
    officer.last_name, officer.first_name = "周", "敏"
    officer.save()
    audit_record(by=officer, action="view", object_type="feed", object_id=1, label="教育数据")
    html = login(users["auditor"]).get(reverse("core:audit_list")).content.decode()
    rows = html[html.index("<tbody>") : html.index("</tbody>")]
    assert "周敏" in rows and "部门数据专员" in rows
    assert "data_officer" not in rows and ">dataofficer<" not in rows
    assert 'class="nowrap">' in rows  # the action (登录, 查看) never wraps a character a line


def test_a_deleted_user_is_still_named_by_its_login(users, login):
    officer = users["dataofficer"]
    audit_record(by=officer, action="view", object_type="feed", object_id=1, label="x")
    officer.delete()
    html = login(users["auditor"]).get(reverse("core:audit_list")).content.decode()
    assert "dataofficer" in html[html.index("<tbody>") : html.index("</tbody>")]
