"""A child's timeline for its archive page: categories, cases and what hangs on them, home
visits and emergency protection, in time order. One query per kind of event, merged in Python
(a child has hundreds of events at most, never thousands)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.cases.models import (
    Assessment,
    Case,
    EmergencyProtection,
    HomeVisit,
    Referral,
    ServiceRecord,
    VisitPhoto,
)
from huhang.core import scope
from huhang.core.roles import Role
from huhang.registry.models import CategoryStatus, Child

if TYPE_CHECKING:
    from huhang.accounts.models import User


@dataclass(frozen=True)
class Event:
    when: datetime
    kind: str  # css class: category, case, assessment, service, visit, referral, emergency
    title: str
    detail: str = field(default="")
    url: str = ""
    # A visit's photos: (the document's address, its title), shown on the visit's entry.
    photos: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "detail", _short(self.detail or ""))


def _moment(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return timezone.localtime(value)
    return datetime.combine(value, time(12, 0), tzinfo=timezone.get_current_timezone())


@lru_cache(maxsize=1)
def _case_url_pattern() -> str:
    # reverse() once; a child's page may carry hundreds of links to its cases.
    return reverse("cases:case_detail", args=[0]).replace("/0/", "/{}/")


def _case_url(case_id: int) -> str:
    return _case_url_pattern().format(case_id)


DETAIL_CHARS = 160


def _short(text: str) -> str:
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1] + "…"


def child_timeline(*, user: User, child: Child) -> list[Event]:
    """Newest first. Cases, and what hangs on them, are those the user may see: a social worker
    sees its own project's cases only."""
    cases = list(scope.visible(user, Case).filter(child=child))
    case_ids = [c.pk for c in cases]
    photos = VisitPhoto.objects.select_related("document").order_by("pk")
    visits = (
        HomeVisit.objects.filter(child=child)
        .select_related("visitor")
        .prefetch_related(Prefetch("photos", queryset=photos))
    )
    if user.role == Role.SOCIAL_WORKER:
        visits = visits.filter(case_id__in=case_ids)
    events = [
        *_category_events(child),
        *_case_events(cases),
        *(_linked_events(case_ids) if case_ids else []),
        *(_visit_event(v) for v in visits),
        *_emergency_events(scope.visible(user, EmergencyProtection).filter(child=child)),
    ]
    events.sort(key=lambda ev: ev.when, reverse=True)
    return events


def _category_events(child: Child) -> list[Event]:
    events = []
    for c in getattr(child, "category_list", None) or child.categories.all():
        label = {"c": c.get_category_display()}
        events.append(
            Event(_moment(c.proposed_at), "category", _("提出认定：%(c)s") % label, c.basis)
        )
        if c.approved_at:
            events.append(Event(_moment(c.approved_at), "category", _("认定：%(c)s") % label))
        if c.status == CategoryStatus.ENDED and c.effective_to:
            events.append(
                Event(_moment(c.effective_to), "category", _("终止：%(c)s") % label, c.ended_reason)
            )
    return events


def _case_events(cases: Iterable[Case]) -> list[Event]:
    events = []
    for case in cases:
        url, number = _case_url(case.pk), {"n": case.pk}
        events.append(
            Event(_moment(case.opened_at), "case", _("开案 #%(n)s") % number, case.summary, url)
        )
        if case.closed_at:
            events.append(
                Event(
                    _moment(case.closed_at),
                    "case",
                    _("结案 #%(n)s") % number,
                    case.closure_reason,
                    url,
                )
            )
    return events


def _linked_events(case_ids: list[int]) -> list[Event]:
    events = []
    for a in Assessment.objects.filter(case_id__in=case_ids):
        title = _("评估：风险%(r)s") % {"r": a.get_risk_display()}
        events.append(
            Event(
                _moment(a.assessed_on), "assessment", title, a.override_reason, _case_url(a.case_id)
            )
        )
    for s in ServiceRecord.objects.filter(case_id__in=case_ids).select_related("project"):
        title = _("服务：%(k)s %(m)s分钟") % {"k": s.get_kind_display(), "m": s.minutes}
        if s.project is not None:  # the purchased-service project that delivered it
            title += _("（%(p)s）") % {"p": s.project.name}
        events.append(
            Event(_moment(s.delivered_on), "service", title, s.note, _case_url(s.case_id))
        )
    for r in Referral.objects.filter(case_id__in=case_ids):
        url, agency = _case_url(r.case_id), {"a": r.agency_name}
        events.append(
            Event(_moment(r.sent_on), "referral", _("转介：%(a)s") % agency, r.request, url)
        )
        if r.responded_on:
            title = _("转介答复：%(a)s") % agency
            events.append(Event(_moment(r.responded_on), "referral", title, r.response, url))
    return events


def _visit_event(visit: HomeVisit) -> Event:
    title = _("入户探访（%(who)s）") % {"who": visit.visitor.display_name}
    photos = tuple((_document_url(p.document_id), p.document.title) for p in visit.photos.all())
    return Event(_moment(visit.visited_on), "visit", title, visit.findings, photos=photos)


def _document_url(document_id: int) -> str:
    return reverse("registry:document_download", args=[document_id])


def _emergency_events(emergencies: Iterable[EmergencyProtection]) -> list[Event]:
    events = []
    for e in emergencies:
        url = reverse("cases:emergency_detail", args=[e.pk])
        events.append(
            Event(
                _moment(e.taken_in_at),
                "emergency",
                _("临时监护：接收"),
                e.get_situation_display(),
                url,
            )
        )
        if e.resolved_at:
            events.append(
                Event(
                    _moment(e.resolved_at),
                    "emergency",
                    _("临时监护：解除"),
                    e.get_outcome_display(),
                    url,
                )
            )
    return events
