"""The feed upload form: the source (limited to what the user may import), the as-of date and
the file."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huhang.accounts.models import Department
from huhang.core.forms import DateInput, Form
from huhang.screening.feeds.selectors import allowed_sources

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# A district's population register as CSV is about 100 MB; more is surely the wrong file.
MAX_BYTES = 512 * 1024 * 1024


class AsOfForm(Form):
    """A form with an `as_of` day (the data's date, a screening's reference day): today unless
    the user says otherwise, and never after today (`too_late` says so)."""

    too_late = _("数据日期不能晚于今天。")

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("as_of", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean_as_of(self) -> date:
        day = self.cleaned_data["as_of"]
        if day > timezone.localdate():
            raise forms.ValidationError(self.too_late)
        return day


def as_of_field(label: StrOrPromise, help_text: StrOrPromise) -> forms.DateField:
    """The `as_of` field of an AsOfForm, under the words of its page."""
    return forms.DateField(label=label, widget=DateInput(), help_text=help_text)


class FeedUploadForm(AsOfForm):
    source = forms.ChoiceField(label=_("数据来源"))
    as_of = as_of_field(_("数据日期"), _("文件所反映的数据截至哪一天（默认今天）"))
    file = forms.FileField(
        label=_("数据文件"),
        help_text=_("XLSX（第一个工作表），或 UTF-8、GB18030 编码的 CSV；第一行为列名"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Department.choices)
        sources = allowed_sources(user)
        field = cast(forms.ChoiceField, self.fields["source"])
        field.choices = [(s, labels[s]) for s in sources]
        if len(sources) == 1:
            field.initial = sources[0]

    def service_kwargs(self) -> dict[str, Any]:
        """The arguments of screening.feeds.services.feed_import_request."""
        data = self.cleaned_data
        return {"source": data["source"], "as_of": data["as_of"], "upload": data["file"]}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("文件过大（最大 512 MB）。"))
        return upload
