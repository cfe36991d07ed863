"""The installable, offline-first app (issue 13, part 1): the service worker, the manifest and
icons, which pages the phone may keep, and the list of pages it keeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image

from huhang.core.offline import OFFLINE_HEADER, USER_HEADER
from tests.factories.cases import CaseFactory

ICONS = Path(__file__).resolve().parents[2] / "src/huhang/core/static/huhang/icons"


def test_the_service_worker_is_served_at_the_root_to_anyone(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    text = response.content.decode()
    # The worker keeps only pages that say so, and imports the outbox from our static files.
    assert "X-Huhang-Offline" in text
    assert 'importScripts("/static/huhang/outbox.js' in text
    assert "{%" not in text and "{{" not in text


def test_the_service_worker_forgets_the_pages_after_the_offline_hours(client, settings):
    settings.HUHANG_OFFLINE_HOURS = 5
    assert "const OFFLINE_HOURS = 5;" in client.get("/sw.js").content.decode()


def test_the_manifest_names_the_app_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["short_name"] == "护航"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    sizes = {i["sizes"] for i in manifest["icons"] if i["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    assert any(i.get("purpose") == "maskable" for i in manifest["icons"])
    for icon in manifest["icons"]:
        name = icon["src"].removeprefix("/static/")
        assert finders.find(name), icon["src"]


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("icon-192.png", (192, 192)),
        ("icon-512.png", (512, 512)),
        ("maskable-512.png", (512, 512)),
        ("apple-touch-icon.png", (180, 180)),
    ],
)
def test_the_icons_have_their_sizes(name, size):
    with Image.open(ICONS / name) as image:
        assert image.size == size
        # A maskable icon fills its square (no transparent corners for the launcher to show).
        if name.startswith(("maskable", "apple")):
            assert image.convert("RGBA").getpixel((0, 0))[3] == 255


def test_the_favicon_holds_the_usual_sizes(client):
    with Image.open(ICONS / "favicon.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48)} <= set(ico.info["sizes"])
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/huhang/icons/favicon.ico")


def test_every_page_links_the_manifest_the_favicon_and_the_scripts(users, login):
    html = login(users["director"]).get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert "icons/favicon.ico" in html
    assert "huhang/offline.js" in html and "huhang/outbox.js" in html
    assert 'id="outbox-badge"' in html
    assert f'data-user="{users["director"].pk}"' in html


def test_the_login_page_names_no_user_so_the_phone_forgets_the_pages(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "data-user" not in html and "huhang/offline.js" in html


def test_a_role_without_field_work_gets_no_badge_and_no_list(users, login):
    html = login(users["auditor"]).get("/").content.decode()
    assert 'id="outbox-badge"' not in html and "data-offline-pages" not in html


OFFLINE_PAGES = ["/", "/cases/visits/", "/cases/visits/children/", "/cases/visits/outbox/"]


@pytest.mark.parametrize("url", OFFLINE_PAGES)
def test_the_field_pages_may_be_kept_on_the_phone(users, login, url):
    director = users["director"]
    response = login(director).get(url)
    assert response.status_code == 200
    assert response[OFFLINE_HEADER] == "page"
    assert response[USER_HEADER] == str(director.pk)


def test_the_visit_form_may_be_kept_but_not_its_refusal(users, children, login):
    client = login(users["director"])
    url = f"{reverse('cases:visit_create')}?child={children['xiaohai'].pk}"
    assert client.get(url)[OFFLINE_HEADER] == "page"
    refused = client.post(url, {"visited_on": "", "findings": ""})
    assert refused.status_code == 200 and OFFLINE_HEADER not in refused


@pytest.mark.parametrize(
    "name", ["registry:child_list", "cases:case_list", "workbench:inbox", "core:audit_list"]
)
def test_other_pages_are_never_kept(users, login, name):
    response = login(users["bureau"]).get(reverse(name))
    assert response.status_code == 200
    assert OFFLINE_HEADER not in response


def test_the_archive_with_the_full_id_number_is_never_kept(users, children, login):
    child = children["xiaohai"]
    response = login(users["director"]).get(reverse("workbench:child_detail", args=[child.pk]))
    assert child.person.id_number in response.content.decode()
    assert OFFLINE_HEADER not in response


def test_no_kept_page_shows_a_full_id_number(users, children, login):
    child = children["xiaohai"]
    CaseFactory(child=child, opened_by=users["director"], high_risk=True)
    client = login(users["director"])
    form = f"{reverse('cases:visit_create')}?child={child.pk}"
    for url in [*OFFLINE_PAGES, form]:
        response = client.get(url)
        assert response[OFFLINE_HEADER] == "page"
        body = response.content.decode()
        assert child.person.id_number not in body, url
        assert "/documents/" not in body, url


def test_the_list_of_pages_to_keep_is_the_users_own(users, children, login):
    response = login(users["director"]).get(reverse("workbench:offline_pages"))
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == str(users["director"].pk)
    assert body["sync"] == reverse("cases:visit_sync")
    assert body["pages"][:4] == OFFLINE_PAGES
    form = reverse("cases:visit_create")
    assert f"{form}?child={children['xiaohai'].pk}" in body["pages"]
    assert f"{form}?child={children['c2'].pk}" not in body["pages"]  # another community's


def test_the_list_of_pages_to_keep_is_capped(users, children, login, settings):
    settings.HUHANG_OFFLINE_FORMS = 0
    pages = login(users["supervisor"]).get(reverse("workbench:offline_pages")).json()["pages"]
    assert pages == OFFLINE_PAGES


@pytest.mark.parametrize("role", ["bureau", "partner", "dataofficer", "auditor"])
def test_roles_without_field_work_get_no_list(users, login, role):
    assert login(users[role]).get(reverse("workbench:offline_pages")).status_code == 403


def test_the_bureau_sends_visits_but_keeps_no_pages(users, login):
    html = login(users["bureau"]).get("/").content.decode()
    assert "data-outbox-sync" in html and "data-offline-pages" not in html


def test_no_template_has_inline_script_or_style_in_the_service_worker_pages():
    """The outbox page and the children list keep to the CSP (no inline script or style)."""
    root = Path(__file__).resolve().parents[2] / "src/huhang/cases/templates/cases/visits"
    for name in ("children.html", "outbox.html", "form.html"):
        text = (root / name).read_text()
        assert "<script" not in text and "<style" not in text and "style=" not in text


@pytest.mark.parametrize("path", ["/sw.js", "/manifest.webmanifest", "/favicon.ico"])
def test_the_app_files_never_touch_the_session(users, login, path):
    """The browser fetches them beside the pages; were the session read, it would be written
    back at the end (SESSION_SAVE_EVERY_REQUEST) over what a page changed meanwhile."""
    client = login(users["director"])
    assert "sessionid" in client.cookies
    response = client.get(path)
    assert response.status_code in (200, 301)
    assert "sessionid" not in response.cookies
    assert client.get("/").cookies.get("sessionid")  # an ordinary page does write it


def test_a_page_kept_by_the_worker_leaves_the_flash_messages_for_the_user(users, login):
    """The worker fetches pages to keep while the user works: such a page must not use up the
    message meant for the page the user opens next (e.g. 探访已记录)."""
    from django.contrib import messages

    client = login(users["director"])
    response = client.get("/")
    messages.success(response.wsgi_request, "探访已记录")
    response.wsgi_request._messages.update(response)  # the cookie the next request carries
    client.cookies.update(response.cookies)
    kept = client.get("/", headers={"X-Huhang-Keep": "1"})
    assert "探访已记录" not in kept.content.decode()
    assert "探访已记录" in client.get("/").content.decode()
