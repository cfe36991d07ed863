"""The children list: search by name, pinyin, initials and ID digits; filters; masking; queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from huhang.core.masking import mask_id_number, mask_id_strict
from huhang.core.models import AuditEvent
from tests.factories.registry import CategoryFactory, ChildFactory, PersonFactory


def names_in(response) -> set[str]:
    return {child.person.name for child in response.context["page"]}


@pytest.mark.parametrize(
    "q", ["王小海", "小海", "xiaohai", "wangxiaohai", "xh", "wxh", "XH", "王 小海"]
)
def test_search_by_name_pinyin_and_initials(q, users, children, login):
    response = login(users["bureau"]).get(reverse("registry:child_list"), {"q": q})
    assert names_in(response) == {"王小海"}


def test_search_traditional_characters_finds_simplified_name(users, children, login):
    response = login(users["bureau"]).get(reverse("registry:child_list"), {"q": "張偉"})
    assert names_in(response) == {"张伟"}


def test_search_by_last_digits_of_id_number(users, children, login):
    number = children["c2"].person.id_number
    response = login(users["bureau"]).get(reverse("registry:child_list"), {"q": number[-6:]})
    assert names_in(response) == {"李梅"}


def test_search_does_not_reach_outside_the_scope(users, children, login):
    response = login(users["director"]).get(reverse("registry:child_list"), {"q": "zw"})
    assert names_in(response) == set()


def test_filter_by_division(users, children, tree, login):
    response = login(users["bureau"]).get(
        reverse("registry:child_list"), {"division": tree["street"].code}
    )
    assert names_in(response) == {"王小海", "李梅"}


def test_division_filter_outside_scope_is_ignored_not_leaked(users, children, tree, login):
    response = login(users["director"]).get(
        reverse("registry:child_list"), {"division": tree["village"].code}
    )
    # Not a valid choice for the director: the filter is dropped, the scope still holds.
    assert names_in(response) == {"王小海"}


def test_filter_by_category_and_status(users, children, login):
    CategoryFactory(child=children["c2"], category="dfuc", basis="父母均服刑")
    CategoryFactory(
        child=children["xiaohai"],
        category="difficulty",
        approved=True,
        basis="低保",
        effective_from=timezone.localdate(),
    )
    client = login(users["bureau"])
    url = reverse("registry:child_list")
    assert names_in(client.get(url, {"category": "dfuc"})) == {"李梅"}
    assert names_in(client.get(url, {"status": "approved"})) == {"王小海"}
    assert names_in(client.get(url, {"category": "dfuc", "status": "approved"})) == set()


def test_filter_by_age_band(users, children, login):
    client = login(users["bureau"])
    url = reverse("registry:child_list")
    assert names_in(client.get(url, {"age_band": "6-11"})) >= {"王小海", "张伟"}
    assert "李梅" in names_in(client.get(url, {"age_band": "12-15"}))
    assert names_in(client.get(url, {"age_band": "0-2"})) == set()


def test_id_numbers_are_masked_in_the_list(users, children, login):
    body = login(users["bureau"]).get(reverse("registry:child_list")).content.decode()
    for child in children.values():
        number = child.person.id_number
        assert number not in body
        assert mask_id_number(number) in body


def test_full_id_number_only_on_the_archive_for_allowed_roles(users, children, login):
    child = children["xiaohai"]
    number = child.person.id_number
    url = reverse("workbench:child_detail", args=[child.pk])
    assert number in login(users["director"]).get(url).content.decode()
    body = login(users["socialworker"]).get(url).content.decode()
    # A role without full_id sees the region only, and the age instead of the birth date.
    assert number not in body and mask_id_number(number) not in body
    assert mask_id_strict(number) in body
    assert child.person.birth_date.isoformat() not in body


def test_each_search_is_audited(users, children, login):
    login(users["director"]).get(reverse("registry:child_list"), {"q": "xh"})
    event = AuditEvent.objects.get(action="search")
    assert event.username == "director"
    assert event.detail == {"q": "xh"}


def test_htmx_request_gets_only_the_results_fragment(users, children, login):
    response = login(users["bureau"]).get(
        reverse("registry:child_list"), {"q": "xh"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "<html" not in body


def _queries_for_page(client, page_size, settings) -> int:
    settings.HUHANG_PAGE_SIZE = page_size
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("registry:child_list"))
    assert len(response.context["page"].object_list) == page_size
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_page_size(users, tree, login, settings):
    birth = timezone.localdate() - timedelta(days=365 * 8)
    for i in range(30):
        child = ChildFactory(
            person=PersonFactory(name=f"测试{i}", birth_date=birth), division=tree["c1"]
        )
        CategoryFactory(child=child, category="left_behind", basis="父母外出")
    client = login(users["bureau"])
    small = _queries_for_page(client, 5, settings)
    large = _queries_for_page(client, 25, settings)
    assert small == large


def test_list_query_count_is_pinned(users, children, login, django_assert_num_queries):
    client = login(users["bureau"])
    client.get(reverse("registry:child_list"))  # warm the session
    # session, user, user's division (menu), audit (3: the chain's head, insert, head), count, division choices, page rows,
    # open categories, then the session's save (savepoint, update, release).
    with django_assert_num_queries(13):
        client.get(reverse("registry:child_list"))


def test_export_is_masked_scoped_and_audited_per_child(users, children, login):
    response = login(users["supervisor"]).get(
        reverse("registry:child_export"), {"encoding": "gb18030"}
    )
    body = response.content.decode("gb18030")
    assert response["Content-Type"] == "text/csv; charset=GB18030; header=present"
    assert "王小海" in body and "李梅" in body and "张伟" not in body
    assert children["xiaohai"].person.id_number not in body
    exported = set(AuditEvent.objects.filter(action="export").values_list("object_id", flat=True))
    assert exported == {str(children["xiaohai"].pk), str(children["c2"].pk)}


def test_export_in_utf8_with_or_without_bom(users, children, login):
    client = login(users["bureau"])
    response = client.get(reverse("registry:child_export"))
    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert not response.content.startswith("\ufeff".encode())
    assert "王小海" in response.content.decode("utf-8")
    response = client.get(reverse("registry:child_export"), {"encoding": "utf-8-bom"})
    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert response.content.startswith("\ufeff".encode())


def test_api_lists_only_the_scope_with_masked_numbers(users, children, login):
    response = login(users["director"]).get("/api/children")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["name"] for i in items] == ["王小海"]
    assert items[0]["id_number"] == mask_id_number(children["xiaohai"].person.id_number)


def test_api_detail_out_of_scope_is_404(users, children, login):
    client = login(users["director"])
    assert client.get(f"/api/children/{children['village'].pk}").status_code == 404
    assert client.get(f"/api/children/{children['xiaohai'].pk}").status_code == 200
    assert login(users["partner"]).get("/api/children").status_code == 403


def test_api_and_export_show_a_role_without_full_id_the_strict_mask_and_the_age(
    users, children, login
):
    child = children["xiaohai"]
    number, birth = child.person.id_number, child.person.birth_date
    client = login(users["socialworker"])
    item = client.get(f"/api/children/{child.pk}").json()
    assert item["id_number"] == mask_id_strict(number)
    assert item["birth_date"] is None and isinstance(item["age"], int)
    body = client.get(reverse("registry:child_export")).content.decode()
    assert mask_id_strict(number) in body and mask_id_number(number) not in body
    assert birth.isoformat() not in body and "年龄" in body
    director = login(users["director"]).get(f"/api/children/{child.pk}").json()
    assert director["birth_date"] == birth.isoformat()
    assert director["id_number"] == mask_id_number(number)


def test_a_role_without_full_id_cannot_learn_digits_by_searching(users, children, login):
    number = children["xiaohai"].person.id_number
    client = login(users["socialworker"])
    url = reverse("registry:child_list")
    assert "王小海" not in client.get(url, {"q": number[-4:]}).content.decode()
    assert "王小海" in client.get(url, {"q": number}).content.decode()
    assert "王小海" in login(users["director"]).get(url, {"q": number[-4:]}).content.decode()
