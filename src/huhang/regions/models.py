"""Administrative divisions (行政区划): province → city → district → street/town → community/village.

A division's statistical code is a prefix of its descendants' codes (150203 → 150203005 →
150203005001), so "the subtree of X" is "codes starting with X's code" — no recursive queries.
A division renamed or merged away (区划调整) leaves a `DivisionAlias`: its old code, name and
level, and the division that took its place.
"""

from __future__ import annotations

import operator
from functools import reduce

from django.db import models
from django.utils.translation import gettext_lazy as _

from huhang.core import divisions
from huhang.core.divisions import subtree_q

__all__ = ["CODE_LENGTH", "Division", "DivisionAlias", "Kind", "Level", "subtree_q"]


class Level(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    DISTRICT = 3, _("区县")
    STREET = 4, _("街道/乡镇")
    COMMUNITY = 5, _("社区/村")


# Code length of each level in the national statistical scheme (one home: core.divisions).
CODE_LENGTH = {Level(level): length for level, length in divisions.CODE_LENGTH.items()}

# The database checks the same shapes: a code of its level's length, an old code of any level's.
_CODE_OF_LEVEL = reduce(
    operator.or_,
    (models.Q(level=level, code__regex=rf"^[0-9]{{{n}}}$") for level, n in CODE_LENGTH.items()),
)
_CODE_OF_ANY_LEVEL = models.Q(
    code__regex="^(" + "|".join(rf"[0-9]{{{n}}}" for n in CODE_LENGTH.values()) + ")$"
)


class Kind(models.TextChoices):
    PROVINCE = "province", _("省/自治区")
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    TOWN = "town", _("镇")
    COMMUNITY = "community", _("社区")
    VILLAGE = "village", _("村")


class Division(models.Model):
    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=_CODE_OF_LEVEL, name="division_code_matches_level"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: Division) -> bool:
        return self.code.startswith(other.code)

    @property
    def full_name(self) -> str:
        parts = [d.name for d in self.ancestors() if d.level >= Level.DISTRICT]
        return "".join([*parts, self.name])

    def ancestors(self) -> list[Division]:
        """From the root down, excluding self (at most four cheap lookups by primary key)."""
        chain: list[Division] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]


class DivisionAlias(models.Model):
    """A retired division (区划调整): its old code, as it was, and the division that replaced it.

    Its records moved to the new division when it was retired (`services.divisions_rename`) and
    the old row is gone from the tree, so lists, scope and figures never meet it; a feed that
    still writes the old code is routed through this table. The old code is never a live
    division's code again (the rename and the loader refuse it)."""

    code = models.CharField(_("原区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("原名称"), max_length=64)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    parent_code = models.CharField(_("原上级区划代码"), max_length=12, blank=True)
    division = models.ForeignKey(
        Division,
        verbose_name=_("现区划"),
        on_delete=models.PROTECT,
        related_name="aliases",
    )
    retired_on = models.DateField(_("调整日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已调整的区划")
        verbose_name_plural = _("已调整的区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=_CODE_OF_ANY_LEVEL, name="division_alias_code_shape"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name} → {self.division_id}"
