"""Forms of case work and referrals. They check shape and give field-level messages; the
services decide (a missing reason, a transition out of order, a date in the future)."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huhang.cases.models import (
    Agency,
    CaseSource,
    CaseStatus,
    Domain,
    Risk,
    ServiceKind,
    ServiceProject,
)
from huhang.cases.selectors import CaseFilter
from huhang.core import scope
from huhang.core.forms import DateInput, FilterForm, Form
from huhang.core.roles import Role

SCORE_CHOICES = [
    (0, _("0 无问题")),
    (1, _("1 有一定问题")),
    (2, _("2 问题较严重")),
    (3, _("3 问题严重")),
]
PLAN_ROWS = 5


def _text(label, *, rows: int = 3, required: bool = False, **kwargs) -> forms.CharField:
    # Reasons and notes are not `required` here: the service refuses a blank one with a message
    # that says what is missing, rather than the generic "this field is required".
    widget = forms.Textarea(attrs={"rows": rows})
    return forms.CharField(label=label, widget=widget, required=required, **kwargs)


def _today() -> date:
    return timezone.localdate()


class CaseOpenForm(Form):
    source = forms.ChoiceField(label=_("来源"), choices=[("", _("请选择")), *CaseSource.choices])
    source_detail = forms.CharField(
        label=_("来源说明"),
        max_length=200,
        required=False,
        help_text=_("如：来电人、学校名称、线索编号"),
    )
    summary = _text(_("基本情况"), rows=4)
    project = forms.ModelChoiceField(
        label=_("购买服务项目"),
        queryset=ServiceProject.objects.none(),
        required=False,
        empty_label=_("（无）"),
        help_text=_("指定后，该项目承接机构的社工可查看并服务此个案"),
    )
    risk = forms.ChoiceField(
        label=_("初步风险等级"),
        choices=[("", _("暂不评定")), *Risk.choices],
        required=False,
    )
    risk_reason = forms.CharField(label=_("风险理由"), max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["project"])
        projects = scope.visible(user, ServiceProject, "entrust")
        field.queryset = projects.select_related("contractor").order_by("name")
        if user.role == Role.SOCIAL_WORKER:
            # A social worker sees only its organisation's projects' cases: a case it opens
            # without one of them would vanish from its own view at once.
            field.required = True
            field.empty_label = None


class AssessmentForm(Form):
    assessed_on = forms.DateField(label=_("评估日期"), widget=DateInput(), initial=_today)
    risk = forms.ChoiceField(
        label=_("调整风险等级"),
        choices=[("", _("按规则计算")), *Risk.choices],
        required=False,
        help_text=_("与计算结果不同时须说明理由"),
    )
    override_reason = forms.CharField(label=_("调整理由"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for domain in Domain:
            self.fields[f"score_{domain.value}"] = forms.TypedChoiceField(
                label=domain.label, choices=SCORE_CHOICES, coerce=int, initial=0
            )
            self.fields[f"note_{domain.value}"] = forms.CharField(
                label=gettext("%(domain)s情况说明") % {"domain": domain.label},
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def domain_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"score_{d.value}"], self[f"note_{d.value}"]) for d in Domain]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        notes = {d.value: data[f"note_{d.value}"].strip() for d in Domain}
        return {
            "assessed_on": data["assessed_on"],
            "scores": {d.value: data[f"score_{d.value}"] for d in Domain},
            "notes": {k: v for k, v in notes.items() if v},
            "risk": data["risk"] or None,
            "override_reason": data["override_reason"],
        }


class PlanForm(Form):
    goals = _text(_("服务目标"), rows=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, PLAN_ROWS + 1):
            self.fields[f"action_{i}"] = forms.CharField(
                label=gettext("措施 %(n)s") % {"n": i}, max_length=200, required=False
            )
            self.fields[f"responsible_{i}"] = forms.CharField(
                label=_("责任人/单位"), max_length=100, required=False
            )
            self.fields[f"due_on_{i}"] = forms.DateField(
                label=_("完成期限"), required=False, widget=DateInput()
            )

    def action_rows(self) -> list[tuple[forms.BoundField, ...]]:
        return [
            (self[f"action_{i}"], self[f"responsible_{i}"], self[f"due_on_{i}"])
            for i in range(1, PLAN_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        actions = []
        for i in range(1, PLAN_ROWS + 1):
            row = {
                "action": (data.get(f"action_{i}") or "").strip(),
                "responsible": (data.get(f"responsible_{i}") or "").strip(),
                "due_on": data.get(f"due_on_{i}"),
            }
            if f"due_on_{i}" in self.errors or not any(row.values()):
                continue
            missing = [k for k, v in row.items() if not v]
            for key in missing:
                self.add_error(f"{key}_{i}", _("请填写完整：措施、责任人和完成期限。"))
            if not missing:
                actions.append(row)
        data["actions"] = actions
        return data

    def service_kwargs(self) -> dict[str, Any]:
        return {"goals": self.cleaned_data["goals"], "actions": self.cleaned_data["actions"]}


class ServiceRecordForm(Form):
    kind = forms.ChoiceField(label=_("服务类型"), choices=ServiceKind.choices)
    delivered_on = forms.DateField(label=_("服务日期"), widget=DateInput(), initial=_today)
    minutes = forms.IntegerField(
        label=_("时长（分钟）"),
        min_value=1,
        max_value=24 * 60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = _text(_("服务记录"))


class ReviewForm(Form):
    note = _text(_("评估回顾意见"), max_length=300, help_text=_("目标达成情况、需继续服务的事项"))


class ResumeForm(Form):
    note = _text(_("说明"), rows=2, max_length=300)


class ClosureRequestForm(Form):
    reason = _text(_("结案原因"), rows=2, max_length=300)


class ClosureRejectForm(Form):
    note = _text(_("退回理由"), rows=2, max_length=300)


class ReopenForm(Form):
    reason = _text(_("重新开案理由"), rows=2, max_length=300)


class CaseFilterForm(FilterForm):
    filter_class = CaseFilter

    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *CaseStatus.choices]
    )
    risk = forms.ChoiceField(
        label=_("风险等级"), required=False, choices=[("", _("全部等级")), *Risk.choices]
    )


# --- Referrals -----------------------------------------------------------------------------------


class ReferralSendForm(Form):
    agency = forms.ChoiceField(label=_("转介单位类型"), choices=Agency.choices)
    agency_name = forms.CharField(
        label=_("转介单位"), max_length=100, help_text=_("如：昆都仑区住房保障中心")
    )
    request = _text(_("转介事项"), help_text=_("如：申请廉租房"))
    sent_on = forms.DateField(label=_("转介日期"), widget=DateInput(), initial=_today)


class ReferralAnswerForm(Form):
    resolved = forms.TypedChoiceField(
        label=_("答复结果"),
        choices=[("yes", _("同意办理/已解决")), ("no", _("未予解决"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    response = _text(_("答复内容"))
    responded_on = forms.DateField(label=_("答复日期"), widget=DateInput(), initial=_today)


class ReferralFollowUpForm(Form):
    on = forms.DateField(label=_("跟进日期"), widget=DateInput(), initial=_today)
    note = forms.CharField(label=_("跟进情况"), max_length=300, required=False)


class ReferralCloseForm(Form):
    closed_on = forms.DateField(label=_("办结日期"), widget=DateInput(), initial=_today)
