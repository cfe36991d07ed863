"""The home page and the dashboard count the register through the same selectors (issue 12:
3,303 vs 3,274 under one label): archives no longer on the register (aged out, merged) and
categories not in force (ended, not yet effective, or of a child no longer on the register)
count on neither. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from huhang.registry.models import Category, ChildStatus
from tests.factories.registry import CategoryFactory, ChildFactory


def test_home_and_dashboard_show_the_same_figures(users, tree, children, login):
    today = timezone.localdate()
    CategoryFactory(child=children["xiaohai"], category="orphan", approved=True)
    CategoryFactory(child=children["c2"], category="migrant", approved=True)
    CategoryFactory(child=children["village"], category="dfuc", ended=True)
    # Approved, but effective only from next month.
    CategoryFactory(
        child=children["village"],
        category="left_behind",
        approved=True,
        effective_from=today + timedelta(days=40),
        backdate_floor=today,
    )
    aged_out = ChildFactory(division=tree["c1"], status=ChildStatus.AGED_OUT)
    CategoryFactory(child=aged_out, category="orphan", approved=True)
    ChildFactory(division=tree["c2"], status=ChildStatus.MERGED, merged_into=children["c2"])

    client = login(users["bureau"])
    home = client.get(reverse("workbench:home")).context
    board = client.get(reverse("reports:dashboard")).context["board"]

    assert home["counts"]["total"] == board.total.children == 3
    by_category = {code: n for _label, code, n in home["by_category"]}
    assert by_category == {c.value: board.total.categories.get(c.value, 0) for c in Category}
    assert by_category == {
        "orphan": 1,
        "dfuc": 0,
        "difficulty": 0,
        "left_behind": 0,
        "migrant": 1,
    }
