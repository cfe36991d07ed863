"""Template filters for what every page shows: masked numbers, ages, the menu's links."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from huhang.core import facts, masking
from huhang.core.masking import mask_id_number

register = template.Library()


@register.filter
def masked_id(value: str | None) -> str:
    return mask_id_number(value) or "—"


@register.filter
def age(birth_date) -> int | str:
    if not birth_date:
        return ""
    return facts.age_on(birth_date, timezone.localdate())


# What a user sees of a child's identity: core.masking.disclosure decides, these apply it.


@register.filter
def id_for(value: str | None, user) -> str:
    """The ID number as `user` sees it in a list (list mask, or the strict mask)."""
    return masking.shown_id(user, value) or "—"


@register.filter
def full_id_for(value: str | None, user) -> str:
    """The ID number on a page that shows full numbers to the roles allowed to see them."""
    return masking.shown_id(user, value, full=True) or "—"


@register.filter
def birth_for(birth_date, user) -> str:
    """The birth date with the age ("2015-06-01（10岁）"), or the age alone for the roles that
    may not see birth dates."""
    if not birth_date:
        return "—"
    shown = masking.shown_birth(user, birth_date)
    if masking.disclosure(user).birth_date:
        age_text = _("%(a)s岁") % {"a": facts.age_on(birth_date, timezone.localdate())}
        return f"{shown}（{age_text}）"
    return shown


@register.filter
def redact_for(text, user) -> str:
    """An audit event's text with the ID numbers in it as `user` may see them."""
    return masking.redact(user, str(text or ""))


@register.simple_tag(takes_context=True)
def menu_link(context, url_name: str, label: str, *args) -> str:
    """A menu link marked `aria-current="page"` when the page shown is the link's or lies
    below it (a child's archive lies below the children list; home only on itself)."""
    href = reverse(url_name, args=args)
    request = context.get("request")
    path = getattr(request, "path", "")
    current = path == href or (href != "/" and path.startswith(href))
    if current:
        return format_html('<a href="{}" aria-current="page">{}</a>', href, label)
    return format_html('<a href="{}">{}</a>', href, label)
