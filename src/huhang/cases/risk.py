"""A child's risk colour (红 / 黄 / 绿), the one rule every page shows (docs/risk-colour.md).

- red: the child is under emergency protection (临时监护, not yet resolved), or has an open
  case assessed as high risk;
- yellow: none of the above, but a home visit is overdue, a protection category waits for
  verification or approval (candidate or verified), or an open case is of medium risk;
- green: nothing of the above.

Each colour carries the reasons that gave it, in the order above, so a page can say why.
`risk_colours` decides for any number of children in two queries (one annotated query of the
children, one of the visit schedule), whatever their number: no query per child.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huhang.cases.models import Case, CaseStatus, EmergencyProtection, Risk
from huhang.cases.visits.selectors import schedule_for
from huhang.registry.models import CategoryAssignment, CategoryStatus, Child

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

RED, YELLOW, GREEN = "red", "yellow", "green"
COLOUR_LABELS = {RED: _("红色"), YELLOW: _("黄色"), GREEN: _("绿色")}

REASONS = {
    "emergency": _("临时监护中"),
    "high_risk": _("高风险个案"),
    "visit_overdue": _("探访逾期"),
    "category_pending": _("类别认定待办"),
    "medium_risk": _("中风险个案"),
}
RED_REASONS = ("emergency", "high_risk")


@dataclass(frozen=True)
class RiskColour:
    colour: str  # RED, YELLOW or GREEN
    reasons: tuple[str, ...]  # keys of REASONS, in REASONS' order

    @property
    def label(self) -> StrOrPromise:
        return COLOUR_LABELS[self.colour]

    @property
    def reason_labels(self) -> list[StrOrPromise]:
        return [REASONS[r] for r in self.reasons]


def _colour(reasons: tuple[str, ...]) -> RiskColour:
    if any(r in RED_REASONS for r in reasons):
        return RiskColour(RED, reasons)
    return RiskColour(YELLOW if reasons else GREEN, reasons)


def risk_colours(children: Iterable[Child], *, today: date | None = None) -> dict[int, RiskColour]:
    """The colour of each given child, by primary key (two queries). The caller has already
    decided that the user may see these children."""
    today = today or timezone.localdate()
    ids = [c.pk for c in children]
    if not ids:
        return {}
    open_case = Case.objects.filter(child=OuterRef("pk")).exclude(status=CaseStatus.CLOSED)
    rows = Child.objects.filter(pk__in=ids).annotate(
        r_emergency=Exists(
            EmergencyProtection.objects.filter(child=OuterRef("pk"), resolved_at__isnull=True)
        ),
        r_high_risk=Exists(open_case.filter(risk=Risk.HIGH)),
        r_category_pending=Exists(
            CategoryAssignment.objects.filter(
                child=OuterRef("pk"),
                status__in=[CategoryStatus.CANDIDATE, CategoryStatus.VERIFIED],
            )
        ),
        r_medium_risk=Exists(open_case.filter(risk=Risk.MEDIUM)),
    )
    flags: dict[int, dict[str, object]] = {
        row["pk"]: dict(row)
        for row in rows.values(
            "pk", "r_emergency", "r_high_risk", "r_category_pending", "r_medium_risk"
        )
    }
    overdue = {
        r.child.pk for r in schedule_for(Child.objects.filter(pk__in=ids), today=today) if r.overdue
    }
    out = {}
    for pk in ids:
        row = flags.get(pk, {})
        found = {key for key in REASONS if row.get(f"r_{key}")}
        if pk in overdue:
            found.add("visit_overdue")
        out[pk] = _colour(tuple(key for key in REASONS if key in found))
    return out


def risk_colour(child: Child, *, today: date | None = None) -> RiskColour:
    """One child's colour (the rule of `risk_colours`)."""
    return risk_colours([child], today=today)[child.pk]
