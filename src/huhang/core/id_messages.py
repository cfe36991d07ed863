"""ID-number and name errors in the user's language: core.idnumber and core.names stay free of
Django, so their error codes are mapped here to translatable strings."""

from __future__ import annotations

from django.utils.translation import gettext as _

from huhang.core.exceptions import DomainError
from huhang.core.idnumber import IdNumberError
from huhang.core.names import name_problem


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


def name_error_message(code: str) -> str:
    """Why a text cannot be a person's name (core.names.name_problem's code)."""
    messages = {
        "formula": _("姓名不能以 =、+、-、@ 开头（电子表格会把它当作公式）"),
        "control": _("姓名中含有控制字符"),
        "markup": _("姓名中含有网页标记或链接"),
    }
    return messages.get(code, _("姓名无效"))


def checked_name(name: str, *, field: str = "name") -> str:
    """A service's person name, trimmed; DomainError when it cannot be a name."""
    name = name.strip()
    problem = name_problem(name)
    if problem is not None:
        raise DomainError(name_error_message(problem), field=field)
    return name
