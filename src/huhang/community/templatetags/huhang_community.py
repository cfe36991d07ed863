"""Small display helpers of the community pages: money, hours, progress against a target."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from huhang.core.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    return _yuan(fen)


@register.filter
def hours(minutes) -> str:
    """Minutes as hours with one decimal (90 → "1.5")."""
    minutes = int(minutes or 0)
    return f"{minutes // 60}.{(minutes % 60) * 10 // 60}"


@register.simple_tag
def progress(done, target):
    if not target:
        return "—"
    share = min(100, int(float(done) * 100 // float(target)))
    return format_html('<meter min="0" max="100" value="{}">{}%</meter> {}%', share, share, share)
