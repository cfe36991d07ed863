"""Field work without a signal, in a real browser at 360 px (issue 13, acceptance): the service
worker keeps the field worker's pages, a visit with a photo is recorded offline and reaches the
server exactly once when the connection returns (also when a send is cut off and retried), and a
visit the server refuses stays in the outbox with the reason."""

from __future__ import annotations

import re
import time

import pytest
from django.db import OperationalError
from django.utils import timezone
from PIL import Image

from huhang.cases.models import CaseStatus, HomeVisit, VisitPhoto
from tests.conftest import PASSWORD
from tests.e2e.actions import log_out
from tests.e2e.conftest import phone_page
from tests.e2e.test_browser import assert_fits_viewport, log_in
from tests.factories.cases import CaseFactory

PAGE_CACHE_URLS = """
async () => {
  if (!(await caches.has('huhang-pages'))) return [];
  const cache = await caches.open('huhang-pages');
  return (await cache.keys()).map((r) => r.url);
}
"""
PAGE_CACHE_TEXT = """
async () => {
  if (!(await caches.has('huhang-pages'))) return '';
  const cache = await caches.open('huhang-pages');
  let text = '';
  for (const key of await cache.keys()) text += await (await cache.match(key)).text();
  return text;
}
"""
OUTBOX = "() => window.HuhangOutbox.list(document.body.dataset.user)"


@pytest.fixture
def phone(browser):
    """The phone of these tests runs the app's service worker (the other browser tests block
    it)."""
    yield from phone_page(browser, service_workers="allow")


def wait_for(check, what: str, seconds: float = 20.0):
    """Poll `check` until it returns something truthy (the service worker works in the
    background: there is no event of its own to wait for). The live server writes to the same
    in-memory SQLite database: a read while it writes is "locked" and simply tried again."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = check()
        except OperationalError:
            found = None
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"gave up waiting for {what}")


def photo_file(tmp_path, width=2400, height=1800):
    """A picture larger than the phone sends (it is resized to at most 1,600 px)."""
    path = tmp_path / "visit.jpg"
    image = Image.new("RGB", (width, height), (90, 140, 200))
    image.save(path, "JPEG", quality=85)
    return path


def start(phone, live_server, child) -> str:
    """Log the director in online and wait until the worker keeps the child's visit form."""
    page = phone
    page.goto(f"{live_server.url}/accounts/login/")
    log_in(page, "director", PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    form = f"{live_server.url}/cases/visits/new/?child={child.pk}"
    wait_for(lambda: form in page.evaluate(PAGE_CACHE_URLS), "the visit form in the page cache")
    return form


@pytest.mark.browser
def test_home_children_and_visit_form_open_offline(phone, live_server, users, children):
    from playwright.sync_api import expect

    page = phone
    xiaohai = children["xiaohai"]
    CaseFactory(child=xiaohai, opened_by=users["director"], high_risk=True, summary="住房困难")
    form = start(phone, live_server, xiaohai)
    wait_for(
        lambda: f"{live_server.url}/cases/visits/children/" in page.evaluate(PAGE_CACHE_URLS),
        "the children list in the page cache",
    )
    # No full ID number and no document on any page kept on the phone; nothing out of scope.
    kept = page.evaluate(PAGE_CACHE_TEXT)
    assert "王小海" in kept
    assert xiaohai.person.id_number not in kept
    assert "李梅" not in kept and "张伟" not in kept
    assert "/documents/" not in kept

    page.context.set_offline(True)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")
    page.goto(f"{live_server.url}/cases/visits/children/")
    card = page.locator(".field-children li", has_text="王小海")
    expect(card).to_have_attribute("data-risk", "red")  # an open high-risk case
    expect(card).to_contain_text("住房困难")
    assert_fits_viewport(page)
    page.goto(form)
    expect(page.get_by_role("heading", level=1)).to_have_text("记录入户探访")
    expect(page.get_by_label("探访情况")).to_be_visible()
    assert_fits_viewport(page)
    # A page never kept says so instead of the browser's error.
    page.goto(f"{live_server.url}/children/")
    expect(page.get_by_role("heading", level=1)).to_have_text("当前无网络")
    page.context.set_offline(False)


@pytest.mark.browser
def test_a_visit_recorded_offline_with_a_photo_reaches_the_server_once(
    phone, live_server, users, children, tmp_path
):
    from playwright.sync_api import expect

    page, context = phone, phone.context
    xiaohai = children["xiaohai"]
    form = start(phone, live_server, xiaohai)
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"latitude": 40.6512, "longitude": 109.8403, "accuracy": 18})

    context.set_offline(True)
    page.goto(form)
    page.get_by_label("探访情况").fill("孩子在家写作业，奶奶身体尚可")
    page.get_by_label("照片").set_input_files(photo_file(tmp_path))
    page.get_by_label("附上手机当前位置").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".outbox-note")).to_contain_text("已保存在手机上")
    badge = page.locator("#outbox-badge")
    expect(badge).to_be_visible()
    expect(badge.locator(".count")).to_have_text("1")
    assert not HomeVisit.objects.exists()

    context.set_offline(False)  # the `online` event sends the outbox
    wait_for(lambda: page.evaluate(OUTBOX) == [], "the outbox sent")
    expect(badge).to_be_hidden()
    page.reload()
    expect(badge).to_be_hidden()
    visit = HomeVisit.objects.get()
    assert visit.child == xiaohai and visit.findings == "孩子在家写作业，奶奶身体尚可"
    assert visit.client_id is not None
    assert float(visit.latitude) == pytest.approx(40.6512) and visit.accuracy_m == 18
    link = VisitPhoto.objects.get(visit=visit)
    original = Image.open(link.document.file)
    assert max(original.size) == 1600  # resized on the phone, proportions kept
    assert original.size == (1600, 1200)
    assert link.stamped is not None
    assert page.evaluate(OUTBOX) == []


