"""Forms of the registry. They check shape and give field-level messages; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huhang.core import idnumber, scope
from huhang.core.forms import DateInput, FilterForm, Form, validate_person_name
from huhang.core.id_messages import id_error_message
from huhang.regions.models import Division, Level
from huhang.registry.models import (
    AssistanceType,
    Category,
    CategoryStatus,
    Child,
    DocumentKind,
    Living,
    Relation,
    RelationKind,
    SchoolStage,
    Sex,
    SituationKind,
)
from huhang.registry.selectors import AGE_BANDS, ChildFilter


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        parent = obj.parent.name if obj.parent_id else ""
        return f"{parent} · {obj.name}" if parent else obj.name


def _id_field() -> forms.CharField:
    return forms.CharField(
        label=_("公民身份号码"),
        max_length=24,
        required=False,
        help_text=_("18位，末位可为X；无号码的流动儿童可留空"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )


class PersonFieldsMixin(Form):
    name = forms.CharField(label=_("姓名"), max_length=64, validators=[validate_person_name])
    id_number = _id_field()
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices)
    birth_date = forms.DateField(label=_("出生日期"), widget=DateInput())

    def clean_id_number(self) -> str | None:
        raw = self.cleaned_data.get("id_number") or ""
        if not raw.strip():
            return None
        try:
            return idnumber.parse(raw, today=timezone.localdate()).value
        except idnumber.IdNumberError as exc:
            raise forms.ValidationError(id_error_message(exc), code=exc.code) from exc

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        parsed = data.get("id_number")
        birth, sex = data.get("birth_date"), data.get("sex")
        if parsed and birth and sex:
            try:
                idnumber.validate(parsed, birth_date=birth, sex=sex)
            except idnumber.IdNumberError as exc:
                self.add_error("id_number", id_error_message(exc))
        if birth and birth > timezone.localdate():
            self.add_error("birth_date", _("出生日期不能晚于今天。"))
        return data


class ChildForm(PersonFieldsMixin):
    division = CommunityChoiceField(label=_("所属社区/村"), queryset=None)
    address = forms.CharField(label=_("现住址"), max_length=200, required=False)
    living = forms.ChoiceField(label=_("养育方式"), choices=Living.choices)
    school = forms.CharField(label=_("就读学校"), max_length=100, required=False)
    school_stage = forms.ChoiceField(label=_("学段"), choices=SchoolStage.choices, required=False)
    health = forms.CharField(label=_("健康状况"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("备注"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["division"])
        field.queryset = (
            scope.visible(user, Division).filter(level=Level.COMMUNITY).select_related("parent")
        )
        if field.queryset.count() == 1:
            field.initial = field.queryset.first()


class RelationForm(PersonFieldsMixin):
    heading, saved = _("登记家庭成员"), _("家庭成员已登记。")
    kind = forms.ChoiceField(label=_("与儿童关系"), choices=RelationKind.choices)
    is_guardian = forms.BooleanField(label=_("设为现监护人"), required=False)
    since = forms.DateField(label=_("起始日期"), required=False, widget=DateInput())

    field_order = ["kind", "name", "id_number", "sex", "birth_date", "is_guardian", "since"]


class SituationForm(Form):
    heading, saved = _("登记人员情形"), _("情形已登记。")
    person = forms.ChoiceField(label=_("人员"))
    kind = forms.ChoiceField(label=_("情形"), choices=SituationKind.choices)
    started_on = forms.DateField(label=_("起始日期"), widget=DateInput())
    ended_on = forms.DateField(label=_("终止日期"), required=False, widget=DateInput())
    detail = forms.CharField(label=_("具体情况"), max_length=200, required=False)
    evidence = forms.CharField(label=_("证明材料"), max_length=200, required=False)

    def __init__(self, *args: Any, child: Child, relatives: list[Relation], **kwargs: Any):
        super().__init__(*args, **kwargs)
        people = [(child.person, _("%(name)s（儿童本人）") % {"name": child.person.name})] + [
            (
                r.relative,
                _("%(name)s（%(relation)s）")
                % {"name": r.relative.name, "relation": r.get_kind_display()},
            )
            for r in relatives
        ]
        self.people = {str(p.pk): p for p, _label in people}
        cast(forms.ChoiceField, self.fields["person"]).choices = [
            (str(p.pk), label) for p, label in people
        ]

    def clean_person(self):
        return self.people[self.cleaned_data["person"]]


class HouseholdForm(Form):
    heading, saved = _("家庭户信息"), _("家庭信息已保存。")
    address = forms.CharField(label=_("户籍/家庭住址"), max_length=200, required=False)
    assistance = forms.ChoiceField(
        label=_("救助类型"), choices=AssistanceType.choices, required=False
    )
    assistance_since = forms.DateField(label=_("救助起始日期"), required=False, widget=DateInput())

    def __init__(self, *args: Any, child: Child, **kwargs: Any):
        household = child.person.household
        kwargs["initial"] = (
            {
                "address": household.address,
                "assistance": household.assistance,
                "assistance_since": household.assistance_since,
            }
            if household
            else {"address": child.address}
        )
        super().__init__(*args, **kwargs)


class CategoryProposeForm(Form):
    heading, saved = _("提出类别认定"), _("类别认定已提出，待核实。")
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    basis = forms.CharField(
        label=_("认定依据"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：父亲死亡（死亡证明），母亲服刑（判决书），期限6个月以上"),
    )
    effective_from = forms.DateField(
        label=_("拟生效日期"),
        required=False,
        widget=DateInput(),
        help_text=_("不填则由审批人确定；早于3个月前须填写追溯理由"),
    )
    backdate_reason = forms.CharField(
        label=_("追溯理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("生效日期追溯较久时必填，审批人将看到此理由"),
    )


class CategoryStepForm(Form):
    """A step on one assignment; `describe` shows the approver what came before."""

    def __init__(self, *args, assignment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment


class CategoryVerifyForm(CategoryStepForm):
    note = forms.CharField(label=_("核实情况"), widget=forms.Textarea(attrs={"rows": 3}))


class CategoryApproveForm(CategoryStepForm):
    effective_from = forms.DateField(label=_("生效日期"), required=False, widget=DateInput())

    def __init__(self, *args, assignment=None, **kwargs):
        super().__init__(*args, assignment=assignment, **kwargs)
        field = self.fields["effective_from"]
        if assignment is None:
            return
        notes = [
            _("提出人：%(p)s；核实人：%(v)s（审批人须为第三人）")
            % {
                "p": assignment.proposed_by.display_name if assignment.proposed_by else "—",
                "v": assignment.verified_by.display_name if assignment.verified_by else "—",
            }
        ]
        if assignment.proposed_from:
            field.initial = assignment.proposed_from
            notes.append(_("拟生效日期：%(d)s") % {"d": assignment.proposed_from.isoformat()})
        if assignment.backdate_reason:
            notes.append(_("追溯理由：%(r)s") % {"r": assignment.backdate_reason})
        field.help_text = "；".join(str(n) for n in notes)


class CategoryEndForm(CategoryStepForm):
    reason = forms.CharField(label=_("终止/驳回原因"), max_length=200)
    effective_to = forms.DateField(label=_("终止日期"), required=False, widget=DateInput())


class CategoryEndConfirmForm(CategoryStepForm):
    confirm = forms.BooleanField(label=_("已核对终止原因和日期，确认终止"))

    def __init__(self, *args, assignment=None, **kwargs):
        super().__init__(*args, assignment=assignment, **kwargs)
        if assignment is not None and assignment.end_proposed_at:
            self.fields["confirm"].help_text = _("提出人：%(p)s；原因：%(r)s；终止日期：%(d)s") % {
                "p": assignment.end_proposed_by.display_name if assignment.end_proposed_by else "—",
                "r": assignment.end_proposed_reason,
                "d": assignment.end_proposed_to.isoformat() if assignment.end_proposed_to else "",
            }


class MergeForm(Form):
    heading, saved = _("合并重复档案"), _("档案已合并。")
    other = forms.IntegerField(
        label=_("要并入本档案的另一档案号"),
        min_value=1,
        help_text=_("另一档案的全部记录将移入本档案，另一档案标记为“已合并”；可撤销"),
    )
    reason = forms.CharField(label=_("合并原因"), max_length=200)


class UnmergeForm(Form):
    reason = forms.CharField(label=_("撤销合并原因"), max_length=200)


class DuplicateMergeForm(Form):
    keep = forms.ChoiceField(label=_("保留的档案"))
    reason = forms.CharField(label=_("合并原因"), max_length=200)

    def __init__(self, *args, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        if review is not None:
            cast(forms.ChoiceField, self.fields["keep"]).choices = [
                (str(c.pk), f"#{c.pk} {c.person.name}") for c in (review.first, review.second)
            ]


class DuplicateDismissForm(Form):
    note = forms.CharField(label=_("判断依据（不是同一儿童）"), max_length=200)


class DocumentForm(Form):
    heading, saved = _("上传附件"), _("附件已上传。")
    kind = forms.ChoiceField(label=_("类型"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("标题"), max_length=100, required=False)
    file = forms.FileField(
        label=_("文件"),
        help_text=_("JPG、PNG、WEBP 或 PDF，不超过10MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.webp,.pdf"}),
    )


class ChildFilterForm(FilterForm):
    filter_class = ChildFilter

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("姓名、拼音、首字母或身份证号后几位"), "type": "search"}
        ),
    )
    division = forms.ChoiceField(label=_("区域"), required=False)
    category = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部类别")), *Category.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *CategoryStatus.choices]
    )
    age_band = forms.ChoiceField(
        label=_("年龄段"),
        required=False,
        choices=[("", _("全部年龄")), *((k, v[0]) for k, v in AGE_BANDS.items())],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        options = scope.visible(user, Division).filter(level__lte=Level.COMMUNITY).order_by("code")
        cast(forms.ChoiceField, self.fields["division"]).choices = [("", _("全部区域"))] + [
            (d.code, ("　" * max(d.level - Level.DISTRICT, 0)) + d.name) for d in options
        ]
