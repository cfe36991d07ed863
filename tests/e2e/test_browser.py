"""End to end in a real browser at 360 px: a child director logs in on a phone, finds a child by
the pinyin initials of the name, sees the ID number masked in the list and in full in the archive.
"""

from __future__ import annotations

import re

import pytest

from huhang.core.masking import mask_id_number
from tests.conftest import PASSWORD
from tests.factories import ChildFactory, PersonFactory

# Returns how wide the document is and, when it is wider than the viewport, which elements
# stick out on the right (the innermost ones are the culprits).
_OVERFLOW_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const describe = (el) => el.tagName.toLowerCase()
    + (el.id ? '#' + el.id : '')
    + (el.classList.length ? '.' + [...el.classList].join('.') : '');
  const offenders = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1) {
      const path = [];
      for (let e = el; e && e !== document.body; e = e.parentElement) path.unshift(describe(e));
      offenders.push(`${path.join(' > ')} (right edge at ${Math.round(box.right)} px)`);
    }
  }
  return {width, scrollWidth: document.documentElement.scrollWidth, offenders};
}
"""


def assert_fits_viewport(page, width: int = 360) -> None:
    """The page is usable at `width` px: nothing makes it scroll sideways."""
    found = page.evaluate(_OVERFLOW_JS)
    assert found["width"] == width
    assert found["scrollWidth"] <= width + 1, (
        f"{page.url} is {found['scrollWidth']} px wide at a {width} px viewport; "
        "overflowing elements:\n  " + "\n  ".join(found["offenders"][-10:])
    )


def log_in(page, username: str, password: str) -> None:
    # The login page may still be settling (a redirect, the app's scripts): fill once it has
    # loaded, and again if the fields were emptied before the click.
    page.wait_for_load_state("load")
    for _ in range(3):
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        if page.get_by_label("用户名").input_value() == username:
            break
    page.get_by_role("button", name="登录", exact=True).click()


@pytest.mark.browser
def test_director_finds_a_child_by_pinyin_initials_on_a_phone(
    phone, live_server, tree, users, children
):
    from playwright.sync_api import expect

    page = phone
    xiaohai = children["xiaohai"]
    full_id = xiaohai.person.id_number
    masked = mask_id_number(full_id)
    assert full_id and masked != full_id
    # A second child of the director's own community, whose initials are not "xh", so that the
    # live search visibly narrows the list (李梅 and 张伟 are outside the director's scope).
    ChildFactory(person=PersonFactory(name="赵明", sex="M", years=8), division=tree["c1"])

    page.goto(f"{live_server.url}/children/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/children/$"))
    log_in(page, "director", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/children/")

    # `.last`: see the final assertion of this test about a nested #results.
    results = page.locator("#results").last
    expect(results).to_contain_text("王小海")
    expect(results).to_contain_text("赵明")
    expect(results).not_to_contain_text("张伟")
    expect(results).not_to_contain_text("李梅")

    def is_live_search(response) -> bool:
        return (
            response.request.headers.get("hx-request") == "true"
            and "/children/?" in response.url
            and "q=xh" in response.url
        )

    with page.expect_response(is_live_search) as searched:
        page.get_by_role("searchbox", name="搜索").fill("xh")
    assert searched.value.ok
    expect(results).not_to_contain_text("赵明")
    expect(results).to_contain_text("共 1 名儿童")
    expect(page).to_have_url(re.compile(r"/children/\?(.*&)?q=xh"))  # hx-push-url
    results_after_search = page.locator("#results").count()

    row = results.locator("tbody tr", has_text="王小海")
    expect(row).to_have_count(1)
    expect(row.locator("td.id")).to_have_text(masked)
    expect(results).not_to_contain_text("张伟")
    expect(results).not_to_contain_text("李梅")
    assert full_id not in page.content()
    assert_fits_viewport(page)

    row.get_by_role("link", name="王小海").click()
    expect(page).to_have_url(f"{live_server.url}/children/{xiaohai.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("王小海")
    # A director may see the full number in the archive of a child of the own community.
    expect(page.locator("#basic dd.id")).to_have_text(full_id)
    assert_fits_viewport(page)

    # Checked last so that everything above is known to work when only this fails: the live
    # search must replace the results, not nest a second #results inside the first (which is
    # what hx-target="#results" does with the default innerHTML swap of a fragment that itself
    # is <div id="results">).
    assert results_after_search == 1, (
        f"the live search left {results_after_search} elements with id=results in the page "
        '(nested): child_list.html needs hx-swap="outerHTML" (or hx-select) with its hx-target'
    )


@pytest.mark.browser
def test_wrong_password_shows_a_clear_error_and_everything_is_served_locally(
    phone, live_server, users
):
    from playwright.sync_api import expect

    page = phone
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    loaded: dict[str, int] = {}
    page.on("response", lambda response: loaded.__setitem__(response.url, response.status))

    page.goto(f"{live_server.url}/accounts/login/")
    log_in(page, "director", "Not-The-Password-1")

    error = page.get_by_role("alert")
    expect(error).to_be_visible()
    # Django's zh-hans catalog: "请输入一个正确的用户名和密码。注意，两者都区分大小写。"
    expect(error).to_contain_text("请输入一个正确的用户名和密码")
    expect(page.get_by_label("用户名")).to_have_value("director")
    assert_fits_viewport(page)

    # No CDN, no web font, no analytics: intranets are offline.
    own = f"{live_server.url}/"
    assert requested
    assert [url for url in requested if not url.startswith(own)] == []
    # The stylesheet and htmx really came from the application (not just were asked for).
    static = {url: status for url, status in loaded.items() if "/static/" in url}
    assert any(url.endswith(".css") for url in static), loaded
    assert any(url.endswith(".js") for url in static), loaded
    assert set(static.values()) == {200}, static
