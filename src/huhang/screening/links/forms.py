"""Forms of the link review queue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huhang.core.forms import FilterForm, Form
from huhang.screening.links.selectors import LinkFilter
from huhang.screening.models import LinkStatus


class LinkFilterForm(FilterForm):
    filter_class = LinkFilter

    status = forms.ChoiceField(
        label=_("状态"),
        choices=[("", _("全部")), *LinkStatus.choices],
        required=False,
        initial=LinkStatus.OPEN,
    )

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        # Asked for nothing (no query string), the queue shows the reviews still open.
        super().__init__(data or {"status": LinkStatus.OPEN}, *args, **kwargs)


class LinkResolveForm(Form):
    """The supervisor's answer: the two records are the same person, or they are not."""

    decision = forms.ChoiceField(
        choices=[("same", _("是同一人")), ("distinct", _("不是同一人"))],
        widget=forms.HiddenInput,
    )

    @property
    def same_person(self) -> bool:
        return self.cleaned_data["decision"] == "same"
