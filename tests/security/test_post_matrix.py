"""Every role against every form and action (issue 12, "scope on every write"): a POST on a
record outside the role's scope is 404 (or 403) and leaves the database as it was; on a record of
its own that the role may not change, 403 and nothing changed; a role that may do it is not
refused. The list of actions comes from the urlconf (tests/security/postwalk.py), so a new action
without an entry fails here.

The expectation of each (action, role, record) follows from the tables the application itself
keeps: the capabilities of core.roles and the visibility of core.scope. Each POST runs in a
savepoint rolled back afterwards, so one role's successful action does not change the record the
next role posts to."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.urls import reverse

from huhang.core import scope
from huhang.core.roles import can
from tests.security import postwalk, urlwalk

ROLES = [
    "bureau",
    "supervisor",
    "director",
    "director2",
    "socialworker",
    "partner",
    "dataofficer",
    "auditor",
]
REFUSED = (403, 404)


@pytest.fixture
def worlds(tree, users, orgs, children):
    return postwalk.worlds(tree, users, orgs, children)


def _url(page: urlwalk.Page, action: postwalk.Action, w: dict) -> str:
    if action.args is not None:
        url = reverse(page.name, kwargs=action.args(w))
    else:
        url = urlwalk.url_of(page, w)
    assert url is not None
    if action.query is not None:
        url += "?" + urlencode(action.query(w))
    return url


def _in_scope(user, action: postwalk.Action, w: dict) -> bool:
    return all(scope.visible(user, type(obj)).filter(pk=obj.pk).exists() for obj in action.scope(w))


def _post(client, url):
    """The answer to an empty POST and the tables it changed, then undone."""
    before = postwalk.snapshot()
    with transaction.atomic():
        response = client.post(url)
        changed = postwalk.changed(before, postwalk.snapshot())
        transaction.set_rollback(True)
    return response.status_code, changed


def _pages():
    return {page.name: page for page in urlwalk.pages()}


def test_every_post_endpoint_has_an_entry(db):
    """The walk itself: a view that takes a POST is an ACTION or a READ_ONLY page, and every
    entry names a URL that exists."""
    found = {page.name for page in postwalk.posts()}
    assert found == set(postwalk.ACTIONS), "ACTIONS lists URLs that take no POST or do not exist"
    assert set(_pages()) >= postwalk.READ_ONLY


@pytest.mark.parametrize("name", sorted(postwalk.ACTIONS))
def test_role_post_matrix(name, worlds, users, client):
    action = postwalk.ACTIONS[name]
    page = _pages()[name]
    wrong = []
    for side, w in worlds.items():
        url = _url(page, action, w)
        for role in ROLES:
            user = users[role]
            client.force_login(user)
            status, changed = _post(client, url)
            capable = all(can(user, c) for c in action.needs)
            mine = _in_scope(user, action, w)
            if not mine:
                ok = status in REFUSED and not changed
                expected = "404/403, nothing changed"
            elif not capable:
                ok = status == 403 and not changed
                expected = "403, nothing changed"
            else:
                ok = status not in REFUSED
                expected = "not refused"
            if not ok:
                wrong.append(f"{role} on {side} {url}: {status} {changed}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_read_only_pages_write_nothing_on_a_post(worlds, users, client):
    pages = _pages()
    client.force_login(users["bureau"])
    wrong = []
    for name in sorted(postwalk.READ_ONLY):
        url = urlwalk.url_of(pages[name], worlds["here"])
        if url is None:
            continue
        status, changed = _post(client, url)
        if changed:
            wrong.append(f"{name}: {status} changed {changed}")
    assert not wrong, "\n".join(wrong)


def test_an_action_without_an_entry_fails_the_walk(monkeypatch):
    actions = dict(postwalk.ACTIONS)
    del actions["community:resource_confirm"]
    monkeypatch.setattr(postwalk, "ACTIONS", actions)
    with pytest.raises(AssertionError, match="community:resource_confirm"):
        postwalk.posts()
