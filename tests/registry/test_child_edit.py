"""Editing an archive: saved changes are audited; a stale form is refused (no lost update)."""

from __future__ import annotations

from django.urls import reverse

from huhang.core.models import AuditEvent
from huhang.registry.models import Child


def _edit_data(child, **overrides):
    person = child.person
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "division": child.division_id,
        "living": child.living,
        "school": child.school,
        "version": child.version,
    }
    data.update(overrides)
    return data


def test_edit_saves_and_audits_the_changed_fields(users, children, login):
    child = children["xiaohai"]
    url = reverse("registry:child_edit", args=[child.pk])
    response = login(users["director"]).post(url, _edit_data(child, school="钢铁大街小学"))
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.school == "钢铁大街小学"
    assert child.version == 2
    event = AuditEvent.objects.get(action="change", object_id=str(child.pk))
    assert event.detail["fields"] == ["school"]


def test_second_save_of_the_same_version_is_refused(users, children, login, client):
    child = children["xiaohai"]
    url = reverse("registry:child_edit", args=[child.pk])
    # Two people open the form at version 1.
    first = _edit_data(child, school="第一人填写的学校")
    second = _edit_data(child, school="第二人填写的学校")
    login(users["director"]).post(url, first)
    response = login(users["supervisor"]).post(url, second)
    assert response.status_code == 409
    assert "已被他人修改" in response.content.decode()
    child.refresh_from_db()
    assert child.school == "第一人填写的学校"
    assert child.version == 2


def test_refused_save_writes_nothing(users, children, login):
    child = children["xiaohai"]
    Child.objects.filter(pk=child.pk).update(version=5)
    url = reverse("registry:child_edit", args=[child.pk])
    login(users["director"]).post(url, _edit_data(child, name="改名", version=4))
    child.refresh_from_db()
    assert child.person.name == "王小海"
    assert not AuditEvent.objects.filter(action="change").exists()


def test_edit_moving_child_out_of_scope_is_refused(users, children, tree, login):
    child = children["xiaohai"]
    url = reverse("registry:child_edit", args=[child.pk])
    response = login(users["director"]).post(url, _edit_data(child, division=tree["c2"].code))
    assert response.status_code == 200
    assert "division" in response.context["form"].errors
    child.refresh_from_db()
    assert child.division == tree["c1"] and child.version == 1


def test_renamed_child_is_found_by_its_new_name_only(users, children, login):
    child = children["xiaohai"]
    client = login(users["director"])
    client.post(reverse("registry:child_edit", args=[child.pk]), _edit_data(child, name="王小河"))

    def found(q):
        page = client.get(reverse("registry:child_list"), {"q": q}).context["page"]
        return {c.person.name for c in page}

    assert found("wangxiaohe") == {"王小河"}
    assert found("wangxiaohai") == set()


def test_search_fields_refresh_is_set_based(children, django_assert_num_queries):
    from huhang.registry.services import child_search_fields_refresh

    Child.objects.update(search_name="", search_id="", search_last="", search_birth=None)
    with django_assert_num_queries(1):
        assert child_search_fields_refresh(Child.objects.all()) == 3
    xiaohai = Child.objects.get(pk=children["xiaohai"].pk)
    assert xiaohai.search_name.startswith("王小海 wangxiaohai")
    # The number is encrypted at rest: the copy is its blind index and its last digits.
    assert xiaohai.search_id == xiaohai.person.id_index
    assert xiaohai.search_id != xiaohai.person.id_number
    assert xiaohai.search_last == xiaohai.person.id_number[-6:]
