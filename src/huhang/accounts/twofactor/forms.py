from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huhang.core.forms import Form


class CodeForm(Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=16,
        help_text=_("手机验证器显示的 6 位数字，或一个未用过的恢复码"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class ResetForm(Form):
    user_id = forms.IntegerField(widget=forms.HiddenInput)