@pytest.mark.browser
def test_a_send_cut_off_is_retried_and_stored_once(phone, live_server, users, children):
    from playwright.sync_api import expect

    page, context = phone, phone.context
    xiaohai = children["xiaohai"]
    form = start(phone, live_server, xiaohai)
    posts: list[int] = []

    def cut_first_answer(route):
        if route.request.method != "POST":
            route.continue_()
            return
        posts.append(1)
        if len(posts) == 1:
            route.fetch()  # the server stores the visit ...
            route.abort("connectionreset")  # ... and its answer never reaches the phone
        else:
            route.continue_()

    context.route("**/cases/visits/sync/", cut_first_answer)
    page.goto(form)
    page.get_by_label("探访情况").fill("监护人外出务工，孩子由姑姑照顾")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".outbox-note")).to_contain_text("已保存在手机上")
    assert posts == [1]
    assert HomeVisit.objects.count() == 1  # the first send was stored
    assert len(page.evaluate(OUTBOX)) == 1  # the phone does not know it arrived

    page.goto(f"{live_server.url}/cases/visits/outbox/")  # the next page load sends again
    expect(page.locator("#outbox-list")).to_contain_text("没有待发送的探访")
    assert len(posts) == 2
    assert HomeVisit.objects.filter(child=xiaohai).count() == 1
    assert page.evaluate(OUTBOX) == []


@pytest.mark.browser
def test_a_refused_visit_stays_in_the_outbox_with_its_reason(phone, live_server, users, children):
    from playwright.sync_api import expect

    page, context = phone, phone.context
    xiaohai = children["xiaohai"]
    case = CaseFactory(child=xiaohai, opened_by=users["director"], summary="心理疏导")
    form = start(phone, live_server, xiaohai)

    context.set_offline(True)
    page.goto(form)
    page.get_by_role("button", name="保存").click()  # nothing written yet: nothing kept
    expect(page.locator(".outbox-note")).to_have_text("请填写探访情况。")
    assert page.evaluate(OUTBOX) == []
    page.get_by_label("探访情况").fill("回访个案")
    page.get_by_label("关联个案").select_option(str(case.pk))
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".outbox-note")).to_contain_text("已保存在手机上")

    # Meanwhile, at the bureau, the case is closed.
    case.status = CaseStatus.CLOSED
    case.closure_reason = "目标达成"
    case.closure_requested_by = users["director"]
    case.closed_by = users["supervisor"]
    case.closed_at = timezone.now()
    case.save()

    context.set_offline(False)
    wait_for(
        lambda: [e for e in page.evaluate(OUTBOX) if e["state"] == "refused"],
        "the refusal in the outbox",
    )
    page.goto(f"{live_server.url}/cases/visits/outbox/")
    item = page.locator(".outbox-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("王小海")
    expect(item.locator(".reason")).to_contain_text("已结案")
    expect(page.locator("#outbox-badge .count")).to_have_text("1")
    assert not HomeVisit.objects.exists()
    assert_fits_viewport(page)
    # The refusal can be sent again or dropped; dropping asks first, then leaves nothing behind.
    expect(item.get_by_role("button", name="重新发送")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    item.get_by_role("button", name="删除").click()
    expect(page.locator("#outbox-list")).to_contain_text("没有待发送的探访")
    assert page.evaluate(OUTBOX) == []
    assert not HomeVisit.objects.exists()


@pytest.mark.browser
def test_logging_out_empties_the_page_cache(phone, live_server, users, children):
    from playwright.sync_api import expect

    page = phone
    start(phone, live_server, children["xiaohai"])
    log_out(page)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    wait_for(lambda: page.evaluate(PAGE_CACHE_URLS) == [], "the page cache emptied")
    # Offline, nothing of the field worker's opens any more.
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/cases/visits/children/")
    expect(page.get_by_role("heading", level=1)).to_have_text("当前无网络")
    assert "王小海" not in page.content()
    page.context.set_offline(False)
