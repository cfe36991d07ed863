"""Template filters for what every page shows: masked numbers, ages."""

from __future__ import annotations

from django import template
from django.utils import timezone

from huhang.core import facts
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
