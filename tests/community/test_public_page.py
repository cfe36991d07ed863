"""The station's public poster page: no login, brand, address, hours, recent activities without
children, and a QR code that encodes the page's own address."""

from __future__ import annotations

import uuid

from django.urls import reverse

from huhang.community.activities import services as activities


def test_public_page_without_login(client, stations, activity, children, users):
    activities.enrolment_add(by=users["supervisor"], activity=activity, child=children["xiaohai"])
    activities.activity_summarise(by=users["supervisor"], activity=activity, summary="王小海很开心")
    station = stations["street"]
    url = reverse("community:station_public", args=[station.public_key])
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "友谊家·童心梦" in html
    assert "友谊大街18号" in html
    assert "沙盘游戏小组" in html
    assert "<svg" in html
    assert "community/poster.css" in html  # the A4 print rules (no inline style: CSP)
    # No child, not even through the summary.
    assert "小海" not in html
    assert children["xiaohai"].person.id_number not in html
    assert "http://testserver" + url in html


def test_qr_code_encodes_the_page(client, stations):
    station = stations["district"]
    url = reverse("community:station_qr", args=[station.public_key])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith("<svg")
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg


def test_qr_payload_matches_public_url(rf, stations):
    import segno

    station = stations["district"]
    page = "http://testserver" + reverse("community:station_public", args=[station.public_key])
    # The same payload gives the same matrix: the page shows the code of its own address.
    expected = segno.make(page, error="m").svg_inline(scale=5, title=station.name, omitsize=True)
    from django.test import Client

    html = Client().get(page.removeprefix("http://testserver")).content.decode()
    assert expected in html


def test_unknown_key_is_404(client, stations):
    url = reverse("community:station_public", args=[uuid.uuid4()])
    assert client.get(url).status_code == 404


def test_internal_pages_need_login(client, stations):
    response = client.get(reverse("community:station_detail", args=[stations["street"].pk]))
    assert response.status_code == 302
