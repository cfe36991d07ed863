"""Form pieces shared by the community's sub-domains (their forms live in
`<sub-domain>/forms.py`); choices come from core.scope, never from whole tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from huhang.accounts.models import User
from huhang.core import scope
from huhang.core.facts import ADULT_AGE
from huhang.registry.models import Category

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class UserChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        where = obj.division.name if obj.division_id else ""
        return f"{obj.display_name} · {obj.role_label} {where}".strip()


def limit_choices(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    """The choices of a model choice field of `form`: each form's come from core.scope."""
    cast(forms.ModelChoiceField, form.fields[name]).queryset = queryset


def staff_choices(user: User) -> QuerySet[User]:
    """Supervisors and directors the user may put on a station or a training: its subtree's."""
    return scope.visible(user, User, "training").select_related("division").order_by("division_id")


def attendee_field() -> UserChoices:
    return UserChoices(
        label=_("参训人员"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )


def age_field(label: StrOrPromise) -> forms.IntegerField:
    """An end of an age band: a child's age, so below adulthood."""
    return forms.IntegerField(label=label, min_value=0, max_value=ADULT_AGE - 1, required=False)


def categories_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("适用类别（不选则不限）"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def check_age_band(form: forms.Form, data: dict[str, Any]) -> None:
    """Who an activity or a resource is for: the age band must not be upside down."""
    lo, hi = data.get("min_age"), data.get("max_age")
    if lo is not None and hi is not None and hi < lo:
        form.add_error("max_age", _("最大年龄不能小于最小年龄。"))
