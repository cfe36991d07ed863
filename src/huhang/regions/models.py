"""Administrative divisions (行政区划): province → city → district → street/town → community/village.

A division's statistical code is a prefix of its descendants' codes (150203 → 150203001 →
150203001001), so "the subtree of X" is "codes starting with X's code" — no recursive queries.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    DISTRICT = 3, _("区县")
    STREET = 4, _("街道/乡镇")
    COMMUNITY = 5, _("社区/村")


# Code length of each level in the national statistical scheme.
CODE_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.DISTRICT: 6,
    Level.STREET: 9,
    Level.COMMUNITY: 12,
}


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
            models.CheckConstraint(
                condition=(
                    models.Q(level=1, code__regex=r"^[0-9]{2}$")
                    | models.Q(level=2, code__regex=r"^[0-9]{4}$")
                    | models.Q(level=3, code__regex=r"^[0-9]{6}$")
                    | models.Q(level=4, code__regex=r"^[0-9]{9}$")
                    | models.Q(level=5, code__regex=r"^[0-9]{12}$")
                ),
                name="division_code_matches_level",
            ),
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


def subtree_q(code: str, field: str = "code") -> models.Q:
    """Q selecting rows whose division (in `field`) lies in the subtree rooted at `code`.

    Written as a range, code <= x < next code of the same length, rather than LIKE 'code%':
    both engines answer a range from the index, SQLite never answers LIKE from it. Codes are
    digits only, so the bound is the prefix plus one, zero-padded to the same width.
    """
    if len(code) == 12:  # a community is a leaf
        return models.Q(**{field: code})
    upper = str(int(code) + 1).zfill(len(code))
    if len(upper) > len(code):  # "99…9" has no next code of its width
        return models.Q(**{f"{field}__gte": code})
    return models.Q(**{f"{field}__gte": code, f"{field}__lt": upper})
