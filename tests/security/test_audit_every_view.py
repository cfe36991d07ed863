"""Every page that shows a child writes an audit event: the walk requests each page of the
application (tests/security/urlwalk.py) as the first role that may open it, and each one that
shows 王小海 must have left an event by that user."""

from __future__ import annotations

import pytest

from huhang.core.models import AuditEvent
from tests.security import urlwalk

# The first of these that may open a page opens it (the bureau sees the whole district; a
# partner sees an activity's children by given name).
ROLES = ["bureau", "supervisor", "director", "socialworker", "partner", "dataofficer", "auditor"]


@pytest.fixture
def world(tree, users, orgs, children):
    return urlwalk.world(tree, users, orgs, children)


def _open(client, users, url):
    for role in ROLES:
        client.force_login(users[role])
        before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        response = client.get(url)
        if response.status_code not in (403, 404, 405):
            events = AuditEvent.objects.filter(seq__gt=before, user_id=users[role].pk)
            return role, response, events.count()
    return None, response, 0


def test_every_view_of_a_child_is_audited(client, users, world):
    unaudited, walked = [], []
    for page in urlwalk.pages():
        url = urlwalk.url_of(page, world)
        if url is None:
            continue
        role, response, events = _open(client, users, url)
        shows = role is not None and urlwalk.shows_a_child(response)
        walked.append((page.name, role, response.status_code, shows, events))
        if shows and not events:
            unaudited.append(f"{page.name} ({url}) as {role}")
    print("\n".join(str(w) for w in walked))
    assert any(shows for _n, _r, _s, shows, _e in walked)
    assert not unaudited, "pages that show a child without an audit event:\n" + "\n".join(unaudited)
