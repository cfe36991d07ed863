"""ID-number errors in the user's language: core.idnumber stays free of Django, so its Chinese
messages are mapped here, by error code, to translatable strings."""

from __future__ import annotations

from django.utils.translation import gettext as _

from huhang.core.idnumber import IdNumberError


def id_error_message(exc: IdNumberError) -> str:
    messages = {
        "length": _("公民身份号码应为18位"),
        "chars": _("公民身份号码前17位应为数字，最后一位应为数字或X"),
        "birth_date": _("公民身份号码中的出生日期无效"),
        "future": _("公民身份号码中的出生日期晚于今天"),
        "checksum": _("公民身份号码校验码错误，应为%(expected)s") % exc.params
        if "expected" in exc.params
        else _("公民身份号码校验码错误"),
        "birth_mismatch": _("出生日期与公民身份号码不符"),
        "sex": _("性别与公民身份号码不符"),
    }
    return messages.get(exc.code, exc.message)
