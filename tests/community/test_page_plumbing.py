"""The view plumbing of core.views as the community pages use it: create_view, file_view,
to_page, and list_view with a filter form."""

from __future__ import annotations

from datetime import date

from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.urls import reverse

from huhang.community.models import ActivityKind, Agreement, PartnerProfile
from huhang.core.views import to_page
from tests.factories.community import ActivityFactory


def test_a_create_page_needs_its_capability_and_takes_only_get_and_post(login, users):
    url = reverse("community:partner_create")
    assert login(users["director"]).get(url).status_code == 403
    client = login(users["bureau"])
    assert client.get(url).status_code == 200
    assert client.put(url).status_code == 405


def test_a_create_page_saves_through_the_service_says_so_and_goes_to_the_record(login, users):
    client = login(users["bureau"])
    response = client.post(
        reverse("community:partner_create"),
        {"name": "新公益组织", "kind": "social_org", "linked_on": "2026-01-01"},
    )
    partner = PartnerProfile.objects.get(organisation__name="新公益组织")
    assert partner.created_by == users["bureau"]
    assert response.status_code == 302
    assert response["Location"] == reverse("community:partner_detail", args=[partner.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["合作伙伴已保存。"]


def test_a_create_page_shows_the_form_again_when_invalid(login, users):
    response = login(users["bureau"]).post(reverse("community:partner_create"), {"name": "x"})
    assert response.status_code == 200
    assert response.context["title"] == "新增合作伙伴"
    assert response.context["form"].errors


def test_to_page_redirects_to_the_records_page(partner_profile):
    response = to_page("community:partner_detail")(partner_profile)
    assert response.status_code == 302
    assert response.url == reverse("community:partner_detail", args=[partner_profile.pk])


def test_a_stored_file_is_private_and_a_record_without_one_is_404(login, users, partner_profile):
    bare = Agreement.objects.create(
        partner=partner_profile,
        title="口头协议",
        signed_on=date(2026, 1, 1),
        starts_on=date(2026, 1, 1),
        created_by=users["bureau"],
    )
    signed = Agreement.objects.create(
        partner=partner_profile,
        title="书面协议",
        signed_on=date(2026, 1, 1),
        starts_on=date(2026, 1, 1),
        extension="pdf",
        content_type="application/pdf",
        file=ContentFile(b"%PDF-1.4 test", name="a.pdf"),
        created_by=users["bureau"],
    )
    client = login(users["bureau"])
    assert client.get(reverse("community:agreement_download", args=[bare.pk])).status_code == 404
    response = client.get(reverse("community:agreement_download", args=[signed.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_filtered_list_filters_by_the_valid_form_and_ignores_junk(login, users, stations):
    festival = ActivityFactory(station=stations["street"], kind=ActivityKind.FESTIVAL)
    other_kind = next(k for k in ActivityKind if k != ActivityKind.FESTIVAL)
    other = ActivityFactory(station=stations["street"], kind=other_kind)
    client = login(users["bureau"])
    url = reverse("community:activity_list")

    def shown(query: dict) -> set[int]:
        return {a.pk for a in client.get(url, query).context["page"].object_list}

    assert shown({"kind": other_kind.value}) == {other.pk}
    assert shown({"kind": "junk"}) == {festival.pk, other.pk}  # junk filters nothing
    assert shown({}) == {festival.pk, other.pk}
    assert client.get(url, {"kind": "junk"}).context["form"].errors
