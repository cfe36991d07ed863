"""core.routing: the URL patterns the helpers spell, alone and in the project's URLconf."""

from types import ModuleType

import pytest
from django.urls import resolve, reverse

from huhang.community.activities import views as activity_views
from huhang.core.routing import resource_paths, step_paths


def _views(*names: str) -> ModuleType:
    """A views module holding one function per name."""
    module = ModuleType("fake_views")
    for name in names:

        def view(request, **kwargs):
            return None

        view.__name__ = name
        setattr(module, name, view)
    return module


def _table(patterns) -> list[tuple[str, str, str, dict]]:
    return [(str(p.pattern), p.name, p.callback.__name__, p.default_args) for p in patterns]


def test_resource_paths_spell_the_convention_in_the_order_given():
    views = _views("thing_list", "thing_create", "thing_detail", "thing_hand_over")
    patterns = resource_paths("things/", views, "thing", ["list", "create", "detail", "hand_over"])
    assert _table(patterns) == [
        ("things/", "thing_list", "thing_list", {}),
        ("things/new/", "thing_create", "thing_create", {}),
        ("things/<int:pk>/", "thing_detail", "thing_detail", {}),
        ("things/<int:pk>/hand-over/", "thing_hand_over", "thing_hand_over", {}),
    ]
    assert patterns[3].callback is views.thing_hand_over


def test_resource_paths_take_only_the_pages_named():
    views = _views("thing_list", "thing_create", "thing_detail")
    assert _table(resource_paths("", views, "thing", ["detail"])) == [
        ("<int:pk>/", "thing_detail", "thing_detail", {})
    ]


def test_a_page_without_its_view_fails_when_the_urls_load():
    with pytest.raises(AttributeError, match="thing_close"):
        resource_paths("things/", _views("thing_list"), "thing", ["list", "close"])


def test_step_paths_give_each_step_to_one_view():
    views = _views("thing_step")
    patterns = step_paths(
        "<int:pk>/{step}/", views.thing_step, ["check", "send_back"], name="thing_{step}"
    )
    assert _table(patterns) == [
        ("<int:pk>/check/", "thing_check", "thing_step", {"step": "check"}),
        ("<int:pk>/send-back/", "thing_send_back", "thing_step", {"step": "send_back"}),
    ]


@pytest.mark.parametrize(
    ("name", "args", "url", "view"),
    [
        ("community:activity_list", [], "/community/activities/", activity_views.activity_list),
        (
            "community:activity_create",
            [],
            "/community/activities/new/",
            activity_views.activity_create,
        ),
        (
            "community:activity_detail",
            [7],
            "/community/activities/7/",
            activity_views.activity_detail,
        ),
        (
            "community:activity_attendance",
            [7],
            "/community/activities/7/attendance/",
            activity_views.activity_attendance,
        ),
    ],
)
def test_the_project_serves_a_resource_at_its_conventional_urls(name, args, url, view):
    assert reverse(name, args=args) == url
    match = resolve(url)
    assert match.func is view
    assert match.view_name == name


def test_a_page_with_an_underscore_is_spelt_with_a_hyphen_in_the_project():
    assert reverse("cases:case_approve_closure", args=[3]) == "/cases/3/approve-closure/"
