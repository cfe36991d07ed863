"""Forms of the hand-entered student lists: a student found by ID number among the children the
user sees, and what each list records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huhang.benefits.forms import FIRST_YEAR, LAST_YEAR, MonthField
from huhang.benefits.students import selectors
from huhang.core.forms import DateInput, Form
from huhang.registry.models import Child

if TYPE_CHECKING:
    from huhang.accounts.models import User


class StudentField(forms.CharField):
    """A student found by ID number among the children the user sees."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("学生公民身份号码"))
        kwargs.setdefault("max_length", 24)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off"})


class _StudentForm(Form):
    id_number = StudentField()

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_id_number(self) -> Child:
        child = selectors.student_by_id_number(
            user=self.user, id_number=self.cleaned_data["id_number"]
        )
        if child is None:
            raise forms.ValidationError(
                _("未找到该身份证号的儿童档案（或不在您的辖区）。请先在儿童档案中建档。")
            )
        return child


class ScholarshipForm(_StudentForm):
    school_year = forms.IntegerField(
        label=_("起始学年"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR - 1,
        help_text=_("填入学年的起始年份，如 2026 表示 2026–2027 学年（9月发放）"),
    )
    school = forms.CharField(label=_("就读学校（全日制）"), max_length=100)
    full_time = forms.BooleanField(
        label=_("已核验全日制在读（录取通知书或学籍证明）"), required=True
    )
    note = forms.CharField(label=_("备注"), max_length=80, required=False)


class LeaveForm(Form):
    left_on = forms.DateField(label=_("离开全日制学习的日期"), widget=DateInput())
    reason = forms.CharField(label=_("原因"), max_length=100, help_text=_("如：毕业、退学、休学"))


class AutumnAidForm(_StudentForm):
    month = MonthField(
        label=_("发放/服务月份"), help_text=_("一次性：只在该月发放（如已设定标准）")
    )
    school = forms.CharField(label=_("毕业高中"), max_length=100)
    graduating = forms.BooleanField(label=_("已核实为高中应届毕业生"), required=True)
    note = forms.CharField(label=_("服务内容/备注"), max_length=80, required=False)
